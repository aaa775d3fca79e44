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
from .checkpoints import Checkpoint, CheckpointCheck
from .case_list import CaseFilter, CasePage
from .cases import Completed, Started, local_today
from .clues import CluePage, ClueView
from .directory import Actor, AreaRow
from .engine import Engine, build_engine
from .elimination import MODES as ELIMINATION_MODES, Condition
from .elimination_verbs import HistoryLine, NationalEntryView
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
from .print_jobs import PrintJobView
from .printing import (CasePrintout, EventLine, NoticeLine, Opinion, Person, PublicityNotice,
                       StepLine)
from .procedures import Fact, Procedure, Subject
from .projects import (FUND_SOURCES, PROJECT_TYPES, CampaignView, LibraryPage,
                       ProjectView)
from .periods import PeriodView, SheetEntry
from .reading import CaseView, DiagramView, TaskView
from .register import (CHOICES as REGISTER_CHOICES, IncomeView, MemberView, MonitoringView,
                       RegisterView)
from .register import choice_label as register_label
from .registry import VersionRow
from .reports import (Chart, Column, DeadlineOutcome, Headline, ReportFilters, ReportInfo,
                      ReportView, Series, Table, deadline_outcome)
from .reports.entries import ReportEntryView
from .reports.visit_fields import FIELDS as VISIT_REPORT_FIELDS
from .settings import Settings
from .messaging import SmsGateway
from .messaging import text_of as notification_text
from .supervision_verbs import Urged
from .supervision_views import (BoardRow, NotificationPage, NotificationView, OverdueBoard,
                                OverdueItem, RiskCase, SupervisionView)
from .timers import Sweep
from .worker_verbs import LeaseView, TimerView
from .views import (DONE_COUNT_LIMIT, INBOX_VIEWS, AttachmentView, CaseBrief, InboxPage, ItemView,
                    TrailEntry)
from .warning_files import DEPARTMENTS, RISK_CODES
from .warning_import import ImportView, RowView
from .screening import CampaignView as ScreeningView, Coverage, EntryView
from .visits import (GUARANTEES, INCOME_CHANGES, SPENDING_CHANGES, PlanRow, VisitPlan,
                     VisitView)

__all__ = [
    "Actor", "AreaRow", "demo", "AttachmentView", "BusinessCalendar", "CaseBrief",
    "CaseMigration", "CaseStatus", "CaseView", "Change", "Completed", "Conflict", "DayKind",
    "DefinitionDiff", "DiagramView", "DixianError", "DraftView", "ElementDiff", "Engine",
    "Fact", "FileDiff", "Forbidden", "HouseholdRow", "MigrationReport", "ProcessVersions",
    "VersionSummary", "DONE_COUNT_LIMIT", "INBOX_VIEWS", "InboxPage", "InvalidData",
    "InvalidDefinition", "ItemStatus", "ItemView", "Level", "NotFound", "ParsedDefinition",
    "Procedure", "ScriptError", "Settings", "Started", "StepInfo", "Subject", "Sweep",
    "TIMEZONE", "TaskView", "TrailEntry", "Verification", "VersionRow", "build_engine",
    "form_errors", "load_form", "local_today", "mask_id_number",
    # The project library and its funds
    "AllocationView", "CampaignView", "FUND_SOURCES", "FundsOverview", "LibraryPage",
    "PROJECT_TYPES", "PaymentView", "ProjectFunds", "ProjectView", "ReleaseView",
    # Supervision (督办), urges, notifications, the overdue board
    "BoardRow", "NotificationPage", "NotificationView", "OverdueBoard", "OverdueItem",
    "RiskCase", "SupervisionView", "Urged", "LeaseView", "TimerView", "SmsGateway",
    "notification_text",
    # Printouts, batch print jobs and audit checkpoints
    "CasePrintout", "Checkpoint", "CheckpointCheck", "EventLine", "NoticeLine", "Opinion",
    "Person", "PrintJobView", "PublicityNotice", "StepLine",
    # The register of monitoring objects, periods and the approval sheet
    "IncomeView", "MemberView", "MonitoringView", "PeriodView", "REGISTER_CHOICES",
    "RegisterView", "SheetEntry", "register_label", "CaseFilter", "CasePage",
    # Risk clues, department warnings, screening campaigns and monthly visits
    "CluePage", "ClueView", "DEPARTMENTS", "ImportView", "RISK_CODES", "RowView",
    "Coverage", "EntryView", "GUARANTEES", "INCOME_CHANGES", "PlanRow", "SPENDING_CHANGES",
    "ScreeningView", "VisitPlan", "VisitView",
    # Reports
    "Chart", "Column", "DeadlineOutcome", "Headline", "ReportFilters", "ReportInfo",
    "ReportView", "Series", "Table", "deadline_outcome", "ReportEntryView",
    "VISIT_REPORT_FIELDS",
    # Risk elimination, rollback and the national system
    "Condition", "ELIMINATION_MODES", "HistoryLine", "NationalEntryView",
]
