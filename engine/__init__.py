"""Dixian engine: definitions, cases, work items, timers and audit trail on SpiffWorkflow.

This package's public API is what front-ends use; they import nothing else from ``engine``
but its errors. Build one Engine from settings and call its verbs::

    from engine import Settings, build_engine
    eng = build_engine(Settings.from_environment())
    started = eng.start("monitoring_identification", actor, data)

The engine never imports Flask or click.
"""
from . import demo
from .audit import Verification
from .calendar import TIMEZONE, BusinessCalendar, DayKind
from .cases import Completed, Started, local_today
from .directory import Actor, AreaRow
from .engine import Engine, build_engine
from .errors import (Conflict, DixianError, Forbidden, InvalidData, InvalidDefinition, NotFound,
                     ScriptError)
from .forms import errors_of as form_errors
from .forms import load as load_form
from .forms import mask_id_number
from .funds import (AllocationView, FundsOverview, PaymentView, ProjectFunds,
                    ReleaseView)
from .definitions import DraftView, ProcessVersions, VersionSummary
from .diffing import Change, DefinitionDiff, ElementDiff, FileDiff
from .households import HouseholdRow
from .migration import CaseMigration, MigrationReport
from .models import CaseStatus, ItemStatus, Level
from .parsing import ParsedDefinition, StepInfo
from .procedures import Fact, Procedure, Subject
from .projects import (FUND_SOURCES, PROJECT_TYPES, CampaignView, LibraryPage,
                       ProjectView)
from .reading import CaseView, DiagramView, TaskView
from .registry import VersionRow
from .reports import (Chart, Column, DeadlineOutcome, Headline, ReportFilters, ReportInfo,
                      ReportView, Series, Table, deadline_outcome)
from .settings import Settings
from .timers import Sweep
from .views import INBOX_VIEWS, AttachmentView, CaseBrief, InboxPage, ItemView, TrailEntry

__all__ = [
    "Actor", "AreaRow", "demo", "AttachmentView", "BusinessCalendar", "CaseBrief",
    "CaseMigration", "CaseStatus", "CaseView", "Change", "Completed", "Conflict", "DayKind",
    "DefinitionDiff", "DiagramView", "DixianError", "DraftView", "ElementDiff", "Engine",
    "Fact", "FileDiff", "Forbidden", "HouseholdRow", "MigrationReport", "ProcessVersions",
    "VersionSummary", "INBOX_VIEWS", "InboxPage", "InvalidData",
    "InvalidDefinition", "ItemStatus", "ItemView", "Level", "NotFound", "ParsedDefinition",
    "Procedure", "ScriptError", "Settings", "Started", "StepInfo", "Subject", "Sweep",
    "TIMEZONE", "TaskView", "TrailEntry", "Verification", "VersionRow", "build_engine",
    "form_errors", "load_form", "local_today", "mask_id_number",
    # The project library and its funds
    "AllocationView", "CampaignView", "FUND_SOURCES", "FundsOverview", "LibraryPage",
    "PROJECT_TYPES", "PaymentView", "ProjectFunds", "ProjectView", "ReleaseView",
    # Reports
    "Chart", "Column", "DeadlineOutcome", "Headline", "ReportFilters", "ReportInfo",
    "ReportView", "Series", "Table", "deadline_outcome",
]
