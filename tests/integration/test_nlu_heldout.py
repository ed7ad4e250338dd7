"""NLU on held-out examples (never trained on), through the server's /model/parse."""

from evaluation import nlu


def test_heldout_intent_f1(assistant, capsys):
    report = nlu.heldout(nlu.parse(assistant.url))
    with capsys.disabled():
        print(
            f"\nheld-out NLU: {report['examples']} examples, weighted intent F1 {report['f1']:.3f}; "
            f"{len(report['misses'])} missed (their text is not shown: the set stays unread)"
        )
    # 0.918 (2026-12-05, the intent reader that replaced DIET; 0.913 with DIET); 0.914 with round 23 and the
    # suspicious_login topic (its 14 held-out lines all right; 0.884 before its second helper's examples);
    # 0.905 with the spam_ban and old_phone topics (2026-12-06: 18 of their 24 held-out lines right, 3 of 24
    # before their second helper's examples, F1 0.861; the older lines as before, 40 missed). 0.898 with the
    # side questions of data/nlu/side_questions/ (2026-12-06, model b1b1078 against 4309975): three more lines
    # missed and none gained, "ok got it. btw does the other person see that my message didnt send?" read as a
    # report, and two old-phone questions in Portuguese and Indonesian read as support and the minimum age
    # ("umur ponsel", a phone's age); side questions in those languages gained 2-8 points on their own blind
    # set, English ones 1.8 on `check`. 0.904 with the filtered_network topic (2026-12-07: 8 of its 9 held-out
    # lines right; 3 of 9 before its second helper's 83 examples, F1 0.892). Just below: 0.900.
    # 0.892 with the ask_cause intent (2026-12-07): 2 of its 8 held-out lines right (the others read as the
    # FAQ topic of what they ask about, minimum age, links, old phones, or as facts told); the other intents'
    # lines as before but for one each of affirm and failed_message_notice and one more of old_phone and
    # filtered_network right. Just below: 0.885.
    assert report["f1"] >= 0.885
