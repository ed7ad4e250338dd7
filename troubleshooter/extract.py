"""Evidence stated in free text ("I'm on school wifi", "my account is 2 days old").

spaCy's PhraseMatcher over the knowledge base's phrases, plus token patterns
for ages and account ages; a negation just before a "yes" phrase flips it.
"""
from __future__ import annotations

import spacy
from spacy.matcher import Matcher, PhraseMatcher
from spacy.util import filter_spans

from .knowledge import KnowledgeBase

_NEGATIONS = {"not", "n't", "no", "never", "dont", "don't", "isnt", "isn't", "nt", "without", "neither", "nor", "cannot", "cant"}
_NEGATION_WINDOW = 3
_UNITS = {"hour": 0, "hours": 0, "day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30, "year": 365, "years": 365}


class EvidenceExtractor:
    def __init__(self, kb: KnowledgeBase):
        self.nlp = spacy.blank("en")
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for eid, ev in kb.evidence.items():
            for answer, phrases in ev.phrases.items():
                self.phrases.add(f"{eid}|{answer}", [self.nlp.make_doc(p) for p in phrases])
        self.patterns = Matcher(self.nlp.vocab)
        num = {"LIKE_NUM": True}
        unit = {"LOWER": {"IN": list(_UNITS)}}
        self.patterns.add("ACCOUNT_AGE", [[num, unit, {"LOWER": "old"}], [num, unit, {"LOWER": "ago"}]])
        self.patterns.add("PERSON_AGE", [
            [{"LOWER": {"IN": ["i'm", "im", "am"]}}, num],
            [{"LOWER": "i"}, {"LOWER": {"IN": ["'m", "m", "’m"]}}, num],
            [num, {"LOWER": {"IN": ["yo", "y/o"]}}],
            [num, {"LOWER": {"IN": ["years", "yrs"]}}, {"LOWER": "old"}],
        ])

    def extract(self, text: str) -> dict[str, str]:
        """Evidence id -> "yes"/"no" for every fact the text states."""
        if not isinstance(text, str) or not text.strip():
            return {}
        doc = self.nlp.make_doc(text[:2000])
        found: dict[str, str] = {}
        spans = [doc[s:e] for _, s, e in self.phrases(doc)]
        for span in filter_spans(spans):
            for match_id, s, e in self.phrases(span.as_doc()):
                label = self.nlp.vocab.strings[match_id]
                if e - s != len(span):
                    continue
                eid, answer = label.split("|")
                if answer == "yes" and self._negated(doc, span.start):
                    answer = "no"
                found[eid] = answer
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

    @staticmethod
    def _negated(doc, start: int) -> bool:
        window = doc[max(0, start - _NEGATION_WINDOW):start]
        return any(t.lower_ in _NEGATIONS for t in window)

    @staticmethod
    def _mentions_account(doc) -> bool:
        return any(t.lower_ in ("account", "acc", "acct", "profile", "made", "created", "signed") for t in doc)


def _number(span) -> int | None:
    for token in span:
        if token.like_num:
            try:
                return int(float(token.text))
            except ValueError:
                words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1}
                return words.get(token.lower_)
    return None
