"""Reading a user turn in context.

What the bot just asked or suggested is the strongest clue to what a reply
means, so a reply is first read as an answer to the pending question or as
feedback on the pending fix, from its opening words (`cues`), the facts it
states and the NLU's whole intent ranking; only then as a new report,
request or digression. Destructive steps need a clear request, else a
confirmation. Nothing here imports Rasa: a `Turn` is built by the adapter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from . import language, numbers
from .cues import (
    accepts,
    acknowledges,
    answer_cue,
    asks_for_other_fix,
    asks_for_person,
    asks_to_start_over,
    choice_number,
    doubts,
    mentions_starting_over,
    never_mind,
    result_cue,
    settles,
    states_problem,
)
from .knowledge import SOURCE_LANGUAGE
from .state import Diagnosis

SYMPTOM_SURE = 0.75  # a symptom this confident is taken as said (its `implies` facts apply)
INTENT_SURE = 0.5  # an intent this confident is taken without a lexical cue
FITS_SURE = 0.35  # ... or this confident, when it fits the pending step and leads the next by FITS_MARGIN
FITS_MARGIN = 0.1
CANDIDATE = 0.1  # a symptom this likely is offered when asking what the user meant
RUNNER_UP = 0.025  # ... and, beside one that likely, one this likely too (up to OFFERED in all)
OFFERED = 3
REPORT_FLOOR = 0.3  # symptom intents weighing this much together make a (vague) report
CLAUSE_SURE = 0.5  # a clause's question this likely is answered besides the rest of the message
STATED_QUESTION_SURE = 0.8  # ... and this likely when the clause does not ask ("the broadband has been funny")
ASKS_SURE = 0.5  # a message or clause this likely to ask something asks (nlu/questions.py)
CAUSE_ASKED = 0.2  # a message that asks, this likely a question whether what it states is the cause, is one
UNSURE_STEP_QUESTION = 0.25  # a question read this likely as "why" or "how to check" is about the pending step
RESULT_SURE = 0.8  # a fix's outcome read this confidently by the NLU is taken over the wording cues
OUTCOME_SURE = 0.5  # the outcome reader's reading this likely is taken while a fix waits
SUCCESS_SURE = 0.65  # ... and a success this likely, unless the words say it worked too (it ends the diagnosis)
DONE_SURE = 0.8  # the fix reader this sure of the fix a reply says was done credits the outcome to it,
DONE_WAITING = 0.1  # ... unless it gives the fix that waits this much
TOLD_SURE = 0.95  # a fix a piece of the message says was done this surely was tried before (unless it worked)
WHOLE_NONE_SURE = 0.99  # a message the outcome reader hears this surely as no outcome doubts a success in a clause
FACT_OVER_DOUBT = 0.85  # a fact stated this surely answers its question though a word hedges ("maybe 60 or 70"),
# not "there might be a url at the bottom idk" (0.83): set between them on the wild dev replies
CUE_FLOOR = 0.05  # an outcome the wording cues read is not taken when the outcome reader gives it less
ANSWERS = {"affirm": "yes", "deny": "no", "unsure": "unsure"}
RESULTS = {"fix_worked": "worked", "fix_failed": "failed", "fix_partial": "partial"}  # a fix's outcome
OUTCOMES = {  # the outcome reader's readings (nlu/outcomes.py) and the act each is
    "worked": ("result", "worked"),
    "failed": ("result", "failed"),
    "partial": ("result", "partial"),
    "cant_try": ("skip", None),
    "trying": ("ack", None),
    "accepted": ("ack", None),  # an explanation taken in ("so she blocked me, nothing i can do"); after a fix, "ok"
}
NONE_READ = "other"  # a learned reader's name for "none of its names" (nlu/outcomes.py: OTHER)
UNREAD = (NONE_READ, 1.0)  # the outcome reader's ranking of a text with no word it knows
STATEMENTS = ("inform", "affirm", "deny", "unsure")  # intents a stated answer is read as
CHAT = ("greet", "thanks", "goodbye", "bot_challenge", "out_of_scope")
ASIDE = "aside"  # in Reading.asks: a clause asks what the knowledge base can't answer


class Clause(NamedTuple):
    """One clause of a message of several, as the NLU read it on its own."""

    text: str
    intents: tuple[tuple[str, float], ...]  # the intent ranking, best first
    asks: float = 0.0  # P(it asks something) (nlu/questions.py)
    outcome: tuple[tuple[str, float], ...] = ()  # the outcome reader's ranking, best first (nlu/outcomes.py)


@dataclass(frozen=True)
class Turn:
    """One user message as the NLU saw it."""

    text: str
    intents: tuple[tuple[str, float], ...] = ()  # the NLU's ranking, best first
    entities: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)  # stated facts (the evidence extractor)
    clauses: tuple[Clause, ...] = ()  # a message of several clauses: each one's text and ranking
    leanings: dict[str, str] = field(default_factory=dict)  # facts read as likely, not as stated
    outcome: tuple[tuple[str, float], ...] = ()  # the outcome reader's ranking (nlu/outcomes.py), best first
    languages: tuple[tuple[str, float], ...] = ()  # the language reader's ranking (nlu/language.py), best first
    hint: str | None = None  # the language the channel suggests (browser, support contact)
    asks: float = 0.0  # how likely some clause of it asks something (nlu/questions.py)
    done: tuple[tuple[str, float], ...] = ()  # the fix reader's ranking of the fix it says was done (nlu/done.py)
    # fixes a piece of it says were done: (fix, the fix reader's probability, how likely its clause asks)
    told: tuple[tuple[str, float, float], ...] = ()
    certainty: dict[str, float] = field(default_factory=dict)  # the fact reader's probability of each stated fact

    def __post_init__(self) -> None:  # clauses given as plain tuples (text, intents[, asks[, outcome]])
        object.__setattr__(self, "clauses", tuple(Clause(*c) for c in self.clauses))

    @property
    def is_payload(self) -> bool:
        return self.text.startswith("/")

    @classmethod
    def from_payload(cls, payload: str) -> Turn:
        """A button payload such as '/affirm{"evidence":"vpn_or_proxy"}'."""
        m = re.match(r"^/([A-Za-z0-9_]+)(\{.*\})?\s*$", payload or "", re.S)
        if not m:
            return cls(payload)
        try:
            entities = json.loads(m.group(2)) if m.group(2) else {}
        except (ValueError, RecursionError):  # malformed or absurdly nested JSON: no entities
            entities = {}
        return cls(payload, ((m.group(1), 1.0),), entities if isinstance(entities, dict) else {})


@dataclass
class Reading:
    """What a turn means here. `act` is one of: answer, result, report, skip,
    ack, how_to_check, why, handoff, start_over, confirm, resume, faq, chat,
    aside (a question the bot can't answer), language (asks for one), unclear. A why is about the
    pending question (value "question"), whether facts are the cause (value "cause", see `about`), or
    else about the pending fix."""

    act: str
    value: str | None = None  # answer yes/no/unsure, result worked/failed/partial, faq key, chat intent, language...
    target: str | None = None  # the evidence or fix id it is about
    symptoms: dict[str, float] = field(default_factory=dict)  # soft report from this turn
    symptom: str | None = None  # a symptom recognised with confidence (or picked)
    facts: dict[str, str] = field(default_factory=dict)
    options: list[str] = field(default_factory=list)  # candidate symptoms to offer
    confirmed: bool = False  # act "confirm": the user said yes to the pending confirmation
    how: str = ""  # why it was read this way (kept for review)
    words: str = ""  # the text read (typed turns only)
    asks: list[str] = field(default_factory=list)  # FAQ topics a clause asks besides; ASIDE: one it can't answer
    told: list[str] = field(default_factory=list)  # fixes the user says were done without helping, unasked
    about: dict[str, str] = field(default_factory=dict)  # why, value "cause": the facts asked about as the cause
    languages: tuple[tuple[str, float], ...] = ()  # the turn's language ranking (language.heard decides)
    hint: str | None = None  # the channel's language hint
    leaving: bool = False  # the message ends with a goodbye ("no, nothing like that. thanks, bye")

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "", {}, [])}


Meaning = Callable[[str, str], tuple["str | None", float]]  # (evidence, text) -> (yes/no/None, similarity)


def read(turn: Turn, d: Diagnosis, symptom_ids: set[str] | frozenset[str], meaning: Meaning | None = None) -> Reading:
    """What `turn` means given `d`; `meaning` reads answers stated in other words (optional)."""
    picked = _typed_choice(turn.text, d)
    if picked is not None:
        reading = read(Turn.from_payload(picked[0]), d, symptom_ids)
        reading.how = f"{picked[1]}; " + reading.how
    elif turn.is_payload:
        reading = _payload(turn, d, symptom_ids)
    else:
        reading = _credited(_by_clause(turn, d, symptom_ids, meaning, _text(turn, d, symptom_ids, meaning)), turn)
        reading.words, reading.languages = turn.text, turn.languages
        reading.told = _told(turn, reading)
        reading.leaving = _leaving(turn, reading)
    reading.hint = turn.hint
    return reading


def _leaving(turn: Turn, reading: Reading) -> bool:
    """The last of several clauses is a goodbye read surely ("Não tem nada disso. Obrigado, tchau."),
    beside what the message was read as (a goodbye read as the whole message is one already)."""
    last = turn.clauses[-1].intents[:1] if len(turn.clauses) > 1 else ()
    return reading.act != "chat" and bool(last) and last[0][0] == "goodbye" and last[0][1] >= CLAUSE_SURE


def _credited(reading: Reading, turn: Turn) -> Reading:
    """An outcome is the outcome of the fix the reply says was done, when the fix reader is sure of
    one ("turned the vpn off like u said and it went through" while another fix waits)."""
    fix, p = turn.done[0] if turn.done else (None, 0.0)
    # ... and the fix that waits may not be it ("waited a day and it sent": the off-peak fix, or the ban ending?)
    waiting = dict(turn.done).get(reading.target or "", 0.0)
    other = fix not in (None, NONE_READ, reading.target)
    # read on the whole message: beside another clause ("updated, it sends now. earlier i restarted and that
    # didnt help") the fix it names may not be the one the outcome is about; a partial outcome moves on
    alone = len(turn.clauses) <= 1 and reading.value in ("worked", "failed")
    if reading.act == "result" and other and alone and p >= DONE_SURE and waiting < DONE_WAITING:
        reading.target = fix
        reading.how += f"; says it did {fix} ({p:.2f})"
    return reading


def _told(turn: Turn, reading: Reading) -> list[str]:
    """The fixes the message says were done, unasked, without helping ("i already updated the app, i
    restarted my phone twice"): none when any of it reads as a success ("no vpn. but i restarted and
    now it works!"), none named in a clause that asks (a piece of "should i restart and update the
    app?" names a fix without its question), nor the fix whose outcome the turn is."""
    heard = [turn.outcome, *(c.outcome for c in turn.clauses)]
    if any(ranking and ranking[0][0] in ("worked", "partial") for ranking in heard):
        return []
    if reading.act == "result" and reading.value != "failed":
        return []
    named = (f for f, p, asks in turn.told if p >= TOLD_SURE and asks < ASKS_SURE)
    return [f for f in dict.fromkeys(named) if f not in (NONE_READ, reading.target)]


_REPLIES = ("answer", "result", "skip")  # acts that reply to the pending step
_SURE_ELSEWHERE = ("human_handoff", "start_over", "switch_language")  # intents no relapse is read over
_REQUESTS = ("handoff", "start_over", "confirm")  # acts that change who or what the conversation is for


def _asks_its_own(intent: str) -> bool:
    """A clause's best reading that is a question of the user's own: a FAQ topic (read unsurely, or it
    would be answered) or one out of scope ("btw how do i get more followers?"); not a request, a
    report, small talk or a question about the step."""
    return intent.startswith("faq_") or intent == "out_of_scope"


def _by_clause(turn: Turn, d: Diagnosis, symptom_ids, meaning: Meaning | None, whole: Reading) -> Reading:
    """A message of several clauses can reply to the pending step in one and ask something in
    another ("no vpn here, but can a vpn get me banned?"). When the whole message did not read as a
    reply, or its words read most as a question, the reply is read from its own clause (the
    question's words cannot colour it); the questions asked go to `asks`, also when the whole
    message is one question read as a reply ("nope. do vpns get people banned?"); beside a success,
    a question of the user's own that no topic fits is marked ASIDE (answered "I can't answer that").
    A bare yes or no after a question of the user's own answers theirs, not the pending one ("is
    tiktok down? feels like it"): the step stays."""
    if whole.act in _REQUESTS:
        return whole  # a request for a person or a fresh start is never traded for a reply in it
    main = whole
    parts = turn.clauses if len(turn.clauses) > 1 else (Clause(turn.text, turn.intents, turn.asks),)
    top = turn.intents[0][0] if turn.intents else ""
    questioned = whole.act not in _REPLIES or top.startswith("faq_") or top in (*STEP_WHYS, "ask_how_to_check")
    # or a clause asks whether what it states is the cause ("no lol. is it cuz im 14??")
    questioned = questioned or any(
        c.asks >= ASKS_SURE and c.intents[:1] and c.intents[0][0] == "ask_cause" for c in parts
    )
    replied = set()  # clauses read best as a question whose words were taken as the fix's outcome
    cause = None  # a clause's question whether what it states is the cause
    if len(parts) > 1 and questioned and d.pending_kind in ("question", "fix"):
        replies, questions, heard_in_questions = [], [], set()
        own = []  # clauses asking a question of the user's own: a topic, not about the pending step
        left = None  # a bare answer after one, left to it
        for text, ranking, asks, outcome in parts:
            clause = replace(turn, text=text, intents=ranking, clauses=(), outcome=(), asks=asks)
            if ranking and ranking[0][0] in CHAT:
                continue  # small talk or a complaint is no reply ("Thank you." before a question)
            if ranking and ranking[0][0].startswith("faq_"):
                # a clause read best as a question is no reply, unless the outcome reader hears that the
                # fix worked, failed or helped in part in its words: asking nothing ("i submitted the
                # appeal and they lifted it"), it is read with that reading and its topic is not
                # answered; asking too ("...went right through! Works now, do I still need to update
                # my phone?"), the outcome is taken as the reader gives it and the topic answered. Only
                # then: on a clause the intents read as a reply, the outcome reader hears outcomes in
                # mere facts ("siempre la uso y nunca paso nada").
                clause = replace(clause, outcome=outcome)
                if asks >= ASKS_SURE:
                    own.append(clause)
                    found = _heard_beside_a_question(clause, d)
                    if found is not None:
                        replies.append((text, replace(found, facts=dict(turn.facts))))
                    continue
                if not (d.pending_kind == "fix" and _leans_to_an_outcome(clause)):
                    continue
                heard_in_questions.add(text)
            part = _text(clause, d, symptom_ids, meaning)
            success = part.act == "result" and part.value == "worked"
            if success and _heard_failing(outcome):
                # "I waited as you said and it is no different": no success, whatever a word of it says;
                # beside a clause that reads as one, the clauses disagree and whether it worked is asked
                part = replace(part, value="failed", how=f"{part.how}, but the outcome reader hears a failure")
            elif success and dict(ranking).get("fix_worked", 0) < RESULT_SURE and not _hears(outcome, "worked"):
                # read unsurely as a success ("i only sent text": a word of success), which the outcome reader
                # does not hear (or hears failing): this clause says no outcome for sure
                part = Reading("unclear", facts=part.facts, how=f"{part.how}, but the outcome reader hears none")
            if asks >= ASKS_SURE:  # "could it be because i sent so many?": its words are no outcome
                questions.append((text, part))
                if part.act == "faq":
                    own.append(clause)
            elif part.act == "answer" and own and not _names_the_asked(turn, text, d.pending_question):
                # "is tiktok down? feels like it": a bare yes or no after a question of the user's own
                # answers theirs, not the bot's (after "why do you ask?" it is the bot's)
                left = text
            elif part.act in _REPLIES:
                replies.append((text, part))
        replied = heard_in_questions & {text for text, _ in replies}
        cause = next((part for _, part in questions if part.act == "why" and part.value == "cause"), None)
        results = [(text, part) for text, part in replies if part.act == "result"]
        asked = next(((text, part) for text, part in questions if part.act not in _REPLIES), None)
        whole_outcome = _top_outcome(turn)
        if len({part.value for _, part in results}) > 1:
            # "turned the wifi off. still the same": which one it is, is asked
            said = "; ".join(f"{text!r}: {part.value}" for text, part in results)
            main = Reading("unclear", facts=whole.facts, how=f"its clauses disagree on the outcome ({said})")
        elif (
            {p.value for _, p in results} == {"worked"}
            and whole_outcome[0] == "failed"
            and whole_outcome[1] >= OUTCOME_SURE
        ):
            # "cleared it. still failing, can i appeal?": a clause reads a success the whole message is heard failing
            said = f"{results[0][0]!r} reads worked, the whole message failed {whole_outcome[1]:.2f}"
            main = Reading("unclear", facts=whole.facts, how=f"clause and message disagree on the outcome ({said})")
        elif (doubt := _doubts_a_success_heard(results, questions, parts, whole_outcome)) is not None:
            main = doubt
        elif replies:
            text, part = replies[0]
            main = replace(part, how=f"clause {text!r}: {part.how}")
        elif whole.act in _REPLIES and asked:
            # no clause replies, and the whole read as a reply by the words of its questions: what
            # its first question asks is read instead ("why that? ... could it be the links?")
            text, part = asked
            main = replace(part, facts=whole.facts, how=f"clause {text!r}: {part.how}")
        elif left is not None and whole.act == "answer" and not _names_the_asked(turn, turn.text, d.pending_question):
            # the whole read as the bare answer left to the user's own question: that question instead
            part = _text(own[0], d, symptom_ids, meaning)
            how = f"clause {own[0].text!r}: {part.how}; {left!r} left to it"
            main = replace(part, facts=whole.facts, how=how)
    tops = [(*c.intents[0], c.asks) for c in parts if c.intents and c.text not in replied]
    if len(parts) > 1 and any(name == "human_handoff" and conf >= CLAUSE_SURE for name, conf, _ in tops):
        # "no its everyone. i asked for a human": the reply is kept as a fact, and a person offered
        kept = {d.pending_question: main.value} if main.act == "answer" and main.value in ("yes", "no") else {}
        return Reading(
            "confirm", value="handoff", facts={**main.facts, **kept}, how=f"a clause asks for a person; {main.how}"
        )
    # a topic is asked by a clause that asks it, or states it surely; when none is, by the whole
    # message, when it asks and reads surely as that topic ("nothing, but yesterday I got an email
    # that someone logged in from ... what is that? was I hacked?"), unless the clause naming the
    # topic was taken as the fix's outcome
    asked = [
        name.removeprefix("faq_")
        for name, conf, asks in tops
        if name.startswith("faq_") and (conf >= STATED_QUESTION_SURE or conf >= FITS_SURE and asks >= ASKS_SURE)
    ]
    outcome_topics = {c.intents[0][0] for c in parts if c.intents and c.text in replied}
    # ... and first, what the whole message was read to ask (unless its clause was taken as the outcome)
    asked = [*(a for a in whole.asks if a != ASIDE and f"faq_{a}" not in outcome_topics), *asked]
    whole_conf = turn.intents[0][1] if turn.intents else 0.0
    whole_asks = top.startswith("faq_") and whole_conf >= INTENT_SURE and turn.asks >= ASKS_SURE
    # a topic a clause names without asking, answered before in this diagnosis, is not answered again
    # ("not that I have seen. There is only that email about the login"); asked, it is
    asking_ones = {n for n, _, a in tops if a >= ASKS_SURE}
    named = {n.removeprefix("faq_") for n, _, a in tops if a < ASKS_SURE and n not in asking_ones}
    if len(parts) > 1 and not asked and whole_asks and top not in outcome_topics:
        asked, named = [top.removeprefix("faq_")], set()
    again = named & set(d.answered)
    main.asks = [a for a in dict.fromkeys(asked) if not (main.act == "faq" and main.value == a) and a not in again]
    if cause is not None and main.act in _REPLIES and not main.about:
        main.about = dict(cause.about)  # "no lol. hold up is it cuz im 14??": the reply, and that asked beside
    # "listo, ya funciona! gracias. una pregunta, ...?": a question besides the success that no topic
    # fits still gets the honest one-liner (no step follows that would carry it)
    worked = main.act == "result" and main.value == "worked" and len(parts) > 1
    if worked and not main.asks and any(a >= ASKS_SURE and _asks_its_own(n) for n, _, a in tops):
        main.asks, main.how = [ASIDE], f"{main.how}; a clause asks what no topic fits"
    if main.act == "unclear" and len(parts) > 1:  # the problems to offer: read in each clause too
        said = dict(main.symptoms)
        for c in parts:
            for name, conf in c.intents:
                sid = name.removeprefix("symptom_")
                if name.startswith("symptom_") and sid in symptom_ids:
                    said[sid] = max(said.get(sid, 0.0), conf)
        main.options = _offer(said)
    return main


def _doubts_a_success_heard(
    results: list, questions: list, parts: tuple[Clause, ...], whole: tuple[str, float]
) -> Reading | None:
    """ "Why outage sir? Normal messages are going.": a clause that asks why this fix, beside clauses only
    the outcome reader hears as a success (no intent reads them so) while it hears no outcome at all in
    the whole message (`whole`, its best reading), questions the fix rather than reports it worked
    (rs-10): the why is answered and the fix still waits."""
    if not results or {part.value for _, part in results} != {"worked"}:
        return None
    if whole[0] != NONE_READ or whole[1] < WHOLE_NONE_SURE:
        return None
    why = next(((text, part) for text, part in questions if part.act == "why"), None)
    worked = {c.text: dict(c.intents).get("fix_worked", 0.0) for c in parts}
    if why is None or any(worked.get(text, 0.0) >= INTENT_SURE for text, _ in results):
        return None
    return replace(why[1], how=f"clause {why[0]!r} asks why beside a success no intent reads: {why[1].how}")


def _names_the_asked(turn: Turn, text: str, qid: str | None) -> bool:
    """The message says something about `qid` in its own words, unlike a bare "feels like it": the
    fact reader states or leans on it (read on the whole message), or a number in `text` answers it."""
    return qid is not None and (qid in turn.facts or qid in turn.leanings or numbers.implied(qid, text) is not None)


def _typed_choice(text: str, d: Diagnosis) -> tuple[str, str] | None:
    """(payload, how) of the shown button picked by typing its number, or its exact title
    (e.g. a WhatsApp button reply, which arrives as its title)."""
    n = choice_number(text)
    if n is not None and 0 < n <= len(d.choices):
        return d.choices[n - 1], f"typed choice {n}"
    typed = " ".join(text.casefold().split()).strip(" .!")
    if not typed or len(d.titles) != len(d.choices):
        return None
    found = [p for p, t in zip(d.choices, d.titles) if " ".join(t.casefold().split()).strip(" .!") == typed]
    return (found[0], "typed a button's title") if len(found) == 1 else None


# ----- button payloads ------------------------------------------------------


def _payload(turn: Turn, d: Diagnosis, symptom_ids) -> Reading:
    intent = turn.intents[0][0] if turn.intents else ""
    ent = turn.entities
    how = "button"
    if intent in ANSWERS:
        if d.pending_kind == "confirm" and "evidence" not in ent:  # an old question's button is an answer to it
            if intent == "deny":
                return Reading("resume", how=how)
            if intent == "affirm":
                return Reading("confirm", value=d.pending.get("action"), confirmed=True, how=how)
        if d.pending_kind == "clarify" and intent == "deny":
            return Reading("report", how=how + ": none of these")
        return Reading("answer", ANSWERS[intent], target=ent.get("evidence", d.pending_question), how=how)
    if intent in RESULTS:
        return Reading("result", RESULTS[intent], target=ent.get("fix", d.pending_fix), how=how)
    if intent.startswith("symptom_"):
        sid = intent.removeprefix("symptom_")
        if sid in symptom_ids:
            return Reading("report", symptom=sid, symptoms={sid: 1.0}, how=how)
    simple = {**STEP_ACTS, "human_handoff": "handoff", "start_over": "start_over"}
    if intent in simple:
        return Reading(simple[intent], target=d.pending_question, how=how)
    if intent.startswith("faq_"):
        return Reading("faq", intent.removeprefix("faq_"), how=how)
    if intent in CHAT:
        return Reading("chat", intent, how=how)
    if intent == "switch_language":
        language = ent.get("language")
        return Reading("language", language if isinstance(language, str) else None, how=how)
    return Reading("unclear", how=f"unknown payload {intent!r}")


# ----- typed text -----------------------------------------------------------


def _english(turn: Turn, d: Diagnosis) -> bool:
    """Whether the conversation is in English after this turn (language.heard, as the dialogue decides)."""
    spoken = tuple(lang for lang, _ in turn.languages) or (SOURCE_LANGUAGE,)
    heard = language.heard(
        turn.text, turn.languages, d.spoken, turn.hint, (*spoken, *([turn.hint] if turn.hint else []))
    )
    return (heard or d.spoken or SOURCE_LANGUAGE) == SOURCE_LANGUAGE


def masked(text: str) -> str:
    """`text` with every word an x: its shape (numbers, punctuation, length) without its words."""
    return re.sub(r"[^\W\d_]+", "x", text)


def _wordless(turn: Turn) -> bool:
    """Letters, but no word the learned readers know ("vbnm fgh"; the outcome reader then ranks it
    UNREAD, nlu/outcomes.py): what the intent classifier makes of it is noise, which the pending
    step must not weigh up into an answer."""
    return [(n, float(p)) for n, p in turn.outcome[:1]] == [UNREAD] and re.search(r"[^\W\d_]", turn.text) is not None


def _text(turn: Turn, d: Diagnosis, symptom_ids, meaning: Meaning | None) -> Reading:
    wordless = _wordless(turn)
    asking = turn.asks >= ASKS_SURE
    # a clause that tells rather than asks, beside a question ("o tiktok caiu? nenhuma msg vai"): read by
    # the question reader in every language, as the English wording cues read a stated problem
    tells = len(turn.clauses) > 1 and any(
        c.asks < ASKS_SURE and not (c.intents and c.intents[0][0] in CHAT) for c in turn.clauses
    )
    if not _english(turn, d):
        # The wording cues (cues.py) and the answer matcher are English. Another language is read
        # by the learned readers alone (intents, facts, outcomes), the cues seeing only the shape
        # of the message: its numbers, its length, a question mark.
        turn, meaning = replace(turn, text=masked(turn.text)), None
    alone = {name: float(conf) for name, conf in turn.intents if name != "nlu_fallback"}  # without context
    ranking = sorted(alone.items(), key=lambda kv: -kv[1]) if wordless else in_context(list(alone.items()), d, asking)
    top, conf = ranking[0] if ranking else ("", 0.0)
    symptoms = {
        name.removeprefix("symptom_"): c
        for name, c in ranking
        if name.startswith("symptom_") and name.removeprefix("symptom_") in symptom_ids
    }
    sure = top.removeprefix("symptom_") if top.startswith("symptom_") and conf >= SYMPTOM_SURE else None
    sure = sure if sure in symptom_ids else None
    facts = dict(turn.facts)
    text = turn.text
    base = dict(facts=facts)

    if asks_for_person(text):  # with whatever the message says about the problem, for the summary
        return Reading("handoff", symptom=sure, symptoms=symptoms, how="asked for a person", **base)
    if asks_to_start_over(text):
        return Reading("start_over", how="asked to start over", **base)
    if alone.get("switch_language", 0.0) >= INTENT_SURE:
        return Reading("language", how="NLU switch_language", **base)

    kind = d.pending_kind
    if kind == "confirm":
        cue = answer_cue(text)
        if cue == "yes" and not facts:  # "yes i am using a vpn" answers the question the confirmation interrupted
            return Reading("confirm", value=d.pending.get("action"), confirmed=True, how="confirmed", **base)
        if cue == "no" or never_mind(text):
            return Reading("resume", how="declined", **base)
    if d.active and mentions_starting_over(text):  # "i have a different problem now": ask before clearing anything
        return Reading(
            "confirm",
            value="start_over",
            symptom=sure,
            symptoms=symptoms if sure else {},
            how="mentions starting over",
            **base,
        )
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    # noise ("vbnm fgh") fits nothing by a lead alone
    fits = conf >= INTENT_SURE or (not wordless and conf >= FITS_SURE and conf - second >= FITS_MARGIN)
    if top.startswith("faq_") and fits and asking:
        # a question of their own, asked instead of replying: answered, and the pending step stays;
        # unless the outcome reader hears the fix's outcome surely in it ("works now, do i still need
        # the update?"): then that is the reply, and the question is answered beside it
        heard = _heard_beside_a_question(turn, d)
        if heard is not None:
            return replace(heard, facts=facts, asks=[top.removeprefix("faq_")])
        if d.active and kind == "question" and d.pending_question in facts:
            # it states the answer to the question that waits ("twitter is full of people saying dms are
            # down"): that is the reply, and its own question is answered beside it
            qid = d.pending_question
            how = f"stated the fact; NLU {top}, asked"
            return Reading("answer", facts[qid], target=qid, how=how, asks=[top.removeprefix("faq_")], **base)
        return _faq(text, top, symptoms, sure, facts, d, f"NLU {top}, asked", tells)
    worked_intent = alone.get("fix_worked", 0.0)
    corrects = d.failed and worked_intent >= RESULT_SURE
    outcome, p = _top_outcome(turn)
    # both learned readers hear it working ("¡Ya está! me siguieron ... y el mensaje se envió. Gracias");
    # the outcome reader alone also hears "everything else works fine", an answer
    works = worked_intent >= INTENT_SURE and outcome == "worked" and p >= RESULT_SURE
    # opening with yes or no, it answers unless the intents are sure ("no, and it worked fine last week")
    works = works and (answer_cue(text) not in ("yes", "no") or worked_intent >= RESULT_SURE)
    if (
        d.active
        and kind == "question"
        and (corrects or works)
        and d.pending_question not in facts
        and not states_problem(text)
    ):
        # "no, you misunderstood, it DID help": the last word on the last fix wins, and that fix is
        # credited; else the problem went away while a question waited (no fix credited)
        if corrects:
            return Reading("result", "worked", target=d.failed[-1], how="corrects the last fix's outcome", **base)
        return Reading("result", "worked", how="works now, while a question waits", **base)
    # the intent reader's best reading, though unsure; a why, if the message asks; or, asking, a likely
    # enough reading when no other act is read surely
    asks_cause = conf >= UNSURE_STEP_QUESTION and (top == "ask_cause" or top == "ask_why" and asking)
    unsure_other = conf < INTENT_SURE or top in STEP_WHYS
    asks_cause = asks_cause or asking and unsure_other and alone.get("ask_cause", 0.0) >= CAUSE_ASKED
    # what it asks about: the facts it states, else, read as that question, those it leans on
    about = {e: v for e, v in facts.items() if e != d.pending_question}
    about = about or (dict(turn.leanings) if top == "ask_cause" else {})
    # "is it bc im 14?", "so is it bc my acount is new??": whether what the question states or leans on is
    # the cause (its stated facts are noted as any are); one stating the answer to the question that waits
    # answers it, and an outcome read in it is the fix's ("went through on data! so was it my wifi?")
    cause = d.active and asks_cause and about and d.pending_question not in {**facts, **about}
    cause = Reading("why", "cause", how=f"NLU {top} {conf:.2f} about {about}", about=about, **base) if cause else None
    if cause and kind == "question":
        return cause
    if d.active and kind == "question":
        sure_alone = alone.get(top, 0.0) >= INTENT_SURE
        # doubt read surely, unless a clause of it answers yes or no ("que no, que falla con todos. y ...")
        answered = any(
            c.intents and c.intents[0][0] in ("affirm", "deny") and c.intents[0][1] >= CLAUSE_SURE for c in turn.clauses
        )
        in_doubt = top == "unsure" and sure_alone and not answered
        qid = d.pending_question
        found = _answer(
            text,
            top,
            fits,
            facts,
            qid,
            meaning,
            turn.leanings,
            asking,
            sure_alone,
            in_doubt,
            turn.certainty.get(qid, 0.0),
        )
        if found:
            return found
    if d.active and kind == "fix":
        result_sure = alone.get(top, 0.0) >= RESULT_SURE
        fid, fix_kind = d.pending_fix, d.pending.get("kind")
        found = _outcome(turn, fid, facts, fix_kind) or _result(
            text,
            top,
            conf if fits else 0.0,
            fid,
            facts,
            fix_kind,
            result_sure,
            asking,
            _a_clause_heard_failing(turn),
            {} if turn.outcome[:1] == (UNREAD,) else dict(turn.outcome),  # "🎉🎉": no word read
        )
        if found and found.act == "ack" and _leans_to_an_outcome(turn):
            found = None  # "aight, waited it out, dms sending again": an outcome too unsure to take is asked
        if found and not (cause and found.act == "ack"):  # "ok ill try. but is it bc im 14?": the question
            return found
    if cause:
        return cause
    relapse = d.status == "resolved" and d.resolved_by and outcome in ("failed", "partial") and p >= OUTCOME_SURE
    same = sure is None or sure in d.symptoms or any(sure in report for report in d.reports)
    # thanks, small talk or a request read surely is that ("gracias, antes no se enviaba nada")
    other_act = top in (*CHAT, *_SURE_ELSEWHERE) and conf >= INTENT_SURE
    if relapse and same and not asking and not other_act:
        # "ugh it stopped working again", "it sends but only on wifi", "dead again, red marks everywhere":
        # the fix that solved it did not last or helped only in part, and what was said before still
        # holds; another problem named surely is a new report
        return Reading("result", outcome, how=f"outcome reader {outcome} {p:.2f} after the resolution", **base)
    if kind == "clarify" and answer_cue(text) == "no" and not symptoms and not facts:
        return Reading("report", how="none of the offered readings", **base)
    return _general(text, top, conf, symptoms, sure, facts, d, asking, tells, fits)


# What the bot just asked makes some readings likelier: the NLU's ranking, read without context, is
# weighed by how much likelier each intent is as the reply to the pending step, then renormalised.
CONTEXT_ODDS = 3.0
REPLY_INTENTS = {
    "question": frozenset({"affirm", "deny", "unsure", "inform", "ask_how_to_check", "ask_why"}),
    "fix": frozenset({"fix_worked", "fix_failed", "fix_partial", "ask_other_fix", "ask_why"}),
}


QUESTIONS_ABOUT_A_STEP = frozenset({"ask_how_to_check", "ask_why"})
STEP_ACTS = {  # intents about the pending step, and the act each is read as
    "ask_why": "why",
    "ask_cause": "why",
    "ask_other_fix": "skip",
    "ask_how_to_check": "how_to_check",
    "acknowledge": "ack",
}
STEP_WHYS = ("ask_cause", "ask_why")  # a why that may ask whether what it states is the cause
UNLIKELY_BEFORE_A_DIAGNOSIS = frozenset(
    {"fix_failed", "fix_partial", "ask_other_fix", "ask_how_to_check", "ask_why", "ask_cause"}
)


def in_context(ranking: list[tuple[str, float]], d: Diagnosis, asking: bool = True) -> list[tuple[str, float]]:
    """`ranking` weighed by the pending step (see CONTEXT_ODDS), best first; before any diagnosis,
    replies to a fix or a question nobody asked are as much less likely. A message that asks nothing
    (`asking`, the question reader) is no likelier a question about the step ("why", "how to check")."""
    likely = REPLY_INTENTS.get(d.pending_kind or "") if d.active else None
    if likely and not asking:
        likely = likely - QUESTIONS_ABOUT_A_STEP
    unlikely = UNLIKELY_BEFORE_A_DIAGNOSIS if d.status == "idle" else frozenset()
    if not (likely or unlikely) or not ranking:
        return ranking
    odds = dict.fromkeys(likely or (), CONTEXT_ODDS) | dict.fromkeys(unlikely, 1 / CONTEXT_ODDS)
    weighed = [(name, conf * odds.get(name, 1.0)) for name, conf in ranking]
    total = sum(c for _, c in weighed) + max(0.0, 1.0 - sum(c for _, c in ranking))  # mass the ranking left out
    return sorted(((name, c / total) for name, c in weighed), key=lambda kv: -kv[1])


def _answer(
    text: str,
    top: str,
    fits: bool,
    facts: dict[str, str],
    qid: str,
    meaning: Meaning | None,
    leanings: dict[str, str] | None = None,
    asking: bool = False,
    sure_alone: bool = False,  # the NLU's top intent is sure without the pending step's weight
    in_doubt: bool = False,  # the NLU reads doubt surely and no clause answers yes or no
    certainty: float = 0.0,  # the fact reader's probability of the fact it read for `qid`
) -> Reading | None:
    base = dict(target=qid, facts=facts)
    if never_mind(text):
        return Reading("unclear", how="never mind", facts=facts)
    cue = answer_cue(text)
    # "I did maybe 60 or 70 this morning": a hedge word beside a count, in a fact the fact reader reads
    # surely and the NLU does not read surely as doubt, hedges the number, not the answer ("maybe there
    # was a link in it" stays doubt)
    hedges_a_fact = qid in facts and certainty >= FACT_OVER_DOUBT and not (top == "unsure" and sure_alone)
    hedges_a_fact = hedges_a_fact and numbers.counts(text)
    if cue == "unsure" and not hedges_a_fact or in_doubt and not cue:
        # "i follow him but idk if he follows me", "n sei se verifiquei, acho que só coloquei o email":
        # doubt, worded or surely read, outweighs a half-stated fact (never a yes or no in words)
        return Reading("answer", "unsure", how="says they don't know", **base)
    if asking and (cue == "how_to_check" or top == "ask_how_to_check" and fits and cue not in ("yes", "no")):
        # "como eu vejo se tô usando vpn ou proxy?": the item a how-to-check question names is no answer,
        # nor a fact to record (the question would be closed before it is explained)
        unsaid = {e: v for e, v in facts.items() if e != qid}
        return Reading("how_to_check", target=qid, how="asks how to check it", facts=unsaid)
    if qid in facts:
        return Reading("answer", facts[qid], how="stated the fact", **base)
    implied = numbers.implied(qid, text)
    if implied:
        return Reading("answer", implied, how="a number answers it", **base)
    if cue == "how_to_check":
        return Reading(cue, target=qid, how="asks how to check", facts=facts)
    if cue == "why":
        return Reading("why", "question", target=qid, how="asks why the question", facts=facts)
    if re.match(r"^\W*(why|how come)\b", text.lower()):
        return Reading("why", target=qid, how="asks why", facts=facts)
    if cue:
        return Reading("answer", cue, how=f"opens with {cue!r}", **base)
    if top in ANSWERS and fits:
        return Reading("answer", ANSWERS[top], how=f"NLU {top}", **base)
    if top == "ask_how_to_check" and fits and (asking or sure_alone):  # a question, unless the NLU is sure alone
        return Reading("how_to_check", target=qid, how=f"NLU {top}", facts=facts)
    statement = top in STATEMENTS or top.startswith("symptom_") or not fits  # not confidently another act
    if qid in (leanings or {}) and statement and result_cue(text) is None and not asking:
        # the fact reader leans on the item asked about: a reply is most likely about it
        return Reading("answer", leanings[qid], how="leans on the fact asked", **base)
    if meaning is not None and statement and result_cue(text) is None and not asking:
        value, similarity = meaning(qid, text)
        if value:
            return Reading("answer", value, how=f"close to the wording of a {value} ({similarity:.2f})", **base)
    return None


def _heard_beside_a_question(turn: Turn, d: Diagnosis) -> Reading | None:
    """The outcome of the fix waiting, when the outcome reader alone hears it surely in words that also
    ask (a success at SUCCESS_SURE): the question's words ("do i still need...") are no outcome cue.
    Not for an explanation, whose outcome is read by its own rules."""
    name, p = _top_outcome(turn)
    if d.pending_kind != "fix" or d.pending.get("kind") == "info" or not _leans_to_an_outcome(turn):
        return None
    if p < (SUCCESS_SURE if name == "worked" else OUTCOME_SURE):
        return None
    return Reading(*OUTCOMES[name], target=d.pending_fix, how=f"outcome reader: {name} {p:.2f}, beside a question")


def _top_outcome(turn: Turn) -> tuple[str, float]:
    """The outcome reader's likeliest reading of the reply and its probability."""
    return turn.outcome[0] if turn.outcome else ("", 0.0)


def _leans_to_an_outcome(turn: Turn) -> bool:
    """The outcome reader hears that the fix worked, failed or helped in part, if not surely."""
    name, p = _top_outcome(turn)
    return OUTCOMES.get(name, ("",))[0] == "result" and p >= OUTCOME_SURE


def _outcome(turn: Turn, fid: str, facts: dict[str, str], fix_kind: str | None) -> Reading | None:
    """The outcome reader's reading of a reply while `fid` waits, when it is sure enough. Left to
    the rest: an unsure success, or one that also words a failure (ending a diagnosis wrongly costs
    the most); an unsure failure worded as a success; "trying it" in words of an outcome (the fix
    would wait on a reply already given) unless the reader is sure of it (RESULT_SURE); any reply to
    an explanation ("oh no", "ok" take it in)."""
    name, p = _top_outcome(turn)
    if name not in OUTCOMES or p < OUTCOME_SURE:
        return None
    if fix_kind == "info":  # an explanation taken in ends the diagnosis (explained); the rest: its own rules
        if name != "accepted" or asks_for_other_fix(turn.text) or states_problem(turn.text) or doubts(turn.text):
            return None
        return Reading("result", "worked", target=fid, facts=facts, how=f"outcome reader: {name} {p:.2f}")
    cue = result_cue(turn.text)
    said = _clause_results(turn)
    if name == "worked" and p < RESULT_SURE and (states_problem(turn.text) or cue == "failed" or said - {"worked"}):
        return None  # "didnt work. normal texts send fine": one clause plainly says it did not
    if name == "failed" and p < RESULT_SURE and "worked" in said:
        return None
    if name == "worked" and p < SUCCESS_SURE and cue != "worked":  # "lol", "ty": not enough to end on
        return None
    if name == "failed" and p < RESULT_SURE and cue == "worked":  # "no more errors"
        return None
    if name == "trying" and cue and p < RESULT_SURE:  # "she got it": words of an outcome are not left waiting,
        return None  # unless the reader is sure ("can't know if it worked until friday")
    if name == "accepted" and cue:  # "ah that explains it, works now": the outcome's words say more
        return None
    top_intent, top_conf = turn.intents[0] if turn.intents else ("", 0.0)
    step_question = top_intent in QUESTIONS_ABOUT_A_STEP and top_conf >= INTENT_SURE and turn.asks >= ASKS_SURE
    if name in ("cant_try", "trying") and p < RESULT_SURE and step_question:
        return None  # "onde fica essa opção de liberar espaço?": a sure question about the step, not a refusal
    act, value = OUTCOMES[name]
    return Reading(act, value, target=fid, facts=facts, how=f"outcome reader: {name} {p:.2f}")


def _hears(outcome: tuple[tuple[str, float], ...], name: str) -> bool:
    """The outcome reader's best reading is `name` (or it read no word, UNREAD: it has no say)."""
    return not outcome or outcome[0][0] == name or tuple(outcome[0]) == UNREAD


def _heard_failing(outcome: tuple[tuple[str, float], ...], sure: float = RESULT_SURE) -> bool:
    """The outcome reader hears that the fix failed, this surely."""
    return bool(outcome) and outcome[0][0] == "failed" and outcome[0][1] >= sure


def _a_clause_heard_failing(turn: Turn) -> bool:
    """The outcome reader hears surely in one clause of the message that the fix failed."""
    return any(_heard_failing(c.outcome) for c in turn.clauses)


def _clause_results(turn: Turn) -> set[str]:
    """The outcomes the clauses of a message of several state plainly (fix_failed this sure...), and
    a failure the outcome reader hears surely in one."""
    tops = [c.intents[0] for c in turn.clauses if c.intents]
    said = {RESULTS[name] for name, conf in tops if name in RESULTS and conf >= RESULT_SURE}
    return said | ({"failed"} if _a_clause_heard_failing(turn) else set())


def _result(
    text: str,
    top: str,
    conf: float,
    fid: str,
    facts: dict[str, str],
    fix_kind: str | None,
    sure: bool = False,
    asking: bool = False,
    failed_in_part: bool = False,
    heard: dict[str, float] | None = None,
) -> Reading | None:
    """A reply while a fix waits; `conf` is the top intent's confidence when it fits (else 0);
    `sure`: the NLU read `top` at RESULT_SURE or more; `asking`: the reply asks something;
    `failed_in_part`: a clause of it surely says the fix failed; `heard`: the outcome reader's
    probabilities for the reply (none for a clause)."""
    heard = heard or {}
    base = dict(target=fid, facts=facts)
    fits = conf > 0
    if asks_for_other_fix(text):
        return Reading("skip", how="can't or won't try it", **base)
    if fix_kind == "info" and settles(text):
        return Reading("result", "worked", how="the explanation fits", **base)
    if top in RESULTS and sure:
        # the learned reading, when sure, over the cues ("sent with no error this time", "better, still slow")
        return Reading("result", RESULTS[top], how=f"NLU {top} {conf:.2f}", **base)
    if failed_in_part:
        # words of success ("she can send to everyone else. I waited and it is no different") are asked about
        found = _result(text, top, conf, fid, facts, fix_kind, sure, asking, heard=heard)
        if found and found.act == "result" and found.value == "worked":
            return Reading("unclear", how=f"{found.how}, but a clause surely says it failed", **base)
        return found
    cue = result_cue(text)
    if cue and heard.get(cue, 1.0) < CUE_FLOOR:
        # "cant know if it worked until friday": the wording reads an outcome the reader all but rules
        # out; the rest of the message is read instead (an unclear reply is asked about)
        return None
    if cue:
        return Reading("result", cue, how=f"reads as {cue!r}", **base)
    lead = answer_cue(text)
    if lead in ("how_to_check", "why") and not (fix_kind == "info" and accepts(text)):
        return Reading(lead, how=f"asks {lead.replace('_', ' ')}", **base)
    if asking:
        if top == "fix_worked" and fits and not states_problem(text):  # "sent! do i keep the vpn off now?"
            return Reading("result", "worked", how=f"NLU {top}, with a question", **base)
        return None  # a question about something else: a digression, read below
    if top == "fix_worked" and fits and not states_problem(text):
        return Reading("result", "worked", how=f"NLU {top}", **base)
    if top == "fix_failed" and fits:
        return Reading("result", "failed", how=f"NLU {top}", **base)
    if fix_kind == "info" and (
        accepts(text) or top in ("thanks", "acknowledge", "affirm") and fits and not doubts(text)
    ):
        return Reading("result", "worked", how="accepted the explanation", **base)
    if acknowledges(text):
        return Reading("ack", how="acknowledged", **base)
    return None


def _general(
    text: str,
    top: str,
    conf: float,
    symptoms: dict[str, float],
    sure: str | None,
    facts: dict[str, str],
    d: Diagnosis,
    asking: bool = False,
    tells: bool = False,
    leads: bool = False,
) -> Reading:
    """`leads`: `top` is read confidently, or fairly so and well ahead of the next reading."""
    base = dict(facts=facts)
    how = f"NLU {top} {conf:.2f}"
    report = Reading("report", symptoms=symptoms, symptom=sure, how=how, **base)
    fix = dict(target=d.pending_fix)  # an outcome read here is about the fix waiting, if one is
    confident = conf >= INTENT_SURE
    if top.startswith("symptom_") and (confident or facts):
        return report
    if top.startswith("faq_") and (confident or asking and conf >= FITS_SURE):
        return _faq(text, top, symptoms, sure, facts, d, how, tells)
    if top in CHAT and (confident or leads and not d.pending):  # small talk with nothing waiting costs nothing
        # after a resolution, thanks that name a fact ("i will ask the school office. thank you, bye!") are thanks
        stated = facts and d.status != "resolved"
        if stated or (states_problem(text) and sum(symptoms.values()) >= 0.2):
            return report  # "hi, my dms keep failing": a report, not small talk
        return Reading("chat", top, how=how, **base)
    simple = STEP_ACTS
    if top == "ask_cause" and not d.active and (facts or symptoms):
        return report  # "cant dm anyone, is it bc im 14?" before any diagnosis: what it tells starts one
    if top in simple and confident:
        return Reading(simple[top], target=d.pending_question, how=how, **base)
    if (
        top == "human_handoff"
        and confident
        or d.status != "idle"
        and (top == "start_over" and confident or mentions_starting_over(text))
    ):
        action = "handoff" if top == "human_handoff" and confident else "start_over"
        return Reading(
            "confirm",
            value=action,
            symptom=sure,
            symptoms=symptoms if sure else {},
            how=how + " without a clear request",
            **base,
        )
    if (
        top == "fix_worked"
        and confident
        and not states_problem(text)
        and (not d.pending_question or result_cue(text) == "worked")
    ):  # a question waits: only a clear report ends it
        return Reading("result", "worked", how=how, **fix, **base)
    unclear_success = top == "fix_worked" and d.pending_question and not states_problem(text)
    if top in RESULTS and confident and not unclear_success:
        if d.status == "resolved" and top != "fix_worked":
            return Reading("result", "failed", how=how, **base)
        return report if (symptoms or facts) else Reading("result", RESULTS[top], how=how, **fix, **base)
    told = top.startswith("symptom_") or sum(symptoms.values()) >= REPORT_FLOOR or states_problem(text)
    if d.status == "resolved" and asking and not told:
        # "so the school wifi blocks it and i just use data there?": about what was found, not a new problem
        return Reading("aside", how=how + "; a question after the resolution", **base)
    if top == "inform" and confident and facts:
        return report
    if facts:
        return report
    reported = top.startswith("symptom_") or states_problem(text) and symptoms
    # with nothing pending, a vague report still starts a diagnosis; before any, a stated problem does
    floor = 0.0 if d.status == "idle" and states_problem(text) else REPORT_FLOOR
    if reported and not d.pending and sum(symptoms.values()) >= floor and not (asking and d.active):
        return report
    if asking and d.pending and top in ("ask_why", "ask_cause", "ask_how_to_check") and conf >= UNSURE_STEP_QUESTION:
        # the likeliest question about the pending step, though unsure: explaining it costs nothing
        return Reading(simple[top], target=d.pending_question, how=how + ", asked", **base)
    if asking and d.active:
        return Reading("aside", how=how + "; a question I can't answer", **base)
    return _unclear(symptoms, how, facts)


def _faq(
    text: str,
    top: str,
    symptoms: dict[str, float],
    sure: str | None,
    facts: dict[str, str],
    d: Diagnosis,
    how: str,
    tells: bool = False,
) -> Reading:
    """A question from the FAQ; before any diagnosis, with a problem stated beside it ("is tiktok
    down?? chats aren't working"; `tells`: a clause of a first message tells rather than asks), it is
    answered and the problem diagnosed too. After a resolution only a problem told starts one: a fact
    the question takes for granted ("must I keep the vpn off now?") is no new problem."""
    topic = top.removeprefix("faq_")
    told = states_problem(text) or facts and d.status != "resolved"
    if not d.active and told or d.status == "idle" and tells:
        return Reading(
            "report", symptoms=symptoms, symptom=sure, asks=[topic], how=f"{how}, with a report", facts=facts
        )
    return Reading("faq", topic, how=how, facts=facts)


def _unclear(symptoms: dict[str, float], how: str, facts: dict[str, str]) -> Reading:
    return Reading("unclear", symptoms=symptoms, options=_offer(symptoms), how=how + "; unclear", facts=facts)


def _offer(symptoms: dict[str, float]) -> list[str]:
    """The problems to offer when unsure what the user meant: the likeliest, when one is a candidate,
    with the runners-up beside it (unsure means the user's may well be second or third); none
    when none is (the common problems are offered instead)."""
    ranked = sorted(symptoms.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < CANDIDATE:
        return []
    return [s for s, q in ranked if q >= RUNNER_UP][:OFFERED]
