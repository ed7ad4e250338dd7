"""Intent accuracy on a wild NLU set through the running server's /model/parse,
with the share the turn reader would act on without asking (confidence at
least INTENT_SURE), the subset whose phrasing the training data never uses,
and how well the fact reader finds the facts the writers annotated (with the
calibration of its confidences)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import requests
import yaml

from actions.parsing import facts_of
from learning.calibration import ece
from troubleshooter.paths import ROOT
from troubleshooter.reading import INTENT_SURE

from . import wild

HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"  # the project's own held-out examples, never trained on


def parse(url: str) -> Callable[[str], dict[str, Any]]:
    session = requests.Session()

    def run(text: str) -> dict[str, Any]:
        r = session.post(url + "/model/parse", json={"text": text}, timeout=30)
        r.raise_for_status()
        return r.json()

    return run


def top_intent(parsed: dict[str, Any]) -> tuple[str, float]:
    """The best intent other than Rasa's fallback."""
    for item in parsed.get("intent_ranking") or [parsed.get("intent") or {}]:
        if item.get("name") and item["name"] != "nlu_fallback":
            return item["name"], float(item.get("confidence") or 0.0)
    return "", 0.0


def heldout(parse_text: Callable[[str], dict[str, Any]], path: Path = HELDOUT) -> dict[str, Any]:
    """Weighted intent F1 (Rasa's top intent) on the held-out examples, with the misses as
    (intent, predicted, text)."""
    from sklearn.metrics import f1_score

    data = yaml.safe_load(path.read_text(encoding="utf-8"))["heldout"]
    examples = [(intent, text) for intent, texts in data.items() for text in texts]
    predicted = [parse_text(text)["intent"]["name"] for _, text in examples]
    truth = [intent for intent, _ in examples]
    return {
        "examples": len(examples),
        "f1": f1_score(truth, predicted, average="weighted", zero_division=0),
        "misses": [(t, p, x) for (t, x), p in zip(examples, predicted) if t != p],
    }


def evaluate(
    parse_text: Callable[[str], dict[str, Any]],
    examples: list[dict[str, Any]],
) -> dict[str, Any]:
    training = wild.training_texts()
    seen_runs = set().union(*(wild.runs(t) for t in training))
    seen_texts = {t.lower().strip() for t in training}
    per: dict[str, Counter] = defaultdict(Counter)
    confusions: Counter = Counter()
    right = sure = sure_right = novel = novel_right = 0
    facts = Counter()
    calibration: list[tuple[float, bool]] = []  # (confidence, right) per fact read
    for e in examples:
        parsed = parse_text(e["text"])
        intent, conf = top_intent(parsed)
        ok = intent == e["intent"] or intent in e["also"]
        right += ok
        per[e["intent"]]["right" if ok else "wrong"] += 1
        if not ok:
            confusions[(e["intent"], intent)] += 1
        if conf >= INTENT_SURE:
            sure += 1
            sure_right += ok
        if e["text"].lower().strip() not in seen_texts and not (wild.runs(e["text"]) & seen_runs):
            novel += 1
            novel_right += ok
        found = facts_of({**parsed, "text": e["text"]})
        for eid, value in e["facts"].items():
            facts["annotated"] += 1
            facts["found" if found.get(eid) == value else ("contradicted" if eid in found else "missed")] += 1
        facts["extra"] += sum(1 for eid in found if eid not in e["facts"])
        for item in [f for f in parsed.get("facts") or [] if not f.get("leaning")]:
            calibration.append((float(item["confidence"]), e["facts"].get(item["evidence"]) == item["value"]))
    n = len(examples)
    return {
        "examples": n,
        "accuracy": right / n,
        "confident_share": sure / n,
        "confident_accuracy": sure_right / max(sure, 1),
        "novel_examples": novel,
        "novel_accuracy": novel_right / max(novel, 1),
        "per_intent": {k: {"right": v["right"], "n": v["right"] + v["wrong"]} for k, v in sorted(per.items())},
        "confusions": [{"gold": g, "predicted": p, "count": c} for (g, p), c in confusions.most_common()],
        "facts": dict(facts),
        "facts_ece": ece(np.array([c for c, _ in calibration]), np.array([ok for _, ok in calibration], dtype=float))
        if calibration
        else None,
    }
