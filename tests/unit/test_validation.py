"""channels/validation.py, shared by the REST, socket.io and Chatwoot channels: which messages and
senders are taken (length limits exactly at and one over), which control characters are dropped."""

from __future__ import annotations

import pytest

from channels.validation import MAX_MESSAGE_CHARS, MAX_SENDER_CHARS, clean_text, message_problem, sender_problem

KEPT = {"\t", "\n", "\r"}  # line breaks and tabs
DROPPED = [chr(c) for c in [*range(0x20), 0x7F] if chr(c) not in KEPT]


def test_the_limits_are_the_documented_ones():
    assert (MAX_MESSAGE_CHARS, MAX_SENDER_CHARS) == (4000, 128)  # README: "over 4,000 characters" get a 400


@pytest.mark.parametrize("char", DROPPED, ids=[f"{ord(c):#04x}" for c in DROPPED])
def test_control_characters_are_dropped(char):
    assert clean_text(f"my{char} dms{char}{char} fail") == "my dms fail"


def test_nul_and_delete_are_dropped_line_breaks_and_tabs_kept():
    assert clean_text("a\x00b\x7fc") == "abc"
    assert clean_text("line one\r\nline two\n\tindented") == "line one\r\nline two\n\tindented"


def test_ordinary_text_is_unchanged():
    text = "Ça ne marche pas 😩 — DMs fail with a red ! since 2 days (iOS 17.4), 100% sure ~`^|{}"
    assert clean_text(text) == text
    printable = "".join(chr(c) for c in range(0x20, 0x7F))
    assert clean_text(printable) == printable


@pytest.mark.parametrize("value", [None, 42, 1.5, True, ["hi"], {"text": "hi"}, b"hi"])
def test_a_message_that_is_not_a_string_is_refused(value):
    assert message_problem(value) == "'message' must be a string."


@pytest.mark.parametrize("text", ["", " ", "\n\t \r\n", "\x00", "\x00\x07\x1b", " \x0b\x0c \x7f "])
def test_a_message_empty_after_dropping_control_characters_is_refused(text):
    assert message_problem(text).startswith("The message is empty.")


def test_a_message_with_some_control_characters_is_taken_and_cleaned():
    assert message_problem("\x00my dms \x1bfail") is None
    assert clean_text("\x00my dms \x1bfail") == "my dms fail"


def test_message_length_limit_exactly_at_and_one_over():
    assert message_problem("a" * MAX_MESSAGE_CHARS) is None
    assert message_problem("😩" * MAX_MESSAGE_CHARS) is None  # characters, not bytes
    problem = message_problem("a" * (MAX_MESSAGE_CHARS + 1))
    assert problem == (
        "The message is too long (over 4000 characters). Please describe the problem in a few sentences."
    )
    assert message_problem("a" * 100_000) == problem


def test_a_short_message_is_taken():
    assert message_problem("x") is None
    assert message_problem("my messages fail with a red exclamation mark") is None


@pytest.mark.parametrize("sender", ["me", "a", 0, 42, -1, "user-123@example.com", "ünïcode"])
def test_string_and_integer_senders_are_taken(sender):
    assert sender_problem(sender) is None


@pytest.mark.parametrize("sender", [None, True, False, 1.5, ["me"], {"id": 1}, b"me"])
def test_other_senders_are_refused(sender):
    assert sender_problem(sender) == "'sender' must be a string."


@pytest.mark.parametrize("sender", ["", " ", "\t\n"])
def test_a_blank_sender_is_refused(sender):
    assert sender_problem(sender) == "'sender' must have 1 to 128 characters."


def test_sender_length_limit_exactly_at_and_one_over():
    assert sender_problem("s" * MAX_SENDER_CHARS) is None
    assert sender_problem("s" * (MAX_SENDER_CHARS + 1)) == "'sender' must have 1 to 128 characters."
    assert sender_problem(int("9" * MAX_SENDER_CHARS)) is None  # an integer counts by its digits
    assert sender_problem(int("9" * (MAX_SENDER_CHARS + 1))) == "'sender' must have 1 to 128 characters."
