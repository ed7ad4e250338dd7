"""Each NLU training file parsed once per training (nlu/loading.py): the same training data,
a changed file parsed again, the data Rasa builds from a kept parse never changes it, and a
file with responses (which Rasa's merge shares) parsed each time."""

import os

import pytest
from rasa.shared.importers.utils import training_data_from_paths
from rasa.shared.nlu.training_data import loading

from nlu import loading as kept

NLU = """version: "3.1"
nlu:
  - intent: greet
    examples: |
      - hi
      - hello there
  - intent: deny
    examples: |
      - no
"""


@pytest.fixture
def parses(monkeypatch):
    """The remembering loader in place, counting the parses Rasa's own loader makes."""
    counted, original = [], kept._rasas

    def rasas(name, language="en"):
        counted.append(name)
        return original(name, language)

    monkeypatch.setattr(kept, "_rasas", rasas)
    monkeypatch.setattr(kept, "_parsed", {})
    monkeypatch.setattr(loading, "load_data", loading.load_data)
    kept.remember_parsed_files()
    return counted


def examples(data):
    return sorted((m.get("text"), m.get("intent")) for m in data.training_examples)


def test_a_file_is_parsed_once_and_gives_the_same_data(parses, tmp_path):
    path = tmp_path / "nlu.yml"
    path.write_text(NLU)
    fresh = examples(kept._rasas(str(path), "en"))
    parses.clear()
    first = training_data_from_paths([str(path)], "en")
    second = training_data_from_paths([str(path)], "en")
    assert parses == [str(path)]
    assert examples(first) == examples(second) == fresh
    assert len(fresh) == 3


def test_what_is_built_from_a_kept_parse_never_changes_it(parses, tmp_path):
    path = tmp_path / "nlu.yml"
    path.write_text(NLU)
    first = training_data_from_paths([str(path)], "en")
    first.training_examples[0].set("intent", "changed")
    first.training_examples.clear()
    assert examples(training_data_from_paths([str(path)], "en")) == [
        ("hello there", "greet"),
        ("hi", "greet"),
        ("no", "deny"),
    ]


def test_a_changed_file_is_parsed_again(parses, tmp_path):
    path = tmp_path / "nlu.yml"
    path.write_text(NLU)
    training_data_from_paths([str(path)], "en")
    path.write_text(NLU.replace("- no\n", "- no\n      - nope\n"))
    os.utime(path, ns=(1, 1))  # a new size and time, whatever the clock's resolution
    again = training_data_from_paths([str(path)], "en")
    assert len(parses) == 2 and ("nope", "deny") in examples(again)


def test_a_file_with_responses_is_parsed_each_time(parses, tmp_path):
    path = tmp_path / "nlu.yml"
    retrieval = "  - intent: chitchat/ask_name\n    examples: |\n      - who are you\n  - intent: deny"
    answers = 'responses:\n  utter_chitchat/ask_name:\n  - text: "a bot"\n'
    path.write_text(NLU.replace("  - intent: deny", retrieval) + answers)
    first = training_data_from_paths([str(path)], "en")
    assert first.responses
    first.responses["utter_chitchat/ask_name"].append({"text": "changed"})
    again = training_data_from_paths([str(path)], "en")
    assert len(parses) == 2 and again.responses["utter_chitchat/ask_name"] == [{"text": "a bot"}]
