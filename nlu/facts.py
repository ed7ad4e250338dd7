"""The facts a message states, learned from annotated examples.

Two kinds of examples teach it. Intent examples (data/nlu/) state facts when
their metadata says so:

    - intent: inform
      examples:
        - text: "no vpn, and my acc is years old"
          metadata:
            facts: {vpn_or_proxy: "no", new_account: "no"}

and an example of a symptom's intent also states what the symptom implies
(knowledge/symptoms.yml `implies`), unless its annotation says otherwise;
every other intent example states none. Statements kept for this reader
alone (data/facts/*.yml, which the intent classifier never sees) add
wordings of facts, and mentions that state none (`facts: {}`); so do the
knowledge base's phrases for each answer (knowledge/evidence.yml `phrases`).

For each evidence item a logistic regression over word and character n-grams
learns P(yes), P(no) and P(not stated) per piece of a message; the parse
result carries, under FACTS, each item stated with probability >= `threshold`,
and each item only leant on (>= `floor`) marked as a leaning: the reply to a
question is read from it when nothing says more.
Within one message the last piece that states an item wins ("vpn's on...
actually no, it's off"). A misread wording is fixed by adding an example.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from troubleshooter.knowledge import DEFAULT_DIR, load_knowledge_base
from troubleshooter.paths import ROOT

from . import code_fingerprint, fast, regression
from .clauses import clauses
from .persisted import READ_AT_MOST, PersistedReader, typed
from .side_by_side import cores

logger = logging.getLogger(__name__)
FACTS = "facts"  # parse output: [{"evidence", "value", "confidence"}], and the examples' metadata key
NONE = "none"  # the class of an evidence item a text does not speak of
ASKING = "asks"  # a statement's key: the text is a question (the question reader learns it as one)
VALUES = ("yes", "no")
CORRECTS = 2.0  # a later piece overrules an earlier one's value when it reads its own this many times likelier


# Negation scope, the classic feature for bag-of-words readers (Pang et al., 2002): each word after a
# negation, up to the next punctuation, is seen as NEG_word, so "no vpn" and "vpn" are learned apart.
# The negation words are per language; what a negated word means is learned from the examples.
NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "nobody",
        "nothing",
        "none",
        "neither",
        "nor",
        "without",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "havent",
        "hasnt",
        "hadnt",
        "wont",
        "wouldnt",
        "couldnt",
        "shouldnt",
        "aint",
        "nah",
        "nope",
        "n't",
        # Spanish
        "nunca",
        "nadie",
        "nada",
        "ni",
        "tampoco",
        # Brazilian Portuguese ("ñ" is typed "não"; "n" is left out: in English it is "and")
        "não",
        "nao",
        "ñ",
        "nem",
        "ninguém",
        "ninguem",
        "sem",
        # Indonesian
        "tidak",
        "tdk",
        "tak",
        "gak",
        "ga",
        "gk",
        "nggak",
        "ngga",
        "enggak",
        "engga",
        "bukan",
        "belum",
        "blm",
        "tanpa",
    }
)
_WORD = re.compile(r"[\w']+|[.,;:!?()]")


def negation_marked(text: str) -> list[str]:
    """The words of `text` (normalised) with NEG_ on those in a negation's scope, and their bigrams."""
    words, negated = [], False
    for token in _WORD.findall(normal(text)):
        if not token[0].isalnum() and token[0] not in "_'":
            negated = False
            continue
        bare = token.replace("'", "")
        if bare in NEGATIONS or token.endswith("n't"):
            words.append(token)
            negated = True
            continue
        words.append(f"NEG_{token}" if negated else token)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def normal(text: str) -> str:
    """Lower case, straight quotes, a letter repeated three times or more cut to two."""
    text = (text or "").lower().replace("’", "'").replace("‘", "'")
    return " ".join(re.sub(r"(\w)\1{2,}", r"\1\1", text).split())


def stated(message: Message) -> dict[str, str]:
    """The facts an intent example is annotated with (evidence id -> yes/no)."""
    meta = message.get("metadata") or {}
    raw = (meta.get("example") or {}).get(FACTS) if isinstance(meta, dict) else None
    return _values(raw, f"example {message.get(TEXT)!r}") if isinstance(raw, dict) else {}


def _values(raw: dict, where: str) -> dict[str, str]:
    out = {}
    for eid, value in raw.items():
        value = {True: "yes", False: "no"}.get(value, value)  # bare YAML yes/no
        if value not in VALUES:
            raise ValueError(f"{where}: fact {eid!r} is {value!r}, not one of {VALUES}")
        out[str(eid)] = value
    return out


def statements(folder: Path, asking: bool | None = None) -> list[tuple[str, dict[str, str]]]:
    """The (text, facts) of every statement in `folder`/*.yml (see `marked_statements`);
    `asking` keeps only those marked `asks: true` (True) or only the others (False)."""
    return [(text, facts) for text, facts, asks in marked_statements(folder) if asking is None or asks == asking]


def marked_statements(folder: Path) -> list[tuple[str, dict[str, str], bool]]:
    """The (text, facts, asks) of every statement in `folder`/*.yml, in file order, checked: a clear
    error names the file and the item. An item marked `asks: true` is a question that states its
    facts ("is it the link?")."""
    out = []
    for path in sorted(folder.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items = raw.get(FACTS) if isinstance(raw, dict) else None
        if not isinstance(items, list):
            raise ValueError(f"{path}: expected a top-level `{FACTS}:` list of {{text, facts}} items")
        for n, item in enumerate(items, 1):
            text = item.get("text") if isinstance(item, dict) else None
            facts = item.get(FACTS) if isinstance(item, dict) else None
            if not isinstance(text, str) or not text.strip() or not isinstance(facts, dict):
                raise ValueError(f"{path}, item {n}: needs a non-empty `text` and a `{FACTS}` mapping")
            asks = item.get(ASKING, False)
            if not isinstance(asks, bool):
                raise ValueError(f"{path}, item {n} ({text!r}): `{ASKING}` is true or false, not {asks!r}")
            out.append((text, _values(facts, f"{path}, item {n} ({text!r})"), asks))
    return out


def training_set(training_data: TrainingData, folder: Path | None) -> tuple[list[str], list[dict[str, str]]]:
    """(texts, the facts each states): every intent example with a text, the statements in
    `folder`, and the knowledge base's phrases for each answer (knowledge/evidence.yml)."""
    kb = load_knowledge_base()
    by_intent = {f"symptom_{sid}": dict(s.implies) for sid, s in kb.symptoms.items() if s.implies}
    examples = [e for e in training_data.training_examples if e.get(TEXT)]
    texts = [e.get(TEXT) for e in examples]
    facts = [by_intent.get(e.get(INTENT), {}) | stated(e) for e in examples]
    more = statements(folder) if folder is not None else []
    more += [(p, {eid: answer}) for eid, ev in kb.evidence.items() for answer, ps in ev.phrases.items() for p in ps]
    for text, f in more:
        texts.append(text)
        facts.append(f)
    return texts, facts


SLOTS = (NONE, *VALUES)  # the order of each item's three probabilities
_ABSENT = -1e9  # the logit of a value an item's regression never saw


class Model:
    """The vectorisers, and every item's regression as logits of (none, yes, no) in one matrix."""

    def __init__(self, vectorisers: list, evidence: list[str], weights: np.ndarray, bias: np.ndarray):
        self.vectorisers, self.evidence = vectorisers, evidence
        self.weights, self.bias = weights, bias  # (features, 3 x items), (3 x items,)

    def features(self, texts: list[str]):
        return fast.side_by_side(self.vectorisers, texts)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """P(none, yes, no) of every item for every text: (texts, items, 3)."""
        z = (np.asarray(self.features(texts) @ self.weights) + self.bias).reshape(len(texts), -1, len(SLOTS))
        return fast.softmax(z)


def vectorisers() -> list:
    """Unfitted: word n-grams with negation scope, and character n-grams (the readers' features)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [
        TfidfVectorizer(analyzer=negation_marked, sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, preprocessor=normal),
    ]


def fit(texts: list[str], facts: list[dict[str, str]], c: float, seed: int = regression.SEED) -> Model:
    """One regression per evidence item annotated in `facts`, on shared n-gram features."""
    features = vectorisers()
    x = fast.fit_side_by_side(features, texts)
    evidence = sorted({eid for f in facts for eid in f})
    weights = np.zeros((x.shape[1], len(SLOTS) * len(evidence)))
    bias = np.full(len(SLOTS) * len(evidence), _ABSENT)
    from joblib import Parallel, delayed

    def one(eid: str) -> Any:
        return regression.regression(c, seed=seed).fit(x, [f.get(eid, NONE) for f in facts])

    # the items' regressions are independent: fitted side by side (the same models, in less time)
    models = Parallel(n_jobs=min(len(evidence), cores()))(delayed(one)(e) for e in evidence)
    for k, model in enumerate(models):
        names = [str(name) for name in model.classes_]
        col = {name: len(SLOTS) * k + SLOTS.index(name) for name in names}
        if len(names) == 2:  # binary: one logit, the second class against the first
            bias[col[names[0]]] = 0.0
            weights[:, col[names[1]]], bias[col[names[1]]] = model.coef_[0], model.intercept_[0]
        else:
            for row, name in enumerate(names):
                weights[:, col[name]], bias[col[name]] = model.coef_[row], model.intercept_[row]
    return Model(features, evidence, np.ascontiguousarray(weights), bias)


# Facts are read from short pieces: a clause (nlu/clauses.py) cut again at commas and joining words,
# so a complaint around a fact ("cant dm anyone, im on my school wifi btw") does not drown it.
# English joining words only: cutting at "pero", "mas", "tapi" too read one Indonesian reply more right
# on the languages' dev sets and two Spanish ones wrong ("nadie mas todavia": "más"), sealed equal.
_PIECE = re.compile(
    r"(?<=[.!?])\s+|\s*[,;:()\U0001F300-\U0001FAFF\u2600-\u27BF]+\s*"
    r"|\s+(?:but|and|cuz|coz|because|bc|tho|though|although|plus|while|whenever)\s+",
    re.IGNORECASE,
)


def pieces(text: str) -> list[str]:
    """`text` cut into clauses, and those into shorter pieces ("no" and "im on school wifi" apart)."""
    return [p for clause in clauses(text) for p in _PIECE.split(clause) if p and p.strip()] or [text]


def read(model: Model, text: str, threshold: float, floor: float | None = None) -> list[dict[str, Any]]:
    """The facts `text` states with probability `threshold` or more, read piece by piece: the last
    piece stating an item wins ("vpn's on. actually no, it's off") if it reads its value clearly
    (CORRECTS); a fact the whole message states but no piece alone does counts too, as does one the
    whole reads clearly against a piece torn between yes and no. With a `floor`,
    items no piece states but some piece leans on with at least that probability follow, marked
    `"leaning": True`."""
    parts = pieces(text)
    rows = parts + [text] if len(parts) > 1 else parts
    stated = model.probabilities(rows)[:, :, 1:]  # P(yes), P(no)
    best, value = stated.max(axis=2), stated.argmax(axis=2)
    found: dict[str, tuple[str, float]] = {}
    torn: set[str] = set()  # items whose reading came from a piece torn between yes and no
    leaning: dict[str, tuple[str, float]] = {}
    for row in range(len(rows)):
        for k in np.nonzero(best[row] >= min(threshold, floor or threshold))[0]:
            item, read_as = model.evidence[k], (VALUES[value[row, k]], float(best[row, k]))
            clear = read_as[1] >= CORRECTS * float(stated[row, k].min())
            earlier = found.get(item, (read_as[0],))[0]
            if earlier != read_as[0] and not clear:
                continue  # a piece torn between yes and no corrects no earlier piece's clear reading
            # the whole message reads what no piece states, or clearly what a torn piece read ("temen aku
            # bisa buka profil dia, cuma di aku doang yg gak ketemu": friends can, not the user)
            whole_corrects = item not in found or item in torn and clear and earlier != read_as[0]
            if read_as[1] >= threshold and (row < len(parts) or whole_corrects):
                found[item] = read_as
                torn = torn - {item} if clear else torn | {item}
            elif read_as[1] > leaning.get(item, ("", 0.0))[1]:
                leaning[item] = read_as
    out = [{"evidence": e, "value": v, "confidence": round(c, 4)} for e, (v, c) in sorted(found.items())]
    return out + [
        {"evidence": e, "value": v, "confidence": round(c, 4), "leaning": True}
        for e, (v, c) in sorted(leaning.items())
        if e not in found
    ]


def statements_folder(config: dict[str, Any]) -> Path | None:
    """The folder of statements a FactReader config names (None: intent examples only)."""
    return ROOT / config["statements"] if config.get("statements") else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class FactReader(PersistedReader):
    """Adds FACTS to every parsed message (button payloads state nothing)."""

    FILE = "facts.joblib"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # statements: the folder of statements for this reader alone (relative to the project)
        # floor: an item read this likely is passed on as a leaning (taken when it answers the question asked)
        return {"C": 30.0, "threshold": 0.4, "floor": 0.1, "statements": "data/facts"}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str:
        folder = statements_folder({**cls.get_default_config(), **config})
        files = sorted(folder.glob("*.yml")) if folder is not None else []
        return code_fingerprint(DEFAULT_DIR / "symptoms.yml", DEFAULT_DIR / "evidence.yml", *files)

    def train(self, training_data: TrainingData) -> Resource:
        texts, facts = training_set(training_data, statements_folder(self.config))
        if not any(facts):
            logger.warning("FactReader: no training example states a fact; no facts will be read")
            return self._resource
        return self.keep(fit(texts, facts, self.config["C"]))

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        for message in typed(messages):
            found = read(self.model, message.get(TEXT)[:READ_AT_MOST], self.config["threshold"], self.config["floor"])
            message.set(FACTS, found, add_to_output=True)
        return messages
