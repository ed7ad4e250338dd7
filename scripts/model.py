"""Train only when the training inputs changed.

The model's name carries a hash of config.yml, domain.yml, data/, the custom
NLU components (nlu/) and the knowledge the fact reader learns from
(knowledge/symptoms.yml, evidence.yml), so an unchanged project reuses its model: `model.py train` trains if needed,
`model.py path` prints the current model's path.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from troubleshooter.paths import ROOT

# what the model learns from (the language reader learns from the texts in every language too)
INPUTS = ["config.yml", "domain.yml", "data", "nlu", "knowledge/symptoms.yml", "knowledge/evidence.yml"]
INPUTS += ["knowledge/texts", "knowledge/translations"]


def fingerprint() -> str:
    h = hashlib.sha256()
    for name in INPUTS:
        path = ROOT / name
        files = sorted(f for f in path.rglob("*") if f.suffix in (".yml", ".py")) if path.is_dir() else [path]
        for f in files:
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def model_path() -> Path:
    return ROOT / "models" / f"troubleshooter-{fingerprint()}.tar.gz"


def train() -> Path:
    path = model_path()
    if path.exists():
        print(f"model: up to date ({path.relative_to(ROOT)})")
        return path
    print("model: training (3 to 4 minutes on two cores) ...", flush=True)
    t0 = time.time()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "rasa"),
            "train",
            "--data",
            "data",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--out",
            "models",
            "--fixed-model-name",
            path.name[:-7],
        ],
        cwd=ROOT,
        check=True,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    print(f"model: trained in {time.time() - t0:.0f} s -> {path.relative_to(ROOT)}")
    return path


if __name__ == "__main__":
    if sys.argv[1:] == ["path"]:
        print(model_path())
    elif sys.argv[1:] == ["train"]:
        train()
    else:
        sys.exit("usage: model.py train|path")
