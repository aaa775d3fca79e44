"""The open-step filter of the case list speaks the page's language: 入户核实 in Chinese,
"Home check" in English (as the case rows under it)."""


def test_step_filter_in_both_languages(client, auth):
    auth.login("county1")
    chinese = client.get("/cases").text
    assert '<option value="home_check" >入户核实</option>' in chinese
    client.post("/language", data={"locale": "en"})
    english = client.get("/cases").text
    assert '<option value="home_check" >Home check</option>' in english
    assert "入户核实" not in english
