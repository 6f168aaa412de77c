"""The embedded broker writes each message whole before a worker can take it."""

from __future__ import annotations

import os

from kombu import Connection

from engage import broker


def folder_connection(tmp_path):
    broker.use()
    return Connection(
        "filesystem://",
        transport_options={
            "data_folder_in": str(tmp_path),
            "data_folder_out": str(tmp_path),
            "control_folder": str(tmp_path / "control"),
        },
    )


def test_filesystem_means_the_whole_message_transport(tmp_path):
    with folder_connection(tmp_path) as conn:
        assert isinstance(conn.default_channel, broker.Channel)


def test_a_message_is_never_visible_half_written(tmp_path, monkeypatch):
    seen_while_writing = []
    real_replace = os.replace

    def replace(src, dst):
        # Just before the rename: what a worker listing the folder would find.
        seen_while_writing.append(sorted(p.name for p in tmp_path.iterdir()))
        return real_replace(src, dst)

    monkeypatch.setattr(broker.os, "replace", replace)
    with folder_connection(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        queue.put({"run": 7})
        (names,) = seen_while_writing
        assert names
        assert all(n.endswith(".msg" + broker.PARTIAL) for n in names)
        assert queue.get(timeout=1).payload == {"run": 7}
        queue.close()
    assert not list(tmp_path.glob("*" + broker.PARTIAL))
