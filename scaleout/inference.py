"""A turn's graph runs without framework overhead on the server (channels/__init__.py applies it).

- Rasa runs the NLU pipeline and the policy through dask's scheduler (DaskGraphRunner): per run it
  rebuilds the graph's minimal schema and the dask graph and lets dask order the tasks, about a
  twentieth of a turn's CPU. `_run` computes the same nodes, each from the outputs of the nodes it
  needs, in an order worked out once per set of targets.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

logger = logging.getLogger(__name__)


# ----- the graph runner ---------------------------------------------------------------------------
def _order(runner: DaskGraphRunner, targets: tuple[str, ...]) -> list[tuple[str, Any, tuple[str, ...]]]:
    """The nodes `targets` need (what dask would run), each after those it needs: (name, node, needs)."""
    orders = runner.__dict__.setdefault("_sequential_orders", {})
    if targets not in orders:
        schema = runner._graph_schema.minimal_graph_schema(list(targets))
        order, done = [], set()

        def visit(name: str) -> None:
            if name in done or name not in schema.nodes:
                return
            done.add(name)
            needs = tuple(schema.nodes[name].needs.values())
            for need in needs:
                visit(need)
            order.append((name, runner._instantiated_nodes[name], needs))

        for name in schema.nodes:
            visit(name)
        orders[targets] = order
    return orders[targets]


def _run(self: DaskGraphRunner, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict:
    run_targets = targets if targets else self._graph_schema.target_names
    order = _order(self, tuple(run_targets))
    values: dict[str, Any] = {}
    names = {name for name, _, _ in order}
    for input_name, input_value in (inputs or {}).items():
        if isinstance(input_value, str) and input_value in names:
            raise GraphRunError(
                f"Input value '{input_value}' clashes with a node name. Make sure "
                f"that none of the input names passed to the `run` method are the "
                f"same as node names in the graph schema."
            )
        values[input_name] = (input_name, input_value)
    # formatted only when debug logging is on (Rasa's f-string formats every input at every run)
    logger.debug("Running graph with inputs: %s, targets: %s and %s.", inputs, targets, self._execution_context)
    try:
        for name, node, needs in order:
            # as in a dask graph, a name that is neither a node nor an input is passed as it is
            values[name] = node(*(values.get(need, need) for need in needs))
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(values[target] for target in run_targets)


def apply() -> None:
    """Replace Rasa's graph runs (idempotent)."""
    DaskGraphRunner.run = _run
