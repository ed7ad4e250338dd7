"""Facts that are arithmetic on a stated number: a person's age ("i'm 14", "15 yo") and an
account's age ("made it 3 days ago"). Everything else a message states is read by the learned
fact reader (nlu/facts.py); a number's meaning is a comparison, not a wording to learn."""

from __future__ import annotations

import re

AGE_QUESTIONS = {"under_16": lambda n: n < 16, "age_16_17": lambda n: n in (16, 17)}
NEW_ACCOUNT_DAYS = 7
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_WORDS |= {"few": 3, "couple of": 2, "couple": 2}
_COUNT = r"(\d{1,3}|a|an|one|two|three|four|five|six|seven|few|couple(?: of)?)"
_UNIT = r"(hours?|hrs?|days?|weeks?|wks?|months?|years?|yrs?)"
_DAYS = {"h": 0, "d": 1, "w": 7, "m": 30, "y": 365}
_PERSON_AGE = re.compile(
    r"\b(?:i'?m|i am|am)\s+(?:only\s+|just\s+)?(\d{1,2})\b"
    r"(?!\s*(?:%|days?|weeks?|months?|hours?|mins?|messages|people))"
    r"|\b(\d{1,2})\s*(?:yo|y/o|y\.o\.?)\b|\b(\d{1,2})\s*(?:years?|yrs?)\s*old\b",
)
_ACCOUNT_AGE = re.compile(rf"\b{_COUNT}\s*{_UNIT}\s*(?:old|ago)\b")
_ACCOUNT = re.compile(r"\b(account|acc|acct|profile|made|created|signed|opened|joined|new)\b")
_BARE_AGE = re.compile(r"\s*(\d{1,2})\s*\W*")
_SPAN = re.compile(rf"\b{_COUNT}\s*{_UNIT}\b")


def facts(text: str) -> dict[str, str]:
    """Evidence id -> yes/no for the ages `text` states."""
    low = (text or "").lower().replace("’", "'")
    found: dict[str, str] = {}
    account = _ACCOUNT.search(low)
    m = _ACCOUNT_AGE.search(low)
    if m and account:
        found["new_account"] = "yes" if _days(m.group(1), m.group(2)) <= NEW_ACCOUNT_DAYS else "no"
    m = _PERSON_AGE.search(low)
    if m and not (account and _ACCOUNT_AGE.search(low)):
        age = int(next(g for g in m.groups() if g))
        if 5 <= age <= 99:
            found.update({q: "yes" if test(age) else "no" for q, test in AGE_QUESTIONS.items()})
    return found


def implied(qid: str, text: str) -> str | None:
    """A bare number answering the question asked: an age ("14") for the age questions, a span
    ("like 3 days") for the new-account one."""
    m = _BARE_AGE.fullmatch(text or "") if qid in AGE_QUESTIONS else None
    if m:
        age = int(m.group(1))
        return ("yes" if AGE_QUESTIONS[qid](age) else "no") if 5 <= age <= 99 else None
    m = _SPAN.search((text or "").lower()) if qid == "new_account" else None
    if m:
        return "yes" if _days(m.group(1), m.group(2)) <= NEW_ACCOUNT_DAYS else "no"
    return None


def _days(count: str, unit: str) -> int:
    n = _WORDS.get(count) or int(count)
    return n * _DAYS[unit[0]]
