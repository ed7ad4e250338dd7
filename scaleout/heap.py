"""The loaded model out of the garbage collector's way (channels/__init__.py applies it).

A loaded Rasa server holds about half a million objects (the model, TensorFlow, the libraries), all
alive as long as it runs. Python's cyclic garbage collector walks every one of them at each full
collection, and a turn's conversation (thousands of events' objects) makes one due every few dozen
turns: about 5% of the server's CPU (0.24 s a collection). After a model is loaded, what is alive is
collected once and frozen (`gc.freeze`): later collections walk only what came after. Objects are
still freed when nothing refers to them; only cycles among the frozen ones are no longer looked for.
Before the next model is loaded (`PUT /model`, an evaluation), the frozen objects are handed back
to the collector, so a replaced model is freed as before.
"""

from __future__ import annotations

import functools
import gc
from typing import Any

import rasa.core.agent

_rasas_load_agent = rasa.core.agent.load_agent


@functools.wraps(_rasas_load_agent)
async def _load_agent(*args: Any, **kwargs: Any) -> Any:
    gc.unfreeze()  # what the last load froze goes back to the collector (a replaced model included)
    try:
        return await _rasas_load_agent(*args, **kwargs)
    finally:
        gc.collect()
        gc.freeze()


def apply() -> None:
    """Freeze what is alive after each model load (idempotent)."""
    rasa.core.agent.load_agent = _load_agent
