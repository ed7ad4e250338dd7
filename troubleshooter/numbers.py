"""Facts that are arithmetic on a stated number: a person's age ("i'm 14", "tengo 15", "umur 13")
and an account's age ("made it 3 days ago", "criei a conta faz 2 dias"), in every language the
assistant speaks. Everything else a message states is read by the learned fact reader
(nlu/facts.py); a number's meaning is a comparison, not a wording to learn."""

from __future__ import annotations

import re

AGE_QUESTIONS = {"under_16": lambda n: n < 16, "age_16_17": lambda n: n in (16, 17)}
NEW_ACCOUNT_DAYS = 7

# Counts and units of time, English, Spanish, Portuguese, Indonesian (accents optional).
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_WORDS |= {"few": 3, "couple of": 2, "couple": 2}
_WORDS |= {"un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "três": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7}
_WORDS |= {"um": 1, "uma": 1, "dois": 2, "duas": 2, "quatro": 4, "sete": 7}
_WORDS |= {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "beberapa": 3}
_COUNT = r"(\d{1,3}|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + ")"  # the longest word first
_UNITS = (  # (pattern, days)
    (r"hours?|hrs?|horas?|jam", 0),
    (r"days?|d[ií]as?|hari", 1),
    (r"weeks?|wks?|semanas?|minggu|mgg", 7),
    (r"months?|mes(?:es)?|m[eê]s|meses|bulan|bln", 30),
    (r"years?|yrs?|a[ñn]os?|anos?|tahun|thn", 365),
)
_UNIT = "(" + "|".join(p for p, _ in _UNITS) + ")"
_ONE = {"sehari": 1, "seminggu": 7, "sebulan": 30, "setahun": 365}  # Indonesian: one day, week, month, year
_ONE_WORDS = "|".join(_ONE)
_SHORT_UNITS = "|".join(p for p, d in _UNITS if d < 365)
_NOT_AN_AGE = rf"(?!\s*(?:%|{_SHORT_UNITS}|mins?|messages|mensa[jg]e[sn]s?|pesan|people|personas|pessoas|orang)\b)"
_PERSON_AGE = re.compile(
    r"\b(?:i'?m|i am|am|tengo|tenho)\s+(?:only\s+|just\s+|solo\s+|s[oó]\s+|apenas\s+)?(\d{1,2})\b"
    + _NOT_AN_AGE
    + r"|\b(\d{1,2})\s*(?:yo|y/o|y\.o\.?)(?!\w)|\b(\d{1,2})\s*(?:years?|yrs?)\s*old\b"
    + r"|\b(\d{1,2})\s*(?:a[ñn]os de edad|anos de idade)\b"
    + r"|\b(?:umur|usia)(?:ku|nya|\s+(?:saya|aku|gue|gw))?\s+(?:baru\s+|masih\s+)?(\d{1,2})\b"
    + _NOT_AN_AGE
    + r"|\b(?:aku|saya|gue|gw|aq)\s+(?:baru\s+|masih\s+)?(\d{1,2})\s*(?:tahun|thn|th)\b",
)
_TO_COME = re.compile(r"\b(?:till|til|until|untill|when|once|before)\s+$")  # "wait till i'm 16": an age to come
_AGO = r"(?:ago|atr[aá]s|lalu|yang lalu|yg lalu)"
_SINCE = r"(?:hace|tiene|de|h[aá]|faz|tem|baru|umur(?:nya)?|sejak)"
_ACCOUNT = re.compile(r"\b(account|acc|acct|profile|made|created|signed|opened|joined|new)\b")
_ACCOUNT_AGE = re.compile(rf"\b{_COUNT}\s*{_UNIT}\s*(?:old|ago)\b")  # English: an account word anywhere
_NOUN_AGE = re.compile(  # the others: right after the account ("cuenta nueva de 3 dias", "akun 2 hari yg lalu")
    rf"\b(?:cuenta|conta|perfil|akun(?:nya|ku)?)(?:\s+\w+)?\s+(?:{_SINCE}\s+{_COUNT}\s*{_UNIT}\b"
    rf"|{_COUNT}\s*{_UNIT}\s*{_AGO}\b|{_SINCE}\s+({_ONE_WORDS})\b)"
)
_MADE_AGE = re.compile(  # ... or right after making it, the account named anywhere ("la cree hace 3 dias")
    rf"\b(?:cre[eé]|criei|abr[ií]|bikin|daftar)(?:\s+\w+)?\s+(?:{_SINCE}\s+)?{_COUNT}\s*{_UNIT}\b"
)
_NOUN = re.compile(r"\b(?:cuenta|conta|perfil|akun)")
_BARE_AGE = re.compile(r"\s*(\d{1,2})\s*\W*")
_SPAN = re.compile(rf"\b{_COUNT}\s*{_UNIT}\b")
_ONE_SPAN = re.compile(rf"\b({_ONE_WORDS})\b")
# a count a hedge may stand beside ("maybe 60 or 70"), not "a" or "one" ("maybe a link", "one person")
_A_COUNT = re.compile(
    r"\b(\d+|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|dozens?|hundreds?)\b"
)


def facts(text: str) -> dict[str, str]:
    """Evidence id -> yes/no for the ages `text` states."""
    low = (text or "").lower().replace("’", "'")
    found: dict[str, str] = {}
    days = _account_days(low)
    if days is not None:
        found["new_account"] = "yes" if days <= NEW_ACCOUNT_DAYS else "no"
    m = next((m for m in _PERSON_AGE.finditer(low) if not _TO_COME.search(low[: m.start()])), None)
    if m and days is None:
        age = int(next(g for g in m.groups() if g))
        if 5 <= age <= 99:
            found.update({q: "yes" if test(age) else "no" for q, test in AGE_QUESTIONS.items()})
    return found


def implied(qid: str, text: str) -> str | None:
    """A bare number answering the question asked: an age ("14") for the age questions, a span
    ("like 3 days", "unos 3 dias", "baru seminggu") for the new-account one."""
    m = _BARE_AGE.fullmatch(text or "") if qid in AGE_QUESTIONS else None
    if m:
        age = int(m.group(1))
        return ("yes" if AGE_QUESTIONS[qid](age) else "no") if 5 <= age <= 99 else None
    if qid != "new_account":
        return None
    low = (text or "").lower()
    m = _SPAN.search(low)
    one = _ONE_SPAN.search(low)
    days = _days(m.group(1), m.group(2)) if m else _ONE[one.group(1)] if one else None
    return None if days is None else "yes" if days <= NEW_ACCOUNT_DAYS else "no"


def _account_days(low: str) -> int | None:
    m = _ACCOUNT.search(low) and _ACCOUNT_AGE.search(low)
    if m:
        return _days(m.group(1), m.group(2))
    m = _NOUN.search(low) and _MADE_AGE.search(low)
    if m:
        return _days(m.group(1), m.group(2))
    m = _NOUN_AGE.search(low)
    if not m:
        return None
    count, unit, one = (m.group(1), m.group(2), None) if m.group(1) else (m.group(3), m.group(4), m.group(5))
    return _ONE[one] if one else _days(count, unit)


def _days(count: str, unit: str) -> int:
    n = _WORDS.get(count) or int(count)
    return n * next(days for pattern, days in _UNITS if re.fullmatch(pattern, unit))


def counts(text: str) -> bool:
    """The text gives a count ("maybe 60 or 70", "like five"): a hedge beside it is on the number."""
    return bool(_A_COUNT.search(text.lower()))
