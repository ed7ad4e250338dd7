"""Which language a message is written in, learned from the project's own examples.

The training data is kept one file per language beside the English ones
(data/nlu/es.yml, data/facts/pt.yml, data/outcomes/id.yml: a file named by a
language code of knowledge/translations/ is in that language); every other
training text is English. The knowledge base's texts in each language
(knowledge/texts/, knowledge/translations/) are examples too. So the reader
knows the register people type in ("vc", "gak", "xq", "kkkk"), which general
detectors trained on edited text miss, and its model ships in the trained
model: nothing is downloaded.

A logistic regression over character n-grams and words; the parse result carries
LANGUAGE: every language with its probability, best first. Whether a message
is long and sure enough to change the conversation's language is decided in
context (troubleshooter/language.py): "ok" or "no" never does.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from troubleshooter.knowledge import SOURCE_LANGUAGE
from troubleshooter.paths import KNOWLEDGE, ROOT

from . import code_fingerprint, fast, regression
from .facts import normal
from .persisted import RankingReader

logger = logging.getLogger(__name__)
LANGUAGE = "language"  # parse output: [{"name", "confidence"}], best first
_SKIP = ("intent", "metadata", "version", "synonym", "regex", "lookup", "responses", "facts", "expect", "after")


def language_of(message: Message) -> str:
    """The language a parsed message was read as (the source language when it was not read)."""
    ranking = message.get(LANGUAGE) or []
    return ranking[0].get("name") if ranking else SOURCE_LANGUAGE


def languages() -> tuple[str, ...]:
    """The languages the assistant speaks: English and every translation of the knowledge base."""
    return (SOURCE_LANGUAGE, *sorted(p.stem for p in (KNOWLEDGE / "translations").glob("*.yml")))


def texts_in(node: Any) -> list[str]:
    """Every example text in a parsed data or text file: NLU `examples` blocks and lists, `text`
    items, lists of replies, the values of text files (not intents, metadata, facts or keys)."""
    if isinstance(node, str):
        items = [line[2:].strip() for line in node.splitlines() if line.startswith("- ")]
        return items or [node]
    if isinstance(node, list):
        return [t for item in node for t in texts_in(item)]
    if isinstance(node, dict):
        return [t for key, value in node.items() if key not in _SKIP for t in texts_in(value)]
    return []


def language_files(folders: list[Path], known: tuple[str, ...]) -> dict[str, list[Path]]:
    """The files of each language other than the source's, by their name (es.yml is Spanish)."""
    out: dict[str, list[Path]] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*.yml")):
            if path.stem in known and path.stem != SOURCE_LANGUAGE:
                out.setdefault(path.stem, []).append(path)
    return out


def _translations(folders: list[Path]) -> dict[str, list[Path]]:
    """The files in each language other than the source's: those of `folders` and the knowledge base's."""
    return language_files([*folders, KNOWLEDGE / "texts", KNOWLEDGE / "translations"], languages())


def text_files(folders: list[Path]) -> list[Path]:
    """The files whose texts say which language is which: the knowledge base's texts in each
    language and the language files of `folders` (a trained reader depends on their content)."""
    files = _translations(folders)
    return [KNOWLEDGE / "texts" / f"{SOURCE_LANGUAGE}.yml", *sorted(p for paths in files.values() for p in paths)]


def translated(folders: list[Path]) -> list[tuple[str, str]]:
    """(text, language) of every text in another language than the source's: the language files
    of `folders` and the knowledge base's texts per language."""
    pairs: list[tuple[str, str]] = []
    for language, paths in _translations(folders).items():
        for path in paths:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            pairs += [(t, language) for t in texts_in(raw) if t.strip()]
    return pairs


def in_source_language(texts: list[str], folders: list[Path]) -> list[bool]:
    """Whether each training text is in the source language (in no language file of `folders`)."""
    elsewhere = {normal(t) for t, _ in translated(folders)}
    return [normal(t) not in elsewhere for t in texts]


def training_set(training_data: TrainingData, folders: list[Path]) -> tuple[list[str], list[str]]:
    """(texts, language of each): the texts of the language files, the knowledge base's texts per
    language, and every other training example as the source language."""
    pairs = translated(folders)
    elsewhere = {normal(t) for t, _ in pairs}
    english = [e.get(TEXT) for e in training_data.training_examples if e.get(TEXT)]
    english += texts_in(yaml.safe_load((KNOWLEDGE / "texts" / f"{SOURCE_LANGUAGE}.yml").read_text(encoding="utf-8")))
    pairs += [(t, SOURCE_LANGUAGE) for t in english if normal(t) not in elsewhere]
    return [t for t, _ in pairs], [lang for _, lang in pairs]


class Model:
    """Character n-grams and words, and one multinomial regression over the languages."""

    def __init__(self, vectorisers: list, classifier: Any):
        self.vectorisers, self.classifier = vectorisers, classifier

    def rankings(self, texts: list[str]) -> list[list[tuple[str, float]]]:
        probs = fast.probabilities(self.classifier, fast.side_by_side(self.vectorisers, texts))
        names = [str(c) for c in self.classifier.classes_]
        return [sorted(zip(names, map(float, row)), key=lambda kv: -kv[1]) for row in probs]


def vectorisers() -> list:
    """Unfitted: character n-grams within words, and whole words. Words weigh a language's own
    function words ("no me deja", "gak", "pra") as units, so a message mixing in English words
    ("my tiktok no me deja mandar dms") is not outweighed by them: of the first messages of the
    Spanish, Portuguese and Indonesian wild sets, 10 were put in another language than their set's
    with words (model 81b7f59) against 15 with character n-grams alone (model 925bf8c, the same
    data; 2026-12-07)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, preprocessor=normal),
        TfidfVectorizer(analyzer="word", sublinear_tf=True, preprocessor=normal, token_pattern=r"(?u)\b\w+\b"),
    ]


def fit(texts: list[str], labels: list[str], c: float, seed: int = regression.SEED) -> Model:
    features = vectorisers()
    return Model(features, regression.fit(features, texts, labels, c, seed))


def data_folders(config: dict[str, Any]) -> list[Path]:
    return [ROOT / f for f in config["data"]]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LanguageReader(RankingReader):
    """Adds LANGUAGE to every typed message (button payloads carry no language)."""

    FILE = "language.joblib"
    OUTPUT = LANGUAGE

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # data: the folders whose <language>.yml files hold examples in that language
        return {"C": 10.0, "data": ["data"]}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str:
        return code_fingerprint(*text_files(data_folders({**cls.get_default_config(), **config})))

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = training_set(training_data, data_folders(self.config))
        if len(set(labels)) < 2:
            logger.warning("LanguageReader: examples in one language only; every message is read as it")
            return self._resource
        return self.keep(fit(texts, labels, self.config["C"]))
