"""Forms as a county officer and a screen reader meet them: what is required is marked
(and only that), typed lists get their own words, a refused form has an error summary
linking each field, inputs carry aria-invalid/aria-describedby and the schema's maxLength,
phone numbers are checked on the server."""
import json
import re
from datetime import date

import pytest

from engine import form_errors, load_form
from support import ROOT
from webapp import schema_forms
from tests.webapp.test_tasks import HOME_CHECK, _identification

FORMS = sorted((ROOT / "forms").glob("*/*.json"))
TODAY = date(2026, 11, 20)


def _form(ref: str) -> dict:
    return load_form(ref, (ROOT / "forms" / ref).read_text(encoding="utf-8"))


def _tag(page: str, element_id: str) -> str:
    """The opening tag of the element with that id."""
    found = re.search(r'<(?:input|textarea|select)\b[^>]*\bid="%s"[^>]*>' % re.escape(element_id),
                      page)
    assert found, f"no input with id {element_id}"
    return found.group(0)


@pytest.mark.parametrize("path", FORMS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_free_text_field_has_its_own_max_length(path):
    """Not only the default bound: each string field that is typed in states its limit."""
    schema = json.loads(path.read_text(encoding="utf-8"))["schema"]

    def strings(props, where=""):
        for name, prop in props.items():
            if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
                yield from strings({name + "[]": prop["items"]}, where)
            elif prop.get("type") == "string" and "enum" not in prop and prop.get(
                    "format") not in ("date", "date-not-future"):
                yield where + name, prop

    missing = [name for name, prop in strings(schema.get("properties", {}))
               if "maxLength" not in prop and "pattern" not in prop]
    assert missing == []


@pytest.mark.parametrize("path", FORMS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rendered_inputs_match_the_schema(app, path):
    """Every input has a label for it, ``required`` exactly where the user must answer, and
    a text input or textarea the schema's maxLength."""
    ref = f"{path.parent.name}/{path.name}"
    form = _form(ref)
    props, required = form["schema"]["properties"], set(form["schema"].get("required", []))
    with app.test_request_context():
        from flask import render_template_string
        fields = schema_forms.fields(form, "zh_CN")
        page = render_template_string(
            '{% from "macros.html" import schema_field %}'
            '{% for f in fields %}{{ schema_field(f) }}{% endfor %}', fields=fields)
    for f in fields:
        prop = props[f.name]
        assert f'for="f-{f.name}"' in page, f.name
        tag = _tag(page, f"f-{f.name}")
        if f.widget == "checkbox":  # unticked is an answer: required only if it must be ticked
            assert (" required" in tag) == (prop.get("const") is True), f.name
        elif f.widget not in ("checkboxes", "lines"):
            assert (" required" in tag) == (f.name in required), f.name
        if f.widget in ("text", "textarea", "tel"):
            assert f'maxlength="{prop["maxLength"]}"' in tag, f.name


def test_optional_checkboxes_are_not_marked_required(client, auth, start, declaration):
    case, item = _identification(start, declaration)
    auth.login("village11")
    page = client.get(f"/tasks/{item.id}").data.decode()
    # 是否患大病 is a yes/no question: the schema lists it so that it is always answered,
    # but an unticked box is the answer "no", so neither the star nor the attribute.
    assert 'class="field" id="field-major_illness"' in page
    assert " required" not in _tag(page, "f-major_illness")
    assert 'class="field required" id="field-check_date"' in page
    assert " required" in _tag(page, "f-check_date")
    assert 'maxlength="1000"' in _tag(page, "f-acute_difficulties")
    assert "aria-invalid" not in page and 'id="error-summary"' not in page


def test_refused_form_has_a_summary_and_marked_fields(client, auth, start, declaration):
    case, item = _identification(start, declaration)
    auth.login("village11")
    data = dict(HOME_CHECK, checkers="张三", income_per_head="abc", check_date="")
    page = client.post(f"/tasks/{item.id}", data=data).data.decode()
    summary = re.search(r'<div class="error-summary" id="error-summary" role="alert" '
                        r'tabindex="-1"[^>]*>(.*?)</div>', page, re.S)
    assert summary, "no error summary"
    links = re.findall(r'<a href="#([\w-]+)">([^<]*)</a>', summary.group(1))
    assert [target for target, _ in links] == ["f-checkers", "f-check_date",
                                               "f-income_per_head"]
    assert "<h2" in summary.group(1) and "请更正以下 3 处问题" in summary.group(1)
    assert "核查人员（至少 2 人）：入户核实至少需要 2 人" in links[0][1]
    for name in ("checkers", "check_date", "income_per_head"):
        tag = _tag(page, f"f-{name}")
        assert 'aria-invalid="true"' in tag
        described = re.search(r'aria-describedby="([^"]+)"', tag).group(1).split()
        assert f"f-{name}-error" in described
        assert re.search(rf'<span class="error" id="f-{name}-error">[^<]+</span>', page)
    assert "aria-invalid" not in _tag(page, "f-annual_household_income")
    assert "至少选择" not in page


def test_phone_numbers_checked_on_the_server():
    form = _form("identification/assign_helper.json")
    good = {"helper_name": "王五", "helper_unit": "县农业农村局", "helper_position": "科员"}
    for phone in ("13912345678", "0371-12345678", "01012345678", "0791-8812345-12"):
        assert form_errors(form, dict(good, helper_phone=phone), TODAY) == {}, phone
    assert form_errors(form, good, TODAY) == {}  # optional
    for phone in ("12345678901", "1391234567", "12345678", "0371-123", "139 1234 5678"):
        errors = form_errors(form, dict(good, helper_phone=phone), TODAY)
        assert errors["helper_phone"].startswith("电话号码无效"), phone
    english = form_errors(form, dict(good, helper_phone="123"), TODAY, "en")
    assert english["helper_phone"].startswith("invalid phone number")


def test_max_length_and_typed_list_messages_on_the_server():
    form = _form("identification/home_check.json")
    errors = form_errors(form, {"checkers": ["张三"], "acute_difficulties": "难" * 1001},
                         TODAY)
    assert errors["checkers"] == "入户核实至少需要 2 人，请每行填写一名核查人员"
    assert errors["acute_difficulties"] == "最多 1000 个字符"
    errors = form_errors(form, {"checkers": ["张三" * 11, "李四"]}, TODAY)
    assert errors["checkers.0"] == "最多 20 个字符"
    declaration = _form("identification/declaration.json")
    assert form_errors(declaration, {"risk_types": []}, TODAY)["risk_types"] == "至少选择 1 项"


def test_typed_lists_are_filled_in_choices_are_chosen():
    form = _form("identification/home_check.json")
    names = [f"核查员{i}" for i in range(11)]
    assert form_errors(form, {"checkers": names}, TODAY)["checkers"] == "最多填写 10 项"
    declaration = _form("identification/declaration.json")
    many = ["01", "03", "04", "05", "06", "07"]
    assert form_errors(declaration, {"risk_types": many}, TODAY)["risk_types"] == "最多选择 5 项"
