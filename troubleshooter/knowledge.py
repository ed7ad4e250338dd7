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
SOURCE_LANGUAGE = "en"  # the language of knowledge/*.yml; the others are in translations/<language>.yml
# What a translation gives for each kind of item: the fields people read (numbers and ids stay).
TRANSLATED = {
    "symptoms": ("description",),
    "causes": ("name", "explanation"),
    "evidence": ("question", "how_to_check"),
    "fixes": ("title", "steps"),
    "faq": ("question", "answer"),
}


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
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)  # language -> checked texts
    language_names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # language -> what people call it
    _spoken: dict[str, KnowledgeBase] = field(init=False, default_factory=dict, repr=False, compare=False)

    @property
    def languages(self) -> tuple[str, ...]:
        return (SOURCE_LANGUAGE, *sorted(self.translations))

    def speaking(self, language: str) -> KnowledgeBase:
        """The knowledge base as it reads in `language`: the same ids and numbers, the texts people
        read (questions, fixes, causes, FAQ answers, symptoms) translated. KeyError for a language
        it has no translation for."""
        if language == SOURCE_LANGUAGE:
            return self
        if language not in self._spoken:
            if language not in self.translations:
                raise KeyError(
                    f"the knowledge base has no {language!r} translation (have: {', '.join(self.languages)})"
                )
            self._spoken[language] = _translated(self, self.translations[language])
        return self._spoken[language]


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
        if entry.get("cause") is not None and entry["cause"] not in causes:  # a topic asking about one cause
            c.fail("cause", f"unknown cause {entry['cause']!r}")
    kb = KnowledgeBase(causes, evidence, fixes, symptoms, settings, faq, contract)
    translations = {}
    for path in sorted((directory / "translations").glob("*.yml")):
        translations[path.stem] = check_translation(kb, _read(path), f"translations/{path.name}")
    kb = replace(kb, translations=translations, language_names=_language_names(directory, translations))
    learned = settings.get("learned")
    if learned:  # a reviewed proposal of `make learn`, used only when settings.yml names it
        kb = with_learned(kb, _read(directory / str(learned)), str(learned))
    return kb


def _language_names(directory: Path, translations: dict) -> dict[str, tuple[str, ...]]:
    """knowledge/languages.yml: what people call each language they may ask for. Every language
    spoken (English and each translation) must be there; one without a translation is known by
    name but not spoken (asked for, the bot says which languages it speaks)."""
    file = "languages.yml"
    if not (directory / file).is_file() and not translations:
        return {}  # English only, and nobody can ask for another
    raw = _section(_read(directory / file), file, "languages")
    names = {}
    for language, value in raw.items():
        if not isinstance(value, list) or not value or not all(isinstance(n, str) and n.strip() for n in value):
            raise KnowledgeBaseError(file, str(language), "-", "must list the names people call the language by")
        names[str(language)] = tuple(n.strip().lower() for n in value)
    for language in (SOURCE_LANGUAGE, *translations):
        if language not in names:
            raise KnowledgeBaseError(file, language, "-", "a language spoken must be named here")
    return names


def check_translation(kb: KnowledgeBase, data: dict, file: str) -> dict[str, Any]:
    """One language's texts of the knowledge base, checked: every item of every kind there with
    every field the English has (`TRANSLATED`), no unknown id or field, as many fix steps as the
    English. Raise KnowledgeBaseError naming file, id and field."""
    items = {
        "symptoms": kb.symptoms,
        "causes": kb.causes,
        "evidence": kb.evidence,
        "fixes": kb.fixes,
        "faq": kb.faq,
    }
    out: dict[str, Any] = {}
    for kind, names in TRANSLATED.items():
        section = data.get(kind)
        if not isinstance(section, dict):
            raise KnowledgeBaseError(file, "-", kind, "missing section (every kind of item is translated)")
        for item in section:
            if item not in items[kind]:
                raise KnowledgeBaseError(file, str(item), "-", f"unknown {kind} id (not in {kind}.yml)")
        out[kind] = {}
        for item, source in items[kind].items():
            raw = section.get(item)
            if kind == "symptoms" and isinstance(raw, str):
                raw = {"description": raw}
            c = _Checker(file, f"{kind}.{item}", raw if raw is not None else "missing")
            english = source if isinstance(source, dict) else {n: getattr(source, n) for n in names}
            for name in c.raw:
                if name not in names:
                    c.fail(name, f"unknown field (translated fields: {', '.join(names)})")
            texts = {}
            for name in names:
                if not english.get(name):
                    continue  # the English has none (an evidence item without how_to_check)
                if name == "steps":
                    steps = c.raw.get("steps")
                    if not isinstance(steps, list) or not all(isinstance(x, str) and x.strip() for x in steps):
                        c.fail("steps", "must be a list of non-empty strings")
                    if len(steps) != len(english["steps"]):
                        c.fail("steps", f"has {len(steps)} steps, the English {len(english['steps'])}")
                    texts["steps"] = tuple(steps)
                else:
                    texts[name] = c.text(name)
            out[kind][item] = texts
    return out


def _translated(kb: KnowledgeBase, texts: dict[str, Any]) -> KnowledgeBase:
    """`kb` with the checked texts of one language in place of the English."""

    def each(items: dict, kind: str) -> dict:
        return {i: replace(x, **texts[kind][i]) for i, x in items.items()}

    faq = {k: {**v, **texts["faq"][k]} for k, v in kb.faq.items()}
    return replace(
        kb,
        symptoms=each(kb.symptoms, "symptoms"),
        causes=each(kb.causes, "causes"),
        evidence=each(kb.evidence, "evidence"),
        fixes=each(kb.fixes, "fixes"),
        faq=faq,
        translations={},
    )


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
