"""A turn's model runs without framework overhead on the server (channels/__init__.py applies it).

- Rasa runs the NLU pipeline and the policy through dask's scheduler (DaskGraphRunner): per run it
  rebuilds the graph's minimal schema and the dask graph and lets dask order the tasks, about a
  twentieth of a turn's CPU. `_run` computes the same nodes, each from the outputs of the nodes it
  needs, in an order worked out once per set of targets.
- DIET's prediction is a tf.function with an input signature: each call TensorFlow canonicalises
  the inputs against the signature and looks the concrete function up again, three times the cost
  of running it. `_rasa_predict` calls the concrete function the signature gives (the same graph,
  the same tensors: the same results) with the inputs converted and checked against the signature
  as TensorFlow would; inputs it would not accept go through the tf.function (and its error).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from keras.utils.tf_utils import sync_to_numpy_or_python_type
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DIAGNOSTIC_DATA
from rasa.utils.tensorflow.models import RasaModel
from tensorflow.python.eager import context
from tensorflow.python.framework.ops import EagerTensor, convert_to_tensor
from tensorflow.python.util._pywrap_utils import IsTensor

logger = logging.getLogger(__name__)
_rasas_rasa_predict = RasaModel._rasa_predict


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


# ----- DIET's prediction --------------------------------------------------------------------------
def _rasa_predict(self: RasaModel, batch_in):
    function = getattr(self, "_tf_predict_step", None)
    if self._run_eagerly or function is None or not self.prepared_for_prediction:
        return _rasas_rasa_predict(self, batch_in)  # the first call traces the function
    called = self.__dict__.get("_concrete_predict")
    if called is None or called[0] is not function:
        concrete = function.get_concrete_function()
        specs = list(function.input_signature[0])
        called = self._concrete_predict = (function, concrete, specs, concrete.captured_inputs)
    _, concrete, specs, captured = called
    if len(batch_in) != len(specs):
        return _rasas_rasa_predict(self, batch_in)
    try:
        tensors = [_tensor(value, spec) for value, spec in zip(batch_in, specs)]
    except ValueError:
        return _rasas_rasa_predict(self, batch_in)
    if not all(spec.is_compatible_with(tensor) for spec, tensor in zip(specs, tensors)):
        return _rasas_rasa_predict(self, batch_in)
    self._training = False
    outputs = sync_to_numpy_or_python_type(concrete._call_flat(tensors, captured))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def _tensor(value, spec):
    """The tensor TensorFlow makes of an input for `spec` (function_spec.cast_inputs_to_signature):
    an array of the spec's type becomes the EagerTensor convert_to_tensor would end up making."""
    if IsTensor(value):
        return value
    if type(value) is np.ndarray and value.dtype == spec.dtype.as_numpy_dtype:
        return EagerTensor(value, context.context().device_name, spec.dtype.as_datatype_enum)
    return convert_to_tensor(value, dtype_hint=spec.dtype)


def apply() -> None:
    """Replace Rasa's graph runs and DIET's calls (idempotent)."""
    DaskGraphRunner.run = _run
    RasaModel._rasa_predict = _rasa_predict
