"""Load and validate the cause knowledge base (knowledge/*.yml)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .paths import KNOWLEDGE

DEFAULT_DIR = KNOWLEDGE
ANSWERS = ("yes", "no", "unsure")


class KnowledgeBaseError(ValueError):
    """An invalid knowledge base: names the file, the id and the field."""

    def __init__(self, file: str, item: str, field_name: str, problem: str):
        self.file, self.item, self.field, self.problem = file, item, field_name, problem
        super().__init__(f"{file}: {item}: {field_name}: {problem}")


@dataclass(frozen=True)
class Symptom:
    id: str
    description: str
    implies: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Evidence:
    id: str
    question: str
    base_rate: float
    cost: float
    phrases: dict[str, tuple[str, ...]]
    how_to_check: str = ""  # where the user can find the answer (offered when they ask)


FIX_KINDS = ("action", "info", "wait")


@dataclass(frozen=True)
class Fix:
    id: str
    title: str
    cost: float
    steps: tuple[str, ...]
    source: str
    kind: str = "action"  # action | info (an explanation) | wait


@dataclass(frozen=True)
class Cause:
    id: str
    category: str
    name: str
    explanation: str
    confirmed: bool
    source: str
    prior: float
    symptoms: dict[str, float]
    evidence: dict[str, float]
    fixes: dict[str, float]
    leak: bool = False


@dataclass(frozen=True)
class KnowledgeBase:
    causes: dict[str, Cause]
    evidence: dict[str, Evidence]
    fixes: dict[str, Fix]
    symptoms: dict[str, Symptom]
    settings: dict[str, Any]
    faq: dict[str, dict[str, str]]
    contract: dict[str, Any]


def _read(path: Path) -> dict:
    if not path.is_file():
        raise KnowledgeBaseError(path.name, "-", "-", f"file is missing (looked in {path.parent})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(path.name, "-", "-", f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise KnowledgeBaseError(path.name, "-", "-", "top level must be a mapping")
    return data


class _Checker:
    """Field access with errors that name file, id and field."""

    def __init__(self, file: str, item: str, raw: Any):
        self.file, self.item = file, item
        if not isinstance(raw, dict):
            self.fail("-", "must be a mapping")
        self.raw = raw

    def fail(self, field_name: str, problem: str):
        raise KnowledgeBaseError(self.file, self.item, field_name, problem)

    def text(self, name: str, default: str | None = None) -> str:
        value = self.raw.get(name, default)
        if not isinstance(value, str) or not value.strip():
            self.fail(name, "must be a non-empty string")
        return value

    def number(self, name: str, low: float, high: float, default: float | None = None) -> float:
        value = self.raw.get(name, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(name, f"must be a number, got {value!r}")
        if not low <= value <= high:
            self.fail(name, f"{value} is out of range [{low}, {high}]")
        return float(value)

    def probabilities(self, name: str, known: dict, kind: str) -> dict[str, float]:
        value = self.raw.get(name) or {}
        if not isinstance(value, dict):
            self.fail(name, "must be a mapping of id to probability")
        out = {}
        for key, p in value.items():
            if key not in known:
                self.fail(f"{name}.{key}", f"unknown {kind} id {key!r}")
            if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
                self.fail(f"{name}.{key}", f"probability {p!r} is out of range [0, 1]")
            out[key] = float(p)
        return out


def _answer_key(key: Any) -> Any:
    """YAML 1.1 reads bare yes/no keys as booleans; take them as answers."""
    return {True: "yes", False: "no"}.get(key, key) if isinstance(key, bool) else key


def _section(data: dict, file: str, key: str) -> dict:
    section = data.get(key)
    if not isinstance(section, dict) or not section:
        raise KnowledgeBaseError(file, "-", key, "missing or empty section")
    return section


def load_knowledge_base(directory: Path | str = DEFAULT_DIR) -> KnowledgeBase:
    """Read every file of the knowledge base; raise KnowledgeBaseError if invalid."""
    directory = Path(directory)
    contract = _read(directory / "contract" / "kb-contract.yml")

    symptoms = {}
    for sid, raw in _section(_read(directory / "symptoms.yml"), "symptoms.yml", "symptoms").items():
        c = _Checker("symptoms.yml", sid, raw)
        implies = {k: _answer_key(v) for k, v in (raw.get("implies") or {}).items()}
        symptoms[sid] = Symptom(sid, c.text("description"), implies)

    evidence = {}
    for eid, raw in _section(_read(directory / "evidence.yml"), "evidence.yml", "evidence").items():
        c = _Checker("evidence.yml", eid, raw)
        phrases = {_answer_key(k): v for k, v in (raw.get("phrases") or {}).items()}
        if not isinstance(phrases, dict) or set(phrases) - {"yes", "no"}:
            c.fail("phrases", "must map 'yes' and/or 'no' to lists of phrases")
        evidence[eid] = Evidence(
            eid,
            c.text("question"),
            c.number("base_rate", 0.001, 0.999),
            c.number("cost", 0, 100),
            {k: tuple(str(p).lower() for p in v) for k, v in phrases.items()},
            c.text("how_to_check") if "how_to_check" in raw else "",
        )

    fixes = {}
    for fid, raw in _section(_read(directory / "fixes.yml"), "fixes.yml", "fixes").items():
        c = _Checker("fixes.yml", fid, raw)
        steps = raw.get("steps")
        if not isinstance(steps, list) or not steps or not all(isinstance(s, str) for s in steps):
            c.fail("steps", "must be a non-empty list of strings")
        kind = raw.get("kind", "action")
        if kind not in FIX_KINDS:
            c.fail("kind", f"must be one of {FIX_KINDS}, got {kind!r}")
        fixes[fid] = Fix(fid, c.text("title"), c.number("cost", 0.01, 1000), tuple(steps), c.text("source"), kind)

    causes = {}
    for cid, raw in _section(_read(directory / "causes.yml"), "causes.yml", "causes").items():
        c = _Checker("causes.yml", cid, raw)
        cause = Cause(
            id=cid,
            category=c.text("category"),
            name=c.text("name"),
            explanation=c.text("explanation"),
            confirmed=bool(raw.get("confirmed", False)),
            source=c.text("source"),
            prior=c.number("prior", 1e-6, 1.0),
            leak=bool(raw.get("leak", False)),
            symptoms=c.probabilities("symptoms", symptoms, "symptom"),
            evidence=c.probabilities("evidence", evidence, "evidence"),
            fixes=c.probabilities("fixes", fixes, "fix"),
        )
        if not cause.leak and not any(p > 0 for p in cause.fixes.values()):
            c.fail("fixes", "cause without a fix")
        causes[cid] = cause

    for sid, symptom in symptoms.items():
        for eid, value in symptom.implies.items():
            if eid not in evidence:
                raise KnowledgeBaseError("symptoms.yml", sid, f"implies.{eid}", f"unknown evidence id {eid!r}")
            if value not in ("yes", "no"):
                raise KnowledgeBaseError("symptoms.yml", sid, f"implies.{eid}", f"answer {value!r} is not yes/no")
    used = {f for cause in causes.values() for f, p in cause.fixes.items() if p > 0}
    for fid in fixes:
        if fid not in used:
            raise KnowledgeBaseError("fixes.yml", fid, "-", "fix resolves no cause")

    _check_contract(contract, causes, evidence, fixes)
    settings = _read(directory / "settings.yml")
    faq = _section(_read(directory / "faq.yml"), "faq.yml", "faq")
    for key, entry in faq.items():
        c = _Checker("faq.yml", key, entry)
        c.text("question"), c.text("answer")
        if entry.get("presumes", "worked") != "worked":  # asked while a fix waits, it says the fix worked
            c.fail("presumes", "can only be 'worked' (the question presumes the pending fix worked)")
    kb = KnowledgeBase(causes, evidence, fixes, symptoms, settings, faq, contract)
    learned = settings.get("learned")
    if learned:  # a reviewed proposal of `make learn`, used only when settings.yml names it
        kb = with_learned(kb, _read(directory / str(learned)), str(learned))
    return kb


def with_learned(kb: KnowledgeBase, data: dict, file: str = "learned.yml") -> KnowledgeBase:
    """The knowledge base with learned values on top (see learning/estimate.py). Every value
    must name a known cause and an id the cause can have, be a probability and say how many
    episodes it rests on; a fix the knowledge base does not link to a cause cannot be added."""
    entries = data.get("causes") or {} if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise KnowledgeBaseError(file, "-", "causes", "must be a mapping of cause id to learned values")
    causes = dict(kb.causes)
    for cid, entry in entries.items():
        if cid not in causes:
            raise KnowledgeBaseError(file, cid, "-", "unknown cause id")
        if not isinstance(entry, dict):
            raise KnowledgeBaseError(file, cid, "-", "must be a mapping")
        cause = causes[cid]
        prior = _learned_value(file, cid, "prior", entry["prior"], 1e-6, 1.0) if "prior" in entry else cause.prior
        evidence, fixes = dict(cause.evidence), dict(cause.fixes)
        for key in ("evidence", "fixes"):
            if not isinstance(entry.get(key) or {}, dict):
                raise KnowledgeBaseError(file, cid, key, "must be a mapping of id to a learned value")
        for eid, raw in (entry.get("evidence") or {}).items():
            if eid not in kb.evidence:
                raise KnowledgeBaseError(file, cid, f"evidence.{eid}", "unknown evidence id")
            evidence[eid] = _learned_value(file, cid, f"evidence.{eid}", raw, 0.0, 1.0)
        for fid, raw in (entry.get("fixes") or {}).items():
            if cause.fixes.get(fid, 0) <= 0:
                raise KnowledgeBaseError(
                    file, cid, f"fixes.{fid}", "the knowledge base does not link this fix to the cause"
                )
            fixes[fid] = _learned_value(file, cid, f"fixes.{fid}", raw, 1e-6, 1.0)
        causes[cid] = replace(cause, prior=prior, evidence=evidence, fixes=fixes)
    return replace(kb, causes=causes)


def _learned_value(file: str, cid: str, name: str, raw: Any, low: float, high: float) -> float:
    n = raw.get("episodes") if isinstance(raw, dict) else None
    if not isinstance(n, (int, float)) or isinstance(n, bool) or not math.isfinite(n) or n < 0:
        raise KnowledgeBaseError(file, cid, name, "must be a mapping with 'value' and 'episodes' (>= 0)")
    value = raw.get("value")
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not low <= value <= high:  # NaN fails too
        raise KnowledgeBaseError(file, cid, f"{name}.value", f"{value!r} is not a probability in [{low}, {high}]")
    return float(value)


def _check_contract(contract: dict, causes: dict, evidence: dict, fixes: dict) -> None:
    for cid, spec in (contract.get("causes") or {}).items():
        if cid not in causes:
            raise KnowledgeBaseError("causes.yml", cid, "-", "contract id is missing")
        if spec.get("category") != causes[cid].category:
            raise KnowledgeBaseError("causes.yml", cid, "category", f"contract says {spec.get('category')!r}")
        for fid in spec.get("resolved_by", []):
            if causes[cid].fixes.get(fid, 0) <= 0:
                raise KnowledgeBaseError("causes.yml", cid, f"fixes.{fid}", "contract says this fix resolves the cause")
    for eid in contract.get("evidence") or {}:
        if eid not in evidence:
            raise KnowledgeBaseError("evidence.yml", eid, "-", "contract id is missing")
    for fid in contract.get("fixes") or {}:
        if fid not in fixes:
            raise KnowledgeBaseError("fixes.yml", fid, "-", "contract id is missing")
