"""Session fixtures: a fake Chatwoot and the assistant's real servers."""
import pytest

from tests.support.chatwoot import FakeChatwoot
from tests.support.servers import CHATWOOT_SECRET, Assistant


@pytest.fixture(scope="session")
def chatwoot():
    fake = FakeChatwoot(CHATWOOT_SECRET)
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory, chatwoot):
    a = Assistant(tmp_path_factory.mktemp("assistant"), chatwoot.url)
    chatwoot.bot_url = a.url + "/webhooks/chatwoot/webhook"
    a.start()
    yield a
    a.stop()
