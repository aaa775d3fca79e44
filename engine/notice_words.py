"""The words of a risk-elimination publicity notice (拟消除风险的监测对象名单的公示): its
title, opening sentence, columns, and one household's row — head of household, village,
type of monitoring object, mode (帮扶消除/自然消除) and the reason in words, built from the
conditions met. Never an ID number, a phone, a bank account or a health detail."""
from __future__ import annotations

from . import elimination, households, register

ELIMINATION = {
    "title": "关于{village}拟消除风险的防返贫监测对象名单的公示",
    "intro": "按照防止返贫动态监测和帮扶工作有关要求，经入户核实、村级民主评议，以下 {count} 户"
             "监测对象收入持续稳定，“两不愁三保障”及饮水安全有保障，返贫致贫风险已稳定消除，"
             "拟标注为风险消除，现予以公示。",
    "columns": ("序号", "户主姓名", "所在村组", "监测对象类型", "消除方式", "消除理由"),
    "widths": (8, 14, 14, 19, 14, 31),
}
# The conditions that make the reason, in the order a notice words them.
REASONS = ("income_stable", "costs_resolved", "guarantees", "aid_measure")
REASON_WORDS = {"income_stable": "收入持续稳定高于监测线", "costs_resolved": "大额支出已解决",
                "guarantees": "“两不愁三保障”及饮水安全有保障", "aid_measure": "已落实帮扶措施"}


def elimination_line(conn, data: dict, village: str) -> tuple:
    """One household's row of a risk-elimination notice from its case data: the fields of
    a ``NoticeLine`` (name, type, reason, cells)."""
    household_id = data.get("household_id")
    monitored = register.monitoring_of(conn, household_id) if household_id else None
    household = households.find(conn, household_id) if household_id else None
    name = household.head_name if household else ""
    kind = (monitored.object_type if monitored else "") or "监测对象"
    mode = str(data.get("mode") or "")
    met = {c.get("key") for c in data.get("conditions") or [] if c.get("ok")}
    reasons = [REASON_WORDS[k] for k in REASONS if k in met]
    reason = ("经帮扶，" if mode == "assisted" else "") + "、".join(reasons) if reasons else ""
    words = elimination.mode_label(mode) if mode else ""
    return name, kind, reason, (name, village, kind, words, reason)
