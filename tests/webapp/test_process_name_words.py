"""The case page names its process in the page's language, as the household page does:
监测对象识别纳入 in Chinese, "Identification of monitoring objects" in English."""


def test_case_heading_in_both_languages(client, auth, eng, user, declaration):
    case = eng.start("monitoring_identification", user("village11"), declaration).case
    auth.login("county1")
    assert '<span class="muted">监测对象识别纳入</span></h1>' in client.get(
        f"/cases/{case.id}").text
    client.post("/language", data={"locale": "en"})
    english = client.get(f"/cases/{case.id}").text
    assert '<span class="muted">Identification of monitoring objects</span></h1>' in english
