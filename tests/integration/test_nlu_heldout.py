"""NLU on held-out examples (never trained on), through the server's /model/parse."""

from pathlib import Path

import requests
import yaml
from sklearn.metrics import f1_score

HELDOUT = Path(__file__).resolve().parents[1] / "nlu" / "heldout.yml"


def test_heldout_intent_f1(assistant, capsys):
    data = yaml.safe_load(HELDOUT.read_text())["heldout"]
    truth, predicted = [], []
    for intent, examples in data.items():
        for text in examples:
            r = requests.post(assistant.url + "/model/parse", json={"text": text}, timeout=30)
            r.raise_for_status()
            truth.append(intent)
            predicted.append(r.json()["intent"]["name"])
    f1 = f1_score(truth, predicted, average="weighted", zero_division=0)
    wrong = [(t, p, x) for t, p, x in zip(truth, predicted, [e for v in data.values() for e in v]) if t != p]
    with capsys.disabled():
        print(f"\nheld-out NLU: {len(truth)} examples, weighted intent F1 {f1:.3f}; misses: {wrong}")
    assert f1 >= 0.80
