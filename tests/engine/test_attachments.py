"""Attachments: type by magic bytes, size limit, storage, audit, access."""
from dataclasses import replace

import pytest

from engine import Forbidden, InvalidData, build_engine
from engine.models import AuditEvent

from conftest import CHEAP_HASHER
from support import NOW, rows, snapshot

PDF, PNG, JPEG = b"%PDF-1.7\n...", b"\x89PNG\r\n\x1a\n....", b"\xff\xd8\xff\xe0..JFIF"


@pytest.fixture
def case(eng, deploy, users):
    deploy("bench/four_tasks.bpmn")
    return eng.start("four_tasks", users["village11"], {}, NOW).case


@pytest.mark.parametrize("data,content_type", [(PDF, "application/pdf"),
                                               (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_add_detects_type_and_audits(eng, users, case, data, content_type):
    user = users["village11"]
    added = eng.attach(case.id, user, "../纪要.exe", "text/plain", data, "minutes", NOW)
    assert added.content_type == content_type and added.size == len(data)
    assert "/" not in added.filename and not added.filename.endswith(".exe")
    event = rows(eng, AuditEvent, AuditEvent.event == "attachment_added")[0]
    assert event.data["sha256"] == added.sha256 and event.data["size"] == len(data)
    assert eng.verify(case.id).ok
    assert [a.id for a in eng.case(case.id, user, NOW).attachments] == [added.id]
    assert eng.attachment(added.id, user)[1] == data


def test_refuses_other_types_and_size_and_writes_nothing(eng, users, case):
    user = users["village11"]
    before = snapshot(eng)
    for content, kind in ((b"MZ\x90\x00", "minutes"), (b"", "minutes"), (PDF, "nonsense")):
        with pytest.raises(InvalidData):
            eng.attach(case.id, user, "a.pdf", "application/pdf", content, kind, NOW)
    small = build_engine(replace(eng.settings, upload_max_bytes=50), database=eng.database,
                         password_hasher=CHEAP_HASHER)
    with pytest.raises(InvalidData, match="at most 50"):
        small.attach(case.id, user, "a.pdf", "application/pdf", PDF + b"x" * 100, "minutes",
                     NOW)
    assert snapshot(eng) == before


def test_access(eng, users, case):
    added = eng.attach(case.id, users["village11"], "a.pdf", "", PDF, "other", NOW)
    with pytest.raises(Forbidden):
        eng.attach(case.id, users["village12"], "a.pdf", "", PDF, "other", NOW)
    with pytest.raises(Forbidden):
        eng.attach(case.id, users["auditor"], "a.pdf", "", PDF, "other", NOW)
    with pytest.raises(Forbidden):
        eng.attachment(added.id, users["village21"])
    assert eng.attachment(added.id, users["auditor"])[1] == PDF
