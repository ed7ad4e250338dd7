"""Lexical cues in users' own words."""

import pytest

from troubleshooter.cues import (
    accepts,
    acknowledges,
    answer_cue,
    asks_for_person,
    asks_to_start_over,
    choice_number,
    mentions_starting_over,
    normalize,
    result_cue,
    states_problem,
)


@pytest.mark.parametrize(
    "text, value",
    [
        ("yes, 110%", "yes"),
        ("ya", "yes"),
        ("yesss", "yes"),
        ("Yes, I can watch all of his videos.", "yes"),
        ("👍", "yes"),
        ("i think so", "yes"),
        ("no its everyone", "no"),
        ("nah", "no"),
        ("not that i know of", "no"),
        ("nope never", "no"),
        ("idk", "unsure"),
        ("no idea", "unsure"),
        ("no, i don't know", "unsure"),
        ("maybe?", "unsure"),
        ("where would i even see that", "how_to_check"),
        ("how do i check that", "how_to_check"),
        ("what's dns?", "how_to_check"),
        ("i am on the school wifi", None),
        ("ok", None),
        ("2", None),
        ("i am not", "no"),
        ("I do not", "no"),
        ("it is not", "no"),
        ("i have not", "no"),
        ("there is no such thing", "no"),
        ("i am", "yes"),
        ("never mind", None),
        ("nvm", None),
        ("no. i don't know why it happens tho", "no"),
        ("i do not remember", "unsure"),
        ("i am not too sure", "unsure"),
        ("it is not working", None),
        ("no, i don't remember exactly", "unsure"),
        ("there is none", "no"),
        ("i have none", "no"),
        ("yeah maybe", "unsure"),
        ("thanks for asking but no, nothing like that", "no"),
        ("it does seem slow at times, but i don't use it much otherwise", None),
        ("ok so i looked. yes there is one installed on my phone", "yes"),
        ("hmm let me think, no i don't have a vpn", "no"),
    ],
)
def test_answer_words(text, value):
    assert answer_cue(text) == value


@pytest.mark.parametrize(
    "text, value",
    [
        ("messages going thru now!!", "worked"),
        ("ok its sending 🙌", "worked"),
        ("omg it works", "worked"),
        ("sorted mate", "worked"),
        ("ayyy it sent", "worked"),
        ("yes", "worked"),
        ("🎉🎉", "worked"),
        ("nothing changed", "failed"),
        ("no dice", "failed"),
        ("still the same ugh", "failed"),
        ("the same", "failed"),
        ("she did the same on her phone for me", None),  # doing the same is no failure
        ("i already tried that", "failed"),
        ("yes i tried it but still nothing", "failed"),
        ("it doesn't work", "failed"),
        ("nope", "failed"),
        ("ok trying now", None),
        ("why this one?", None),
        ("i can send to others but not to him", "failed"),
        ("works except videos", "failed"),
        ("it worked for a sec then stopped", "failed"),
        ("works but not every time", "failed"),
        ("the error is gone now", "worked"),
        ("not failing anymore", "worked"),
        ("no more error", "worked"),
    ],
)
def test_fix_results(text, value):
    assert result_cue(text) == value


def test_explicit_requests_are_told_from_words_in_passing():
    assert asks_for_person("I AM sending text… Can I talk to a real person please?")
    assert asks_for_person("human pls") and asks_for_person("get me an agent now")
    assert not asks_for_person("i can't message the other person") and not asks_for_person("one person only")
    assert not asks_for_person("i want to message a person but it won't send")
    assert not asks_for_person("i don't need a human") and not asks_for_person("no need to talk to an agent")
    assert asks_for_person("i would like to speak with an agent") and asks_for_person("is there a human here?")
    for text in ("i can't talk to people", "is there one", "can i get one", "i'd like the support link"):
        assert not asks_for_person(text), text
    for text in (
        "still not working, i want a real person",
        "you're not helping, i want an agent",
        "i don't care just get me a human",
    ):
        assert asks_for_person(text), text
    assert not mentions_starting_over("new chat doesn't work") and not mentions_starting_over("not a new problem")
    assert asks_to_start_over("start over") and asks_to_start_over("can we start over pls")
    assert not asks_to_start_over("i have a different problem now") and mentions_starting_over(
        "i have a different problem now"
    )
    assert not asks_to_start_over("reinstalled it from scratch") and not mentions_starting_over(
        "reinstalled it from scratch"
    )
    assert not asks_to_start_over("ANYONE. i said that at the start")
    assert not asks_to_start_over("i restarted my phone, still nothing") and not asks_to_start_over("restart my phone?")


def test_accepting_an_explanation_has_no_doubt_in_it():
    assert accepts("ohh ok so thats why. ok thx") and accepts("ah i see, thanks")
    assert not accepts("oh no") and not accepts("ok but why?") and not accepts("ok really? that makes no sense")
    assert accepts("ok thank you, i didn't know that") and accepts("ok no worries")


def test_acknowledgements_say_nothing_about_the_result():
    assert acknowledges("ok one sec, restarting now") and acknowledges("trying now") and acknowledges("k")
    assert not acknowledges("ok it works now") and not acknowledges("ok still nothing") and not acknowledges("ok no")


def test_problem_statements():
    assert states_problem("was texting my friends nonstop all day and now it wont send")
    assert not states_problem("omg it works")


def test_choice_numbers_and_spelling():
    assert [choice_number(t) for t in ("2", " 3. ", "option 1", "2️⃣", "12", "2 people")] == [2, 3, 1, 2, None, None]
    assert (
        normalize("Msgs goin thru rn, u cant tell me otherwise!!")
        == "messages going through right now , you can't tell me otherwise !!"
    )
