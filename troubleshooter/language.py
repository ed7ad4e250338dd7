"""Which language the conversation is in.

The first typed message decides, when the language reader (nlu/language.py) is
sure enough of it (of a one-word message, very sure: "hola", "oi"); else the
channel's hint (the browser's or the support contact's language), else English;
without a hint, the reader's likelier language when it finds English improbable
("q onda" is not English).
Later a message changes the language only when it is long and the reader very
sure: "ok", "no", "si" or a name never does. A user may ask for a language at any time ("can we speak spanish?"): the
one named in their words (knowledge/languages.yml) or, when none is named, the
language they asked in. Plain Python, no Rasa.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from .knowledge import SOURCE_LANGUAGE

FIRST_SURE = 0.6  # the first message sets the language when read this surely ...
FIRST_WORDS = 2  # ... and it has this many words
SHORT_SURE = 0.85  # a one-word first message ("hola", "oi") sets it when read this surely
ENGLISH_UNLIKELY = 0.1  # ... else, with no hint, English, unless the reader gives it less than this ...
OVER_ENGLISH = 0.5  # ... and a language of its this likely
SWITCH_SURE = 0.9  # a later message changes it when read this surely ...
SWITCH_WORDS = 4  # ... and it has this many words

Ranking = tuple[tuple[str, float], ...]  # (language, probability), best first


def words(text: str) -> int:
    return len(re.findall(r"[^\W\d_]{2,}", text or ""))


def heard(text: str, ranking: Ranking, current: str, hint: str | None, spoken: tuple[str, ...]) -> str | None:
    """The language to speak from this message on, or None to keep `current` ("" before the first
    message, which always decides). `ranking`: the language reader's; `hint`: the channel's; `spoken`: the languages
    the assistant speaks."""
    best, p = next(((lang, p) for lang, p in ranking if lang in spoken), (None, 0.0))
    if not current:  # the first message: what it is written in, else the hint, else the source language
        n = words(text)
        sure = p >= FIRST_SURE and n >= FIRST_WORDS or p >= SHORT_SURE and n == 1
        if best and sure:
            return best
        if hint in spoken:
            return hint
        english = dict(ranking).get(SOURCE_LANGUAGE)
        likelier = best and n and p >= OVER_ENGLISH and english is not None and english < ENGLISH_UNLIKELY
        return best if likelier else SOURCE_LANGUAGE
    if best and best != current and p >= SWITCH_SURE and words(text) >= SWITCH_WORDS:
        return best
    return None


def named(text: str, names: Mapping[str, tuple[str, ...]], current: str = "") -> str | None:
    """The language a message asks for by name (knowledge/languages.yml): of the languages it names
    (a name inside a longer one does not count: "bahasa" in "bahasa indonesia"), the one other than
    `current`, if exactly one ("no entiendo español, ¿habla inglés?" in Spanish asks for English)."""
    plain = _plain(text)
    spans = []
    for lang, ns in names.items():
        for name in ns:
            for m in re.finditer(rf"(?<!\w){re.escape(_plain(name))}(?!\w)", plain):
                spans.append((m.start(), m.end(), lang))
    kept = {lang for a, b, lang in spans if not any(x <= a and b <= y and (x, y) != (a, b) for x, y, _ in spans)}
    others = kept - {current}
    return others.pop() if len(others) == 1 else None


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", (text or "").lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def hint(raw: object) -> str | None:
    """A channel's language tag as a language code: "es-MX" -> "es", "pt_BR" -> "pt", "in" -> "id"
    (Indonesian's old code, still sent by some Android phones); anything else None."""
    if not isinstance(raw, str):
        return None
    primary = re.split(r"[-_]", raw.strip().lower(), maxsplit=1)[0]
    if not re.fullmatch(r"[a-z]{2,3}", primary):
        return None
    return {"in": "id"}.get(primary, primary)
