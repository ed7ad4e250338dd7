"""Session fixtures: a fake Chatwoot API and the assistant's real servers."""
import pytest

from tests.support.servers import CHATWOOT_PORT, Assistant, FakeChatwoot


@pytest.fixture(scope="session")
def chatwoot():
    fake = FakeChatwoot(CHATWOOT_PORT)
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory, chatwoot):
    a = Assistant(tmp_path_factory.mktemp("assistant"), f"http://127.0.0.1:{CHATWOOT_PORT}")
    a.start()
    yield a
    a.stop()

