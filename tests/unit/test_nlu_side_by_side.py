"""Rasa's training graph with independent nodes side by side (nlu/side_by_side.py): nodes whose
inputs are ready run at the same time, a node waits for what it needs, the results and a node's
failure are what Rasa's own runner gives, and only training is switched to it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from rasa import model_training
from rasa.engine.exceptions import GraphComponentException
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage

from nlu import side_by_side
from nlu.side_by_side import SideBySideRunner, train_side_by_side

MEETING = threading.Barrier(2)


class Part(GraphComponent):
    """A node with no inputs: its name, once the other part has started too (when `meet`); or it
    fails (when `fail` names it)."""

    def __init__(self, config: dict[str, Any]):
        self.config = config

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> Part:
        return cls(config)

    def run(self) -> str:
        if self.config.get("fail") == self.config["name"]:
            raise ValueError("this part fails")
        if self.config.get("meet"):
            MEETING.wait(timeout=10)  # sequential nodes never meet: BrokenBarrierError after 10 s
        return self.config["name"]


class Join(Part):
    def run(self, first: str, second: str) -> str:
        return first + second


def schema(**config: Any) -> GraphSchema:
    def node(uses, needs=None, **c):
        return SchemaNode(needs=needs or {}, uses=uses, constructor_name="create", fn="run", config=c)

    return GraphSchema(
        {
            "a": node(Part, name="a", **config),
            "b": node(Part, name="b", **config),
            "join": node(Join, {"first": "a", "second": "b"}),
        }
    )


def run(runner_class, graph: GraphSchema, tmp_path) -> dict[str, Any]:
    runner = runner_class(graph, LocalModelStorage(tmp_path), ExecutionContext(graph, "test"))
    return runner.run(targets=["join"])


def test_independent_nodes_run_at_the_same_time_and_the_result_is_rasas(tmp_path):
    MEETING.reset()
    assert run(SideBySideRunner, schema(meet=True), tmp_path) == {"join": "ab"}
    assert run(DaskGraphRunner, schema(), tmp_path) == {"join": "ab"}


def test_a_failing_node_fails_the_run_as_with_rasas_runner(tmp_path):
    for runner_class in (DaskGraphRunner, SideBySideRunner):
        with pytest.raises(GraphComponentException, match="node a") as failed:
            run(runner_class, schema(fail="a"), tmp_path)
        assert "this part fails" in str(failed.value.__cause__)


def test_only_training_uses_it(monkeypatch):
    monkeypatch.setattr(model_training, "DaskGraphRunner", DaskGraphRunner)
    train_side_by_side()
    train_side_by_side()
    assert model_training.DaskGraphRunner is SideBySideRunner
    from rasa.core import processor

    assert processor.DaskGraphRunner is DaskGraphRunner  # serving keeps Rasa's runner
    assert side_by_side.SideBySideRunner.WORKERS >= 2
