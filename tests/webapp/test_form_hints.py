"""Hints under form fields speak of the choices the user sees, not of stored codes: the
disability grade is chosen from 无/一级…四级, so its hint does not say "0 表示无残疾"; a done
step's page says who did it, without an empty due date."""

HOME_CHECK = {"checkers": ["张三", "李四"], "check_date": "2025-03-09",
              "annual_household_income": 20000, "income_per_head": 5000,
              "out_of_pocket_medical": 31000, "major_illness": True, "disability_grade": 0,
              "rigid_spending": 0, "formerly_poor": False, "sudden_shock": False}


def test_disability_hint_names_the_choices(client, auth, eng, user, declaration, case_of):
    case = eng.start("monitoring_identification", user("village11"), declaration).case
    [check] = [i for i in case_of(case.id).items if i.status == "open"]
    eng.claim(check.id, user("village11"))
    auth.login("village11")
    page = client.get(f"/tasks/{check.id}").text
    assert "无残疾选“无”" in page and "0 表示无残疾" not in page
    client.post("/language", data={"locale": "en"})
    assert "(0 = none)" not in client.get(f"/tasks/{check.id}").text


def test_a_done_step_says_who_did_it_not_a_due_date(client, auth, eng, user, declaration,
                                                    case_of):
    """A completed step's page reads 已办理 · 东山村 村委会 …, not 办理期限：已办理."""
    case = eng.start("monitoring_identification", user("village11"), declaration).case
    [check] = [i for i in case_of(case.id).items if i.status == "open"]
    auth.login("village11")
    assert "办理期限：" in client.get(f"/tasks/{check.id}").text
    eng.complete(check.id, user("village11"), HOME_CHECK)
    done = client.get(f"/tasks/{check.id}").text
    assert "办理期限：" not in done and '<span class="status">已办理 · 东山村 村委会' in done
