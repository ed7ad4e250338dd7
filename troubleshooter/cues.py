"""Lexical cues in what people type: the answer word a reply opens with, how
a fix went, explicit requests (a person, starting over) and typed choice
numbers. They complement the NLU's intent ranking; `reading` combines both
with what the bot just asked.
"""

from __future__ import annotations

import re

# Spelling people use -> the form the patterns (and the evidence phrases) use.
_SPELLING = {
    "thru": "through",
    "u": "you",
    "ur": "your",
    "r": "are",
    "im": "i'm",
    "ive": "i've",
    "id": "i'd",
    "dont": "don't",
    "cant": "can't",
    "wont": "won't",
    "doesnt": "doesn't",
    "dosnt": "doesn't",
    "dosent": "doesn't",
    "doesent": "doesn't",
    "didnt": "didn't",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "arent": "aren't",
    "havent": "haven't",
    "hasnt": "hasn't",
    "couldnt": "couldn't",
    "wouldnt": "wouldn't",
    "shouldnt": "shouldn't",
    "aint": "ain't",
    "msg": "message",
    "msgs": "messages",
    "mesage": "message",
    "mesages": "messages",
    "massage": "message",
    "massages": "messages",
    "messege": "message",
    "messeges": "messages",
    "pls": "please",
    "plz": "please",
    "plss": "please",
    "rn": "right now",
    "wi-fi": "wifi",
    "thx": "thanks",
    "ty": "thanks",
    "tysm": "thanks",
    "recieve": "receive",
    "recieved": "received",
    "becuase": "because",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "abt": "about",
    "sumthing": "something",
    "smth": "something",
    "nthg": "nothing",
    "nothin": "nothing",
    "workin": "working",
    "sendin": "sending",
    "goin": "going",
    "tryin": "trying",
    "somone": "someone",
    "sombody": "somebody",
    "ppl": "people",
    "every1": "everyone",
    "any1": "anyone",
    "some1": "someone",
    "no1": "no one",
    "noone": "no one",
    "nobdy": "nobody",
}


def normalize(text: str) -> str:
    """Lower case, straight quotes, common spellings mapped, letters repeated
    three times or more cut to one ("yesss", "nooo"), spaces collapsed."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("wi fi", "wifi")
    text = re.sub(r"([a-z])\1{2,}", r"\1", text)
    text = re.sub(r"\b(\w+)([.,!?]+)", r"\1 \2", text)
    return " ".join(_SPELLING.get(w, w) for w in text.split())


def _first_clause(text: str) -> str:
    """The words up to the first clause break ("no, its everyone" -> "no")."""
    return re.split(r"[,.;:!?\n]| but | - | – |\(", " " + text + " ")[0].strip() if text else ""


def _any(patterns: str) -> re.Pattern:
    return re.compile(r"(?:^|\b|(?<=\s))(?:" + patterns + r")(?:\b|$|(?=\s))")


_HOW_TO_CHECK = _any(
    r"(where|how) (would|do|can|should|could|will|am) (i|you|we) (even )?(see|check|find|know|tell|look|be able"
    r"|do (it|that|this))"
    r"|what (do you|does that|does it|do ya|you) mean|what does .{1,30} mean|what('s| is| are) (a |an |the |my )?"
    r"(dns|vpn|proxy|family pairing|firewall|os|operating system|account status|community guidelines)\b"
    r"|how (do|can|would|will) i (check|know|find out|tell|see)|how to (check|find|see|know)|how would i know that"
    r"|where('s| is) that( setting)?|which (setting|button|one|option|menu)|^define\b|what counts as"
)
# "why are you asking" (about the question), not "why do you think that" (about the diagnosis)
_WHY = _any(
    r"why (are|r) (you|u) ask\w*|why (do|would) (you|u) (need|want) to know|why (does|would|should) (that|it|this|my|the) "
    r"\w*\s?(matter|count)|what does .{1,40} have to do with|what('s| has) that got to do|(does|do|would) (that|it|this) "
    r"(even )?matter|why that question|why (do|does) (you|u) (care|ask)|how (is|would|does|will) (that|this|it|restarting|"
    r"updating|clearing) (help|fix|change|matter)|why (would|will|does) (that|this|it|restarting|updating|clearing) help"
)
_UNSURE = _any(
    r"idk|i don't know|i do not know|dunno|not sure|unsure|no idea|no clue|not a clue|maybe|perhaps|possibly"
    r"|might be|can't tell|cannot tell|can't remember|don't remember|can't recall|i forgot|forgot|who knows|hard to say"
    r"|not certain|no idea tbh|not 100%|i guess so|kinda|sort of|🤷\S*|can't say|cannot say|couldn't say|hard to tell"
    r"|haven't (checked|tried|looked|noticed)|didn't (check|look)|never checked|no way to know|don't know|dont know"
    r"|(do|did) not (know|remember|check|look)|have not (checked|tried|looked|noticed)|not (too|so|very|really|that) sure"
    r"|am not sure|not able to (check|tell|see|say)|unable to (check|tell|say)"
)
_NO = _any(
    r"no+|nah+|nope|nop|naw|nay|n|not really|not at all|never|negative|no way|nuh uh|i don't think so|not that i know"
    r"|none|i don't|i haven't|i didn't|i'm not|it's not|i have never|i've never|it isn't|it doesn't|they don't|we don't|he doesn't|she doesn't"
    r"|they aren't|there isn't|there's no|not me|no sir|no ma'?am|👎\S*|❌|🙅\S*|✖️|naur|nup|nay|i'm afraid not"
    r"|afraid not|not (many|much|a lot|really|at all|that i know)|hardly|barely|nothing like that|not that i've noticed"
    r"|not that i noticed|nee|nein|nahi|hindi po|hindi"
)
_YES = _any(
    r"yes+|yeah+|yea+|yeh|ya+|yah|yep+|yup+|y|ye|yas+|sure|correct|right|true|definitely|def|absolutely|of course"
    r"|ofc|indeed|affirmative|totally|exactly|i think so|i believe so|yes please|for sure|100 ?%|110 ?%|💯|👍\S*|✅"
    r"|✔️|ok yes|okay yes|that's right|that is right|it is|i do|i am|i did|i have|they do|we do|it does|he does"
    r"|she does|there is|yes o|yeah yeah|ja|haan|opo|oo|oui|si|sí|yebo"
)
# "i am not", "there is no vpn here": a no when little follows (not "it is not working")
_SPELLED_NO = re.compile(
    r"^((i|it|he|she|they|we|that) (am|is|are|do|does|did|have|has|was|were) (not|never)"
    r"( really| actually| sorry| mate| bro| tbh| lol| at all)?"
    r"|there (is|are|was|were) (no|none|not)\b.*|(i|we|they) (have|had) (none|no)\b.*)\W*$"
)
_SHORT_ONLY = re.compile(
    r"^(it is|i do|i am|i did|i have|they do|we do|it does|he does|she does|there is|right|true|"
    r"sure|y|n|none|never)\W*$"
)


_PLAIN = re.compile(r"(yes+|yeah+|yep|yup|no+|nope|nah+)\b")
_NEVER_MIND = re.compile(r"^(oh )?(never ?mind|nvm|forget (it|that))\b")


def never_mind(text: str) -> bool:
    """ "never mind": withdraws what was asked for, answers nothing."""
    return bool(_NEVER_MIND.match(normalize(text)))


def answer_cue(text: str) -> str | None:
    """yes / no / unsure / how_to_check / why from a reply to a yes-no question."""
    t = normalize(text)
    if not t or never_mind(t):
        return None
    if _HOW_TO_CHECK.search(t):
        return "how_to_check"
    if _WHY.search(t) and not _opens_with_answer(_first_clause(t) or t):
        return "why"
    words = t.split()
    head = _first_clause(t) or t
    found = _opens_with_answer(head)
    clauses = [c.strip() for c in re.split(r"[,.;:!?\n]| but ", t) if c.strip()]
    hedged = (
        _UNSURE.search(head)
        or len(clauses) > 1
        and _UNSURE.search(clauses[1])
        and not re.search(r"know (why|how|what|where|when)\b", clauses[1])
    )
    if found and not hedged:
        return found  # "no. i don't know why it happens": the answer comes first
    if hedged or _UNSURE.search(" ".join(words[:6]) if len(words) > 15 else t):
        return "unsure"  # "i follow him but idk if he follows me", "no, not sure", "yeah maybe"
    if found:
        return found
    # a later clause answers when it is short or opens with a plain yes or no ("thanks for asking but no,
    # nothing like that", "ok i looked. yes there is one"), not "it seems slow at times, but i don't use it"
    later = {
        _opens_with_answer(c.strip())
        for c in re.split(r"[,.;:!?\n]| but ", t)[1:]
        if 0 < len(c.split()) <= 4 or _PLAIN.match(c.strip())
    } - {None}
    if len(later) == 1:
        return later.pop()
    tail = re.search(r"\b(yeah|yep|yup|yes|nope|nah)\W*$", t)
    if tail and len(words) <= 12:
        return "yes" if tail.group(1) in ("yeah", "yep", "yup", "yes") else "no"
    if re.fullmatch(r"(👍|✅|💯|👌|🙋)+\W*", t):
        return "yes"
    if re.fullmatch(r"(👎|❌|🙅\S*)+\W*", t):
        return "no"
    return None


def _opens_with_answer(clause: str) -> str | None:
    if _SPELLED_NO.match(clause):
        return "no"
    for value, pattern in (("no", _NO), ("yes", _YES)):
        m = pattern.match(clause)
        if m and (m.end() == len(clause) or not clause[m.end()].isalnum()):
            if value == "yes" and re.match(r"\s*(not|never|no|none|nothing|nobody|no one)\b", clause[m.end() :]):
                continue  # "i am not", "there is no ..."
            if _SHORT_ONLY.match(m.group(0)) and len(clause.split()) > len(m.group(0).split()) + 1:
                continue  # "i am on the school wifi": a statement, not an answer word
            return value
    return None


_NEGATION = re.compile(
    r"\b(not|n't|no|never|nothing|nobody|no one|none|neither|nor|without|still not|unable|cannot|"
    r"can't|won't|doesn't|don't|didn't|isn't|aren't|wasn't|ain't|hardly|barely)\b|n't\b"
)
_SUCCESS = re.compile(
    r"\b(works|working|worked|work now|sent|sends|send now|sending now|it's sending|its sending|is sending|"
    r"went through|goes through|going through|gone through|got through|get through|delivered|fixed|sorted|solved|"
    r"resolved|did the trick|that did it|that was it|success|successful|can send|able to send|it's back|back to normal|"
    r"all good|good now|fine now|ok now|okay now|perfect now|normal now|gone now|came through|arrived|"
    r"can (dm|message|text|chat|reach)|(dms|messages|texts|chats|it|they) (are |is |'re |'s )?back|lifted|found it|"
    r"going now|goes now|work again|working again|(now|finally) (i|we|she|he|they) can|got (it|them|my message)|"
    r"don send|don go|e don work|gumana|gumagana na|nag\S*send\S* na|ho gaya|chal gaya|hogaya)\b"
)
_FAILURE = re.compile(
    r"\b(still|same (thing|problem|issue|error|result)|(it's|its|it is|all|exactly|just|stays|remains) the same|^the same|"
    r"nothing changed|no change|nothing happened|no dice|"
    r"no luck|no difference|no joy|not fixed|not working|didn't (work|help|change|fix|do)|doesn't work|won't work|"
    r"already (tried|did|done)|did that already|tried that|tried it already|done that|did nothing|useless|and nothing|"
    r"still nothing|nothing$|"
    r"not sending|won't send|can't send|doesn't send|not going|not going through|fails|failed|failing|error|"
    r"stuck|spinning|loading|nothing there|already (on|set|like that)|was already|same as before|no good)\b"
)
_PARTLY = re.compile(
    r"\b((but not|except) (to|with|for|him|her|them|this|that|my|the|one|videos?|photos?|links?)|"
    r"then (it )?stopped|stopped again|not always|not every ?time|only (once|sometimes)|on and off|"
    r"comes and goes)\b"
)
_CLEARED = re.compile(
    r"\b(no more (errors?|red|fail\w*|problems?|issues?)|(the )?(errors?|problems?|issues?|red (mark|thing)|"
    r"exclamation( mark)?)s? (is |are |has |have )?(gone|went away|disappeared|cleared)|"
    r"(not|no longer|stopped) fail\w*( anymore| any more)?)\b"
)
_TAKEN_IN = re.compile(r"^((ok+|okay|alright|aight)\W*)?got it\b\W*")
_STRONG = re.compile(
    r"^(yes+|yeah+|yea|yep|yup|ya+|yh|ye|yas+|y|no+|nope|nah+|naur|nup|n|not really|negative|"
    r"definitely|absolutely|correct|👍|✅|👎|❌)(\W|$)"
)
_CELEBRATION = re.compile(r"^[\s!.🙌🎉🥳😭🙏💃🕺✨❤️😍😁😀😃😄🤩👏🔥]+$")


def _negated(t: str, start: int) -> bool:
    window = t[max(0, start - 28) : start]
    return bool(_NEGATION.search(window))


def result_cue(text: str) -> str | None:
    """worked / failed from a reply to "Did that fix it?" (None: can't tell)."""
    t = _TAKEN_IN.sub(" ", normalize(text)).strip()  # "got it. ..." takes the fix in: no outcome
    if not t:
        return None
    cleared = bool(_CLEARED.search(t))  # "the error is gone now"
    t = _CLEARED.sub(" ", t)
    failed = bool(_FAILURE.search(t) or _PARTLY.search(t))
    worked = cleared
    for m in _SUCCESS.finditer(t):
        if _negated(t, m.start()):
            failed = True
        else:
            worked = True
    if worked and failed:
        # "sent a text first, video still wont go": the failure is what happened
        return "failed" if states_problem(t) or re.search(r"\bstill\b", t) or _PARTLY.search(t) else None
    if failed:
        return "failed"
    if worked:
        return "worked"
    lead = answer_cue(t)
    if lead in ("yes", "no") and _STRONG.match(t):  # "yes" / "nope", not "i don't want to lose my drafts"
        return "worked" if lead == "yes" else "failed"
    if _CELEBRATION.match(text.strip()) and any(ch in text for ch in "🙌🎉🥳💃🕺👏"):
        return "worked"
    return None


_ACK = re.compile(
    r"^(ok+|okay|okey|k+|alright|aight|sure|fine|will do|on it|got it|gotcha|noted|roger|wait|hold on|hang on|one sec|"
    r"1 sec|a sec|one moment|one min|give me a (sec|second|minute|min|moment)|gimme a (sec|min)|brb|let me (try|check|do)|"
    r"i'll try|trying|doing it|restarting|updating|clearing|reinstalling|checking)\b"
)


_ACCEPT = re.compile(
    r"\b(ok+|okay|thanks|thank you|thx|ty|cheers|i see|got it|makes sense|that's why|thats why|"
    r"understood|fair enough|alright|oh+|ah+|i get it|i understand|no worries)\b"
)


_DOUBT = re.compile(r"\b(no|not|nope|nah|but|why|how|what|really)\b|n't\b|\?")
_SETTLED = re.compile(
    r"\b((so )?(that's|that is|thats) why|didn't know( that)?|did not know( that)?|no (worries|problem|probs)|"
    r"not a problem)\b"
)


def settles(text: str) -> bool:
    """ "ah so that's why", "didn't know that": an explanation taken on board."""
    return bool(
        re.search(r"\b(that's|that is|thats) why|didn't know|did not know|makes sense|i see\b", normalize(text))
    )


def doubts(text: str) -> bool:
    """A no, a but or a question in it ("oh no", "ok but why?")."""
    return bool(_DOUBT.search(_SETTLED.sub("", normalize(text))))


def accepts(text: str) -> bool:
    """Takes an explanation on board ("ohh ok so thats why. ok thx"), without a doubt."""
    t = normalize(text)
    return bool(_ACCEPT.search(t)) and not doubts(t) and not asks_for_other_fix(t)


def acknowledges(text: str) -> bool:
    """A neutral "ok, trying now" that says nothing about the result yet."""
    t = normalize(text)
    if re.search(r"\b(no|nope|nah|not|never|yes|yeah|yep|ya|idk)\b", t):
        return False
    return bool(_ACK.match(t)) and result_cue(t) is None


_PROBLEM = re.compile(
    r"(\b(can't|cannot|won't|doesn't|don't|isn't|not|unable to|never|couldn't|wouldn't|stopped)\b|n't\b)"
    r"(\s+\S+){0,3}?\s+(send|sending|sent|message|messages|messaging|dm|dms|text|texts|texting|chat|deliver|"
    r"delivered|go through|going through|work|working|load|loading|reply|receive|get)\b"
    r"|\b(fails?|failed|failing|stuck|error|red (mark|exclamation)|spinning|keeps loading|won't go)\b"
)


def states_problem(text: str) -> bool:
    """The text describes messages not working ("now it wont send")."""
    return bool(_PROBLEM.search(normalize(text)))


_PERSON = (
    r"(a |an |the |some |your |one of your )?((real|actual|live|human) (person|people|one|human|agent)|humans?|"
    r"a person|agents?|staff|representative|rep|operator|customer (service|care|support)( agent)?|manager|"
    r"support (team|person|staff|agent)|(someone|somebody) (real|from support|from tiktok|at tiktok)|"
    r"tiktok (staff|support( team)?))\b"
)
_TALK = r"(talk|speak|chat) (to|with)"
_HANDOFF = re.compile(
    r"\b("
    + _TALK
    + r"|connect me( to| with)?|transfer me( to)?|put me (through|in touch)( to| with)?|pass me( on)?( to)?|"
    r"hand me (over|off)( to)?|get me|give me|escalate (this|it|me)( to)?|"
    r"(i|we) (want|need|would like|'d like|wanna)( to " + _TALK + r")?|i'd like( to " + _TALK + r")?|"
    r"(can|could|may) i (have|get|" + _TALK + r")|let me " + _TALK + r"|is there)"
    r" (?!(?:the |a |an )?(support )?(link|page|site|website|email|number)\b)"
    + _PERSON
    + r"|\b"
    + _TALK
    + r" (the )?(support|tiktok support|customer support)\b"
    + r"|^(please |pls )?(human|agent|real person|actual person|live agent|operator|representative|customer service|"
    r"a human|a person|a real person|person)( please| pls| now| asap)?\W*$"
)
# a refusal governs the request directly: "i don't need a human", "no need to talk to an agent"
_REFUSED_PERSON = re.compile(
    r"(\b(don't|do not|dont|didn't|never)( really)? (want|need|wanna)( to)?|\bno need( to)?) ?$"
)


_OTHER_FIX = re.compile(
    r"\b((anything|something|what) else|another (way|fix|option|idea|one|thing|solution)|other (way|ways|fix|fixes|option|"
    r"options|ideas?|solution|suggestions?)|any other|skip (it|this|that)|next one|different (fix|option|way))\b"
    r"|\b(can't|cannot|won't|don't want to|not going to|not gonna|rather not|not doing|i'm not doing|unable to|"
    r"no way i|can't be bothered to) (do|turn|switch|update|wait|reinstall|delete|remove|restart|change|use|afford)"
    r"|\bdon't have (mobile data|data|wifi|another network|a computer|time|a laptop|access|the password)\b"
    r"|\b(rather not|not an option|not possible for me|no access to|not allowed to|can't right now|not right now|"
    r"is there (anything|something|any other)|what (other|more) can i)\b"
)


def asks_for_other_fix(text: str) -> bool:
    """The user can't or won't try this fix ("i dont have mobile data, anything else?")."""
    return bool(_OTHER_FIX.search(normalize(text)))


def asks_for_person(text: str) -> bool:
    """An explicit request for a person ("can i talk to a real person please"),
    not a mention ("i want to message a person") or a refusal ("i don't need a human")."""
    t = normalize(text)
    return any(not _REFUSED_PERSON.search(re.split(r"[.,;:!?]", t[: m.start()])[-1]) for m in _HANDOFF.finditer(t))


_RESTART = (
    r"start (over|again|afresh|fresh|from (scratch|the beginning|the start|zero))|begin again|"
    r"(restart|reset|clear) (the |this |my )?(chat|conversation|bot|troubleshoot\w*|diagnos\w*|whole thing|everything)"
)
_RESET = _RESTART + r"|new (chat|conversation)"  # "new chat" only as the whole request: "a new chat with her" is news
_START_OVER = re.compile(
    r"^(ok |okay |so |pls |please |can we |could we |let's |lets |i want to |i'd like to |just )*("
    + _RESET
    + r")( please| pls| now)?\W*$"
)
_MAYBE_START_OVER = re.compile(
    r"\b(" + _RESTART + r"|(?<!not a )(?<!not )(?<!n't a )(new|different|another|separate) "
    r"(problem|issue)|something else is wrong)\b|^(just )?(restart|reset)( now| please| pls)?\W*$"
)


def asks_to_start_over(text: str) -> bool:
    """A request to start over and nothing else ("can we start over pls")."""
    return bool(_START_OVER.match(normalize(text)))


def mentions_starting_over(text: str) -> bool:
    """Words that may mean starting over ("it's a different problem", "reinstalled from scratch"): ask first."""
    return bool(_MAYBE_START_OVER.search(normalize(text)))


_NUMBER = re.compile(
    r"^\s*(?:option\s*|choice\s*|number\s*|#|no\.\s*)?([1-9])\s*[.)]?\s*$|^\s*([1-9])\ufe0f?\u20e3\s*$", re.IGNORECASE
)


def choice_number(text: str) -> int | None:
    """A typed choice number ("2", "2.", "option 2", "2️⃣"), 1-based."""
    m = _NUMBER.match(text or "")
    return int(m.group(1) or m.group(2)) if m else None
