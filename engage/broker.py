"""The embedded broker (``filesystem://``, the default when no Redis is set): kombu's filesystem
transport, except that a message is written whole before a worker can see it.

kombu 5.7 creates a message's file and then writes into it, while a worker that lists the folder
at that moment moves the empty file away and fails to decode it, which stops the worker (seen on
``make run``). Here a message is written under a name no worker reads (``.part``) and renamed
into place, which is atomic on one file system.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

ALIAS = "filesystem"
PARTIAL = ".part"


class Channel(filesystem.Channel):
    # kombu's own bases disagree on the second argument's name (message, payload): mypy would
    # refuse any name, so the one kombu's filesystem channel uses is kept.
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


def use() -> None:
    """Make ``filesystem://`` mean this transport in this process."""
    TRANSPORT_ALIASES[ALIAS] = f"{__name__}:Transport"
