"""Fixtures: a fake Chatwoot and the assistant's real servers, shared by tests
that only talk to them; a private assistant for tests that stop or break it."""

import subprocess

import pytest

from harness.browser import chromium
from harness.chatwoot import FakeChatwoot
from harness.servers import CHATWOOT_SECRET, Assistant, free_port
from troubleshooter.paths import ROOT


@pytest.fixture(scope="session")
def chatwoot():
    fake = FakeChatwoot(CHATWOOT_SECRET)
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory, chatwoot):
    """Shared: tests must not stop, restart or break it."""
    a = Assistant(tmp_path_factory.mktemp("assistant"), chatwoot.url, help_centre=True)  # test_widget_embed.py
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


@pytest.fixture(scope="module")
def services():
    """PostgreSQL and Redis of the scaled set-up, started by the project's script on free ports."""
    ports = {"pg": free_port(), "redis": free_port()}
    script = ["bash", str(ROOT / "scripts" / "services.sh")]
    try:
        subprocess.run([*script, "start", str(ports["pg"]), str(ports["redis"])], check=True, timeout=120)
        yield ports
    finally:
        subprocess.run([*script, "stop", str(ports["pg"]), str(ports["redis"])], check=False, timeout=120)


@pytest.fixture
def browser():
    """A headless Chromium (the widget tests); a missing browser fails the test, saying so."""
    try:
        with chromium() as driver:
            yield driver
    except RuntimeError as exc:
        pytest.fail(str(exc))
