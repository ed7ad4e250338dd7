"""Evidence stated in free text ("I'm on school wifi", "my account is 2 days old").

spaCy's Matcher over the knowledge base's phrases, plus token patterns for
ages and account ages, on text normalised like `cues.normalize`. Sentences
that ask ("will my account get banned?") state nothing. A negation just
before a "yes" phrase makes it "no"; a negated "no" phrase ("nobody blocked
me") says too little to count either way, so it is dropped.
"""

from __future__ import annotations

import re

import spacy
from spacy.matcher import Matcher
from spacy.tokens import Span
from spacy.util import filter_spans

from .cues import is_question, normalize
from .knowledge import KnowledgeBase

_NEGATIONS = {
    "not",
    "n't",
    "no",
    "never",
    "dont",
    "don't",
    "isnt",
    "isn't",
    "nt",
    "without",
    "neither",
    "nor",
    "cannot",
    "cant",
    "nobody",
    "noone",
    "nothing",
    "none",
    "nowhere",
}
_NEGATION_WINDOW = 3
_INABILITY = {"ca", "wo", "could", "would", "can"}
_CLAUSE_START = {"its", "it", "it's", "i", "i'm", "im", "they", "we", "she", "he", "my", "that", "this", "the", ","}
_MESSAGING = {"message", "messages", "send", "sending", "dm", "dms", "text", "texts", "reach", "chat", "go", "deliver"}
_UNITS = {
    "hour": 0,
    "hours": 0,
    "hr": 0,
    "hrs": 0,
    "day": 1,
    "days": 1,
    "week": 7,
    "weeks": 7,
    "wk": 7,
    "wks": 7,
    "month": 30,
    "months": 30,
    "year": 365,
    "years": 365,
    "yr": 365,
    "yrs": 365,
}
_SENTENCE = re.compile(r"(?<=[.!?…\n])\s+|\n+|(?<=\?)")


class EvidenceExtractor:
    def __init__(self, kb: KnowledgeBase):
        self.nlp = spacy.blank("en")
        # Each phrase matches with up to two extra words between its words
        # ("my phone is really old", "my school's wifi").
        self.phrases = Matcher(self.nlp.vocab)
        for eid, ev in kb.evidence.items():
            for answer, phrases in ev.phrases.items():
                normal = [normalize(p) for p in phrases]
                for negative in (False, True):  # phrases that carry a negation of their own
                    group = [self._pattern(p) for p in normal if self._has_negation(p) == negative]
                    if group:
                        self.phrases.add(f"{eid}|{answer}|{int(negative)}", group)
        self.patterns = Matcher(self.nlp.vocab)
        num = {"LIKE_NUM": True}
        unit = {"LOWER": {"IN": list(_UNITS)}}
        self.patterns.add("ACCOUNT_AGE", [[num, unit, {"LOWER": "old"}], [num, unit, {"LOWER": "ago"}]])
        self.patterns.add(
            "PERSON_AGE",
            [
                [{"LOWER": {"IN": ["i'm", "im", "am"]}}, num],
                [{"LOWER": "i"}, {"LOWER": {"IN": ["'m", "m", "’m"]}}, num],
                [num, {"LOWER": {"IN": ["yo", "y/o", "yrs", "yr"]}}],
                [num, {"LOWER": {"IN": ["years", "yrs", "year"]}}, {"LOWER": "old"}],
            ],
        )

    def extract(self, text: str) -> dict[str, str]:
        """Evidence id -> "yes"/"no" for every fact the text states."""
        if not isinstance(text, str) or not text.strip():
            return {}
        found: dict[str, str] = {}
        for sentence in _SENTENCE.split(text[:2000]):
            if sentence.strip() and not is_question(sentence):
                found.update(self._sentence_facts(normalize(sentence)))
        return found

    def _sentence_facts(self, text: str) -> dict[str, str]:
        doc = self.nlp.make_doc(text)
        found: dict[str, str] = {}
        spans = [Span(doc, s, e, label=match_id) for match_id, s, e in self.phrases(doc)]
        for span in sorted(filter_spans(spans), key=lambda sp: sp.start):
            eid, answer, negative = span.label_.split("|")
            negated = negative == "0" and (self._negated(doc, span.start) or any(t.lower_ in _NEGATIONS for t in span))
            if negated and answer == "no":
                continue  # "nobody blocked me": not a statement that they can see the profile
            found[eid] = "no" if negated else answer
        for match_id, s, e in self.patterns(doc):
            kind = self.nlp.vocab.strings[match_id]
            span = doc[s:e]
            number = _number(span)
            if number is None:
                continue
            if kind == "ACCOUNT_AGE" and self._mentions_account(doc):
                unit = next((_UNITS[t.lower_] for t in span if t.lower_ in _UNITS), 1)
                found["new_account"] = "yes" if number * unit <= 7 else "no"
            elif kind == "PERSON_AGE" and 5 <= number <= 99 and not self._mentions_account(doc):
                found["under_16"] = "yes" if number < 16 else "no"
                found["age_16_17"] = "yes" if number in (16, 17) else "no"
        return found

    def _has_negation(self, phrase: str) -> bool:
        return any(t.lower_ in _NEGATIONS or t.lower_.endswith("n't") for t in self.nlp.make_doc(phrase))

    def _pattern(self, phrase: str) -> list[dict]:
        pattern: list[dict] = []
        for i, token in enumerate(self.nlp.make_doc(phrase)):
            if i:
                pattern += [{"OP": "?"}, {"OP": "?"}]
            word = token.lower_
            pattern.append({"LOWER": {"IN": ["not", "n't"]}} if word in ("not", "n't") else {"LOWER": word})
        return pattern

    @staticmethod
    def _negated(doc, start: int) -> bool:
        """A negation shortly before the phrase, unless it negates the problem
        itself ("I can't message one person", "it won't send a photo")."""
        for i in range(max(0, start - _NEGATION_WINDOW), start):
            token = doc[i]
            if token.lower_ not in _NEGATIONS:
                continue
            if i == 0 and token.lower_ in ("no", "nah", "nope") and (start > 1 or doc[1].lower_ in _CLAUSE_START):
                continue  # "no, its everyone": the answer word, not a negation of the phrase
            inability = token.lower_ in ("cant", "cannot") or (
                token.lower_ == "n't" and (i == 0 or doc[i - 1].lower_ in _INABILITY)
            )
            if inability:  # "can't", "won't": the problem itself, not the absence of a fact
                continue
            if any(t.lower_ in _MESSAGING for t in doc[i + 1 : start + 1]):
                continue
            return True
        return False

    @staticmethod
    def _mentions_account(doc) -> bool:
        return any(
            t.lower_ in ("account", "acc", "acct", "profile", "made", "created", "signed", "opened", "joined")
            for t in doc
        )


def _number(span) -> int | None:
    for token in span:
        if token.like_num:
            try:
                return int(float(token.text))
            except ValueError:
                words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1}
                return words.get(token.lower_)
    return None
