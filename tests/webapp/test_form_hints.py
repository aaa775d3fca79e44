"""Hints under form fields speak of the choices the user sees, not of stored codes: the
disability grade is chosen from 无/一级…四级, so its hint does not say "0 表示无残疾"."""


def test_disability_hint_names_the_choices(client, auth, eng, user, declaration, case_of):
    case = eng.start("monitoring_identification", user("village11"), declaration).case
    [check] = [i for i in case_of(case.id).items if i.status == "open"]
    eng.claim(check.id, user("village11"))
    auth.login("village11")
    page = client.get(f"/tasks/{check.id}").text
    assert "无残疾选“无”" in page and "0 表示无残疾" not in page
    client.post("/language", data={"locale": "en"})
    assert "(0 = none)" not in client.get(f"/tasks/{check.id}").text
