"""The durability setting reaches the database: what a commit survives is what the README says."""
import pytest
from sqlalchemy import text

from engine import Settings, build_engine
from engine.db import make_engine


def setting(database) -> str:
    """The database's own word for how a commit waits for the disk."""
    with database.connect() as conn:
        if database.dialect.name == "sqlite":
            return {1: "NORMAL", 2: "FULL"}[conn.execute(text("PRAGMA synchronous")).scalar()]
        return conn.execute(text("SHOW synchronous_commit")).scalar()


@pytest.mark.parametrize("durability", ["normal", "full"])
def test_each_durability_sets_the_database(db_url, durability):
    database = build_engine(Settings(database_url=db_url, durability=durability)).database
    try:
        expected = {("sqlite", "normal"): "NORMAL", ("sqlite", "full"): "FULL",
                    ("postgresql", "normal"): "off", ("postgresql", "full"): "on"}
        assert setting(database) == expected[database.dialect.name, durability]
    finally:
        database.dispose()


def test_the_environment_chooses_durability():
    assert Settings.from_environment({"DIXIAN_DURABILITY": "full"}).durability == "full"
    assert Settings.from_environment({}).durability == "normal"


def test_an_unknown_durability_is_refused(db_url):
    with pytest.raises(ValueError, match="durability must be one of normal, full, not 'fast'"):
        make_engine(db_url, durability="fast")
