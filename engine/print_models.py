"""The table of batch print jobs: requested on a page or the CLI, rendered by the worker."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class PrintJob(Base):
    """A batch of printed trails: what was asked, how far the worker got, the PDF when done."""

    __tablename__ = "print_jobs"
    __table_args__ = (Index("ix_print_jobs_status", "status", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    requested_at: Mapped[datetime]
    area_code: Mapped[str] = mapped_column(String(12))
    params: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(12))  # queued, running, done, failed
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[Optional[datetime]]
    finished_at: Mapped[Optional[datetime]]
    filename: Mapped[str] = mapped_column(String(200), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    content: Mapped[Optional[bytes]] = mapped_column(LargeBinary, deferred=True)
