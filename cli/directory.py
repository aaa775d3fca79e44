"""The directory: administrative areas, user accounts and the household register."""
from __future__ import annotations

import sys
from dataclasses import replace

import click

from engine import Level

from .context import admin_option, transactional
from .output import Report, table

LEVELS = click.Choice([level.value for level in Level])


@click.group()
def area():
    """Administrative areas (统计用区划代码)."""


@area.command(name="add")
@click.argument("code")
@click.argument("name")
@click.option("--parent", default=None, help="the code of the area above")
@admin_option
@transactional(write=True)
def area_add(obj, code, name, parent, as_user):
    """Add an area by its 6 (county), 9 (township) or 12 (village) digit code."""
    row = obj.engine.add_area(code, name, parent, obj.actor(as_user), obj.now)
    return Report(row, f"area {row.code} {row.name} ({row.level}) added")


def listing(name: str, summary: str, under: str, columns, empty: str) -> click.Command:
    """A command listing areas or users (engine verb ``name``), optionally under a code."""
    @click.command(name=name, help=summary)
    @click.option("--under", default="", help=under)
    @transactional(write=False)
    def command(obj, under):
        rows = getattr(obj.engine, name)(under)
        return Report(rows, table(rows, columns, empty=empty))
    return command


areas = listing("areas", "List areas in code order.", "only areas whose code starts with this",
                [("code", "code"), ("level", "level"), ("name", "name"),
                 ("parent", "parent_code")], "no areas")


@click.group()
def user():
    """User accounts."""


@user.command(name="add")
@click.argument("name")
@click.option("--level", required=True, type=LEVELS)
@click.option("--area", "area_code", required=True)
@click.option("--role", "roles", multiple=True, default=["staff"],
              type=click.Choice(["staff", "admin", "auditor", "lead"]), show_default=True)
@click.option("--display-name", default="")
@click.option("--password-stdin", is_flag=True, required=True,
              help="read the password from standard input")
@admin_option
@transactional(write=True)
def user_add(obj, name, level, area_code, roles, display_name, password_stdin, as_user):
    """Add a user; the password is read from standard input, never from the command line."""
    password = sys.stdin.readline().rstrip("\r\n")
    row = obj.engine.add_user(name, level, area_code, password, ",".join(roles), display_name,
                              obj.actor(as_user), obj.now)
    return Report(row, f"user {row.username} added")


users = listing("users", "List user accounts.", "only users of this area and below",
                [("user", "username"), ("level", "level"), ("area", "area_code"),
                 ("roles", "roles"), ("active", "active"), ("name", "display_name")],
                "no users")


@click.group()
def household():
    """The household register."""


@household.command(name="add")
@click.option("--as", "as_user", required=True, help="the registering staff member")
@click.option("--head", required=True, help="name of the head of household")
@click.option("--id-number", required=True, help="the head's 18-character ID number")
@click.option("--village", required=True, help="12-digit village code")
@click.option("--members", type=int, default=1, show_default=True)
@click.option("--income-per-head", type=float, default=None, help="yuan per year")
@transactional(write=True)
def household_add(obj, as_user, head, id_number, village, members, income_per_head):
    """Register a household in a village of your area."""
    row = obj.engine.add_household(obj.actor(as_user), head, id_number, village, members,
                                   income_per_head=income_per_head, now=obj.now)
    return Report(row, f"household {row.id} {row.head_name} registered")


@click.command()
@click.option("--as", "as_user", required=True, help="list the households of this user's area")
@click.option("--search", default="", help="part of the head's name or the ID number's end")
@click.option("--village", default="", help="only this village")
@click.option("--page", type=click.IntRange(min=1), default=1)
@click.option("--size", type=click.IntRange(1, 500), default=100, help="households per page")
@transactional(write=False)
def households(obj, as_user, search, village, page, size):
    """List households in the user's area (ID numbers masked)."""
    rows, more = obj.engine.households(obj.actor(as_user), search, village, page, size)
    rows = [replace(row, id_number=row.masked_id) for row in rows]
    text = table(rows, [("id", "id"), ("head", "head_name"), ("ID number", "id_number"),
                        ("village", "village_code"), ("members", "members"),
                        ("income/head", "income_per_head")], empty="no households")
    return Report({"households": rows, "page": page, "has_next": more},
                  text + (f"\nmore: --page {page + 1}" if more else ""))


COMMANDS = [area, areas, user, users, household, households]
