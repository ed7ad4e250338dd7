"""Rasa's training graph with independent nodes run side by side.

Rasa 3.6 runs the nodes of its training graph one after the other (dask's synchronous
scheduler). The readers' trainings need only the tokenised data, not one another, and most of
their time is numpy, scipy and scikit-learn code that releases the GIL: the intent reader's one
regression keeps one core busy while the other waits, right after the fact reader's regressions
have used both. `train_side_by_side()` makes `rasa train` (scripts/rasa) run the graph with dask's
threaded scheduler instead, a thread per core and one more. Each node still trains on the same inputs, so
the model is the same; Rasa's cache keeps one entry per node (a SQLite connection per write,
waiting when another writes)."""

from __future__ import annotations

import os
from typing import Any

import dask.threaded
from rasa import model_training
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner


class SideBySideRunner(DaskGraphRunner):
    """A DaskGraphRunner that runs the nodes whose inputs are ready on `WORKERS` threads."""

    # one per core, and one more: the fact reader's thread waits on its own worker processes
    WORKERS = (os.cpu_count() or 1) + 1

    def run(self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
        run_targets = targets or self._graph_schema.target_names
        graph = self._build_dask_graph(self._graph_schema.minimal_graph_schema(run_targets))
        if inputs:
            self._add_inputs_to_graph(inputs, graph)
        try:
            return dict(dask.threaded.get(graph, run_targets, num_workers=self.WORKERS))
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e


def train_side_by_side() -> None:
    """Make Rasa's training (not its serving) run graphs with SideBySideRunner (idempotent)."""
    model_training.DaskGraphRunner = SideBySideRunner
