"""Diagnoses in a given state, and what the bot said, for tests of the turn reader and the dialogue."""

from __future__ import annotations

from troubleshooter.engine import Engine
from troubleshooter.state import Diagnosis
from troubleshooter.vocabulary import PAYLOAD_KEY


def asking(engine: Engine, evidence: str, symptom: str = "send_failed") -> Diagnosis:
    """A diagnosis whose pending question is `evidence`, its buttons shown."""
    d = engine.start(symptom)
    d.language = "en"  # a conversation under way in English
    d.asked, d.pending = [evidence], {"type": "question", "evidence": evidence}
    d.choices = [
        f'/affirm{{"evidence":"{evidence}"}}',
        f'/deny{{"evidence":"{evidence}"}}',
        f'/unsure{{"evidence":"{evidence}"}}',
    ]
    return d


def trying(engine: Engine, fix: str, symptom: str = "send_failed") -> Diagnosis:
    """A diagnosis whose pending step is the fix `fix`."""
    d = engine.start(symptom)
    d.language = "en"  # a conversation under way in English
    d.pending = {"type": "fix", "fix": fix, "kind": engine.kb.fixes[fix].kind}
    return d


def payloads(msgs: list[dict], with_language: bool = False) -> list[dict]:
    """The structured payloads. Every one names the language it was said in; that is checked here
    and left out unless `with_language` (test_language.py tests which language)."""
    found = [m["json_message"][PAYLOAD_KEY] for m in msgs if "json_message" in m]
    assert all(p.get("language") in ("en", "es", "pt", "id") for p in found), found
    return found if with_language else [{k: v for k, v in p.items() if k != "language"} for p in found]


def texts(msgs: list[dict]) -> str:
    return " ".join(m["text"] for m in msgs if m.get("text"))


def buttons(msgs: list[dict]) -> list[str]:
    return [b["payload"] for m in msgs for b in m.get("buttons") or []]
