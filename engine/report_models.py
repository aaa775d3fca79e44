"""Tables of the reports: the figures of a report that only people know, entered by hand
per area and period (the 走访慰问情况统计表's leaders, money and cases), and the indexes the
report queries add to other tables (migration 0016)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .clue_models import HouseholdVisit
from .models import Base
from .register_models import MonitoringObject
from .supervision_models import Supervision


class ReportEntry(Base):
    """What a report's hand-entered part holds for one area and period. ``version`` rises
    on every save: a save based on an older version is refused instead of overwriting."""

    __tablename__ = "report_entries"
    __table_args__ = (UniqueConstraint("report", "area_code", "date_from", "date_to"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    report: Mapped[str] = mapped_column(String(40))
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    data: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]


# The daily update counts 督办 opened on a day and those closed after it.
SUPERVISIONS = Supervision.__table__
Index("ix_supervisions_opened_at", SUPERVISIONS.c.opened_at)
Index("ix_supervisions_closed_at", SUPERVISIONS.c.closed_at)
# The visits table reads a period's visits of an area from the index alone.
Index("ix_household_visits_report", HouseholdVisit.__table__.c.month,
      HouseholdVisit.__table__.c.village_code, HouseholdVisit.__table__.c.visited_on,
      HouseholdVisit.__table__.c.household_id)
# The monitoring-object and aid-measure reports read an area's objects from the index alone.
OBJECT_COLUMNS = ("village_code", "identified_at", "status", "object_type", "eliminated_at",
                  "household_id", "risk_types", "aid_measures")
Index("ix_monitoring_objects_report",
      *[MonitoringObject.__table__.c[name] for name in OBJECT_COLUMNS])
