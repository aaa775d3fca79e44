"""Tables of the register of monitoring objects (监测对象信息): household members, income
records and the monitoring status of a household.

One ``monitoring_objects`` row per household that was ever taken in: its status moves
监测中 → 风险已消除 (and back on 回退); visits and risk elimination hang off it by
``household_id``. Money is whole yuan in numeric columns (the national system counts yuan).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class HouseholdMember(Base):
    """A member of a household as the national system records them."""

    __tablename__ = "household_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18), default="")
    relation: Mapped[str] = mapped_column(String(20))
    sex: Mapped[str] = mapped_column(String(10), default="")
    birth_date: Mapped[Optional[date]] = mapped_column(Date)
    health: Mapped[str] = mapped_column(String(20), default="healthy")
    disability_grade: Mapped[int] = mapped_column(Integer, default=0)
    labour_capacity: Mapped[str] = mapped_column(String(20), default="")
    schooling: Mapped[str] = mapped_column(String(20), default="")
    employment: Mapped[str] = mapped_column(String(100), default="")


class HouseholdIncome(Base):
    """The household's income over the 12 months up to ``period_end``, by its parts."""

    __tablename__ = "household_incomes"
    __table_args__ = (Index("ix_household_incomes_period", "household_id", "period_end"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    period_end: Mapped[date] = mapped_column(Date)
    members: Mapped[int] = mapped_column(Integer)
    wage: Mapped[float] = mapped_column(Numeric(12, 2), default=0)
    business: Mapped[float] = mapped_column(Numeric(12, 2), default=0)
    property: Mapped[float] = mapped_column(Numeric(12, 2), default=0)
    transfer: Mapped[float] = mapped_column(Numeric(12, 2), default=0)
    business_expense: Mapped[float] = mapped_column(Numeric(12, 2), default=0)
    medical_out_of_pocket: Mapped[float] = mapped_column(Numeric(12, 2), default=0)
    schooling_spending: Mapped[float] = mapped_column(Numeric(12, 2), default=0)
    accident_loss: Mapped[float] = mapped_column(Numeric(12, 2), default=0)
    recorded_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]


class MonitoringObject(Base):
    """A household taken in as monitoring object, and where its monitoring stands."""

    __tablename__ = "monitoring_objects"
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), primary_key=True)
    village_code: Mapped[str] = mapped_column(String(12), index=True)
    # monitoring (监测中, 风险未消除) | eliminated (风险已消除)
    status: Mapped[str] = mapped_column(String(12), index=True)
    object_type: Mapped[str] = mapped_column(String(20), default="")
    risk_types: Mapped[str] = mapped_column(String(100), default="")   # codes, comma-separated
    helper_name: Mapped[str] = mapped_column(String(50), default="")
    helper_unit: Mapped[str] = mapped_column(String(100), default="")
    helper_position: Mapped[str] = mapped_column(String(50), default="")
    aid_measures: Mapped[str] = mapped_column(String(300), default="")  # codes, comma-separated
    aid_plan: Mapped[str] = mapped_column(Text, default="")
    identified_case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id"))
    identified_at: Mapped[datetime]
    # 帮扶消除 / 自然消除 once eliminated; cleared on 回退
    elimination_mode: Mapped[str] = mapped_column(String(20), default="")
    eliminated_at: Mapped[Optional[datetime]]
    updated_at: Mapped[datetime]


class MonitoringEvent(Base):
    """One change of a household's monitoring status, for its history: taken in,
    eliminated (with the mode and the case), rolled back (回退, with the reason)."""

    __tablename__ = "monitoring_events"
    __table_args__ = (Index("ix_monitoring_events_household", "household_id", "id"),
                      Index("ix_monitoring_events_at", "event", "at", "village_code"))
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    village_code: Mapped[str] = mapped_column(String(12))
    # taken_in | eliminated | rolled_back
    event: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id"))
    mode: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    # taken_in: the income monitoring line the identification used (yuan per head and year)
    income_line: Mapped[Optional[float]] = mapped_column(Numeric(12, 2, asdecimal=False))
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]


class NationalEntry(Base):
    """That a case's result was entered into 全国防返贫监测信息系统: by whom and when."""

    __tablename__ = "national_entries"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    entered_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(String(200), default="")


class VisitReminder(Base):
    """The monthly-visit reminder sent to a village for a month (once: the key)."""

    __tablename__ = "visit_reminders"
    village_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    due: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime]
