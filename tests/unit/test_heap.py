"""scaleout/heap.py: after each model load what is alive is frozen out of the cyclic collector's
walks; at the next load it is handed back, so a replaced model's cycles are freed."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest
import rasa.core.agent

from scaleout import heap


class Model:
    """Stands for a loaded agent: an object in a reference cycle, as a Keras model is."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def loads(monkeypatch):
    async def load(*args, **kwargs):
        return Model()

    monkeypatch.setattr(heap, "_rasas_load_agent", load)
    yield lambda: asyncio.run(heap._load_agent("model.tar.gz"))
    gc.unfreeze()


def test_what_is_alive_after_a_load_is_frozen(loads):
    gc.unfreeze()
    model = loads()
    assert gc.get_freeze_count() > 0
    assert not any(o is model for o in gc.get_objects())  # out of the collector's walks


def test_a_replaced_model_is_freed_at_the_next_load(loads):
    first = weakref.ref(loads())
    gc.collect()
    assert first() is not None  # a frozen cycle is not collected...
    loads()
    assert first() is None  # ...until the next load hands it back


def test_applied_when_the_channels_load():
    import channels  # noqa: F401  (what Rasa imports for credentials.yml)

    assert rasa.core.agent.load_agent is heap._load_agent
