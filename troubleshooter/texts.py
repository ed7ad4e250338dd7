"""What the bot says, by key, in each language (knowledge/texts/<language>.yml).

The code asks for a text by a stable key and fills in its placeholders:
`t("fix.first", title=...)`. `KEYS` is the contract between the code and the text
files: every key the code uses, with the placeholders the code fills in. Each
language file is checked against it when loaded: every key present, no key the
code doesn't know, every text a non-empty string that uses exactly the key's
placeholders. English (`SOURCE_LANGUAGE`) is the language the others are
translated from.

Which language `t` speaks is the conversation's: the dialogue sets it for a turn with
`speaking(language)`, as i18n libraries scope an active locale, so the code that words a
message never passes a language around.

The knowledge base's own texts (questions, fixes, causes, FAQ answers) live in
knowledge/*.yml. Plain Python, no Rasa.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .knowledge import SOURCE_LANGUAGE
from .paths import KNOWLEDGE

DEFAULT_DIR = KNOWLEDGE / "texts"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")  # en, pt-BR, zh-Hant
_PLACEHOLDER = re.compile(r"^[a-z_][a-z0-9_]*$")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's when there

# Every text the code asks for: key -> the placeholders the code fills in.
# Add a key here and to every language file (tests/unit/test_texts.py checks the code's lookups).
KEYS: dict[str, tuple[str, ...]] = {
    # small talk (messages.chat)
    "chat.greet": (),
    "chat.thanks": (),
    "chat.goodbye": (),
    "chat.goodbye_pending": (),
    "chat.bot_challenge": (),
    "chat.out_of_scope": (),
    "chat.out_of_scope_idle": (),
    # languages (dialogue._language): this language's name in its own words, switching to it
    "language.own_name": (),
    "language.switched": (),
    "language.unavailable": ("languages",),
    # the chat widget's own words (web/widget.js, served as /texts.js by scripts/serve_web.py)
    "widget.page_title": (),
    "widget.page_heading": (),
    "widget.page_intro": (),
    "widget.header": (),
    "widget.new_chat": (),
    "widget.new_chat_hint": (),
    "widget.placeholder": (),
    "widget.send": (),
    "widget.greeting": (),
    "widget.unreachable": (),
    "widget.queued": (),
    "widget.reconnecting": (),
    # button titles
    "buttons.answer_yes": (),
    "buttons.answer_no": (),
    "buttons.answer_unsure": (),
    "buttons.fix_worked": (),
    "buttons.fix_failed": (),
    "buttons.why": (),
    "buttons.something_else": (),
    "buttons.confirm_start_over": (),
    "buttons.confirm_handoff": (),
    "buttons.carry_on": (),
    # a fix to try
    "fix.first": ("title",),
    "fix.next": ("title",),
    "fix.after_told": ("done", "title"),
    "fix.did_it_work": (),
    # asking what happens; the pending step again
    "symptom.ask": (),
    "reminder.back_to_problem": (),
    "still_open.question": (),
    "still_open.fix": (),
    # why a question is asked; what the bot can't answer
    "why.causes": ("causes",),
    "why.no_causes": (),
    "why.any_answer_helps": (),
    "why.and": (),
    "why.cause_first": ("cause", "p"),
    "why.cause_possible": ("cause", "p"),
    "why.cause_likelier": ("cause", "p"),
    "why.cause_unlikely": ("cause", "p"),
    "why.against_symptom": ("symptom",),
    "why.against_answer": ("question", "answer"),
    "why.against_fix": ("fix",),
    "aside.cannot_answer": (),
    # confirmations
    "confirm.start_over": (),
    "confirm.handoff": (),
    # what the bot thinks (diagnosis) and the summary for a hand-over
    "diagnosis.nothing_yet": (),
    "diagnosis.head": (),
    "diagnosis.because": ("answers",),
    "diagnosis.unconfirmed": (),
    "diagnosis.ruled_out": ("fixes",),
    "answer.was_yes": (),
    "answer.was_no": (),
    "answer.was_unsure": (),
    "summary.problem": ("problem",),
    "summary.not_described": (),
    "summary.your_words": ("words",),
    "summary.their_words": ("words",),
    "summary.told_me": ("facts",),
    "summary.they_said": ("facts",),
    "summary.tried": ("fixes",),
    "summary.helped_in_part": ("fixes",),
    "summary.likely_causes": ("causes",),
    "summary.untried": ("fixes",),
    # hand-over: to the user, and the note for the support team
    "handoff.asked": (),
    "handoff.out_of_fixes": (),
    "handoff.summary_follows": (),
    "agent.note_head": ("reason",),
    "agent.writes_in": ("language", "code"),
    "agent.nothing_described": (),
    "agent.reason_asked": (),
    "agent.reason_out_of_fixes": (),
    "agent.reason_failure": (),
    "agent.note_fallback": (),
    "agent.failure_note": ("why",),
    # given back by people
    "handback.back": (),
    "handback.where_we_left_off": (),
    "handback.all_suggested": (),
    "handback.carry_on": (),
    # resolved
    "resolved.explained": (),
    "resolved.works_again": (),
    "resolved.likely_cause": ("cause", "explanation"),
    "resolved.if_again": (),
    "resolved.nothing_new": (),
    # the dialogue's own replies
    "start.intro": (),
    "refused.question": (),
    "refused.fix": (),
    "noted.thanks": (),
    "noted.fix_failed": (),
    "noted.helps": (),
    "result.glad": (),
    "result.back_again": (),
    "result.working_anyway": (),
    "result.need_answer_first": (),
    "result.didnt_help": (),
    "result.partly": (),
    "result.partly_last": (),
    "ack.wait_quietly": (),
    "ack.did_it_work": (),
    "ack.info": (),
    "ack.wait": (),
    "ack.take_your_time": (),
    "how_to.leave_fix": (),
    "how_to.go_on_without": (),
    "start_over.new_problem": (),
    "start_over.lead": (),
    "resume.carry_on": (),
    "resume.ok": (),
    "unclear.take_as_unsure": (),
    "unclear.yes_or_no": (),
    "unclear.leave_fix": (),
    "unclear.worked": (),
    "unclear.didnt_get": (),
    "unclear.still_didnt_get": (),
    "unclear.step_by_step": (),
    "unclear.did_you_mean": (),
    # said by the channels
    "channel.trouble": (),
    "channel.restarted": (),
    "channel.session_started": (),
    "channel.failed_handed_over": (),
    "channel.words_please": (),
    "channel.empty_message": (),
    "channel.too_long": ("max_chars",),
}


class TextsError(ValueError):
    """An invalid text file: names the file, the key and the problem."""

    def __init__(self, file: str, key: str, problem: str):
        self.file, self.key, self.problem = file, key, problem
        super().__init__(f"{file}: {key}: {problem}")


def placeholders(text: str) -> set[str]:
    """The `{names}` a text uses; ValueError for braces that are not a plain `{name}`
    (`{{` and `}}` are literal braces)."""
    names = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(f"bad braces ({exc}); write {{{{ and }}}} for literal braces") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not _PLACEHOLDER.match(name) or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValueError(f"placeholder {shown} must be a plain {{name}} (lower case, digits, _)")
        names.add(name)
    return names


@dataclass(frozen=True)
class Texts:
    """The texts of one language, checked against `KEYS`."""

    language: str
    texts: Mapping[str, str]

    def __call__(self, key: str, /, **values: Any) -> str:
        """The text for `key`, its placeholders filled in from `values` (exactly the declared ones)."""
        if key not in KEYS:
            raise KeyError(f"no text {key!r} (texts.KEYS lists the keys the code may use)")
        expected = set(KEYS[key])
        if set(values) != expected:
            raise TypeError(f"text {key!r} takes the values {sorted(expected)}, got {sorted(values)}")
        return self.texts[key].format_map(values)  # `{{` and `}}` become braces in every text


def _flatten(file: str, data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested groups as dotted keys: {"chat": {"greet": ...}} -> {"chat.greet": ...}."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        if not isinstance(name, str):
            hint = " (YAML reads unquoted yes/no/on/off/true/false as booleans)" if isinstance(name, bool) else ""
            raise TextsError(file, f"{prefix}{name}", f"a key must be a word, got {type(name).__name__}{hint}")
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            out.update(_flatten(file, value, f"{key}."))
        else:
            out[key] = value
    return out


def check_language(file: str, raw: Any, language: str) -> Texts:
    """One language's texts from its parsed YAML, checked against `KEYS`."""
    if not isinstance(raw, dict):
        raise TextsError(file, "-", "top level must be a mapping of groups of texts")
    found = _flatten(file, raw)
    for key in KEYS:
        if key not in found:
            raise TextsError(file, key, f"missing (every language needs every text; see {SOURCE_LANGUAGE}.yml)")
    for key, value in found.items():
        if key not in KEYS:
            raise TextsError(file, key, "unknown key: the code never asks for it (a typo, or add it to texts.KEYS)")
        if not isinstance(value, str):
            got = "nothing" if value is None else f"{type(value).__name__} {value!r}"
            raise TextsError(file, key, f"must be a string, got {got}")
        if not value.strip():
            raise TextsError(file, key, "must not be empty")
        try:
            used = placeholders(value)
        except ValueError as exc:
            raise TextsError(file, key, str(exc)) from None
        declared = set(KEYS[key])
        unknown, missing = used - declared, declared - used
        allowed = ", ".join("{" + p + "}" for p in KEYS[key]) or "none"
        if unknown:
            names = ", ".join("{" + p + "}" for p in sorted(unknown))
            raise TextsError(file, key, f"unknown placeholder {names} (this text's placeholders: {allowed})")
        if missing:
            names = ", ".join("{" + p + "}" for p in sorted(missing))
            raise TextsError(file, key, f"placeholder {names} is missing (this text's placeholders: {allowed})")
    return Texts(language, {key: found[key] for key in KEYS})


def load_language(path: Path | str) -> Texts:
    """One language file (its name is the language: en.yml, pt-BR.yml); raise TextsError if invalid."""
    path = Path(path)
    if not path.is_file():
        raise TextsError(path.name, "-", f"file is missing (looked in {path.parent})")
    if not _LANGUAGE.match(path.stem):
        raise TextsError(path.name, "-", "the file name must be a language code, e.g. en.yml, es.yml, pt-BR.yml")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise TextsError(path.name, "-", f"not valid YAML: {exc}") from None
    return check_language(path.name, raw, path.stem)


def load_texts(directory: Path | str = DEFAULT_DIR) -> dict[str, Texts]:
    """Every language in `directory` (one <language>.yml each), each checked to have every
    text; the source language must be there. Raise TextsError if anything is invalid."""
    directory = Path(directory)
    if not (directory / f"{SOURCE_LANGUAGE}.yml").is_file():
        raise TextsError(f"{SOURCE_LANGUAGE}.yml", "-", f"file is missing (looked in {directory})")
    stray = sorted(p.name for p in directory.iterdir() if p.is_file() and p.suffix == ".yaml")
    if stray:
        raise TextsError(stray[0], "-", "name language files <language>.yml")
    return {p.stem: load_language(p) for p in sorted(directory.glob("*.yml"))}


@cache
def languages() -> dict[str, Texts]:
    """The texts of every language, loaded and checked once per process."""
    return load_texts()


def texts_for(language: str = SOURCE_LANGUAGE) -> Texts:
    found = languages()
    if language not in found:
        raise KeyError(f"no texts for language {language!r} (have: {', '.join(sorted(found))})")
    return found[language]


_SPEAKING: ContextVar[str] = ContextVar("speaking", default=SOURCE_LANGUAGE)


def spoken() -> str:
    """The language texts are in now (`speaking`), the source language outside any."""
    return _SPEAKING.get()


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Texts in `language` inside the block; KeyError if it has no texts."""
    texts_for(language)
    token = _SPEAKING.set(language)
    try:
        yield
    finally:
        _SPEAKING.reset(token)


def t(key: str, /, **values: Any) -> str:
    """The text for `key` in the language spoken now, placeholders filled in: t("fix.first", title="...")."""
    return texts_for(_SPEAKING.get())(key, **values)
