"""The API of the definition editor: versions and their files, drafts, validation, deploy,
the diff of two versions and case migration. Administrators only (the engine decides)."""
from __future__ import annotations

from dataclasses import asdict

from flask import jsonify, request

from engine import DefinitionDiff, DraftView, InvalidDefinition, MigrationReport, VersionRow
from engine.errors import InvalidData

from .. import handlers
from ..sanitize import MIB, limits
from ..transaction import engine
from . import ApiError, bp, error
from .routes import _body, _check
from .serialize import when

LEVELS = ("village", "township", "county")
# The editor sends whole BPMN, DMN and form files (2 MiB a file, 8 MiB a version, escaped).
EDITOR_LIMITS = limits(body=17 * MIB, text=2 * MIB)


@bp.errorhandler(InvalidDefinition)
def _invalid_definition(err: InvalidDefinition):
    """422 with the file and element the parser named, for the editor to point at."""
    response, status = error(422, str(err))
    body = response.get_json()
    body.update(file=err.filename, element=err.element)
    return jsonify(body), status


def version(row: VersionRow) -> dict:
    """A deployed version without its files."""
    return {"id": row.id, "key": row.key, "version": row.version, "name": row.name,
            "sha256": row.sha256, "deployed_by": row.deployed_by,
            "deployed_at": when(row.deployed_at)}


def draft(value: DraftView) -> dict:
    """A saved draft with its files."""
    return {"key": value.key, "revision": value.revision, "base_version": value.base_version,
            "saved_by": value.saved_by_name, "saved_at": when(value.saved_at),
            "files": value.files}


def diff(value: DefinitionDiff) -> dict:
    """A version diff: elements and files with their changes."""
    return {"key": value.key, "from_version": value.from_version,
            "to_version": value.to_version,
            "elements": [asdict(e) for e in value.elements],
            "files": [asdict(f) for f in value.files],
            "added": value.ids("added"), "removed": value.ids("removed"),
            "changed": value.ids("changed")}


def migration(value: MigrationReport) -> dict:
    """A migration report, case by case."""
    return {"key": value.key, "to_version": value.to_version, "dry_run": value.dry_run,
            "moved": value.moved, "cases": [{**asdict(c), "steps": list(c.steps)}
                                             for c in value.cases]}


def _files_and_level(body: dict):
    level = body.get("level") or None
    _check({} if level in (None, *LEVELS) else {"level": "one of " + ", ".join(LEVELS)})
    return body.get("files"), level


def _revision(body: dict) -> int:
    value = body.get("revision", 0)
    _check({} if isinstance(value, int) and not isinstance(value, bool) and value >= 0
           else {"revision": "the draft revision the editor holds (0: none)"})
    return value


@bp.route("/definitions")
def definitions():
    """Every process with its versions (case counts per version) and draft revision."""
    return jsonify(processes=[{
        "key": p.key, "name": p.name,
        "draft_revision": p.draft.revision if p.draft else None,
        "versions": [{**version(v.version), "deployed_by_name": v.deployed_by_name,
                      "running": v.running, "finished": v.finished} for v in p.versions]}
        for p in engine().process_versions(handlers.me())])


@bp.route("/definitions/<key>/versions/<int:number>")
def version_files(key: str, number: int):
    """One deployed version with its BPMN, DMN and form files."""
    row, files = engine().version_files(key, number, handlers.me())
    return jsonify(definition=version(row), files=files)


@bp.route("/definitions/<key>/draft")
def get_draft(key: str):
    """The saved draft of a process (404 when there is none)."""
    found = engine().draft(key, handlers.me())
    if found is None:
        raise ApiError(404, f"no draft of {key}")
    return jsonify(draft=draft(found))


@bp.route("/definitions/<key>/draft", methods=["PUT"])
@EDITOR_LIMITS
def put_draft(key: str):
    """Save the editor's files as the draft; 409 when a colleague saved since ``revision``."""
    body = _body()
    base = body.get("base_version")
    _check({} if base is None or (isinstance(base, int) and not isinstance(base, bool))
           else {"base_version": "a version number or null"})
    saved = handlers.write(engine().save_draft, key, body.get("files"), handlers.me(),
                           _revision(body), base)
    return jsonify(draft=draft(saved))


@bp.route("/definitions/<key>/draft", methods=["DELETE"])
def delete_draft(key: str):
    """Throw the draft away (``?revision=`` the revision seen)."""
    revision = request.args.get("revision", type=int)
    if revision is None:
        raise InvalidData("give the draft revision to discard", {"revision": "required"})
    handlers.write(engine().discard_draft, key, handlers.me(), revision)
    return "", 204


@bp.route("/definitions/<key>/validate", methods=["POST"])
@EDITOR_LIMITS
def validate(key: str):
    """Check the files as deploy would, writing nothing; 422 names the file and element."""
    files, level = _files_and_level(_body())
    parsed = engine().validate_definition(key, files, handlers.me(), level)
    return jsonify(ok=True, key=parsed.key, name=parsed.name, steps=[
        {"id": s.name, "title": s.title, "level": s.level.value, "form": s.form,
         "due_days": s.due_days, "day_kind": s.day_kind} for s in parsed.steps.values()])


@bp.route("/definitions/<key>/versions", methods=["POST"])
@EDITOR_LIMITS
def deploy(key: str):
    """Deploy the files as the next version; the draft goes. 422 names file and element."""
    body = _body()
    files, level = _files_and_level(body)
    row, created = handlers.write(engine().deploy_edited, key, files, handlers.me(),
                                  _revision(body), level)
    return jsonify(definition=version(row), created=created), 201 if created else 200


@bp.route("/definitions/<key>/diff")
def compare(key: str):
    """What changed from version ``from`` to version ``to``."""
    old, new = request.args.get("from", type=int), request.args.get("to", type=int)
    _check({name: "a version number" for name, value in (("from", old), ("to", new))
            if value is None})
    return jsonify(diff(engine().diff_versions(key, old, new, handlers.me())))


@bp.route("/definitions/<key>/migrations", methods=["POST"])
def migrate(key: str):
    """Move running cases to ``to_version`` (all older ones, or ``case_ids``); ``dry_run``
    reports what would happen and writes nothing."""
    body = _body()
    to_version, dry_run = body.get("to_version"), body.get("dry_run", False)
    _check({**({} if isinstance(to_version, int) and not isinstance(to_version, bool)
               else {"to_version": "a version number"}),
            **({} if isinstance(dry_run, bool) else {"dry_run": "true or false"})})
    report = handlers.write(engine().migrate_cases, key, to_version, handlers.me(),
                            body.get("case_ids"), dry_run)
    return jsonify(migration(report))
