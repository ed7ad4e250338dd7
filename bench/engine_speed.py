"""Engine step time on the real knowledge base and on synthetic ones."""

from __future__ import annotations

import statistics
import time

import numpy as np

from troubleshooter.engine import Engine
from troubleshooter.knowledge import Cause, Evidence, Fix, KnowledgeBase, Symptom


def synthetic_kb(n_causes: int, seed: int = 0) -> KnowledgeBase:
    """n causes, n questions, n fixes; each cause touches 4 questions and 2 fixes."""
    rng = np.random.default_rng(seed)
    symptoms = {f"s{i}": Symptom(f"s{i}", "symptom") for i in range(10)}
    evidence = {f"e{i}": Evidence(f"e{i}", "question?", 0.1, 0.3, {}) for i in range(n_causes)}
    fixes = {f"f{i}": Fix(f"f{i}", "fix", float(rng.uniform(1, 8)), ("step",), "synthetic") for i in range(n_causes)}
    causes = {}
    for i in range(n_causes):
        ev = {f"e{j}": float(rng.uniform(0.6, 0.95)) for j in rng.choice(n_causes, 4, replace=False)}
        fx = {f"f{j}": float(rng.uniform(0.5, 0.95)) for j in {i, int(rng.integers(n_causes))}}
        sy = {f"s{j}": float(rng.uniform(0.2, 1)) for j in rng.choice(10, 3, replace=False)}
        causes[f"c{i}"] = Cause(
            f"c{i}", "x", "cause", "explanation", True, "synthetic", float(rng.uniform(0.5, 2)), sy, ev, fx
        )
    return KnowledgeBase(causes, evidence, fixes, symptoms, {"handoff_cost": 15}, {}, {})


def step_time_ms(engine: Engine, repeats: int = 30) -> float:
    """Median time of one step (record an answer, choose the next step)."""
    times = []
    symptom = engine.symptom_ids[0]
    for r in range(repeats):
        d = engine.start(symptom)
        step = engine.advance(d)
        t0 = time.perf_counter()
        if step.kind == "question":
            engine.answer(d, step.id, "no" if r % 2 else "yes")
        elif step.kind == "fix":
            engine.fix_result(d, step.id, worked=False)
        engine.advance(d)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def run(real_kb: KnowledgeBase) -> dict[str, float]:
    out = {f"project KB ({len(real_kb.causes)} causes)": step_time_ms(Engine(real_kb))}
    for n in (22, 100, 1000):
        out[f"synthetic {n} causes"] = step_time_ms(Engine(synthetic_kb(n)), repeats=10 if n >= 1000 else 30)
    return out
