"""The verbs of administration and accounts: deploy, users, areas, calendar, households,
log-in and API tokens. Every change is recorded in the global audit chain.

``actor=None`` is the local operator (the CLI on the server, ``dixian init``): trusted,
recorded as "system".
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from . import audit, calendars, households, parsing, policy
from .calendar import TIMEZONE, library_knows_year
from .errors import InvalidData
from .directory import Actor, AreaRow, add_area, area_names, areas


class AdminVerbs:
    """Mixed into ``Engine``."""

    def record(self, event: str, actor, data: dict | None = None,
               now: datetime | None = None) -> None:
        """Append an event to the global audit chain (log-ins, exports, …)."""
        with self.transaction(write=True) as tx:
            audit.append_global(tx.conn, event, actor, now or self.clock(), data)

    # Definitions ----------------------------------------------------------------------------

    def deploy(self, bpmn: dict, dmn: dict, form_sources: dict, actor=None,
               now: datetime | None = None, key: str | None = None,
               level: str | None = None):
        """Deploy sources as the next version of their process; ``(version, created)``.

        ``level`` is the acting level for tasks whose lane and properties name none."""
        policy.require(policy.deploy, actor)
        with self.transaction(write=True) as tx:
            return self.registry.deploy(tx.conn, bpmn, dmn, form_sources, actor,
                                        now or self.clock(), key, level)

    def deploy_files(self, paths: list, actor=None, now: datetime | None = None,
                     forms_dir: str | None = None, level: str | None = None):
        """Deploy BPMN and DMN files from disk, with their forms."""
        return self.deploy(*parsing.collect_files(list(paths), forms_dir), actor, now,
                           level=level)

    def deploy_folder(self, folder: str | Path | None = None, actor=None,
                      now: datetime | None = None):
        """Deploy every BPMN file of a folder (default: the settings' workflows folder)."""
        policy.require(policy.deploy, actor)
        with self.transaction(write=True) as tx:
            return self.registry.deploy_folder(tx.conn, folder or self.settings.workflows_dir,
                                               actor, now or self.clock())

    def definitions(self):
        """Every deployed version, newest first per process."""
        with self.transaction(write=False) as tx:
            return self.registry.listing(tx.conn)

    def definition(self, key: str, version: int | None = None):
        """One version (the latest by default) and its parsed definition."""
        with self.transaction(write=False) as tx:
            row = self.registry.find(tx.conn, key, version)
            return row, self.registry.load(tx.conn, row.id, row.sha256)

    # Areas and accounts ----------------------------------------------------------------------

    def add_area(self, code: str, name: str, parent: str | None = None, actor=None,
                 now: datetime | None = None) -> AreaRow:
        """Add an administrative area."""
        policy.require(policy.administer, actor)
        with self.transaction(write=True) as tx:
            row = add_area(tx.conn, code, name, parent)
            audit.append_global(tx.conn, "area_created", actor, now or self.clock(),
                                {"code": row.code, "name": row.name})
            return row

    def areas(self, under: str = "") -> list[AreaRow]:
        """Areas in code order (under a code prefix)."""
        with self.transaction(write=False) as tx:
            return areas(tx.conn, under)

    def area_names(self, codes) -> dict[str, str]:
        """Names of areas by code (only the codes asked for)."""
        with self.transaction(write=False) as tx:
            return area_names(tx.conn, codes)

    def add_user(self, username: str, level: str, area_code: str, password: str,
                 roles: str = "staff", display_name: str = "", actor=None,
                 now: datetime | None = None) -> Actor:
        """Create an account."""
        policy.require(policy.administer, actor)
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            user = self.directory.add_user(tx.conn, username, level, area_code, password,
                                           roles, display_name, now)
            audit.append_global(tx.conn, "user_created", actor, now, {
                "username": user.username, "level": user.level, "area_code": user.area_code,
                "roles": ",".join(user.roles)})
            return user

    def users(self, under: str = "") -> list[Actor]:
        """Accounts by name."""
        with self.transaction(write=False) as tx:
            return self.directory.users(tx.conn, under)

    def user(self, user_id: int) -> Actor:
        """One account by id."""
        with self.transaction(write=False) as tx:
            return self.directory.get(tx.conn, user_id)

    def find_user(self, username: str) -> Actor:
        """One account by name."""
        with self.transaction(write=False) as tx:
            return self.directory.find(tx.conn, username)

    def set_active(self, user_id: int, active: bool, actor, now: datetime | None = None
                   ) -> Actor:
        """Activate or deactivate an account."""
        policy.require(policy.administer, actor)
        with self.transaction(write=True) as tx:
            user = self.directory.set_active(tx.conn, user_id, active)
            audit.append_global(tx.conn, "user_activated" if active else "user_deactivated",
                                actor, now or self.clock(), {"username": user.username})
            return user

    def reset_password(self, user_id: int, password: str, actor,
                       now: datetime | None = None) -> Actor:
        """Set a new password for an account (its sessions end)."""
        policy.require(policy.administer, actor)
        with self.transaction(write=True) as tx:
            user = self.directory.reset_password(tx.conn, user_id, password)
            audit.append_global(tx.conn, "password_reset", actor, now or self.clock(),
                                {"username": user.username})
            return user

    def change_password(self, actor, old: str, new: str, now: datetime | None = None
                        ) -> Actor:
        """Change one's own password; returns the account with its new stamp."""
        with self.transaction(write=True) as tx:
            user = self.directory.change_password(tx.conn, actor, old, new)
            audit.append_global(tx.conn, "password_changed", actor, now or self.clock())
            return user

    def set_locale(self, actor, locale: str) -> None:
        """Remember the actor's UI language."""
        with self.transaction(write=True) as tx:
            self.directory.set_locale(tx.conn, actor.id, locale)

    def issue_token(self, actor, ip: str = "", now: datetime | None = None) -> str:
        """A new API token for the actor (the old one stops working)."""
        with self.transaction(write=True) as tx:
            token = self.directory.issue_token(tx.conn, actor.id)
            audit.append_global(tx.conn, "api_token_issued", actor, now or self.clock(),
                                {"ip": ip})
            return token

    def revoke_token(self, actor, now: datetime | None = None) -> None:
        """End the actor's API token."""
        with self.transaction(write=True) as tx:
            self.directory.revoke_token(tx.conn, actor.id)
            audit.append_global(tx.conn, "api_token_revoked", actor, now or self.clock())

    def user_by_token(self, token: str) -> Actor | None:
        """The active account owning an API token."""
        with self.transaction(write=False) as tx:
            return self.directory.by_token(tx.conn, token)

    # Households and the calendar -------------------------------------------------------------

    def add_household(self, actor, head_name: str, id_number: str, village_code: str,
                      members: int = 1, household_type: str = "",
                      income_per_head: float | None = None, phone: str = "",
                      now: datetime | None = None) -> households.HouseholdRow:
        """Register a household in a village of the actor's area."""
        with self.transaction(write=True) as tx:
            return households.add(tx.conn, actor, head_name, id_number, village_code, members,
                                  household_type, income_per_head, phone, now or self.clock())

    def set_calendar_day(self, day: date, is_workday: bool, note: str = "", actor=None,
                         now: datetime | None = None) -> calendars.Override:
        """Mark a day as a working day or a holiday (for the holiday library's gaps)."""
        policy.require(policy.administer, actor)
        with self.transaction(write=True) as tx:
            return calendars.set_day(tx.conn, day, is_workday, note, actor, now or self.clock())

    def remove_calendar_day(self, day: date, actor=None, now: datetime | None = None) -> None:
        """Drop one override."""
        policy.require(policy.administer, actor)
        with self.transaction(write=True) as tx:
            calendars.remove_day(tx.conn, day, actor, now or self.clock())

    def calendar_overrides(self, year: int) -> list[calendars.Override]:
        """A year's overrides in date order."""
        with self.transaction(write=False) as tx:
            return calendars.overrides(tx.conn, year)

    def calendar_knows(self, year: int) -> bool:
        """Whether holidays of ``year`` are known: the library covers it or an
        administrator entered days of it."""
        return library_knows_year(year) or bool(self.calendar_overrides(year))

    def calendar_gaps(self, now: datetime | None = None) -> list[int]:
        """This year and the coming one where no holidays are known: deadlines there
        would count only weekends as days off."""
        year = (now or self.clock()).astimezone(TIMEZONE).year
        return [y for y in (year, year + 1) if not self.calendar_knows(y)]

    def set_calendar_schedule(self, year: int, holidays: str, workdays: str, note: str = "",
                              actor=None, now: datetime | None = None) -> int:
        """Enter the State Council's schedule of a year in one go: public holidays and
        adjusted working days (调休) as lists of dates; nothing is saved on any error."""
        policy.require(policy.administer, actor)
        errors: dict[str, str] = {}
        off = calendars.parse_dates(holidays or "", year, "holidays", errors)
        on = calendars.parse_dates(workdays or "", year, "workdays", errors)
        both = sorted(set(off) & set(on))
        if both:
            errors["workdays"] = f"{both[0].isoformat()} is also listed as a holiday"
        if not errors and not off:
            errors["holidays"] = "list the public holidays of the year"
        if errors:
            raise InvalidData("; ".join(f"{k}: {v}" for k, v in errors.items()), errors)
        with self.transaction(write=True) as tx:
            return calendars.set_schedule(tx.conn, year, off, on, note[:100], actor,
                                          now or self.clock())
