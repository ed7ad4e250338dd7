
import pytest

from troubleshooter.dialogue import respond
from troubleshooter.engine import Engine
from troubleshooter.extract import EvidenceExtractor
from troubleshooter.knowledge import load_knowledge_base
from troubleshooter.reading import Turn, read

# Modules that start servers of their own or talk for minutes; `make test` runs them,
# `make test-quick` leaves them out.
SLOW = {
    "test_scaleout.py",
    "test_wild.py",
    "test_analytics.py",
    "test_learn.py",
    "test_restart.py",
    "test_faults.py",
    "test_shell.py",
    "test_widget_browser.py",
    "test_store_checks.py",
}


def pytest_configure(config):
    config.addinivalue_line("markers", "integration: needs the trained model and running servers")
    config.addinivalue_line("markers", "slow: starts servers of its own or runs for minutes (make test runs it)")


def pytest_collection_modifyitems(items):
    for item in items:
        parts = item.nodeid.split("::")[0].split("/")
        if "integration" in parts:
            item.add_marker(pytest.mark.integration)
        if parts[-1] in SLOW:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def kb():
    return load_knowledge_base()


@pytest.fixture(scope="session")
def engine(kb):
    return Engine(kb)


@pytest.fixture(scope="session")
def extractor(kb):
    return EvidenceExtractor(kb)


@pytest.fixture
def talk(kb, engine, extractor):
    """Send text (or a button payload) with a given NLU ranking; returns (reading, messages)."""

    def send(d, text, *ranking):
        turn = (
            Turn.from_payload(text) if text.startswith("/") else Turn(text, tuple(ranking), {}, extractor.extract(text))
        )
        reading = read(turn, d, kb.symptoms.keys())
        return reading, respond(engine, d, reading)

    return send
