"""Support analytics over a tracker store seeded through the running assistant.

An assistant of its own (own tracker database, free ports, analytics behind a
token) talks with scripted users whose outcomes the scripts decide; the expected
episodes and headline figures are what the scripts recorded, counted here by hand.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import uuid
from dataclasses import dataclass, field

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from analytics.episodes import conversation_of
from analytics.service import Sources
from harness.browser import chromium
from harness.servers import Assistant
from simulation.driver import converse
from simulation.user import SimulatedUser, answer_button
from troubleshooter.knowledge import load_knowledge_base
from troubleshooter.vocabulary import payloads

TOKEN = "analytics-test-token"
RUN = uuid.uuid4().hex[:6]
MAX_TURNS = 30
DAY, NOW = 86400.0, 4e9


@dataclass
class Script:
    """What a scripted user did and saw (the expected episode, recorded independently)."""

    sender: str
    questions: list[tuple[str, str]] = field(default_factory=list)
    fixes: list[tuple[str, int, str]] = field(default_factory=list)
    messages: int = 0
    shown: list[tuple[str, str]] = field(default_factory=list)  # new questions and fixes shown: (kind, id)


class User:
    def __init__(self, assistant: Assistant, name: str):
        self.a, self.s = assistant, Script(f"{name}-{RUN}")

    def say(self, text: str) -> list:
        self.s.messages += 1
        reply = self.a.say(self.s.sender, text)
        self.s.shown += [
            (p["type"], p.get("evidence") or p.get("fix"))
            for p in payloads(reply)
            if p["type"] in ("question", "fix") and not p.get("reminder")
        ]
        return reply

    def diagnose(self, opening: str, fixes_fail: int | None, limit: int = MAX_TURNS) -> list:
        """Answer every question "no" (a button) and fail the first `fixes_fail` fixes
        (None: all); stops at a resolution, a hand-over or after `limit` replies."""
        return converse(self.say, Denier(self.s, opening, fixes_fail), limit).reply


class Denier(SimulatedUser):
    """Opens with `opening`, clicks "No" to every question, says the first `fixes_fail` fixes
    failed (None: all) and the next one worked, and records it all in the script."""

    def __init__(self, script: Script, opening: str, fixes_fail: int | None):
        self.s, self._opening, self.fixes_fail = script, opening, fixes_fail

    def opening(self) -> str:
        return self._opening

    def value(self, evidence: str) -> str:
        return "no"

    def fix_works(self, fix: str) -> bool:
        return self.fixes_fail is not None and len(self.s.fixes) >= self.fixes_fail

    def answer(self, step: dict, times: int) -> str:
        self.s.questions.append((step["evidence"], "no"))
        return answer_button("no", step["evidence"])

    def fix_result(self, step: dict, worked: bool, times: int) -> str:
        self.s.fixes.append((step["fix"], step["rank"], "worked" if worked else "failed"))
        return "that fixed it" if worked else "still not working"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The assistant and the scripts, keyed by name."""
    work = tmp_path_factory.mktemp("analytics")
    a = Assistant(work)
    a.env["ANALYTICS_TOKEN"] = TOKEN
    a.start()
    try:
        users = {n: User(a, n) for n in ("resolved", "asked", "restarted", "greeting", "quiet", "ongoing", "exhausted")}
        reply = users["resolved"].diagnose("my messages fail with a red exclamation mark", fixes_fail=1)
        assert payloads(reply)[-1]["type"] == "resolved"
        u = users["asked"]
        u.say("sending spins forever")
        reply = u.say("talk to a human")
        if not any(p["type"] == "handoff" for p in payloads(reply)):
            reply = u.say([b for m in reply for b in m.get("buttons", [])][0]["payload"])  # "yes, a person"
        assert any(p["type"] == "handoff" for p in payloads(reply))
        u = users["restarted"]
        u.say("i can't message one particular person")
        reply = u.say("start over")
        if "Do you want to start over?" in json.dumps(reply):
            u.say("yes")
        u.before, u.s = u.s, Script(u.s.sender)
        reply = u.diagnose("tiktok says im sending messages too fast", fixes_fail=0)
        assert payloads(reply)[-1]["type"] == "resolved"
        users["greeting"].say("hello")
        users["quiet"].say("a photo or video won't send")
        users["ongoing"].say("my messages fail with a red exclamation mark")
        reply = users["exhausted"].diagnose("the message button is gone", fixes_fail=None)
        assert payloads(reply)[-1]["type"] == "handoff"
        # "quiet" wrote two days ago: move its events back (the session expiry is a day).
        with sqlite3.connect(work / "tracker.db") as db:
            rows = db.execute("SELECT id, data FROM events WHERE sender_id = ?", (users["quiet"].s.sender,)).fetchall()
            for row_id, data in rows:
                event = json.loads(data)
                event["timestamp"] -= 2 * 86400
                db.execute(
                    "UPDATE events SET timestamp = ?, data = ? WHERE id = ?",
                    (event["timestamp"], json.dumps(event), row_id),
                )
        yield a, users
    finally:
        a.stop()


def get(a: Assistant, path: str, bearer: str | None = TOKEN, **params):
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    return requests.get(
        f"http://127.0.0.1:{a.web_port}{path}", params=params, headers=headers, timeout=30, allow_redirects=False
    )


def rows(a: Assistant) -> dict[tuple[str, int], dict]:
    body = get(a, "/analytics/episodes.json", limit="500").json()
    return {(e["conversation"], e["episode"]): e for e in body["episodes"]}


def test_episodes_match_what_the_scripted_users_did(seeded):
    a, users = seeded
    eps = rows(a)
    ours = {k: v for k, v in eps.items() if k[0].endswith(RUN)}
    assert len(ours) == 8
    for name in ("resolved", "exhausted"):
        s = users[name].s
        ep = ours[(s.sender, 1)]
        assert [(q["evidence"], q["answer"]) for q in ep["questions"]] == s.questions
        assert [(f["fix"], f["rank"], f["outcome"]) for f in ep["fixes"]] == s.fixes
        assert ep["turns"] == s.messages
    assert ours[(users["resolved"].s.sender, 1)]["outcome"] == "resolved"
    assert ours[(users["resolved"].s.sender, 1)]["resolved_by"] == users["resolved"].s.fixes[-1][0]
    assert ours[(users["exhausted"].s.sender, 1)]["handover_reason"] == "out_of_fixes"
    assert (ours[(users["asked"].s.sender, 1)]["outcome"], ours[(users["asked"].s.sender, 1)]["handover_reason"]) == (
        "handed_over",
        "asked",
    )
    restarted = users["restarted"]
    assert ours[(restarted.s.sender, 1)]["outcome"] == "restarted"
    assert ours[(restarted.s.sender, 1)]["symptom"] == "one_person"
    second = ours[(restarted.s.sender, 2)]
    assert (second["outcome"], second["symptom"]) == ("resolved", "too_fast")
    assert [(f["fix"], f["rank"], f["outcome"]) for f in second["fixes"]] == restarted.s.fixes
    assert ours[(users["greeting"].s.sender, 1)]["outcome"] == "no_problem"
    assert ours[(users["quiet"].s.sender, 1)]["outcome"] == "abandoned"
    assert ours[(users["ongoing"].s.sender, 1)]["outcome"] == "ongoing"
    assert all(e["channel"] == "rest" for e in ours.values())


def test_every_headline_figure(seeded):
    a, users = seeded
    s = get(a, "/analytics/summary.json").json()
    # 7 conversations; "restarted" holds 2 diagnoses; "greeting" described none.
    assert s["counts"] == {
        "conversations": 7,
        "episodes": 8,
        "diagnoses": 7,
        "finished": 6,
        "resolved": 2,
        "handed_over": 2,
        "abandoned": 1,
        "restarted": 1,
        "ongoing": 1,
        "no_problem": 1,
        "resolved_after_handover": 0,
    }
    assert s["rates"] == {
        "resolution": round(2 / 6, 4),
        "handover": round(2 / 6, 4),
        "abandonment": round(1 / 6, 4),
        "restart": round(1 / 6, 4),
    }
    resolved = [users["resolved"].s, users["restarted"].s]
    assert s["per_resolved"]["fixes_mean"] == round(sum(len(r.fixes) for r in resolved) / 2, 2)
    assert s["per_resolved"]["questions_mean"] == round(sum(len(r.questions) for r in resolved) / 2, 2)
    funnel = {f["step"]: f["count"] for f in s["funnel"]}
    diagnoses = [u.s for n, u in users.items() if n != "greeting"] + [users["restarted"].before]
    with_fix = sum(any(kind == "fix" for kind, _ in d.shown) for d in diagnoses)
    assert funnel == {"started": 8, "symptom": 7, "fix": with_fix, "resolved": 2}
    assert {r["reason"]: r["count"] for r in s["handover_reasons"]} == {"asked": 1, "out_of_fixes": 1}
    suggested = {}  # every diagnosis that was shown a fix counts it once (also one that stopped there)
    for d in diagnoses:
        for fix in dict.fromkeys(i for kind, i in d.shown if kind == "fix"):
            suggested[fix] = suggested.get(fix, 0) + 1
    assert {f["fix"]: f["suggested"] for f in s["fixes"]} == suggested
    quiet_day = get(a, "/analytics/summary.json", **{"from": s["range"]["last"]}).json()
    assert quiet_day["counts"]["abandoned"] == 0 and quiet_day["counts"]["episodes"] == 7
    assert get(a, "/analytics/summary.json", channel="chatwoot").json()["counts"]["episodes"] == 0


def test_exports_and_conversation_review(seeded):
    a, users = seeded
    table = list(csv.DictReader(io.StringIO(get(a, "/analytics/episodes.csv").text)))
    assert len(table) == 8 and {r["outcome"] for r in table} >= {"resolved", "handed_over", "abandoned", "no_problem"}
    s = users["resolved"].s
    review = get(a, "/analytics/conversation.json", id=s.sender).json()
    assert len(review["turns"]) == s.messages
    steps = [t["step"] for t in review["turns"] if t["step"] and t["step"]["kind"] in ("question", "fix")]
    assert [(st["kind"], st["id"]) for st in steps] == s.shown
    assert all(st["value"] > 0 for st in steps if st["kind"] == "question")
    assert all(0 < st["probability"] <= 1 and st["efficiency"] > 0 for st in steps if st["kind"] == "fix")
    assert all(t["belief"] for t in review["turns"])
    # The last turn knows the fix worked: its top cause is one that fix resolves (the knowledge base says so).
    worked = s.fixes[-1][0]
    top = review["turns"][-1]["belief"][0]["cause"]
    kb = load_knowledge_base()
    assert kb.causes[top].fixes.get(worked, 0) > 0
    assert review["turns"][0]["user"]["intent"] == "symptom_send_failed"
    clicked = [t["user"] for t in review["turns"] if t["user"]["text"].startswith("/deny")]
    assert len(clicked) == len(s.questions) and all(c["button"] == "No" for c in clicked)


@pytest.mark.parametrize(
    "path, params, token, status",
    [
        ("/analytics/summary.json", {}, None, 401),
        ("/analytics/summary.json", {}, "wrong", 401),
        ("/analytics/summary.json", {"from": "yesterday"}, TOKEN, 400),
        ("/analytics/episodes.json", {"limit": "-1"}, TOKEN, 400),
        ("/analytics/episodes.json", {"outcome": "exploded"}, TOKEN, 400),
        ("/analytics/summary.json", {"source": "demo2"}, TOKEN, 400),
        ("/analytics/conversation.json", {"id": "nobody-" + RUN}, TOKEN, 404),
        ("/analytics/conversation.json", {}, TOKEN, 400),
        ("/analytics/static/..%2F..%2Fendpoints.yml", {}, TOKEN, 404),
        ("/analytics/nothing", {}, TOKEN, 404),
    ],
)
def test_bad_requests_get_a_clear_answer(seeded, path, params, token, status):
    r = get(seeded[0], path, bearer=token, **params)
    assert r.status_code == status and r.json()["error"]


def test_the_token_opens_the_page_once_by_cookie(seeded):
    a, _ = seeded
    r = get(a, "/analytics", bearer=None, token=TOKEN)
    assert r.status_code == 303 and r.headers["Location"] == "/analytics"
    cookie = r.headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in r.headers["Set-Cookie"]
    # Another site on 127.0.0.1 may have left a cookie Python's parser rejects: the token still counts.
    page = requests.get(
        f"http://127.0.0.1:{a.web_port}/analytics", headers={"Cookie": f'theme=dark mode; {cookie}; x="a'}, timeout=10
    )
    assert page.status_code == 200 and "<html" in page.text.lower()


def test_dashboard_and_review_render_in_chromium(seeded):
    a, users = seeded
    base = f"http://127.0.0.1:{a.web_port}"
    with chromium(1300, 1000) as browser:
        wait = WebDriverWait(browser, 30)
        browser.get(f"{base}/analytics?token={TOKEN}")
        for chart in ("by_day", "funnel", "symptoms", "causes", "fixes", "handover_reasons", "per_resolved"):
            wait.until(
                lambda d, c=chart: d.find_elements(
                    By.CSS_SELECTOR, f'[data-chart="{c}"] svg rect, [data-chart="{c}"] svg path'
                )
            )
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, '[data-testid="episode-row"]')) >= 8)
        s = users["resolved"].s
        browser.get(f"{base}/analytics/review?id={s.sender}")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, '[data-testid="turn"]')) == s.messages)
        beliefs = browser.find_elements(By.CSS_SELECTOR, '[data-testid="belief"]')
        assert len(beliefs) == s.messages
        bars = [b.find_elements(By.CSS_SELECTOR, '[data-testid="belief-bar"]') for b in beliefs]
        assert all(len(group) >= 3 for group in bars)
        assert all(float(bar.get_attribute("offsetWidth")) > 0 for bar in bars[0])
        names = browser.find_elements(By.CSS_SELECTOR, '[data-testid="turn"] [data-testid="belief"]')[0].text
        assert "%" in names and "_" not in names.split("%")[0]  # cause titles, not ids
        assert "my messages fail" in browser.find_element(By.TAG_NAME, "body").text
        assert browser.find_elements(By.CSS_SELECTOR, '[data-testid="step"]')
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors


def test_the_quick_read_gives_the_same_episodes_as_reading_every_event(seeded):
    a, _ = seeded
    store = Sources.from_endpoints(a.endpoints, demo=None).stores["live"]
    upto = store.events.last_id()
    senders = store.events.changed(0, upto)
    read = lambda brief: {
        s: [e.row() for e in conversation_of(s, ev, DAY, NOW, store.belief).episodes]
        for s, ev in store.events.events(senders, upto, brief=brief)
    }
    quick, full = read(True), read(False)
    assert len(quick) == 7 and quick == full
