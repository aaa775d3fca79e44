"""Editing definitions: the overview of versions, drafts, validation, deploy from the editor
and the comparison of two versions. Administrators only; every save and deploy is audited
in the global chain.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update

from . import audit, diffing, parsing, policy, views
from .errors import Conflict, InvalidData, InvalidDefinition, NotFound
from .models import Case, CaseStatus, DefinitionDraft, DefinitionVersion
from .registry import VersionRow

DRAFTS, VERSIONS, CASES = (DefinitionDraft.__table__, DefinitionVersion.__table__,
                           Case.__table__)
MAX_FILES = 200
_FILE_NAMES = {"bpmn": re.compile(r"^[A-Za-z0-9_\-.]{1,120}\.bpmn$"),
               "dmn": re.compile(r"^[A-Za-z0-9_\-.]{1,120}\.dmn$"),
               "forms": parsing.FORM_REF}
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-.]{0,99}$")


@dataclass(frozen=True)
class VersionSummary:
    """A deployed version with who deployed it and how many cases run or ended on it."""

    version: VersionRow
    deployed_by_name: str
    running: int
    finished: int


@dataclass(frozen=True)
class DraftView:
    """A saved draft: its files, the version it started from and who saved it last."""

    key: str
    revision: int
    base_version: int | None
    files: dict
    saved_by_name: str
    saved_at: datetime


@dataclass(frozen=True)
class ProcessVersions:
    """One process key: its versions, newest first, and its draft if there is one."""

    key: str
    name: str
    versions: list[VersionSummary]
    draft: DraftView | None


def check_files(files) -> dict:
    """The files of a definition as ``{"bpmn": {name: text}, "dmn": …, "forms": …}``;
    refuses wrong shapes, names outside the allowed patterns and oversize content."""
    if not isinstance(files, dict) or not isinstance(files.get("bpmn"), dict):
        raise InvalidData("files must be an object with bpmn, dmn and forms objects",
                          {"files": "wrong shape"})
    clean, total, count = {}, 0, 0
    for group, pattern in _FILE_NAMES.items():
        entries = files.get(group) or {}
        if not isinstance(entries, dict):
            raise InvalidData(f"files.{group} must be an object of file name to text",
                              {f"files.{group}": "wrong shape"})
        for name, text in entries.items():
            if not isinstance(name, str) or not pattern.match(name) or ".." in name:
                raise InvalidData(f"file name {str(name)[:120]!r} is not allowed in "
                                  f"{group}", {f"files.{group}": "bad file name"})
            if not isinstance(text, str) or "\x00" in text:
                raise InvalidData(f"{name}: the content must be text",
                                  {f"files.{group}": "not text"})
            size = len(text.encode("utf-8", "surrogatepass"))
            if size > parsing.MAX_FILE_BYTES:
                raise InvalidData(f"{name}: file is larger than "
                                  f"{parsing.MAX_FILE_BYTES // 1024} KiB",
                                  {f"files.{group}": "too large"})
            total, count = total + size, count + 1
        clean[group] = dict(entries)
    if not clean["bpmn"]:
        raise InvalidData("a definition needs at least one BPMN file", {"files.bpmn": "empty"})
    if total > parsing.MAX_DEFINITION_BYTES or count > MAX_FILES:
        raise InvalidData(f"the files together are larger than "
                          f"{parsing.MAX_DEFINITION_BYTES // 1024} KiB or more than "
                          f"{MAX_FILES} files", {"files": "too large"})
    return clean


def _key(key) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise InvalidData(f"{str(key)[:100]!r} is not a process id (letters, digits, _ - .; "
                          f"a letter or _ first)", {"key": "bad process id"})
    return key


class DefinitionVerbs:
    """Mixed into ``Engine``."""

    def process_versions(self, actor) -> list[ProcessVersions]:
        """Every process key with its versions, case counts and draft."""
        policy.require(policy.edit_definitions, actor)
        with self.transaction(write=False) as tx:
            conn = tx.conn
            counts: dict[tuple[int, bool], int] = {}
            for row in conn.execute(select(CASES.c.definition_id, CASES.c.status,
                                           func.count()).group_by(CASES.c.definition_id,
                                                                  CASES.c.status)):
                running = (row[0], row[1] == CaseStatus.RUNNING.value)
                counts[running] = counts.get(running, 0) + row[2]
            rows = self.registry.listing(conn)
            drafts = {d.key: d for d in self._drafts(conn)}
            who = views.names(conn, [r.deployed_by for r in rows])
            result: dict[str, ProcessVersions] = {}
            for row in rows:
                entry = result.setdefault(row.key, ProcessVersions(
                    row.key, row.name, [], drafts.pop(row.key, None)))
                entry.versions.append(VersionSummary(
                    row, who.get(row.deployed_by, "system"), counts.get((row.id, True), 0),
                    counts.get((row.id, False), 0)))
            for key, draft in drafts.items():
                result[key] = ProcessVersions(key, key, [], draft)
            return [result[k] for k in sorted(result)]

    def version_files(self, key: str, version: int, actor) -> tuple[VersionRow, dict]:
        """A deployed version and its files."""
        policy.require(policy.edit_definitions, actor)
        with self.transaction(write=False) as tx:
            row = self.registry.find(tx.conn, key, version)
            return row, self.registry.sources(tx.conn, row.id)

    def _drafts(self, conn, key: str | None = None) -> list[DraftView]:
        query = select(DRAFTS, VERSIONS.c.version.label("base")).select_from(
            DRAFTS.outerjoin(VERSIONS, VERSIONS.c.id == DRAFTS.c.base_version_id))
        if key is not None:
            query = query.where(DRAFTS.c.key == key)
        rows = conn.execute(query.order_by(DRAFTS.c.key)).all()
        who = views.names(conn, [r.saved_by for r in rows])
        return [DraftView(r.key, r.revision, r.base,
                          {"bpmn": r.bpmn, "dmn": r.dmn, "forms": r.forms},
                          who.get(r.saved_by, "system"), r.saved_at) for r in rows]

    def draft(self, key: str, actor) -> DraftView | None:
        """The saved draft of a process, or None."""
        policy.require(policy.edit_definitions, actor)
        with self.transaction(write=False) as tx:
            found = self._drafts(tx.conn, _key(key))
            return found[0] if found else None

    def save_draft(self, key: str, files, actor, revision: int = 0,
                   base_version: int | None = None, now: datetime | None = None
                   ) -> DraftView:
        """Save the editor's files as the process's draft.

        ``revision`` is the draft revision the editor started from (0: no draft yet); a
        colleague's later save makes it stale and the save is refused.
        """
        policy.require(policy.edit_definitions, actor)
        key, files, now = _key(key), check_files(files), now or self.clock()
        with self.transaction(write=True) as tx:
            conn = tx.conn
            base_id = (self.registry.find(conn, key, base_version).id
                       if base_version is not None else None)
            values = {"bpmn": files["bpmn"], "dmn": files["dmn"], "forms": files["forms"],
                      "saved_by": actor.id, "saved_at": now}
            if revision == 0:
                if self._drafts(conn, key):
                    raise Conflict(f"a draft of {key} was saved meanwhile; reload the editor")
                conn.execute(insert(DRAFTS).values(key=key, base_version_id=base_id,
                                                   revision=1, **values))
            else:
                done = conn.execute(update(DRAFTS).where(
                    DRAFTS.c.key == key, DRAFTS.c.revision == revision).values(
                    revision=revision + 1, **values))
                if done.rowcount != 1:
                    raise Conflict(f"the draft of {key} was saved or deployed by someone "
                                   f"else since revision {revision}; reload the editor")
            audit.append_global(conn, "definition_draft_saved", actor, now,
                                {"key": key, "revision": revision + 1,
                                 "files": sorted([*files["bpmn"], *files["dmn"],
                                                  *files["forms"]])})
            return self._drafts(conn, key)[0]

    def discard_draft(self, key: str, actor, revision: int, now: datetime | None = None
                      ) -> None:
        """Throw the draft away (only the revision the caller has seen)."""
        policy.require(policy.edit_definitions, actor)
        with self.transaction(write=True) as tx:
            done = tx.conn.execute(delete(DRAFTS).where(DRAFTS.c.key == _key(key),
                                                        DRAFTS.c.revision == revision))
            if done.rowcount != 1:
                raise Conflict(f"no draft of {key} at revision {revision}")
            audit.append_global(tx.conn, "definition_draft_discarded", actor,
                                now or self.clock(), {"key": key, "revision": revision})

    def validate_definition(self, key: str, files, actor, level: str | None = None):
        """Parse the files as deploy would, writing nothing; InvalidDefinition names the
        file and element of the first problem."""
        policy.require(policy.edit_definitions, actor)
        files = check_files(files)
        bpmn = parsing.with_level(files["bpmn"], level, key) if level else files["bpmn"]
        return parsing.parse(bpmn, files["dmn"], files["forms"], _key(key))

    def deploy_edited(self, key: str, files, actor, revision: int = 0,
                      level: str | None = None, now: datetime | None = None
                      ) -> tuple[VersionRow, bool]:
        """Deploy the editor's files as the next version of ``key``; the draft goes.

        ``revision`` is the draft revision the editor holds (0: none): deploying over a
        colleague's newer draft is refused rather than losing it.
        """
        policy.require(policy.edit_definitions, actor)
        key, files, now = _key(key), check_files(files), now or self.clock()
        with self.transaction(write=True) as tx:
            drafts = self._drafts(tx.conn, key)
            if drafts and drafts[0].revision != revision:
                raise Conflict(f"the draft of {key} is at revision {drafts[0].revision}, "
                               f"saved by {drafts[0].saved_by_name}; reload the editor")
            result = self.registry.deploy(tx.conn, files["bpmn"], files["dmn"],
                                          files["forms"], actor, now, key, level)
            tx.conn.execute(delete(DRAFTS).where(DRAFTS.c.key == key))
            return result

    def diff_versions(self, key: str, from_version: int, to_version: int, actor
                      ) -> diffing.DefinitionDiff:
        """Elements and files added, removed and changed from one version to another."""
        policy.require(policy.edit_definitions, actor)
        with self.transaction(write=False) as tx:
            old = self.registry.find(tx.conn, key, from_version)
            new = self.registry.find(tx.conn, key, to_version)
            try:
                return diffing.diff(key, old.version, self.registry.sources(tx.conn, old.id),
                                    new.version, self.registry.sources(tx.conn, new.id))
            except InvalidDefinition as err:  # a deployed file is always well-formed
                raise NotFound(str(err)) from None
