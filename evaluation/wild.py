"""The wild evaluation sets (tests/wild/): text written by helpers who saw only
tests/wild/BRIEF.md, never the training data. `dev` may be read to find
kinds of errors; `sealed` is only ever scored. Neither is trained on:
`overlaps` finds any 4-word run shared with the training data."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import yaml

from troubleshooter.knowledge import load_knowledge_base
from troubleshooter.paths import ROOT, TESTS

WILD = TESTS / "wild"
SETS = ("dev", "check", "sealed")  # English
LANGUAGES = ("es", "pt", "id")  # each has tests/wild/<language>/{dev,check,sealed}
LANGUAGE_SETS = tuple(f"{language}/{part}" for language in LANGUAGES for part in SETS)
ALL_SETS = SETS + LANGUAGE_SETS


def language_of(name: str) -> str:
    """The language a set is written in: "es/dev" -> "es"; the English sets "en"."""
    return name.split("/")[0] if "/" in name else "en"


def _answer(value: Any) -> Any:
    """YAML 1.1 reads bare yes/no as booleans; they are answers here."""
    return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value


def facts(raw: Any) -> dict[str, str]:
    """Annotated facts (evidence id -> yes/no/unsure), bare YAML yes/no read as answers."""
    return {str(k): _answer(v) for k, v in (raw or {}).items()}


def nlu_examples(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((WILD / name / "nlu.yml").read_text(encoding="utf-8"))["examples"]
    return [
        {
            "text": str(e["text"]),
            "intent": e["intent"],
            "also": list(e.get("also") or []),
            "facts": facts(e.get("facts")),
            "to": e.get("to"),  # switch_language: the language asked for
        }
        for e in data
    ]


def replies(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((WILD / name / "replies.yml").read_text(encoding="utf-8"))["replies"]
    out = []
    for r in data:
        expect = {k: _answer(v) for k, v in (r.get("expect") or {}).items()}
        out.append(
            {"after": dict(r["after"]), "text": str(r["text"]), "expect": expect, "facts": facts(r.get("facts"))}
        )
    return out


def users(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((WILD / name / "users.yml").read_text(encoding="utf-8"))["users"]
    out = []
    for u in data:
        say = {_answer(k): [str(x) for x in v] for k, v in (u.get("say") or {}).items()}
        replies_ = {
            k: {"text": str(v["text"]), "facts": facts(v.get("facts"))} for k, v in (u.get("replies") or {}).items()
        }
        out.append(
            {
                **u,
                "answers": {k: _answer(v) for k, v in u["answers"].items()},
                "say": say,
                "replies": replies_,
                "opening_facts": facts(u.get("opening_facts")),
            }
        )
    return out


def natural_overlaps() -> list[str]:
    """Training lines allowed to meet wild text (tests/wild/natural_overlaps.yml): common phrasing
    or short replies found on both sides, not copies."""
    raw = yaml.safe_load((WILD / "natural_overlaps.yml").read_text(encoding="utf-8")) or {}
    return [str(line) for lines in raw.values() for line in lines or []]


def texts(name: str) -> list[str]:
    """Every text of a set: NLU examples, replies, openings and users' wordings."""
    out = [e["text"] for e in nlu_examples(name)] + [r["text"] for r in replies(name)]
    for u in users(name):
        out += [u["opening"], *(u.get("digression") and [u["digression"]] or [])]
        out += [w for words in u["say"].values() for w in words] + [r["text"] for r in u["replies"].values()]
    return out


def training_texts() -> list[str]:
    """Every text the models learn from: intent examples (plain or with metadata), the fact
    reader's statements (data/facts/), the outcome and fix readers' replies (data/outcomes/, data/done/) and the
    knowledge base's phrases for each answer."""
    out = []
    for path in sorted((ROOT / "data").rglob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in raw.get("nlu") or []:
            examples = block.get("examples") or ""
            if isinstance(examples, list):
                out += [str(e["text"]) for e in examples if isinstance(e, dict) and "text" in e]
                continue
            for line in str(examples).splitlines():
                if line.strip().startswith("- "):
                    out.append(line.strip()[2:])
        out += [str(item["text"]) for item in raw.get("facts") or [] if isinstance(item, dict) and "text" in item]
        for readers_own in ("outcome", "done"):  # data/outcomes/, data/done/
            out += [str(t) for texts in (raw.get(readers_own) or {}).values() for t in texts or []]
    for ev in load_knowledge_base().evidence.values():
        out += [p for phrases in ev.phrases.values() for p in phrases]
    return out


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return re.findall(r"[a-z0-9']+", "".join(c for c in plain if not unicodedata.combining(c)))


def runs(text: str, n: int = 4) -> set[tuple[str, ...]]:
    w = _words(text)
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


def overlaps(held_out: list[str], training: list[str], n: int = 4) -> list[tuple[str, str, str]]:
    """(held-out text, training text, shared run) for every held-out text sharing an n-word run."""
    index: dict[tuple[str, ...], str] = {}
    for t in training:
        for r in runs(t, n):
            index.setdefault(r, t)
    out = []
    for h in held_out:
        for r in sorted(runs(h, n)):
            if r in index:
                out.append((h, index[r], " ".join(r)))
                break
    return out
