"""`make learn` on a tracker store filled by simulated users through the running assistant."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
import yaml

from analytics.demo import play
from harness.servers import Assistant
from simulation.population import Population
from troubleshooter.knowledge import load_knowledge_base, with_learned
from troubleshooter.paths import ROOT

USERS = 60


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    work = tmp_path_factory.mktemp("learn")
    a = Assistant(work, web=False)
    a.start()
    try:
        pop = Population(load_knowledge_base(), seed=21)
        for i in range(USERS):
            sender = f"learn-{i}"
            play(
                lambda text, s=sender: requests.post(
                    a.url + "/webhooks/rest/webhook", json={"sender": s, "message": text}, timeout=60
                ).json(),
                pop,
                pop.user(),
            )
    finally:
        a.stop()
    return work / "tracker.db"


def learn(tmp_path, *args):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "learning.command",
            "--out-kb",
            str(tmp_path / "learned.yml"),
            "--out",
            str(tmp_path),
            "--demo-users",
            "300",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_make_learn_writes_a_loadable_proposal_and_the_report(store, tmp_path):
    out = learn(tmp_path, "--db", str(store))
    assert out.returncode == 0, out.stderr[-2000:]
    proposal = yaml.safe_load((tmp_path / "learned.yml").read_text())
    assert proposal["episodes"] >= USERS * 0.8
    base = load_knowledge_base()
    with_learned(base, proposal)  # validated like the rest
    odds = lambda p: p / (1 - p)
    for entry in proposal["causes"].values():  # every change rests on data and stays in bounds
        assert entry.get("prior", {"episodes": 5})["episodes"] >= 5
        for v in [*(entry.get("evidence") or {}).values(), *(entry.get("fixes") or {}).values()]:
            assert v["episodes"] >= 5 and 1 / 4.01 <= odds(v["value"]) / odds(v["was"]) <= 4.01
    report = (tmp_path / "learning.md").read_text()
    for figure in ("Brier score", "expected calibration error", "log-loss", "top-1 cause", "mean fixes tried"):
        assert figure in report
    assert (tmp_path / "learning_reliability.png").stat().st_size > 1000


@pytest.mark.parametrize(
    "make_input, message",
    [
        (lambda p: p / "missing.db", "no tracker database"),
        (lambda p: (p / "junk.db").write_text("not a database") and p / "junk.db", "cannot read the tracker store"),
    ],
)
def test_input_it_cannot_read_is_refused_clearly(tmp_path, make_input, message):
    out = learn(tmp_path, "--db", str(make_input(tmp_path)))
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "learned.yml").exists()
