"""Take-over (接管): a claimed work item whose holder cannot be reached is taken from them by
an administrator or by the lead (负责人) of its level and area, with a reason, on the trail.

The lead takes the item to themself; an administrator hands it to a colleague of its level
and area, or back to the group. The former holder is told.
"""
from __future__ import annotations

from datetime import datetime

from . import notifying, policy, views
from .errors import Conflict, InvalidData
from .store import CaseWrite

REASON_MAX = 500


class TakeOverVerbs:
    """The take-over verb, mixed into Engine."""

    def take_over(self, item_id: int, actor, reason: str, to_user: int | None = None,
                  now: datetime | None = None, holder: int | None = None) -> views.ItemView:
        """Take a claimed item from its holder: to ``to_user`` (a colleague of its level
        and area), else to the actor when they may act on it, else back to the group.
        ``holder``: whom the actor saw holding it; if it has moved since, Conflict."""
        now = now or self.clock()
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidData("a reason is required to take over a work item",
                              {"reason": "required"})
        if len(reason) > REASON_MAX:
            raise InvalidData(f"the reason is longer than {REASON_MAX} characters",
                              {"reason": "too long"})
        with self.transaction(write=True) as tx:
            conn = tx.conn
            item, case = self._open_item(conn, item_id)
            if holder is not None and item.assignee_id != holder:
                raise Conflict(f"work item {item.id} is no longer held by the user it was to "
                               f"be taken from; someone else acted on it first")
            policy.require(policy.take_over, actor, item)
            if to_user is not None:
                colleague = self.directory.get(conn, to_user)
                policy.require(policy.reassign, actor, item, colleague)
                target = colleague.id
            else:
                target = actor.id if policy.allowed(policy.claim, actor, _free(item)) else None
            holder = item.assignee_id
            write = CaseWrite(conn, case, now)
            write.set_assignee(item, target, expected=holder)
            write.audit("taken_over", actor, {"from": holder, "to": target,
                                              "reason": reason.strip()},
                        reason.strip(), item.task_name, item.id)
            write.save()
            item.assignee_id = target
            told = [u for u in (notifying.user(conn, holder),
                                notifying.user(conn, target) if target != actor.id else None)
                    if u is not None]
            notifying.notify(conn, self.settings, told, "taken_over", now,
                             {"by": actor.name, "step": item.title, "case_title": case.title,
                              "reason": reason.strip()}, case.id, item.id)
            return views.item_views(conn, [item], now)[0]


class _free:
    """The item as if unclaimed, to ask whether the actor could claim it themself."""

    def __init__(self, item):
        self._item = item

    def __getattr__(self, name):
        return None if name == "assignee_id" else getattr(self._item, name)
