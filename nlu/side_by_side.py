"""Rasa's training graph with independent nodes run side by side.

Rasa 3.6 runs the nodes of its training graph one after the other (dask's synchronous
scheduler). This project's readers train on the tokenised data alone, not on one another's
output, and most of their time is spent in numpy, scipy and scikit-learn arithmetic that releases
the GIL (fitting the n-gram vectorisers is Python and does not): the intent reader's one
regression kept one core busy while the other waited, right after the fact reader's regressions
had used both. `train_side_by_side()` makes `rasa train` (scripts/rasa) run the graph with dask's
threaded scheduler instead, a thread per core and one more, with Rasa's training cache used by
one thread at a time. A graph where a node changes training data in place that another node
reads too (a featurizer's `process_training_data` beside a trainer) runs one node at a time, as
Rasa runs it."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import dask.threaded
from rasa import model_training
from rasa.engine.caching import LocalTrainingCache
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner

IN_PLACE = "process_training_data"  # what Rasa's NLU components change the training data with


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def shares_changed_input(schema: GraphSchema) -> bool:
    """Whether a node changes, in place, an input that another node reads too."""
    readers: dict[str, int] = {}
    for node in schema.nodes.values():
        for source in set(node.needs.values()):
            readers[source] = readers.get(source, 0) + 1
    return any(
        node.fn == IN_PLACE and any(readers[source] > 1 for source in node.needs.values())
        for node in schema.nodes.values()
    )


class SideBySideRunner(DaskGraphRunner):
    """A DaskGraphRunner that runs the nodes whose inputs are ready on `workers()` threads."""

    @staticmethod
    def workers() -> int:
        # one per core, and one more: the fact reader's thread waits on its own worker processes
        return cores() + 1

    def run(self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
        run_targets = targets or self._graph_schema.target_names
        schema = self._graph_schema.minimal_graph_schema(run_targets)
        if shares_changed_input(schema):
            return super().run(inputs, targets)
        graph = self._build_dask_graph(schema)
        if inputs:
            self._add_inputs_to_graph(inputs, graph)
        pool = ThreadPoolExecutor(self.workers(), thread_name_prefix="train")
        try:
            return dict(dask.threaded.get(graph, run_targets, pool=pool))
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        finally:
            # after a failure or Ctrl-C, nodes not yet started never start (running ones finish)
            pool.shutdown(wait=False, cancel_futures=True)


_CACHE_LOCK = threading.Lock()


class OneAtATimeCache(LocalTrainingCache):
    """Rasa's training cache, used by one thread at a time: writing an entry measures the cache
    folder and evicts old entries, which two threads doing at once break (a folder removed
    twice, a file measured after its removal)."""

    def cache_output(self, *args: Any, **kwargs: Any) -> None:
        with _CACHE_LOCK:
            return super().cache_output(*args, **kwargs)

    def get_cached_output_fingerprint(self, *args: Any, **kwargs: Any) -> Any:
        with _CACHE_LOCK:
            return super().get_cached_output_fingerprint(*args, **kwargs)

    def get_cached_result(self, *args: Any, **kwargs: Any) -> Any:
        with _CACHE_LOCK:
            return super().get_cached_result(*args, **kwargs)


def train_side_by_side() -> None:
    """Make Rasa's training (not its serving) run graphs with SideBySideRunner and its cache one
    thread at a time (idempotent)."""
    model_training.DaskGraphRunner = SideBySideRunner
    model_training.LocalTrainingCache = OneAtATimeCache
