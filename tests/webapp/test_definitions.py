"""Process definitions in the web app: the versions page, downloads, the editor's API
(drafts, validation, deploy), the diff, case migration and the form preview. Only
administrators get any of it."""
import io
import json
import zipfile

import pytest

from support import ROOT

BPMN = (ROOT / "bench" / "four_tasks.bpmn").read_text(encoding="utf-8")
API = "/api/v1/definitions/four_tasks"


def files(text=BPMN) -> dict:
    return {"bpmn": {"four_tasks.bpmn": text}, "dmn": {}, "forms": {}}


def renamed(old: str, new: str) -> str:
    assert old in BPMN
    return BPMN.replace(old, new)


def first_task_name() -> str:
    import re

    return re.search(r'<bpmn:userTask id="[^"]+" name="([^"]+)"', BPMN).group(1)


@pytest.mark.parametrize("username", ["village11", "county1", "auditor"])
def test_only_administrators_reach_definitions(client, auth, bearer, username):
    auth.login(username)
    for url in ("/admin/definitions", "/admin/definitions/four_tasks/edit",
                "/admin/definitions/four_tasks/1/files.zip",
                "/admin/definitions/four_tasks/diff?from=1&to=1",
                "/admin/definitions/four_tasks/migrate", "/admin/definitions/new"):
        assert client.get(url).status_code == 403, url
    assert client.put(f"{API}/draft", json={"files": files()}).status_code == 403
    assert client.post(f"{API}/versions", json={"files": files()}).status_code == 403
    assert client.get("/api/v1/definitions", headers=bearer(username)).status_code == 403


def test_the_definitions_page_lists_versions_with_counts(client, auth, start):
    start()
    auth.login("admin")
    page = client.get("/admin/definitions").data.decode()
    assert "monitoring_identification" in page and "four_tasks" in page
    assert "/admin/definitions/four_tasks/1/files.zip" in page
    listing = client.get("/api/v1/definitions").json["processes"]
    four, = [p for p in listing if p["key"] == "four_tasks"]
    assert [(v["version"], v["running"], v["finished"]) for v in four["versions"]] == [(1, 1, 0)]


def test_a_version_downloads_as_a_zip_and_file_by_file(client, auth):
    auth.login("admin")
    response = client.get("/admin/definitions/monitoring_identification/1/files.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "monitoring_identification.bpmn" in names and "eligibility.dmn" in names
    assert "forms/identification/home_check.json" in names
    one = client.get("/admin/definitions/monitoring_identification/1/file/forms/"
                     "identification/home_check.json")
    assert one.status_code == 200 and json.loads(one.data)["schema"]["type"] == "object"
    assert client.get("/admin/definitions/monitoring_identification/1/file/forms/"
                      "../x.json").status_code == 404
    assert client.get("/admin/definitions/monitoring_identification/9/files.zip"
                      ).status_code == 404


def test_draft_save_validate_and_deploy_through_the_api(client, auth, rows):
    auth.login("admin")
    saved = client.put(f"{API}/draft", json={"files": files(), "revision": 0, "base_version": 1})
    assert saved.status_code == 200 and saved.json["draft"]["revision"] == 1
    stale = client.put(f"{API}/draft", json={"files": files(), "revision": 0})
    assert stale.status_code == 409
    broken = renamed('isExecutable="true"', 'isExecutable="false"')
    refused = client.post(f"{API}/validate", json={"files": files(broken)})
    assert refused.status_code == 422 and "no executable process" in refused.json["error"]
    text = renamed(first_task_name(), "改名后的第一步")
    ok = client.post(f"{API}/validate", json={"files": files(text)})
    assert ok.status_code == 200 and ok.json["steps"][0]["title"] == "改名后的第一步"
    assert client.post(f"{API}/versions", json={"files": files(text)}).status_code == 409
    deployed = client.post(f"{API}/versions", json={"files": files(text), "revision": 1})
    assert deployed.status_code == 201 and deployed.json["definition"]["version"] == 2
    assert client.get(f"{API}/draft").status_code == 404
    events = [r.event for r in rows("SELECT event FROM audit_events WHERE case_id IS NULL "
                                    "ORDER BY seq")]
    assert events[-2:] == ["definition_draft_saved", "definition_deployed"]


def test_a_refused_deploy_names_the_file_and_element(client, auth, rows):
    auth.login("admin")
    text = renamed('<bpmn:lane id="lane_village" name="village">',
                   '<bpmn:lane id="lane_village" name="经办">')
    before = rows("SELECT COUNT(*) FROM definition_versions")[0][0]
    response = client.post(f"{API}/versions", json={"files": files(text)})
    assert response.status_code == 422, response.json
    assert (response.json["file"], response.json["element"]) == ("four_tasks.bpmn", "declare")
    assert response.json["error"].startswith("four_tasks.bpmn: element declare: UserTask has "
                                             "no acting level")
    assert rows("SELECT COUNT(*) FROM definition_versions")[0][0] == before
    with_level = client.post(f"{API}/versions", json={"files": files(text), "level": "village"})
    assert with_level.status_code == 201


@pytest.mark.parametrize("body", [
    {"files": "x"}, {"files": {"bpmn": {"../a.bpmn": "<x/>"}}}, {"files": files(), "level": "town"},
    {"files": files(), "revision": "1"}, [1, 2]])
def test_malformed_editor_requests_are_refused(client, auth, rows, body):
    auth.login("admin")
    response = client.post(f"{API}/versions", json=body)
    assert response.status_code == (400 if isinstance(body, list) else 422)
    assert response.json["error"]
    assert rows("SELECT COUNT(*) FROM definition_versions")[0][0] == 2


def test_the_diff_page_and_api_show_the_changed_step(client, auth, eng):
    eng.deploy(files(renamed(first_task_name(), "改名"))["bpmn"], {}, {}, None)
    auth.login("admin")
    page = client.get("/admin/definitions/four_tasks/diff?from=1&to=2").data.decode()
    assert "改名" in page and "diff-changed" in page
    result = client.get(f"{API}/diff?from=1&to=2").json
    assert len(result["changed"]) == 1 and result["added"] == [] == result["removed"]
    assert client.get(f"{API}/diff?from=1").status_code == 422
    assert client.get(f"{API}/diff?from=1&to=7").status_code == 404


def test_migration_page_dry_run_and_move(client, auth, eng, start, rows):
    case = start().case.id
    eng.deploy(files(renamed(first_task_name(), "新名称"))["bpmn"], {}, {}, None)
    auth.login("admin")
    page = client.get("/admin/definitions/four_tasks/migrate").data.decode()
    assert f'name="case" value="{case}"' in page
    dry = client.post("/admin/definitions/four_tasks/migrate?to=2",
                      data={"case": [str(case)], "dry_run": "1"})
    version = "SELECT v.version FROM cases c JOIN definition_versions v ON v.id = c.definition_id"
    assert dry.status_code == 200 and rows(version)[0][0] == 1
    moved = client.post("/admin/definitions/four_tasks/migrate?to=2", data={"case": [str(case)]})
    assert moved.status_code == 200
    assert rows(version)[0][0] == 2
    title = rows("SELECT title FROM work_items WHERE status = 'open'")[0][0]
    assert title == "新名称"
    api = client.post(f"{API}/migrations", json={"to_version": 2, "dry_run": True})
    assert api.status_code == 200 and api.json["cases"] == []


def test_the_form_preview_renders_the_form_as_the_task_page(client, auth):
    auth.login("admin")
    form = (ROOT / "forms" / "identification" / "post_publicity.json").read_text("utf-8")
    page = client.post("/admin/forms/preview", data=form.replace('"default": 5', '"default": 7'),
                       content_type="application/json").data.decode()
    assert 'name="publicity_days"' in page and 'value="7"' in page
    bad = client.post("/admin/forms/preview", data='{"schema": 3}',
                      content_type="application/json")
    assert bad.status_code == 422 and "schema" in bad.data.decode()


def test_new_process_starts_as_a_draft(client, auth):
    auth.login("admin")
    response = client.post("/admin/definitions/new", data={"key": "visit_trial",
                                                           "name": "试点 <走访>"})
    assert response.status_code == 302 and response.location.endswith(
        "/admin/definitions/visit_trial/edit")
    draft = client.get("/api/v1/definitions/visit_trial/draft").json["draft"]
    assert "试点 &lt;走访&gt;" in draft["files"]["bpmn"]["visit_trial.bpmn"]
    assert client.get("/admin/definitions/visit_trial/edit").status_code == 200
    again = client.post("/admin/definitions/new", data={"key": "visit_trial", "name": "x"})
    assert again.status_code == 400
    bad = client.post("/admin/definitions/new", data={"key": "1 bad", "name": "x"})
    assert bad.status_code == 400


def test_editor_assets_are_served_from_node_modules(client):
    for url in ("/vendor/bpmn-js-properties-panel/dist/bpmn-js-properties-panel.umd.js",
                "/vendor/@bpmn-io/properties-panel/dist/assets/properties-panel.css",
                "/vendor/bpmn-js-i18n/translations/zn.js",
                "/vendor/dmn-js/dist/dmn-modeler.production.min.js"):
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()
    for url in ("/vendor/bpmn-js-i18n/package.json", "/vendor/@bpmn-io/other/dist/x.js",
                "/vendor/@bpmn-io/properties-panel/package.json"):
        assert client.get(url).status_code == 404, url


def test_the_editor_takes_whole_files_past_the_usual_text_limit(client, auth):
    """The editor's routes take files of up to 2 MiB (the layer's usual limit is 10,000
    characters a string): the identification process, 47 KB, validates."""
    auth.login("admin")
    text = (ROOT / "workflows" / "monitoring_identification.bpmn").read_text(encoding="utf-8")
    assert len(text) > 10_000
    forms = {p.relative_to(ROOT / "forms").as_posix(): p.read_text(encoding="utf-8")
             for p in (ROOT / "forms").rglob("*.json")}
    dmn = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "workflows").glob("*.dmn")}
    body = {"files": {"bpmn": {"monitoring_identification.bpmn": text}, "dmn": dmn,
                      "forms": forms}}
    response = client.post("/api/v1/definitions/monitoring_identification/validate", json=body)
    assert response.status_code == 200, response.json
    # Elsewhere the same string is refused.
    refused = client.post("/api/v1/households", json={"head_name": text, "id_number": "x",
                                                      "village_code": "1"})
    assert refused.status_code == 400 and "head_name" in refused.json["fields"]
