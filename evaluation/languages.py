"""The language reader on the wild sets (tests/wild/, every language): is each first message put in
its set's language, and does a short reply ever change a conversation's language? Both are decided
as the dialogue decides them (troubleshooter/language.py), from the running assistant's parse."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from troubleshooter import language

from . import wild

Parse = Callable[[str], dict[str, Any]]


def ranking(parsed: dict[str, Any]) -> tuple[tuple[str, float], ...]:
    items = parsed.get("language") or []
    return tuple((str(i["name"]), float(i["confidence"])) for i in items if isinstance(i, dict))


OPENING_INTENTS = ("symptom_", "faq_", "greet", "bot_challenge", "human_handoff", "out_of_scope")


def first_messages(name: str) -> list[str]:
    """What people open a conversation with: the users' openings and the set's NLU messages of the
    kinds a conversation starts with (a problem, a question, a greeting, asking for a person)."""
    texts = [u["opening"] for u in wild.users(name)]
    return texts + [e["text"] for e in wild.nlu_examples(name) if e["intent"].startswith(OPENING_INTENTS)]


def short_replies(name: str) -> list[str]:
    """The users' one- and two-word replies (yes, no, not sure, it worked, it failed)."""
    return [w for u in wild.users(name) for words in u["say"].values() for w in words if language.words(w) <= 2]


def switch_target(parsed: dict[str, Any], text: str, names: dict[str, tuple[str, ...]]) -> str | None:
    """The language a message asks for, as the dialogue finds it: read as a switch request, the
    language named, else the one it is written in."""
    if (parsed.get("intent") or {}).get("name") != "switch_language":
        return None
    asked_in = next((lang for lang, p in ranking(parsed) if p >= language.FIRST_SURE), None)
    return language.named(text, names) or asked_in


def evaluate(
    parse: Parse, sets: tuple[str, ...], spoken: tuple[str, ...], names: dict[str, tuple[str, ...]]
) -> dict[str, Any]:
    """Per set: first messages put in its language (undecided counts as English, the default);
    short replies that would switch away from it; switch requests whose target is found."""
    out: dict[str, Any] = {}
    for name in sets:
        expected = wild.language_of(name)
        firsts = first_messages(name)
        verdicts: Counter = Counter()
        wrong = []
        for text in firsts:
            decided = language.heard(text, ranking(parse(text)), "", None, spoken) or "en"
            verdicts[decided == expected] += 1
            if decided != expected:
                wrong.append({"text": text, "read_as": decided})
        switched = sum(
            1 for text in short_replies(name) if language.heard(text, ranking(parse(text)), expected, None, spoken)
        )
        requests = [e for e in wild.nlu_examples(name) if e["intent"] == "switch_language" and e["to"]]
        found = sum(1 for e in requests if switch_target(parse(e["text"]), e["text"], names) == e["to"])
        out[name] = {
            "switch_requests": len(requests),
            "switch_found": found / max(len(requests), 1),
            "first_messages": len(firsts),
            "right": verdicts[True] / max(len(firsts), 1),
            "short_replies": len(short_replies(name)),
            "short_replies_switching": switched,
            "misses": wrong,
        }
    return out
