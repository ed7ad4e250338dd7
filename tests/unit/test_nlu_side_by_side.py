"""Rasa's training graph with independent nodes side by side (nlu/side_by_side.py): nodes whose
inputs are ready run at the same time, a node waits for what it needs, the results and a node's
failure are what Rasa's own runner gives, a graph where a node changes an input another reads runs
one node at a time, Rasa's cache takes entries from several threads at once, and only training is
switched to it."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from rasa import model_training
from rasa.engine.caching import LocalTrainingCache
from rasa.engine.exceptions import GraphComponentException
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

from nlu.side_by_side import OneAtATimeCache, SideBySideRunner, shares_changed_input, train_side_by_side

MEETING = threading.Barrier(2)
RUNNING = {"now": 0, "most": 0}
_COUNT = threading.Lock()


class Part(GraphComponent):
    """A node: its name, once the other part has started too (when `meet`); or it fails (when
    `fail` names it). Counts how many parts run at once."""

    def __init__(self, config: dict[str, Any]):
        self.config = config

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> Part:
        return cls(config)

    def run(self, source: str = "") -> str:
        with _COUNT:
            RUNNING["now"] += 1
            RUNNING["most"] = max(RUNNING["most"], RUNNING["now"])
        try:
            if self.config.get("fail") == self.config["name"]:
                raise ValueError("this part fails")
            if self.config.get("meet"):
                MEETING.wait(timeout=10)  # sequential nodes never meet: BrokenBarrierError after 10 s
            time.sleep(0.05)
            return source + self.config["name"]
        finally:
            with _COUNT:
                RUNNING["now"] -= 1

    def process_training_data(self, source: str = "") -> str:
        return self.run(source)


class Join(Part):
    def run(self, first: str, second: str) -> str:
        return first + second


def node(uses, needs=None, fn="run", **config) -> SchemaNode:
    return SchemaNode(needs=needs or {}, uses=uses, constructor_name="create", fn=fn, config=config)


def schema(**config: Any) -> GraphSchema:
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


def test_a_node_changing_what_another_reads_runs_alone(tmp_path):
    """A featurizer's `process_training_data` beside a trainer of the same data: one at a time."""
    changed = GraphSchema(
        {
            "data": node(Part, name="d"),
            "a": node(Part, {"source": "data"}, fn="process_training_data", name="a"),
            "b": node(Part, {"source": "data"}, name="b"),
            "join": node(Join, {"first": "a", "second": "b"}),
        }
    )
    chained = GraphSchema({**changed.nodes, "b": node(Part, {"source": "a"}, name="b")})
    assert shares_changed_input(changed) and not shares_changed_input(chained)
    for _ in range(100):  # a part left running by an earlier test's failed run ends first
        if RUNNING["now"] == 0:
            break
        time.sleep(0.05)
    RUNNING["most"] = 0
    assert run(SideBySideRunner, changed, tmp_path) == {"join": "dadb"}
    assert RUNNING["most"] == 1


def test_the_cache_takes_entries_from_several_threads_at_once(tmp_path, monkeypatch):
    """Writing an entry measures the cache folder and evicts the oldest: three threads at once, with
    a cache smaller than what they write, keep it whole."""
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / "cache"))
    monkeypatch.setenv("RASA_MAX_CACHE_SIZE", "0.05")  # MB: every entry evicts older ones
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    resources = []
    for k in range(90):
        resource = Resource(f"node{k}")
        with storage.write_to(resource) as folder:
            (folder / "model.bin").write_bytes(b"x" * 20_000)
        resources.append(resource)
    cache = OneAtATimeCache()
    failures: list[BaseException] = []
    start = threading.Barrier(3)

    def write(mine: list[Resource]) -> None:
        for resource in mine:
            try:
                start.wait(timeout=10)
                cache.cache_output(f"key-{resource.name}", resource, f"out-{resource.name}", storage)
            except BaseException as e:  # any failure is the finding
                failures.append(e)

    threads = [threading.Thread(target=write, args=(resources[k::3],)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    kept = [r for r in resources if cache.get_cached_output_fingerprint(f"key-{r.name}") == f"out-{r.name}"]
    assert kept, "the cache kept no entry"
    (tmp_path / "again").mkdir()
    again = LocalModelStorage(tmp_path / "again")
    for resource in kept:  # an entry of the database has its folder
        if cache.get_cached_result(f"out-{resource.name}", resource.name, again) is None:
            # evicted after the database was read, or never written whole
            assert cache.get_cached_output_fingerprint(f"key-{resource.name}") is None, resource.name


def test_only_training_uses_it(monkeypatch):
    monkeypatch.setattr(model_training, "DaskGraphRunner", DaskGraphRunner)
    monkeypatch.setattr(model_training, "LocalTrainingCache", LocalTrainingCache)
    train_side_by_side()
    train_side_by_side()
    assert model_training.DaskGraphRunner is SideBySideRunner
    assert model_training.LocalTrainingCache is OneAtATimeCache
    assert SideBySideRunner.workers() >= 2
