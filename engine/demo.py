"""Demo data: a county with two townships of two villages each, and a user for each."""
from __future__ import annotations

from datetime import date, datetime

PASSWORD = "dixian-demo"
COUNTY = ("360799", "示范县")
TOWNSHIPS = [("360799100", "东山镇", [("360799100001", "东山村"), ("360799100002", "李家村")]),
             ("360799200", "西河乡", [("360799200001", "西河村"), ("360799200002", "桃源村")])]
HOUSEHOLDS = [("360799100001", "王建国", "360799196503124515", 4, 6800.0),
              ("360799100001", "李秀英", "360799197208231224", 3, 9200.0),
              ("360799100002", "张福生", "360799195811050031", 2, 5400.0),
              ("360799200001", "刘桂兰", "360799196910175520", 5, 7900.0),
              ("360799200002", "陈永强", "360799198102286619", 4, 8300.0)]


def seed(engine, now: datetime) -> list[tuple[str, str, str]]:
    """Create the demo areas, users and households; returns (user, level, area name)."""
    created = []
    with engine.transaction(write=True):
        engine.add_area(*COUNTY, now=now)
        engine.add_user("county1", "county", COUNTY[0], PASSWORD, "staff",
                        "县乡村振兴局 王科长", now=now)
        created.append(("county1", "county", COUNTY[1]))
        for t_index, (t_code, t_name, villages) in enumerate(TOWNSHIPS, start=1):
            engine.add_area(t_code, t_name, COUNTY[0], now=now)
            engine.add_user(f"township{t_index}", "township", t_code, PASSWORD, "staff",
                            f"{t_name} 审核员", now=now)
            created.append((f"township{t_index}", "township", t_name))
            for v_index, (v_code, v_name) in enumerate(villages, start=1):
                engine.add_area(v_code, v_name, t_code, now=now)
                name = f"village{t_index}{v_index}"
                engine.add_user(name, "village", v_code, PASSWORD, "staff", f"{v_name} 村委会",
                                now=now)
                created.append((name, "village", v_name))
        engine.add_user("admin", "county", COUNTY[0], PASSWORD, "admin", "系统管理员", now=now)
        engine.add_user("auditor", "county", COUNTY[0], PASSWORD, "auditor", "审计员", now=now)
        created += [("admin", "county", "administrator"), ("auditor", "county", "auditor")]
        county_user = engine.find_user("county1")
        for village, name, id_number, members, income in HOUSEHOLDS:
            engine.add_household(county_user, name, id_number, village, members, "", income,
                                 now=now)
    return created


def seed_campaigns(engine, now: datetime) -> None:
    """The 2023–2025 campaign of the Jian'an notice, and one open for next year's projects
    (guide by mid-July, intake by the end of the year, system entry by the end of January)."""
    county = engine.find_user("county1")
    engine.set_campaign(county, "2023—2025年项目库", 2023, 2025, date(2022, 7, 15),
                        date(2022, 10, 31), date(2022, 11, 30), now)
    engine.set_campaign(county, f"{now.year + 1}年度项目库", now.year + 1, now.year + 1,
                        date(now.year, 7, 15), date(now.year, 12, 31),
                        date(now.year + 1, 1, 31), now)
