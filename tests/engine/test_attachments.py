"""engine.attachments: type by magic bytes, size limit, storage, audit, access."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from engine import attachments, audit, cases, db as engine_db, definitions, demo, directory
from engine.errors import Forbidden, InvalidData
from engine.models import AuditEvent

NOW = datetime(2025, 3, 10, 1, 0, tzinfo=timezone.utc)
PDF, PNG, JPEG = b"%PDF-1.7\n...", b"\x89PNG\r\n\x1a\n....", b"\xff\xd8\xff\xe0..JFIF"
BPMN = __import__("pathlib").Path(__file__).resolve().parents[2] / "bench" / "four_tasks.bpmn"


@pytest.fixture
def session(tmp_path):
    engine = engine_db.make_engine(f"sqlite:///{tmp_path}/a.sqlite")
    engine_db.migrate(engine)
    with engine_db.session_factory(engine)() as s:
        demo.seed(s, NOW)
        definitions.deploy(s, *definitions.collect_files([BPMN]), None, NOW)
        yield s
    engine.dispose()


@pytest.fixture
def case(session):
    case, _ = cases.start_case(session, "four_tasks", directory.find_user(session, "village11"),
                               {}, NOW)
    return case


@pytest.mark.parametrize("data,content_type", [(PDF, "application/pdf"),
                                               (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_add_detects_type_and_audits(session, case, data, content_type):
    user = directory.find_user(session, "village11")
    added = attachments.add(session, case.id, None, user, "../纪要.exe", "text/plain", data,
                            "minutes", NOW)
    assert added.content_type == content_type and added.size == len(data)
    assert "/" not in added.filename and not added.filename.endswith(".exe")
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.event == "attachment_added")).one()
    assert event.data["sha256"] == added.sha256 and event.data["size"] == len(data)
    assert audit.verify(session, case.id).ok
    assert [a.id for a in attachments.list(session, case.id)] == [added.id]
    assert attachments.get(session, user, added.id).content == data


def test_refuses_other_types_and_size(session, case):
    user = directory.find_user(session, "village11")
    with pytest.raises(InvalidData):
        attachments.add(session, case.id, None, user, "a.pdf", "application/pdf",
                        b"MZ\x90\x00", "minutes", NOW)
    with pytest.raises(InvalidData):
        attachments.add(session, case.id, None, user, "a.pdf", "application/pdf",
                        PDF + b"x" * 100, "minutes", NOW, max_bytes=50)
    with pytest.raises(InvalidData):
        attachments.add(session, case.id, None, user, "a.pdf", "", b"", "minutes", NOW)
    with pytest.raises(InvalidData):
        attachments.add(session, case.id, None, user, "a.pdf", "", PDF, "nonsense", NOW)


def test_access(session, case):
    owner = directory.find_user(session, "village11")
    added = attachments.add(session, case.id, None, owner, "a.pdf", "", PDF, "other", NOW)
    with pytest.raises(Forbidden):
        attachments.add(session, case.id, None, directory.find_user(session, "village12"),
                        "a.pdf", "", PDF, "other", NOW)
    with pytest.raises(Forbidden):
        attachments.add(session, case.id, None, directory.find_user(session, "auditor"),
                        "a.pdf", "", PDF, "other", NOW)
    with pytest.raises(Forbidden):
        attachments.get(session, directory.find_user(session, "village21"), added.id)
    assert attachments.get(session, directory.find_user(session, "auditor"), added.id)
