"""Deployed definitions: versions in the database, parsed specs in a bounded cache.

A definition version is the set of source files (BPMN, DMN, JSON forms) deployed under the
id of its executable process. The same files again (same sha256) give no new version. Parsed
specs are cached per version (least recently used out first), since parsing is the cost to
avoid on every step.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, func, insert, select

from . import audit, parsing
from .errors import NotFound
from .models import DefinitionVersion
from .parsing import ParsedDefinition
from .sql import Prepared

VERSIONS = DefinitionVersion.__table__


@dataclass(frozen=True)
class VersionRow:
    """One deployed version, without its sources."""

    id: int
    key: str
    version: int
    name: str
    sha256: str
    deployed_by: int | None
    deployed_at: datetime


_META = (VERSIONS.c.id, VERSIONS.c.key, VERSIONS.c.version, VERSIONS.c.name,
         VERSIONS.c.sha256, VERSIONS.c.deployed_by, VERSIONS.c.deployed_at)
_BY_KEY = select(*_META).where(VERSIONS.c.key == bindparam("key"))
_LATEST = Prepared(_BY_KEY.order_by(VERSIONS.c.version.desc()).limit(1))
_NAMED = Prepared(_BY_KEY.where(VERSIONS.c.version == bindparam("version")))
_BY_ID = select(*_META).where(VERSIONS.c.id == bindparam("id"))
_SOURCES = select(VERSIONS.c.key, VERSIONS.c.bpmn, VERSIONS.c.dmn, VERSIONS.c.forms).where(
    VERSIONS.c.id == bindparam("id"))
_SAME = select(*_META).where(VERSIONS.c.key == bindparam("key"),
                             VERSIONS.c.sha256 == bindparam("sha"))
_MAX = select(func.max(VERSIONS.c.version)).where(VERSIONS.c.key == bindparam("key"))


class Registry:
    """Deploys definition versions and hands out their parsed specs."""

    def __init__(self, cache_size: int = 32):
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, int], ParsedDefinition] = OrderedDict()
        self._lock = threading.Lock()

    def _remember(self, key: tuple[str, int], parsed: ParsedDefinition) -> None:
        with self._lock:
            self._cache[key] = parsed
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def load(self, conn, version_id: int, sha256: str | None = None) -> ParsedDefinition:
        """The parsed definition of a version, from the cache or parsed once from its sources.

        The cache is keyed by sha256 and version id, so two databases never share an entry;
        a caller that read the sha256 with its case row saves a query.
        """
        if sha256 is None:
            meta = conn.execute(_BY_ID, {"id": version_id}).first()
            if meta is None:
                raise NotFound(f"definition version {version_id} does not exist")
            sha256 = meta.sha256
        key = (sha256, version_id)
        with self._lock:
            parsed = self._cache.get(key)
            if parsed is not None:
                self._cache.move_to_end(key)
                return parsed
        row = conn.execute(_SOURCES, {"id": version_id}).first()
        if row is None:
            raise NotFound(f"definition version {version_id} does not exist")
        parsed = parsing.parse(row.bpmn, row.dmn, row.forms, row.key)
        self._remember(key, parsed)
        return parsed

    def find(self, conn, key: str, version: int | None = None) -> VersionRow:
        """The named version of a process, or its latest."""
        query, params = (_LATEST, {"key": key}) if version is None else (
            _NAMED, {"key": key, "version": version})
        row = query.first(conn, params) if isinstance(key, str) else None
        if row is None:
            what = f"version {version} of '{key}'" if version else f"'{key}'"
            raise NotFound(f"no process definition {what} is deployed")
        return VersionRow(*row)

    def get(self, conn, version_id: int) -> VersionRow:
        """One version by id."""
        row = conn.execute(_BY_ID, {"id": version_id}).first()
        if row is None:
            raise NotFound(f"definition version {version_id} does not exist")
        return VersionRow(*row)

    def sources(self, conn, version_id: int) -> dict:
        """The files of a version: ``{"bpmn": {...}, "dmn": {...}, "forms": {...}}``."""
        row = conn.execute(_SOURCES, {"id": version_id}).first()
        if row is None:
            raise NotFound(f"definition version {version_id} does not exist")
        return {"bpmn": row.bpmn, "dmn": row.dmn, "forms": row.forms}

    def listing(self, conn) -> list[VersionRow]:
        """All deployed versions, newest first per key."""
        rows = conn.execute(select(*_META).order_by(VERSIONS.c.key, VERSIONS.c.version.desc()))
        return [VersionRow(*r) for r in rows]

    def deploy(self, conn, bpmn: dict, dmn: dict, form_sources: dict, actor, now: datetime,
               key: str | None = None, level: str | None = None) -> tuple[VersionRow, bool]:
        """Deploy sources as the next version of their process; ``(version, created)``.

        Identical sources to an existing version of the same key create nothing. ``level``
        is the acting level of tasks that name none, written into the process.
        """
        if level:
            bpmn = parsing.with_level(bpmn, level, key)
        parsed = parsing.parse(bpmn, dmn, form_sources, key)
        digest = parsing.sources_hash(bpmn, dmn, form_sources)
        existing = conn.execute(_SAME, {"key": parsed.key, "sha": digest}).first()
        if existing is not None:
            return VersionRow(*existing), False
        number = (conn.execute(_MAX, {"key": parsed.key}).scalar() or 0) + 1
        new_id = conn.execute(insert(VERSIONS).values(
            key=parsed.key, version=number, name=parsed.name, sha256=digest, bpmn=bpmn, dmn=dmn,
            forms=form_sources, deployed_by=actor.id if actor else None, deployed_at=now
        ).returning(VERSIONS.c.id)).scalar_one()
        self._remember((digest, new_id), parsed)
        audit.append_global(conn, "definition_deployed", actor, now,
                            {"key": parsed.key, "version": number, "sha256": digest,
                             "files": sorted([*bpmn, *dmn, *form_sources])})
        return self.get(conn, new_id), True

    def deploy_folder(self, conn, folder: str | Path, actor, now: datetime
                      ) -> list[tuple[VersionRow, bool]]:
        """Deploy every BPMN file of ``folder`` with its DMN files and forms."""
        return [self.deploy(conn, *parsing.collect_files([path]), actor, now)
                for path in sorted(Path(folder).glob("*.bpmn"))]
