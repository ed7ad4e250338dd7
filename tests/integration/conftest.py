"""Fixtures: a fake Chatwoot and the assistant's real servers, shared by tests
that only talk to them; a private assistant for tests that stop or break it."""

import pytest

from harness.chatwoot import FakeChatwoot
from harness.servers import CHATWOOT_SECRET, Assistant


@pytest.fixture(scope="session")
def chatwoot():
    fake = FakeChatwoot(CHATWOOT_SECRET)
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory, chatwoot):
    """Shared: tests must not stop, restart or break it."""
    a = Assistant(tmp_path_factory.mktemp("assistant"), chatwoot.url)
    chatwoot.bot_url = a.url + "/webhooks/chatwoot/webhook"
    a.start()
    try:
        yield a
    finally:
        a.stop()


@pytest.fixture
def own_assistant(tmp_path):
    """An assistant of the test's own (REST only), for tests that stop or break servers."""
    a = Assistant(tmp_path, web=False)
    a.start()
    try:
        yield a
    finally:
        a.stop()
