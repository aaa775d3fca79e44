"""Notifications by e-mail through a real SMTP server (aiosmtpd on a local port), and the
SMS gateway interface with a gateway of the test's own."""
from __future__ import annotations

import socket
from dataclasses import replace
from datetime import datetime, timedelta
from email import message_from_bytes
from email.policy import default
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from engine import InvalidData, build_engine
from engine.supervision_models import Delivery
from support import rows
from tests.engine.test_identification_cases import BPMN, DECLARATION

from conftest import CHEAP_HASHER

CST = ZoneInfo("Asia/Shanghai")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """Collects what the SMTP server receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content,
                                                                    policy=default)))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


class Gateway:
    """An SMS gateway as an installation would plug one in (``module:factory``)."""

    sent: list = []

    def __init__(self, settings):
        self.settings = settings

    def send(self, phone: str, text: str) -> None:
        Gateway.sent.append((phone, text))


def mailing(eng, port: int, **more):
    return build_engine(replace(eng.settings, smtp_host="127.0.0.1", smtp_port=port,
                                smtp_sender="dixian@county.example", **more),
                        database=eng.database, password_hasher=CHEAP_HASHER)


def test_a_supervision_is_mailed_to_the_township(eng, users, deploy, smtp):
    controller, inbox = smtp
    deploy(BPMN)
    mail = mailing(eng, controller.port)
    mail.set_contact(users["township1"].id, users["township1"], "dongshan@county.example")
    with pytest.raises(InvalidData, match="phone"):
        mail.set_contact(users["township1"].id, users["township1"], "", "12345")
    started = mail.start("monitoring_identification", users["village11"], DECLARATION,
                         datetime(2026, 11, 16, 9, tzinfo=CST))
    now = datetime(2026, 11, 20, 10, tzinfo=CST)
    mail.fire_due(now)
    assert mail.deliver(now) == (1, 0)
    assert mail.deliver(now) == (0, 0)                  # sent once
    [(to, message)] = inbox.messages
    assert to == ["dongshan@county.example"]
    assert message["From"] == "dixian@county.example"
    assert message["Subject"] == "【督办】王建国"
    body = message.get_content()
    assert "入户核实已逾期1天" in body and f"/cases/{started.case.id}" in body


def test_failed_sends_are_retried_then_marked_failed(eng, users, deploy):
    deploy(BPMN)
    mail = mailing(eng, free_port())                    # nothing listens there
    mail.set_contact(users["township1"].id, users["admin"], "dongshan@county.example")
    mail.start("monitoring_identification", users["village11"], DECLARATION,
               datetime(2026, 11, 16, 9, tzinfo=CST))
    now = datetime(2026, 11, 20, 10, tzinfo=CST)
    mail.fire_due(now)
    for attempt in range(5):
        assert mail.deliver(now) == (0, 1)
        [row] = rows(eng, Delivery)
        assert row.attempts == attempt + 1 and "ConnectionRefusedError" in row.last_error
        now = row.next_at + timedelta(seconds=1)
    assert row.failed_at is not None and mail.deliver(now) == (0, 0)


def test_sms_goes_through_the_configured_gateway(eng, users, deploy):
    deploy(BPMN)
    sms = build_engine(replace(eng.settings, sms_gateway=f"{__name__}:Gateway"),
                       database=eng.database, password_hasher=CHEAP_HASHER)
    sms.set_contact(users["village11"].id, users["village11"], "", "13800000011")
    item = sms.start("monitoring_identification", users["village11"], DECLARATION,
                     datetime(2026, 11, 16, 9, tzinfo=CST)).items[0]
    now = datetime(2026, 11, 20, 10, tzinfo=CST)
    sms.urge(item.id, users["township1"], "请今天入户", now)
    Gateway.sent.clear()
    assert sms.deliver(now) == (1, 0)
    [(phone, text)] = Gateway.sent
    assert phone == "13800000011" and text.startswith("【催办】") and len(text) <= 70
