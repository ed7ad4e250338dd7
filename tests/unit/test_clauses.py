"""Cutting a message into the clauses that may each say something of their own (nlu/clauses.py)."""

import pytest

from nlu.clauses import MAX_CLAUSES, clauses
from nlu.facts import pieces


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("done, it sent — do I still need the OS update?", ["done, it sent", "do I still need the OS update?"]),
        ("still broken. is tiktok just down??", ["still broken.", "is tiktok just down??"]),
        ("no vpn but can a vpn get me banned?", ["no vpn", "but can a vpn get me banned?"]),
        ("works now!! btw can they see i read it", ["works now!!", "btw can they see i read it"]),
        ("it worked; thanks a lot", ["it worked", "thanks a lot"]),
        (
            "turned it off and it sent 🙏 lowkey will i get banned",
            ["turned it off and it sent 🙏", "lowkey will i get banned"],
        ),
        ("ya se mandó 👍🏻 y ahora qué hago", ["ya se mandó 👍🏻", "y ahora qué hago"]),
        ("done it, but why?", ["done it", "but why?"]),  # a short question after a comma too
    ],
)
def test_a_reply_and_a_question_are_cut_apart(text, expected):
    assert clauses(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "i follow him but idk if he follows me",  # "but" inside a statement
        "whatsapp is also very slow on this wifi",  # "also" inside a statement
        "ok. thanks",  # a one-word piece stays with its neighbour
        "my dms fail with a red exclamation mark",
        "yes",
        "",
    ],
)
def test_one_thing_stays_whole(text):
    assert clauses(text) == [text]


def test_a_long_story_is_cut_into_at_most_max_clauses():
    story = ". ".join(f"this is sentence number {i}" for i in range(9))
    parts = clauses(story)
    assert len(parts) == MAX_CLAUSES and " ".join(parts).replace(" .", ".") == story.replace(". ", ". ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("just him yes, and i still see his profile", ["just him yes", "and i still see his profile"]),
        ("só ele sim, e ainda vejo o perfil dele", ["só ele sim", "e ainda vejo o perfil dele"]),
        ("sí, solo él, y todavía veo su perfil", ["sí, solo él", "y todavía veo su perfil"]),
        ("aman semua kecuali tiktok, dan ga pake vpn", ["aman semua kecuali tiktok", "dan ga pake vpn"]),
        ("udah coba, tapi pesannya masih gagal", ["udah coba", "tapi pesannya masih gagal"]),
    ],
)
def test_a_comma_before_a_joining_word_ends_a_clause_in_each_language(text, expected):
    assert clauses(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "i restarted and it works now",  # no comma: one statement
        "só ele e mais ninguém",
        "yes, but only sometimes",  # a one-word piece stays with its neighbour, comma and all
        "não, e eu uso vpn",
        "ya lo intente, mas de 3 veces",  # "más" without its accent
        "ok, e-mail still not verified",  # a word that merely starts like one
        "it was literally me singing, and now this.",  # a tail too short to stand alone
    ],
)
def test_a_joining_word_without_a_comma_or_a_clause_after_it_stays_whole(text):
    assert clauses(text) == [text]


def test_a_glued_clause_keeps_its_comma_for_the_fact_readers_pieces():
    assert pieces("não, e eu uso vpn") == ["não", "e eu uso vpn"]
    assert pieces("sim, mas só às vezes") == ["sim", "mas só às vezes"]
