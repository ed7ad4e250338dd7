import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from troubleshooter.dialogue import respond  # noqa: E402
from troubleshooter.engine import Engine  # noqa: E402
from troubleshooter.extract import EvidenceExtractor  # noqa: E402
from troubleshooter.knowledge import load_knowledge_base  # noqa: E402
from troubleshooter.reading import Turn, read  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "integration: needs the trained model and running servers")


def pytest_collection_modifyitems(items):
    for item in items:
        if "integration" in item.nodeid.split("/"):
            item.add_marker(pytest.mark.integration)


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
        turn = Turn.from_payload(text) if text.startswith("/") else Turn(text, tuple(ranking), {}, extractor.extract(text))
        reading = read(turn, d, kb.symptoms.keys())
        return reading, respond(engine, d, reading)
    return send
