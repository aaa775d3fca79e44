"""The ``server`` fixture: gunicorn on the test's fresh database (``eng``)."""
import pytest

from concurrency.servers import Server


@pytest.fixture
def server(eng, db_url, tmp_path):
    """Start gunicorn with N workers on the test database (after the test has set it up)."""
    started = []

    def start(workers: int = 2) -> Server:
        started.append(Server(db_url, workers, tmp_path / f"gunicorn{len(started)}.log"))
        return started[-1]
    yield start
    for s in started:
        s.stop()
