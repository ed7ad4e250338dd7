"""The project's held-out NLU examples and its simulated users' openings were
written by helpers who never saw the training data, and stay that way: none
may share a run of four words with a training line (the wild sets, larger and
closer to natural phrasing, are held to six words in test_wild_sets.py)."""

import yaml

from evaluation import wild

HELDOUT = wild.ROOT / "tests" / "nlu" / "heldout.yml"
CASES = wild.ROOT / "tests" / "simulated_users" / "cases.yml"


def heldout_texts() -> list[str]:
    return [t for texts in yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["heldout"].values() for t in texts]


def opening_texts() -> list[str]:
    return [c["opening"] for c in yaml.safe_load(CASES.read_text(encoding="utf-8"))["cases"]]


def test_held_out_examples_share_no_four_words_with_training():
    shared = wild.overlaps(heldout_texts(), wild.training_texts(), 4)
    assert shared == [], f"{len(shared)} held-out examples echo training lines (held-out, training, run): {shared}"


def test_simulated_user_openings_share_no_four_words_with_training():
    shared = wild.overlaps(opening_texts(), wild.training_texts(), 4)
    assert shared == [], f"{len(shared)} openings echo training lines (opening, training, run): {shared}"


def test_the_check_sees_a_copied_line():
    held_out = ["omg my dms r dead since tuesday lol"]
    assert wild.overlaps(held_out, ["hi there", "My DMs R dead again"], 4) == [
        (held_out[0], "My DMs R dead again", "my dms r dead")
    ]
    assert wild.overlaps(held_out, ["my dms are dead"], 4) == []


def test_every_intent_has_held_out_examples():
    intents = set(yaml.safe_load((wild.ROOT / "domain.yml").read_text())["intents"])
    heldout = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["heldout"]
    assert set(heldout) == intents and all(len(v) >= 6 for v in heldout.values())
