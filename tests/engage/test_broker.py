"""The embedded broker writes each message whole before a worker can take it."""

from __future__ import annotations

import os

from kombu import Connection

from engage import broker


def folder_connection(folder):
    broker.use()
    return Connection(
        "filesystem://",
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            # kombu's default is ./control, in whatever folder the tests run from
            "control_folder": str(folder.parent / "control"),
        },
    )


def test_filesystem_means_the_whole_message_transport(tmp_path):
    (tmp_path / "queue").mkdir()
    with folder_connection(tmp_path / "queue") as conn:
        assert isinstance(conn.default_channel, broker.Channel)


def test_a_message_is_never_visible_half_written(tmp_path, monkeypatch):
    folder = tmp_path / "queue"
    folder.mkdir()
    seen_while_writing = []
    real_replace = os.replace

    def replace(src, dst):
        # Just before the rename: what a worker listing the folder would find.
        seen_while_writing.append(sorted(p.name for p in folder.iterdir()))
        return real_replace(src, dst)

    monkeypatch.setattr(broker.os, "replace", replace)
    with folder_connection(folder) as conn:
        queue = conn.SimpleQueue("jobs")
        queue.put({"run": 7})
        (names,) = seen_while_writing
        assert names
        assert all(n.endswith(".msg" + broker.PARTIAL) for n in names)
        assert queue.get(timeout=1).payload == {"run": 7}
        queue.close()
    assert not list(folder.glob("*" + broker.PARTIAL))
