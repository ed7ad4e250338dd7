import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from troubleshooter.engine import Engine  # noqa: E402
from troubleshooter.knowledge import load_knowledge_base  # noqa: E402


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
