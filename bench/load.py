"""Load test of the resident submission path with gunicorn and PostgreSQL.

    ENGAGE_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/load.py --requests 2000 --concurrency 32 --runs 3

Starts gunicorn (``--workers``, sync) on the given database with the bench-only one-row
endpoint on, seeds an open consultation and one draft per resident (untimed), then in each run
times the real submit POST (response + answers + outbox row in one transaction) and the bare
endpoint (one row, same stack) at the same concurrency, and a 5x spike of the submit path.
Reports throughput, p50/p95/p99, 5xx and rows stored against successes; medians over runs.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-" + "x" * 32


def app_env(database: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ENGAGE_DATABASE_URL": database,
        "ENGAGE_BROKER_URL": "redis://127.0.0.1:1/0",  # never reached: the outbox holds work
        "ENGAGE_SECRET_KEY": SECRET,
        "ENGAGE_INSTANCE_PATH": str(instance),
        "ENGAGE_BENCH_ENDPOINT": "1",
    }


def seed(database: str, instance: Path, residents: int) -> tuple[str, list[str], dict]:
    """An open consultation, and a draft with full answers for each resident."""
    os.environ.update(app_env(database, instance))
    from engage import migrate
    from engage.app import create_app
    from engage.db import get_session
    from surveys import drafts, services
    from surveys.base import utcnow
    from surveys.models import Organisation

    app = create_app()
    migrate.upgrade(app.extensions["engine"])
    with app.app_context():
        session = get_session()
        org = Organisation(
            name=f"Bench {secrets.token_hex(3)}", code=secrets.token_hex(4), kind="council"
        )
        session.add(org)
        session.flush()
        now = utcnow()
        from datetime import timedelta

        item = services.create_consultation(
            session,
            title=f"Bench {secrets.token_hex(4)}",
            summary="Load test",
            organisation_id=org.id,
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=30),
        )
        q1 = services.add_question(
            session,
            item,
            type="single_choice",
            title="How satisfied are you?",
            required=True,
            options=["Satisfied", "Neither", "Dissatisfied"],
        )
        q2 = services.add_question(
            session,
            item,
            type="long_text",
            title="What would make the biggest difference?",
        )
        item.status = "open"
        session.flush()
        values = {
            q1.field_name: ["o1"],
            q2.field_name: ["More buses to the hospital, please"],
            # As a real draft holds it: begun when its first page was shown, minutes ago, so
            # the minimum-time check (engage.web.formguard) passes as it does for a person.
            drafts.STARTED: [(now - timedelta(minutes=5)).isoformat()],
        }
        tokens = []
        for _ in range(residents):
            token = drafts.new_token()
            drafts.save(session, item, None, token=token, values=values, path=[1], now=now)
            tokens.append(token)
        session.commit()
        return item.slug, tokens, {"consultation_id": item.id}


def form_key(token: str) -> str:
    return hmac.new(SECRET.encode(), f"survey:{token}".encode(), hashlib.sha256).hexdigest()[:32]


def drive(port: int, paths: list[tuple[str, str]], concurrency: int) -> dict:
    """POST each (path, body) with ``concurrency`` keep-alive clients; latencies and statuses."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    index = iter(range(len(paths)))

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                n = next(index, None)
            if n is None:
                break
            path, body = paths[n]
            started = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    path,
                    body=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 599
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "rps": len(latencies) / wall,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "statuses": statuses,
        "errors": sum(v for k, v in statuses.items() if k >= 500),
        "ok": sum(v for k, v in statuses.items() if k < 400),
    }


def count_rows(database: str, sql: str, **params) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    with engine.connect() as connection:
        value = connection.execute(text(sql), params).scalar_one()
    engine.dispose()
    return int(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--spike", type=int, default=5, help="spike multiplier of concurrency")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    database = os.environ.get("ENGAGE_DATABASE_URL", "")
    if not database.startswith("postgresql"):
        sys.exit("set ENGAGE_DATABASE_URL to a PostgreSQL database the benchmark may fill")
    instance = Path(os.environ.get("BENCH_INSTANCE", ROOT / "instance" / "bench"))
    instance.mkdir(parents=True, exist_ok=True)
    spike_n = args.requests  # the spike sends as many requests, from spike x more clients
    slug, tokens, ids = seed(database, instance, args.requests * args.runs + spike_n * args.runs)
    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--backlog",
            "2048",
            "engage.app:create_app()",
        ],
        env=app_env(database, instance),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)
        rows: list[dict] = []
        cursor = 0
        for run in range(args.runs):
            batch = tokens[cursor : cursor + args.requests]
            cursor += args.requests
            before = count_rows(
                database,
                "select count(*) from responses where consultation_id=:c",
                c=ids["consultation_id"],
            )
            submit = drive(
                port,
                [
                    (f"/consultations/{slug}/respond/{t}/submit", f"form_key={form_key(t)}")
                    for t in batch
                ],
                args.concurrency,
            )
            stored = (
                count_rows(
                    database,
                    "select count(*) from responses where consultation_id=:c",
                    c=ids["consultation_id"],
                )
                - before
            )
            outbox = count_rows(
                database, "select count(*) from task_outbox where key like 'response:%'"
            )
            bare_before = count_rows(
                database, "select count(*) from task_outbox where key like 'bench:%'"
            )
            bare = drive(port, [("/bench/insert", "")] * args.requests, args.concurrency)
            bare_stored = (
                count_rows(database, "select count(*) from task_outbox where key like 'bench:%'")
                - bare_before
            )
            spike_batch = tokens[cursor : cursor + spike_n]
            cursor += spike_n
            spike = drive(
                port,
                [
                    (f"/consultations/{slug}/respond/{t}/submit", f"form_key={form_key(t)}")
                    for t in spike_batch
                ],
                args.concurrency * args.spike,
            )
            spike_stored = (
                count_rows(
                    database,
                    "select count(*) from responses where consultation_id=:c",
                    c=ids["consultation_id"],
                )
                - before
                - stored
            )
            row = {
                "run": run + 1,
                "submit": submit,
                "stored": stored,
                "bare": bare,
                "bare_stored": bare_stored,
                "spike": spike,
                "spike_stored": spike_stored,
                "ratio": submit["rps"] / bare["rps"],
                "outbox_rows": outbox,
            }
            rows.append(row)
            print(
                f"run {run + 1}: submit {submit['rps']:.0f}/s p95 {submit['p95']:.0f} ms "
                f"(statuses {submit['statuses']}, stored {stored}/{submit['ok']}) | bare "
                f"{bare['rps']:.0f}/s p95 {bare['p95']:.0f} ms (5xx {bare['errors']}, "
                f"stored {bare_stored}/{bare['ok']}) | ratio {row['ratio']:.2f} | spike x"
                f"{args.spike}: {spike['rps']:.0f}/s p95 {spike['p95']:.0f} ms statuses "
                f"{spike['statuses']} stored {spike_stored}",
                flush=True,
            )
        med = statistics.median
        print("\nmedian of", args.runs, "runs:")
        print(
            f"submit {med(r['submit']['rps'] for r in rows):.0f}/s, p50 "
            f"{med(r['submit']['p50'] for r in rows):.0f} ms, p95 "
            f"{med(r['submit']['p95'] for r in rows):.0f} ms, p99 "
            f"{med(r['submit']['p99'] for r in rows):.0f} ms"
        )
        print(
            f"bare   {med(r['bare']['rps'] for r in rows):.0f}/s, p50 "
            f"{med(r['bare']['p50'] for r in rows):.0f} ms, p95 "
            f"{med(r['bare']['p95'] for r in rows):.0f} ms, p99 "
            f"{med(r['bare']['p99'] for r in rows):.0f} ms"
        )
        print(f"ratio  {med(r['ratio'] for r in rows):.2f}")
        print(
            f"spike  {med(r['spike']['rps'] for r in rows):.0f}/s, p95 "
            f"{med(r['spike']['p95'] for r in rows):.0f} ms, 5xx "
            f"{sum(r['spike']['errors'] for r in rows)}"
        )
        errors = sum(
            r["submit"]["errors"] + r["bare"]["errors"] + r["spike"]["errors"] for r in rows
        )
        lost = sum(
            r["submit"]["ok"] - r["stored"] + r["spike"]["ok"] - r["spike_stored"] for r in rows
        )
        print(f"5xx total {errors}; lost {lost}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
