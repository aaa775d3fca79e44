"""Sending notifications out of the application: e-mail through an SMTP server, SMS through a
gateway the installation provides.

The deliveries table is an outbox: rows are written with their notification, in its
transaction, and the timer worker sends them after each sweep (``Engine.deliver``). A row is
taken with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers never send one
twice; a failed send is retried with a doubling delay, and after ``MAX_ATTEMPTS`` the row is
marked failed with its error.

SMS gateway interface (no vendor is built in): set ``DIXIAN_SMS_GATEWAY`` to
``package.module:factory``; ``factory(settings)`` returns an object with a method
``send(phone: str, text: str) -> None`` that raises on failure. The text is at most 70
characters (one SMS); the gateway adds its signature.
"""
from __future__ import annotations

import importlib
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import select, update

from .models import User
from .supervision_models import Delivery, Notification

DELIVERIES, NOTIFICATIONS, USERS = Delivery.__table__, Notification.__table__, User.__table__
MAX_ATTEMPTS = 5
RETRY_SECONDS = 60

LEVELS = {"zh_CN": {"village": "村", "township": "乡镇", "county": "县"},
          "en": {"village": "village", "township": "township", "county": "county"}}
TEXTS = {
    "zh_CN": {
        "supervision": "【督办】{case_title}：{step}已逾期{days_overdue}天，请督促办理。",
        "urge": "【催办】{by}催办{case_title}：{step}。{note}",
        "returned": "【退回】{case_title}：{step}被{by}退回。{reason}",
        "assigned": "【转办】{by}将{case_title}：{step}转给您办理。",
        "taken_over": "【接管】{by}接管了{case_title}：{step}。原因：{reason}",
        "due_tomorrow": "【提醒】{case_title}：{step}明天到期。",
        "visit_due": "【走访提醒】{village}本月（{month}）还有{due}户未入户走访。",
    },
    "en": {
        "supervision": "[Supervision] {case_title}: {step} is {days_overdue} day(s) overdue.",
        "urge": "[Urged] {by} urges {case_title}: {step}. {note}",
        "returned": "[Returned] {case_title}: {step} was returned by {by}. {reason}",
        "assigned": "[Assigned] {by} handed {case_title}: {step} to you.",
        "taken_over": "[Taken over] {by} took over {case_title}: {step}. Reason: {reason}",
        "due_tomorrow": "[Reminder] {case_title}: {step} is due tomorrow.",
        "visit_due": "[Visits] {village}: {due} household(s) not yet visited in {month}.",
    },
}


class SmsGateway(Protocol):
    """What an SMS gateway module's factory returns."""

    def send(self, phone: str, text: str) -> None:
        """Send one message; raise on failure."""


class _Defaults(dict):
    def __missing__(self, key):
        return ""


def text_of(kind: str, data: dict, locale: str = "zh_CN") -> str:
    """A notification in one line of the reader's language."""
    texts = TEXTS.get(locale, TEXTS["zh_CN"])
    return texts.get(kind, "{case_title}: {step}").format_map(_Defaults(data)).strip()


def load_gateway(spec: str, settings) -> SmsGateway:
    """The SMS gateway named ``module:factory``."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name or "gateway")(settings)


class MessagingVerbs:
    """Mixed into ``Engine``: send what the outbox holds."""

    def deliver(self, now: datetime | None = None, limit: int = 50,
                gateway: SmsGateway | None = None) -> tuple[int, int]:
        """Send up to ``limit`` pending e-mails and SMS; ``(sent, failed)``."""
        now = now or self.clock()
        settings = self.settings
        if not settings.smtp_host and not settings.sms_gateway and gateway is None:
            return 0, 0
        sent = failed = 0
        with self.transaction(write=True) as tx:
            query = select(DELIVERIES, NOTIFICATIONS.c.kind, NOTIFICATIONS.c.data,
                           NOTIFICATIONS.c.case_id, USERS.c.locale).select_from(
                DELIVERIES.join(NOTIFICATIONS, NOTIFICATIONS.c.id == DELIVERIES.c.notification_id)
                .join(USERS, USERS.c.id == NOTIFICATIONS.c.user_id)).where(
                DELIVERIES.c.sent_at.is_(None), DELIVERIES.c.failed_at.is_(None),
                DELIVERIES.c.next_at <= now).order_by(DELIVERIES.c.next_at, DELIVERIES.c.id
                                                      ).limit(limit)
            if tx.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True, of=DELIVERIES)
            rows = tx.conn.execute(query).all()
            smtp = None
            try:
                for row in rows:
                    body = text_of(row.kind, row.data, row.locale)
                    try:
                        if row.channel == "email":
                            smtp = smtp or self._smtp()
                            smtp.send_message(self._email(row, body))
                        else:
                            gateway = gateway or load_gateway(settings.sms_gateway, settings)
                            gateway.send(row.address, body[:70])
                    except Exception as err:  # a failed send waits and is tried again
                        failed += 1
                        attempts = row.attempts + 1
                        tx.conn.execute(update(DELIVERIES).where(DELIVERIES.c.id == row.id).values(
                            attempts=attempts, last_error=f"{type(err).__name__}: {err}"[:500],
                            next_at=now + timedelta(seconds=RETRY_SECONDS * 2 ** row.attempts),
                            failed_at=now if attempts >= MAX_ATTEMPTS else None))
                        continue
                    sent += 1
                    tx.conn.execute(update(DELIVERIES).where(DELIVERIES.c.id == row.id).values(
                        sent_at=now, attempts=row.attempts + 1))
            finally:
                if smtp is not None:
                    smtp.quit()
        return sent, failed

    def _smtp(self):
        settings = self.settings
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10)
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        return smtp

    def _email(self, row, body: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.smtp_sender
        message["To"] = row.address
        message["Subject"] = body.split("：", 1)[0].split(": ", 1)[0][:80]
        link = (f"\n\n{self.settings.base_url.rstrip('/')}/cases/{row.case_id}"
                if row.case_id else "")
        message.set_content(body + link)
        return message
