"""Tables of risk discovery after identification: risk clues (风险线索) and where they come
from — department warning imports (部门筛查预警), screening campaigns (集中排查) and monthly
home visits (每月入户走访) with their photos.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import (Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class WarningImport(Base):
    """One uploaded department file, its counts and the import's progress; its checked rows
    (the preview) are ``warning_rows``."""

    __tablename__ = "warning_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    department: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    status: Mapped[str] = mapped_column(String(12))
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    good_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_rows: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_rows: Mapped[int] = mapped_column(Integer, default=0)
    # Rows the preview found good but the import found taken by then: [[row, reason], …].
    skipped: Mapped[list[Any]]
    processed: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]
    finished_at: Mapped[Optional[datetime]]


class WarningRow(Base):
    """One data row of an uploaded file as checked: its number in the file, status (ok,
    error, duplicate), and ``data``: the cleaned values, the problems (column and what is
    wrong) and what it duplicates. ``position`` orders the rows for the chunked import."""

    __tablename__ = "warning_rows"
    __table_args__ = (UniqueConstraint("import_id", "position"),
                      Index("ix_warning_rows_status", "import_id", "status", "position"))
    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("warning_imports.id"))
    position: Mapped[int]
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(10))
    data: Mapped[dict[str, Any]]


class ScreeningCampaign(Base):
    """A concentrated screening (集中排查) the county opens for a period."""

    __tablename__ = "screening_campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(12))
    opened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime]


class ScreeningEntry(Base):
    """A household on a campaign's list, and what its screening found."""

    __tablename__ = "screening_entries"
    __table_args__ = (UniqueConstraint("campaign_id", "household_id"),
                      Index("ix_screening_entries_area", "campaign_id", "village_code"))
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("screening_campaigns.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    village_code: Mapped[str] = mapped_column(String(12))
    finding: Mapped[str] = mapped_column(String(12), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    screened_on: Mapped[Optional[date]] = mapped_column(Date)
    screened_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    clue_id: Mapped[Optional[int]]


class HouseholdVisit(Base):
    """A monthly home visit (每月入户走访): changes found and whether the guarantees hold."""

    __tablename__ = "household_visits"
    __table_args__ = (Index("ix_household_visits_month", "month", "village_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    village_code: Mapped[str] = mapped_column(String(12))
    month: Mapped[str] = mapped_column(String(7))
    visited_on: Mapped[date] = mapped_column(Date)
    visitors: Mapped[str] = mapped_column(String(200))
    income_change: Mapped[str] = mapped_column(String(12))
    income_per_head: Mapped[Optional[float]] = mapped_column(Numeric(12, 2, asdecimal=False))
    spending_change: Mapped[str] = mapped_column(String(12))
    food_clothing: Mapped[bool] = mapped_column(Boolean)
    education: Mapped[bool] = mapped_column(Boolean)
    medical: Mapped[bool] = mapped_column(Boolean)
    housing: Mapped[bool] = mapped_column(Boolean)
    safe_water: Mapped[bool] = mapped_column(Boolean)
    aid_received: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]
    clue_id: Mapped[Optional[int]]


class VisitPhoto(Base):
    """A photo (or scanned sheet) taken on a visit."""

    __tablename__ = "visit_photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("household_visits.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(deferred=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]


class RiskClue(Base):
    """A risk clue (风险线索) for the village to check: it becomes a declaration or is
    closed with a reason.

    ``open_key`` holds the ID number while the clue is open and is unique, so one person
    never has two open clues (two imports at once cannot both add one); the same file's
    rows are unique by (``source_sha``, ``id_number``), so a re-import adds nothing even
    after its clues were handled.
    """

    __tablename__ = "risk_clues"
    __table_args__ = (UniqueConstraint("source_sha", "id_number"),
                      Index("ix_risk_clues_queue", "status", "village_code"))
    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(50))
    village_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    household_id: Mapped[Optional[int]] = mapped_column(ForeignKey("households.id"))
    source: Mapped[str] = mapped_column(String(20))
    department: Mapped[str] = mapped_column(String(30), default="")
    reason: Mapped[str] = mapped_column(Text)
    risk_types: Mapped[list[Any]]
    found_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    open_key: Mapped[Optional[str]] = mapped_column(String(18), unique=True)
    source_sha: Mapped[Optional[str]] = mapped_column(String(64))
    import_id: Mapped[Optional[int]] = mapped_column(ForeignKey("warning_imports.id"))
    row_number: Mapped[Optional[int]]
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("screening_campaigns.id"))
    visit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("household_visits.id"))
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    handled_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[Optional[datetime]]
    close_reason: Mapped[str] = mapped_column(Text, default="")
