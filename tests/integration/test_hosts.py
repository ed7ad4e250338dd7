"""Across hosts (issue 25, "Deploy like production"): the scaled services as separate hosts on one
machine, network namespaces made here (harness/hosts.py): a database host (PostgreSQL and Redis, by
scripts/services.sh), two application hosts (each one Rasa replica and its action server, by
scripts/run.py) and a load-balancer host (nginx, scaleout/front.py). The users are in the root
namespace, each from an address of its own, and talk to the load balancer's address only.

Under a bounded load (8 users, a scripted conversation of 6 or 7 turns each, 2-3 s apart):
- application host 1 is cut off (its link down) while a message is in flight to it; a user whose
  message fails or times out sends it again with the same `message_id` after 2 s, as the widget
  would (at most 4 attempts);
- after it is back, both replicas are restarted one after the other, each drained first
  (scaleout/rolling.py), while the users keep talking;
- one more client address floods the load balancer (harness/flood.py) while 20 users talk through
  it: the flooder is answered 429 and the others' p95 latency with the flood stays within 20% (or 12 ms) of
  their p95 without it (rounds quiet, flood, flood, quiet, as tests/integration/test_front.py).
After each: every user message is in the conversation exactly once (read from the tracker store
through a live replica), every answer a user got matches the bot messages recorded after that
message, and every conversation's diagnosis (its sequence of questions, fixes, resolution or
hand-over, and the final diagnosis slot) equals the same script's on a single server (the shared
one-replica assistant on loopback). The rolling restart and the flood must show users no error at all.

The replicas' conversation locks live 30 s here (TICKET_LOCK_LIFETIME; Rasa's default is 60 s): a
message in flight at the cut host holds its conversation's lock until then, and the user's resend
waits for it at the other replica; a save cut off before its commit holds the conversation's lock in
PostgreSQL until PostgreSQL ends the silent transaction (10 s, scaleout/fenced_store.py). Needs root
and `ip netns` (skipped, saying so, where the sandbox refuses network namespaces). About 4 minutes on
2 cores; prints a report.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pytest
import requests

from harness.flood import flood_rounds, p95
from harness.hosts import Network, kill_namespace_processes, unavailable
from harness.servers import SourceAdapter, answers, endpoints_file, free_port_besides, model_path
from scaleout.front import Front
from scaleout.front import stop as stop_front
from scaleout.rolling import Replica, rolling_restart
from troubleshooter.paths import BUILD, ROOT
from troubleshooter.vocabulary import DIAGNOSIS_SLOT, PAYLOAD_KEY

APPS = ("app1", "app2")
SCRIPTS = [
    ["my messages fail with a red exclamation mark", "no", "no", "yes", "still broken", "didnt help", "that worked"],
    ["sending spins forever", "yes", "no", "not sure", "nope still spinning", "still broken", "can I talk to a person"],
    ["i cant message one particular person", "yes", "no", "didnt help", "why do you think that?", "still broken"],
    ["I am on school wifi and my dms fail", "no", "no", "still broken", "that worked", "cheers"],
    ["app keeps glitching out and my msgs won't send", "tried it, still broken", "no", "not sure", "no", "fixed!"],
    ["tiktok won't let me send messages", "not sure", "no", "no", "still broken", "just get me a real human please"],
    ["dms wont send, the little circle just spins", "no", "no", "no", "nope", "nope still spinning", "still nothing"],
    ["hiya", "my messages fail with a red exclamation mark", "yes", "no", "will clearing the cache delete my chats"],
]
USERS = len(SCRIPTS)
THINK = (2.0, 3.0)  # seconds between a user's turns
CLIENT_TIMEOUT, RESEND_AFTER, ATTEMPTS = 20, 2, 4
LOCK_LIFETIME = 30
# seconds after a message reached host 1: well inside a turn (9 ms of model and reading since the intent
# reader replaced DIET; at 10 ms the cut of a clean-clone CI run caught six answered turns in a row)
CUT_INTO_TURN = 0.002
CUT_TRIES = 10  # cuts tried until one catches a turn unanswered (the link back up after each miss)
ROLLING_CONVERSATIONS = 4  # at most, per user, while the replicas restart
FLOOD_USERS = 20  # the others, while one more client floods
FLOOD_ROUND = 8  # seconds of their turns measured per round (harness/flood.py: quiet, flood, flood, quiet)
FLOOD_WARM_UP = 6  # seconds over which they start (their openings not all at once) before the first round
FLOOD_CONVERSATIONS = 8  # at most, per user: enough for two sequences of rounds


# ----- the hosts -------------------------------------------------------------------------------------
class Cluster:
    """The four hosts' servers: started, stopped, restarted, checked."""

    def __init__(self, net: Network, workdir: Path):
        self.net, self.workdir = net, workdir
        picked: set[int] = set()
        for name in ("pg", "redis", "rasa", "actions", "front"):  # distinct, and free on this machine's loopback
            picked.add(port := free_port_besides(picked))
            setattr(self, f"{name}_port", port)
        self.db = f"rasa_{uuid.uuid4().hex[:8]}"
        db = net["db"].address
        self.endpoints = endpoints_file(
            workdir / "endpoints.yml",
            self.actions_port,  # each application host's own action server, on its loopback
            "endpoints.scaled.yml",
            tracker_store={"url": db, "port": self.pg_port, "db": self.db, "login_db": "rasa"},
            lock_store={"url": db, "port": self.redis_port, "key_prefix": self.db.replace("_", "")},
            chatwoot_deliveries={"url": f"redis://{db}:{self.redis_port}/2"},
        )
        self.model = model_path()
        self.front = Front(
            self.front_port, tuple(self.replica(a) for a in APPS), host=net["lb"].address
        )  # REST and socket.io only: no page server, no action servers behind it
        self.front_dir = workdir / "front"
        self.url = self.front.url
        self.apps: dict[str, subprocess.Popen] = {}
        self.env = {**os.environ, "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME), "PYTHONPATH": str(ROOT)}
        self.services_env = {**os.environ, "SERVICES_HOST": db, "SERVICES_CLIENTS": str(net.subnet)}

    def replica(self, app: str) -> str:
        return f"{self.net[app].address}:{self.rasa_port}"

    def start_services(self) -> None:
        self.net["db"].run(
            ["bash", str(ROOT / "scripts" / "services.sh"), "start", str(self.pg_port), str(self.redis_port)],
            timeout=120,
            env=self.services_env,
            cwd=ROOT,
            check=True,
        )

    def stop_services(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.net["db"].run(
                ["bash", str(ROOT / "scripts" / "services.sh"), "stop", str(self.pg_port), str(self.redis_port)],
                timeout=60,
                env=self.services_env,
                cwd=ROOT,
            )
        # Their data, as services.sh placed it (under build/, or /tmp when PostgreSQL's user cannot reach it).
        checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
        for folder in (BUILD / f"services-{self.pg_port}", Path(f"/tmp/troubleshooter-pg-{checkout}-{self.pg_port}")):
            shutil.rmtree(folder, ignore_errors=True)

    def start_app(self, app: str) -> None:
        """The host's replica and action server, by the run script, listening on the host's address."""
        command = [sys.executable, str(ROOT / "scripts" / "run.py"), "--model", self.model]
        command += ["--endpoints", str(self.endpoints), "--rasa-port", str(self.rasa_port)]
        command += ["--actions-port", str(self.actions_port), "--no-web", "--host", self.net[app].address]
        with open(self.workdir / f"{app}.log", "ab") as log:
            self.apps[app] = self.net[app].popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def stop_app(self, app: str, seconds: float = 40) -> None:
        """SIGTERM to the run script (it stops its servers, Sanic finishing what is in flight); whatever is
        left in the host after `seconds` is killed."""
        proc = self.apps.pop(app, None)
        if proc and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=seconds)
        kill_namespace_processes(self.net[app].netns, timeout=5)
        if proc:
            proc.wait(timeout=10)

    def ready(self, app: str) -> bool:
        """The replica's model is loaded and it answers on its host's address (its run script exiting
        fails the test at once, with the end of its log)."""
        proc = self.apps.get(app)
        if proc is not None and proc.poll() is not None:
            log = (self.workdir / f"{app}.log").read_text(errors="replace")[-3000:]
            raise AssertionError(f"the run script on {app} exited ({proc.returncode}):\n{log}")
        try:
            r = requests.get(f"http://{self.replica(app)}/status", timeout=2)
            return r.ok and bool(r.json().get("model_file"))
        except (requests.RequestException, ValueError):
            return False

    def in_flight(self, app: str) -> int:
        """Requests the replica has open (nginx keeps no idle connection to it: one per request)."""
        return self.net[app].connections(self.rasa_port, self.apps[app].pid)

    def start_front(self) -> None:
        """nginx on the load-balancer host (scaleout.front's command line, run there)."""
        command = [sys.executable, "-m", "scaleout.front", "start", "--port", str(self.front_port)]
        command += ["--host", self.front.host, "--replicas", *map(str, self.front.replicas), "--pages", "0"]
        command += ["--prefix", str(self.front_dir)]
        done = self.net["lb"].run(command, timeout=60, cwd=ROOT, env=self.env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    def stale_turns_refused(self) -> int:
        """Turns the fenced tracker store refused to save (scaleout/fenced_store.py), from the replicas' logs."""
        logs = [self.workdir / f"{app}.log" for app in APPS]
        return sum(p.read_text(errors="replace").count("its turn is not saved") for p in logs)

    def tracker(self, sender: str) -> dict:
        """A conversation as the tracker store holds it, through a live replica."""
        for app in APPS:
            with contextlib.suppress(requests.RequestException):
                r = requests.get(f"http://{self.replica(app)}/conversations/{sender}/tracker", timeout=30)
                if r.ok:
                    return r.json()
        raise AssertionError(f"no replica answers for the tracker of {sender}")


def wait_until(condition, seconds: float, what: str, every: float = 1.0) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(every)
    return time.monotonic() - started


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, request):
    reason = unavailable()
    if reason:
        pytest.skip(f"separate hosts need network namespaces: {reason}")
    workdir = tmp_path_factory.mktemp("hosts")
    with Network(["db", *APPS, "lb"]) as net:
        hosts = Cluster(net, workdir)
        try:
            started = time.monotonic()
            hosts.start_services()
            for app in APPS:  # in parallel: a replica takes 20-60 s to load its model
                hosts.start_app(app)
            hosts.start_front()
            # Meanwhile the same scripts on one server alone.
            hosts.reference = request.getfixturevalue("reference")
            for app in APPS:
                wait_until(lambda app=app: hosts.ready(app), 300, f"the replica on {app}")
            wait_until(lambda: answers(hosts.url + "/webhooks/rest/"), 30, "the load balancer")
            hosts.started_in = time.monotonic() - started
            yield hosts
        finally:
            with contextlib.suppress(Exception):
                stop_front(hosts.front_dir)
            for app in APPS:
                with contextlib.suppress(Exception):
                    net[app].restore()
                hosts.stop_app(app)
            hosts.stop_services()


# ----- conversations ---------------------------------------------------------------------------------
class Attempt(NamedTuple):
    turn: int
    message_id: str
    status: int | str  # or the error's name
    seconds: float
    replies: list | None
    sent_at: float  # time.monotonic() when it was sent


@dataclass
class Conversation:
    sender: str
    script: int  # index in SCRIPTS
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return SCRIPTS[self.script]

    def message_id(self, turn: int) -> str:
        return f"{self.sender}-{turn}"


def diagnosis(tracker: dict) -> tuple[list, dict]:
    """A conversation's diagnosis: its steps (question, fix, resolution, hand-over... with what each
    names) in order, from the bot messages recorded, and the final diagnosis slot."""
    steps = []
    for event in tracker["events"]:
        body = ((event.get("data") or {}).get("custom") or {}).get(PAYLOAD_KEY) if event["event"] == "bot" else None
        if body:
            steps.append((body.get("type"), body.get("fix") or body.get("evidence") or body.get("topic")))
    return steps, tracker["slots"].get(DIAGNOSIS_SLOT)


def post(session: requests.Session, url: str, sender: str, text: str, message_id: str, timeout: float):
    started = time.monotonic()
    try:
        r = session.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "message_id": message_id},
            timeout=timeout,
        )
        replies = r.json() if r.status_code == 200 else None
        return r.status_code, replies, time.monotonic() - started
    except (requests.RequestException, ValueError) as exc:
        return type(exc).__name__, None, time.monotonic() - started


def converse(session: requests.Session, url: str, conversation: Conversation, pace: random.Random) -> None:
    """The script, each message sent until answered (the same message_id again after an error)."""
    for turn, text in enumerate(conversation.texts):
        for _ in range(ATTEMPTS):
            sent_at = time.monotonic()
            status, replies, seconds = post(
                session, url, conversation.sender, text, conversation.message_id(turn), CLIENT_TIMEOUT
            )
            conversation.attempts.append(
                Attempt(turn, conversation.message_id(turn), status, seconds, replies, sent_at)
            )
            if status == 200:
                break
            time.sleep(RESEND_AFTER)
        time.sleep(pace.uniform(*THINK))


def load(
    url: str,
    addresses: list[str],
    until: threading.Event | None,
    tag: str,
    most: int = ROLLING_CONVERSATIONS,
    spread: float = THINK[0],
) -> tuple[list, list]:
    """Users, each from its own address, starting one after the other within `spread` seconds, each one
    conversation (or, with `until`, conversations one after the other until it is set, at most `most`):
    the threads and conversations."""
    conversations: list[Conversation] = []
    lock = threading.Lock()

    def user(n: int, address: str):
        pace = random.Random(n)
        time.sleep(n * spread / len(addresses))  # people do not start at once
        with requests.Session() as session:
            session.mount("http://", SourceAdapter(address))
            for k in range(most if until else 1):
                if k and until.is_set():
                    break
                c = Conversation(f"{tag}-{n}-{k}-{uuid.uuid4().hex[:6]}", (n + k) % len(SCRIPTS))
                with lock:
                    conversations.append(c)
                converse(session, url, c, pace)

    threads = [threading.Thread(target=user, args=pair, daemon=True) for pair in enumerate(addresses)]
    for t in threads:
        t.start()
    return threads, conversations


def join(threads: list[threading.Thread], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), f"users still talking after {seconds:.0f} s"


def same_answer(replies: list, bot: list[dict]) -> bool:
    """A REST answer is the bot messages recorded: their texts and structured payloads, in order."""
    texts = [m["text"] for m in replies if m.get("text")]
    customs = [m["custom"] for m in replies if m.get("custom")]
    return texts == [e["text"] for e in bot if e.get("text")] and customs == [
        e["data"]["custom"] for e in bot if (e.get("data") or {}).get("custom")
    ]


def audit(cluster: Cluster, conversations: list[Conversation]) -> dict:
    """Each conversation against the tracker store and the single server's run of its script."""
    figures = {
        "conversations": len(conversations),
        "messages": 0,
        "attempts": 0,
        "errors_seen": 0,
        "resends": 0,
        "unanswered": 0,
        "lost": 0,
        "doubled": 0,
        "answers_not_as_recorded": 0,
        "diagnoses_equal": 0,
    }
    problems = []
    for c in conversations:
        tracker = cluster.tracker(c.sender)
        events = tracker["events"]
        users = [i for i, e in enumerate(events) if e["event"] == "user"]
        ids = [events[i].get("message_id") for i in users]
        sent = [c.message_id(t) for t in range(len(c.texts))]
        figures["messages"] += len(sent)
        figures["attempts"] += len(c.attempts)
        figures["errors_seen"] += sum(a.status != 200 for a in c.attempts)
        figures["resends"] += len(c.attempts) - len({a.turn for a in c.attempts})
        answered = {a.message_id: a.replies for a in c.attempts if a.status == 200}
        figures["unanswered"] += sum(mid not in answered for mid in sent)
        lost = sum(ids.count(mid) == 0 for mid in sent)
        doubled = sum(max(0, ids.count(mid) - 1) for mid in sent) + sum(mid not in sent for mid in ids)
        figures["lost"] += lost
        figures["doubled"] += doubled
        if lost or doubled or [events[i]["text"] for i in users] != c.texts:
            problems.append((c.sender, "messages", ids, [events[i]["text"] for i in users]))
        for k, i in enumerate(users):
            nxt = users[k + 1] if k + 1 < len(users) else len(events)
            bot = [e for e in events[i + 1 : nxt] if e["event"] == "bot"]
            if ids[k] in answered and not same_answer(answered[ids[k]], bot):
                figures["answers_not_as_recorded"] += 1
                problems.append((c.sender, "answer", ids[k], answered[ids[k]], bot))
        if diagnosis(tracker) == cluster.reference[c.script]:
            figures["diagnoses_equal"] += 1
        else:
            problems.append((c.sender, "diagnosis", diagnosis(tracker)[0], cluster.reference[c.script][0]))
    figures["p95_s"] = round(p95([a.seconds for c in conversations for a in c.attempts if a.status == 200]), 2)
    figures["problems"] = problems[:5]
    return figures


@pytest.fixture(scope="module")
def reference(assistant):
    """Each script's diagnosis on one server alone (the shared one-replica assistant on loopback)."""
    out = []
    with requests.Session() as session:
        for n, texts in enumerate(SCRIPTS):
            sender = f"ref-{n}-{uuid.uuid4().hex[:6]}"
            for turn, text in enumerate(texts):
                status, _, _ = post(session, assistant.url, sender, text, f"{sender}-{turn}", 60)
                assert status == 200, (sender, text, status)
            tracker = requests.get(f"{assistant.url}/conversations/{sender}/tracker", timeout=30).json()
            out.append(diagnosis(tracker))
    return out


def resent_turn(conversation: Conversation, turn: int) -> bool:
    return sum(a.turn == turn for a in conversation.attempts) > 1


def report(capsys, title: str, figures: dict, *notes: str) -> None:
    f = figures
    line = (
        f"{title}: {f['conversations']} conversations, {f['messages']} messages sent ({f['attempts']} attempts), "
        f"errors seen by users {f['errors_seen']}, resends {f['resends']}, unanswered {f['unanswered']}, "
        f"lost {f['lost']}, doubled {f['doubled']}, answers not as recorded {f['answers_not_as_recorded']}, "
        f"diagnoses equal to one server's {f['diagnoses_equal']}/{f['conversations']}, p95 {f['p95_s']} s"
    )
    with capsys.disabled():
        print("\n" + "; ".join([line, *notes]) + (f"\n  problems: {f['problems']}" if f["problems"] else ""))


# ----- the tests -------------------------------------------------------------------------------------
def test_the_hosts_are_separate(cluster):
    """Each server listens on its own host's address; the users reach the load balancer's only."""
    net = cluster.net
    assert net.reachable(net["lb"].address, cluster.front_port)
    assert net.reachable(net["db"].address, cluster.pg_port) and net.reachable(net["db"].address, cluster.redis_port)
    for app in APPS:
        assert net.reachable(net[app].address, cluster.rasa_port)
        assert not net.reachable(net[app].address, cluster.actions_port)  # the action server: its host's loopback
    assert not net.reachable("127.0.0.1", cluster.front_port) and not net.reachable("127.0.0.1", cluster.pg_port)
    assert len({net[h].address for h in net.roles}) == 4 and cluster.url.startswith(f"http://{net['lb'].address}:")


def test_a_host_cut_off_mid_conversation_loses_and_doubles_nothing(cluster, capsys):
    cut = cluster.net["app1"]
    addresses = cluster.net.client_addresses(USERS)
    started = time.monotonic()
    threads, conversations = load(cluster.url, addresses, None, "cut")
    try:
        time.sleep(4)  # everyone is mid-conversation
        # Cut it in the middle of a turn: CUT_INTO_TURN after a message reached it (its lock taken and
        # its conversation read, the model at work). A turn that
        # was answered before the link went down was not cut: the link comes back and the next turn is
        # tried, at most CUT_TRIES times. Bounded: cut anyway after 20 s.
        deadline, in_flight, tries = time.monotonic() + 20, 0, 0
        while tries < CUT_TRIES:
            tries += 1
            in_flight = 0
            while time.monotonic() < deadline and not in_flight:
                in_flight = cluster.in_flight("app1")
                time.sleep(0.0005)
            time.sleep(CUT_INTO_TURN)
            cut.cut()
            in_flight = cluster.in_flight("app1")  # still open: its answer cannot leave the host now
            if in_flight or time.monotonic() >= deadline:
                break
            cut.restore()
        cut_at = time.monotonic() - started
        join(threads, 240)
    finally:
        cut.restore()
    figures = audit(cluster, conversations)
    seconds = round(time.monotonic() - started)
    # Host 1 back: its replica answers again (a turn it was in the middle of may finish now, and is refused
    # by the fenced store if the user's resend was answered meanwhile).
    back = wait_until(lambda: cluster.ready("app1"), 180, "app1 to answer again")
    resent = [a.seconds for c in conversations for a in c.attempts if a.status == 200 and resent_turn(c, a.turn)]
    report(
        capsys,
        "host cut off",
        figures,
        f"cut after {cut_at:.1f} s with {in_flight} message(s) in flight to it (cut {tries} time(s))",
        f"resends answered in {', '.join(f'{s:.1f}' for s in resent) or '-'} s",
        f"stale turns refused {cluster.stale_turns_refused()}",
        f"app1 answering {back:.0f} s after its link came back, {seconds} s in all",
        f"(the hosts were up in {cluster.started_in:.0f} s)",
    )
    assert figures["lost"] == 0 and figures["doubled"] == 0, figures
    assert figures["answers_not_as_recorded"] == 0 and figures["unanswered"] == 0, figures
    assert figures["diagnoses_equal"] == len(conversations), figures
    assert in_flight > 0 and figures["errors_seen"] > 0, figures  # the cut did cut a turn off
    # Nothing changed afterwards: the conversations read the same once app1 is back.
    assert audit(cluster, conversations)["lost"] == 0 == audit(cluster, conversations)["doubled"]


def test_a_rolling_restart_under_load_shows_users_no_error(cluster, capsys):
    for app in APPS:
        cluster.net[app].restore()
        wait_until(lambda app=app: cluster.ready(app), 180, f"{app} ready")
    time.sleep(cluster.front.limits.fail_timeout)  # nginx tries host 1 again
    addresses = cluster.net.client_addresses(USERS)
    done, started = threading.Event(), time.monotonic()
    threads, conversations = load(cluster.url, addresses, done, "roll")
    try:
        time.sleep(5)
        replicas = [
            Replica(
                cluster.replica(app),
                stop=lambda app=app: cluster.stop_app(app),
                start=lambda app=app: cluster.start_app(app),
                ready=lambda app=app: cluster.ready(app),
                idle=lambda app=app: cluster.in_flight(app) == 0,
            )
            for app in APPS
        ]
        steps = rolling_restart(
            cluster.front,
            cluster.front_dir,
            replicas,
            drain_seconds=60,
            ready_seconds=240,
            runner=tuple(cluster.net["lb"].command([])),  # nginx's config test binds the lb host's address
        )
    finally:
        done.set()
        join(threads, 120)
    figures = audit(cluster, conversations)
    restarted = [f"{s['replica']} out {s['total_s']} s (drained {s['drain_s']}, ready {s['ready_s']})" for s in steps]
    report(capsys, "rolling restart", figures, *restarted, f"{round(time.monotonic() - started)} s in all")
    assert [s["replica"] for s in steps] == [cluster.replica(app) for app in APPS]
    assert figures["errors_seen"] == 0, figures
    assert figures["lost"] == 0 and figures["doubled"] == 0 and figures["answers_not_as_recorded"] == 0, figures
    assert figures["diagnoses_equal"] == len(conversations), figures
    # The users talked through both restarts: some of their turns were answered after each replica stopped.
    assert figures["messages"] >= USERS * 6, figures
    config = (cluster.front_dir / "nginx.conf").read_text()
    assert " down;" not in config and all(re.search(rf"server {re.escape(cluster.replica(a))} ", config) for a in APPS)


def test_a_flood_from_one_client_gets_429_while_the_others_keep_their_latency(cluster, capsys):
    """One client address floods the load balancer (harness/flood.py: 200 POSTs a second over 16
    connections bound to its address) while FLOOD_USERS others, each from an address of its own, hold
    conversations through it without a pause. Their turns are measured in rounds of FLOOD_ROUND seconds,
    quiet, flood, flood, quiet (a turn counts in a round when it was sent and answered within it); a
    sequence over the bound is followed by a second, both judged. The flooder is answered 429 (the
    front's JSON) nearly always; the others see no error, keep their p95 within 20% (or 12 ms), and lose nothing."""
    flooder = cluster.net.client_addresses(1)[0]
    addresses = cluster.net.client_addresses(FLOOD_USERS)
    done, started = threading.Event(), time.monotonic()
    threads, conversations = load(cluster.url, addresses, done, "flood", FLOOD_CONVERSATIONS, FLOOD_WARM_UP)

    def measure() -> list[float]:
        """The latencies of the turns sent and answered in the next FLOOD_ROUND seconds."""
        start = time.monotonic()
        time.sleep(FLOOD_ROUND)
        end = time.monotonic()
        time.sleep(0.05)  # a turn answered just before `end` is recorded
        return [
            a.seconds
            for c in list(conversations)
            for a in list(c.attempts)
            if a.status == 200 and start <= a.sent_at and a.sent_at + a.seconds <= end
        ]

    try:
        time.sleep(FLOOD_WARM_UP)  # everyone is talking
        result = flood_rounds(measure, cluster.front.host, cluster.front_port, flooder, seconds=FLOOD_ROUND + 5)
    finally:
        done.set()
        join(threads, 60)
    figures, flood = audit(cluster, conversations), result.figures()
    ratio = flood["p95_ms_flood"] / max(1, flood["p95_ms_quiet"])
    report(
        capsys,
        f"flood from {flooder}",
        figures,
        f"others' p95 {flood['p95_ms_quiet']} ms quiet, {flood['p95_ms_flood']} ms with the flood (x{ratio:.2f}), "
        f"medians {flood['median_ms_quiet']}/{flood['median_ms_flood']} ms, {flood['turns_measured']} turns measured",
        f"p95 ms per round {flood['p95_ms_per_round']}",
        f"the flooder's answers {flood['flood_statuses']}",
        f"{round(time.monotonic() - started)} s in all",
    )
    assert not result.faults(), (result.faults(), flood)
    assert figures["errors_seen"] == 0 and figures["unanswered"] == 0, figures
    assert figures["lost"] == 0 and figures["doubled"] == 0 and figures["answers_not_as_recorded"] == 0, figures
    assert figures["diagnoses_equal"] == len(conversations), figures
