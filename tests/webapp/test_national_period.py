"""The period filter of the national-system page reads 开始日期 … 至 …: the end date is not
labelled 转给 (the word for handing an item to someone)."""


def test_national_period_labels(client, auth):
    auth.login("county1")
    page = client.get("/national").text
    assert '至 <input type="date" name="end"' in page
    assert "转给" not in page
