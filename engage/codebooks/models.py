"""A partner's stored codebook: themes in the shape of an ``engage themes --codebook`` file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.base import Base, Timestamped, utcnow
from surveys.models import Organisation


class Codebook(Timestamped, Base):
    __tablename__ = "codebooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    # [{"id", "label", "description", "examples": [answer texts]}], in the officers' order.
    themes: Mapped[list[Any]] = mapped_column(default=list)
    # Officers of every partner may read and use it; only the owner's officers change it.
    shared: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    def as_file(self) -> dict[str, Any]:
        """The codebook-file shape that ``engage themes --codebook`` and uploads read."""
        return {"themes": [dict(theme) for theme in self.themes]}
