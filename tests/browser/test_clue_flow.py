"""Department warnings and a monthly visit in Chromium: county1 uploads a civil-affairs file,
sees its preview (problems by row and column, duplicates), imports the good rows with
progress; village11 finds its clues, declares one; village11 records a month's visit with a
photo that finds a sharp income drop and opens a risk clue from it in one click.
Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from clue_support import csv_file, id_number, mixed_rows
from tests.browser.test_identification_flow import shoot, today



def photo_png() -> bytes:
    """A small picture (a house on a field), as a phone's photo would be a JPEG or PNG."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), (150, 200, 120))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 320, 90), fill=(170, 210, 240))
    draw.rectangle((110, 80, 210, 160), fill=(200, 170, 130))
    draw.polygon([(100, 85), (160, 40), (220, 85)], fill=(150, 60, 50))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_import_preview_then_clues_for_the_village(login, eng, screenshots):
    day = today() - timedelta(days=3)
    extra = [[9, f"村民{i}", id_number(300 + i), "李家村", "医保比对：自付费用超预警线", "01",
              day.isoformat()] for i in range(600)]
    content = csv_file(mixed_rows(day.isoformat(), day.strftime("%Y/%m/%d")) + extra)

    county = login("county1")
    county.goto("/warnings")
    county.locator("#department").select_option("civil_affairs")
    county.locator("#file").set_input_files(
        files=[{"name": "民政预警.csv", "mimeType": "text/csv", "buffer": content}])
    county.get_by_role("button", name="检查文件").click()
    expect(county.locator(".import-summary")).to_contain_text("共 607 行")
    expect(county.locator(".import-summary")).to_contain_text("603 行无误")
    expect(county.locator("#row-5")).to_contain_text("身份证号：“360799197001011230”校验位不正确")
    expect(county.locator("#row-6")).to_contain_text("预警事由：不能为空")
    expect(county.locator("#row-7")).to_contain_text("所在村：本县没有名为“不存在村”的村")
    expect(county.locator("#row-8")).to_contain_text("与本文件第 2 行身份证号相同")
    shoot(county, screenshots, "warnings-preview")
    county.get_by_role("button", name="将 603 行无误数据导入为风险线索").click()
    expect(county.locator("#import-result")).to_contain_text(
        "已导入风险线索 603 条；重复跳过 1 行，拒绝 3 行")
    expect(county.locator("#row-2")).to_contain_text("风险线索 #")
    shoot(county, screenshots, "warnings-imported")

    village = login("village11")
    village.get_by_role("link", name="风险线索").first.click()
    expect(village.locator("table.clues")).to_contain_text("赵大山")
    expect(village.locator("table.clues")).not_to_contain_text("村民1")  # 李家村's
    shoot(village, screenshots, "clues-village")
    village.get_by_role("link", name="赵大山").click()
    expect(village.locator("#f-discovery_date")).to_have_value(day.isoformat())
    village.locator("#f-commitment_signed").check()
    village.get_by_role("button", name="登记申报").click()
    expect(village.locator(".flash.success")).to_contain_text("已登记申报")
    expect(village).to_have_url(re.compile(r"/cases/\d+$"))


def test_a_monthly_visit_opens_a_risk_clue(login, eng, users, screenshots):
    household = eng.add_household(users["county1"], "孙有田", id_number(1, "19600101"),
                                   "360799100001", 3, "formerly_poor", 7000.0).id
    village = login("village11")
    village.get_by_role("link", name="入户走访").first.click()
    expect(village.locator(".coverage")).to_contain_text("待走访 1 户")
    shoot(village, screenshots, "visits-plan-before")
    village.get_by_role("link", name="登记走访").click()
    village.locator("#visitors").fill("李书记 王队员")
    village.locator("#income_change").select_option("sharp_drop")
    village.locator("#income_per_head").fill("4800")
    village.locator("#safe_water").uncheck()
    village.locator("#aid_received").fill("临时救助 2000 元")
    village.locator("#notes").fill("户主务工受伤，停工三个月；自来水管冻裂未修复")
    village.locator("#photos").set_input_files(
        files=[{"name": "门前.png", "mimeType": "image/png", "buffer": photo_png()}])
    shoot(village, screenshots, "visit-form")
    village.get_by_role("button", name="保存走访记录").click()
    expect(village.locator(".warning-signs")).to_contain_text("收入大幅下降")
    expect(village.locator(".warning-signs")).to_contain_text("饮水安全有保障出现问题")
    expect(village.locator("figure.photo img")).to_be_visible()
    shoot(village, screenshots, "visit-recorded")
    village.get_by_role("button", name="生成风险线索").click()
    expect(village.locator("h1")).to_contain_text("风险线索")
    expect(village.locator("section.summary")).to_contain_text("入户走访发现：收入大幅下降")
    shoot(village, screenshots, "visit-clue")
    village.goto("/visits")
    expect(village.locator(".coverage")).to_contain_text("已走访 1 户")
    expect(village.locator("table.plan")).to_contain_text("风险迹象")
    shoot(village, screenshots, "visits-plan-after")
    assert household
