"""The blind held-out sets (tests/heldout/) are really held out: no text equal to a training
line once case, accents, punctuation and emoji are ignored, whatever its length; no text in
both parts; labels and ids the assistant knows."""

from collections import Counter

import pytest

from evaluation import conversations, heldout, wild

# the problem's own name, typed as an opening by a role-played person: the same words as a training line
NATURAL_TURNS = {"tiktok won t let me send messages"}


def test_no_held_out_text_equals_a_training_line_after_normalising():
    training = {heldout.normalized(t) for t in wild.training_texts()}
    copied = [t for t in heldout.texts() if heldout.normalized(t) in training]
    assert copied == []


def test_no_role_played_turn_of_six_words_or_more_equals_a_training_line():
    """A role-played conversation keeps its short turns ("it worked.", "ya") as typed, though training
    has the same words ("no nothing like that"); a turn of six words or more found there was copied."""
    training = {heldout.normalized(t) for t in wild.training_texts()} - NATURAL_TURNS
    long_turns = [t for t in conversations.texts() if len(heldout.normalized(t).split()) >= 6]
    assert [t for t in long_turns if heldout.normalized(t) in training] == []


def test_normalising_ignores_case_accents_punctuation_and_emoji():
    assert heldout.normalized("  Funcionó!! 🙏 ") == heldout.normalized("funciono") == "funciono"
    assert heldout.normalized("It’s   WORKING now...") == "it s working now"


@pytest.mark.parametrize("kind", heldout.KINDS)
def test_check_and_sealed_share_no_text(kind):
    check, sealed = ({heldout.normalized(r["text"]) for r in heldout.load(kind, p)} for p in heldout.PARTS)
    least = {"side_questions_languages": 90, "cause_questions": 40}.get(kind, 100)
    assert len(check) >= least and len(sealed) >= least and not check & sealed
    if kind == "side_questions_languages":  # Spanish, Portuguese and Indonesian alone, 30 each per part
        for part in heldout.PARTS:
            assert Counter(r["lang"] for r in heldout.load(kind, part)) == {"es": 30, "pt": 30, "id": 30}


@pytest.mark.parametrize("part", heldout.PARTS)
def test_labels_and_ids_are_known(kb, part):
    for r in (r for held in heldout.KINDS for r in heldout.load(held, part)):
        ((kind, ref),) = r["after"].items()
        assert ref in (kb.evidence if kind == "question" else kb.fixes), r
        label = r["expect"].get("outcome") or r["expect"]["topic"]
        assert label in heldout.OUTCOME_ACTS or label in heldout.TOPIC_ACTS or label in kb.faq or label == "cause", r
        about = r["expect"].get("about", {})
        assert (label == "cause") == bool(about) and all(
            e in kb.evidence and v in ("yes", "no") for e, v in about.items()
        )


def guarded_texts(name: str) -> list[str]:
    """The texts of a language wild set that no training line may equal. Its `check` part (2026-12-05)
    was written after the training data: its NLU messages and replies equal to a training line were
    taken out, short ones too (its users keep the language's common short replies, "sim", "nggak").
    The older parts: training lines equal to one of their texts of three words or more were deleted;
    one or two words ("sip", "nggak", "não sei") are the language's common replies, which both sides need."""
    if name.endswith("/check"):
        return [e["text"] for e in wild.nlu_examples(name)] + [r["text"] for r in wild.replies(name)]
    return [t for t in wild.texts(name) if len(heldout.normalized(t).split()) >= 3]


@pytest.mark.parametrize("name", wild.LANGUAGE_SETS)
def test_no_guarded_text_of_a_language_wild_set_equals_a_training_line(name):
    """The Spanish, Portuguese and Indonesian wild sets (tests/wild/<language>/) were written by
    other writers than the training data of their language."""
    training = {heldout.normalized(t) for t in wild.training_texts()}
    assert [t for t in guarded_texts(name) if heldout.normalized(t) in training] == []
