"""Tables of the project library (项目库) and its funds: projects, campaigns, fund releases,
allocations and payments.

Money is stored as whole fen (分, 1/100 yuan) in integer columns, so that sums and the
payment rule's percentages are exact on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class ProjectCampaign(Base):
    """A library-building campaign: the years it covers and its three dates (指南、入库、录入)."""

    __tablename__ = "project_campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    first_year: Mapped[int]
    last_year: Mapped[int]
    guide_due: Mapped[date] = mapped_column(Date)
    intake_due: Mapped[date] = mapped_column(Date)
    entry_due: Mapped[date] = mapped_column(Date)
    updated_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]


class Project(Base):
    """A proposed project and, once admitted, an entry of the library."""

    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_area_year", "area_code", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    project_type: Mapped[str] = mapped_column(String(30))
    # A village, or a township for a cross-village project.
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    cross_village: Mapped[bool] = mapped_column(Boolean, default=False)
    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), index=True)
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    emergency_cause: Mapped[str] = mapped_column(String(20), default="")
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    engineering: Mapped[bool] = mapped_column(Boolean, default=False)
    department: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    # Fund source -> fen; budget_total is their sum.
    budget: Mapped[dict[str, Any]]
    budget_total: Mapped[int] = mapped_column(BigInteger)
    beneficiary_households: Mapped[int] = mapped_column(Integer, default=0)
    beneficiary_people: Mapped[int] = mapped_column(Integer, default=0)
    monitoring_households: Mapped[int] = mapped_column(Integer, default=0)
    benefit_mechanism: Mapped[str] = mapped_column(Text, default="")
    performance_targets: Mapped[list[Any]]
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("project_campaigns.id"))
    proposed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime]
    admitted_at: Mapped[Optional[datetime]]
    updated_at: Mapped[datetime]


class FundRelease(Base):
    """Connection funds released to the county (资金下达): a document, a source, an amount."""

    __tablename__ = "fund_releases"
    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    document: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    amount: Mapped[int] = mapped_column(BigInteger)
    released_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class FundAllocation(Base):
    """Part of a release assigned to an admitted project (落实到项目)."""

    __tablename__ = "fund_allocations"
    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("fund_releases.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    allocated_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class FundPayment(Base):
    """A payment to a project: an advance at the start of works, by progress, or plain."""

    __tablename__ = "fund_payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int] = mapped_column(BigInteger)
    progress: Mapped[Optional[int]]
    paid_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
