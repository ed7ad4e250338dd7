"""Start the assistant: action server, Rasa server (REST + socket.io +
Chatwoot) and the widget page, all on 127.0.0.1, in the foreground.
Ctrl-C (or SIGTERM) stops every process it started.

  run.py                 development mode (HTTP API open on loopback)
  run.py --production    HTTP API behind RASA_AUTH_TOKEN
  run.py --shell         action server + `rasa shell`
  run.py --replicas 3 --action-servers 2 --front 8000
                         one address (nginx, scaleout/front.py) for the replicas, the action servers
                         (on the ports after --actions-port, which nginx takes) and the widget page;
                         SIGUSR1 (kill -USR1 $(cat build/front-8000/run.pid)) restarts the replicas
                         one after the other, each drained first (scaleout/rolling.py)
  run.py --host 10.0.0.3 the Rasa replicas listen on that address (the rest stays on loopback)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from scaleout.front import Front, FrontError, failure, prefix_for, prepare
from scaleout.rolling import Replica, RollingError, rolling_restart
from scaleout.serving import SERVING_THREADS
from troubleshooter.paths import ROOT

BIN = ROOT / ".venv" / "bin"
RASA = [str(BIN / "python"), str(ROOT / "scripts" / "rasa")]  # rasa without third-party deprecation noise


def check_knowledge_base() -> None:
    """The knowledge base and the bot's texts load and validate, or nothing starts."""
    from troubleshooter.knowledge import KnowledgeBaseError, load_knowledge_base
    from troubleshooter.texts import TextsError, languages

    try:
        load_knowledge_base(os.environ.get("TROUBLESHOOTER_KB") or ROOT / "knowledge")
    except KnowledgeBaseError as exc:
        sys.exit(f"Invalid knowledge base, not starting: {exc}")
    try:
        languages()
    except TextsError as exc:
        sys.exit(f"Invalid bot texts, not starting: {exc}")


DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "redis": 6379, "mongod": 27017}


def endpoints_config(endpoints: str) -> dict:
    import yaml

    return yaml.safe_load((ROOT / endpoints).read_text()) or {}


def require_reachable(what: str, where: str, probe, loss: str, endpoints: str) -> None:
    """Refuse to start, in one line saying what would be lost, when `probe()` cannot reach a store."""
    try:
        probe()
    except Exception as exc:  # whatever the store's client raises
        reason = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
        sys.exit(f"The {what} at {where} is unreachable: {reason}. Not starting ({loss}). Check {endpoints}.")


def connect(host: str, port: int):
    import socket

    return lambda: socket.create_connection((host, port), timeout=5).close()


def read_custom_store(key: str, store: dict) -> None:
    """Build a custom store (`type` names its class) from its endpoint config as Rasa does, and read a key
    nobody uses through the store's own client. (Rasa would put a tracker store it cannot load in memory.)"""
    import asyncio

    from rasa.shared.utils.common import class_from_module_path
    from rasa.utils.endpoints import EndpointConfig

    class_from_module_path(store["type"])  # an ImportError names what is missing
    if key == "lock_store":
        from rasa.core.lock_store import LockStore

        LockStore.create(EndpointConfig.from_dict(store)).get_lock("run-py-startup-check")
    else:
        from rasa.core.tracker_store import TrackerStore

        asyncio.run(TrackerStore.create(EndpointConfig.from_dict(store)).retrieve("run-py-startup-check"))


def check_stores(config: dict, endpoints: str) -> None:
    """Refuse to start when the tracker or lock store cannot be reached (Rasa
    would fall back to an in-memory store and lose conversations)."""
    for key in ("tracker_store", "lock_store"):
        store = config.get(key) or {}
        kind = str(store.get("type", "")).lower()
        dialect = str(store.get("dialect", kind)).lower()
        if not store or dialect == "sqlite" or kind in ("in_memory", ""):
            continue
        host = store.get("url") or "localhost"
        if "." in kind:  # a custom store: asked through its own client
            where = f"{host}:{store['port']}" if store.get("port") else host
            require_reachable(
                f"{key.replace('_', ' ')} ({store['type']})",
                where,
                lambda key=key, store=store: read_custom_store(key, store),
                "conversations would be lost",
                endpoints,
            )
            continue
        port = int(store.get("port") or DEFAULT_PORTS.get(dialect if kind == "sql" else kind, 0) or 0)
        if not port or "://" in str(host):
            continue  # a full URL: let it speak for itself
        require_reachable(
            f"{key.replace('_', ' ')} ({kind} {dialect})",
            f"{host}:{port}",
            connect(host, port),
            "conversations would be lost",
            endpoints,
        )


def chatwoot_deliveries(config: dict, endpoints: str) -> str:
    """The shared store of Chatwoot deliveries already answered (endpoints' `chatwoot_deliveries.url`), if any."""
    from urllib.parse import urlparse

    url = str((config.get("chatwoot_deliveries") or {}).get("url") or "")
    if url:
        parsed = urlparse(url)
        require_reachable(
            "Chatwoot delivery store",
            url,
            connect(parsed.hostname or "localhost", parsed.port or 6379),
            "replicas would answer retried deliveries twice",
            endpoints,
        )
    return url


def wait_http(url: str, seconds: float, procs: list[subprocess.Popen], stopped=lambda: False) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline and not stopped():
        if any(p.poll() is not None for p in procs):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(1)
    return False


def front_of(args) -> Front:
    """The front of --front PORT: the replicas, the page server, the action servers on the ports after
    --actions-port (where the replicas' action_endpoint points: nginx takes it)."""
    actions = tuple(args.actions_port + 1 + i for i in range(args.action_servers))
    replicas = tuple(
        args.rasa_port + i if args.host == "127.0.0.1" else f"{args.host}:{args.rasa_port + i}"
        for i in range(args.replicas)
    )
    return Front(args.front, replicas, None if args.no_web else args.web_port, actions, args.actions_port)


def nginx_command(front: Front, prefix: Path) -> list[str]:
    """nginx in the foreground, its config written and tested; or exit saying why it cannot run."""
    try:
        return prepare(front, prefix)
    except FrontError as exc:
        sys.exit(f"The front cannot start: {exc}")


def restart(sup: Supervisor, proc: subprocess.Popen, cmd: list[str], env: dict) -> subprocess.Popen:
    sup.procs.remove(proc)
    time.sleep(2)
    return sup.start(cmd, env=env)


def stop_processes(procs: list[subprocess.Popen], seconds: float = 30) -> None:
    """SIGTERM to each server's process group (Sanic finishes what it has in flight), then SIGKILL to
    the groups of those still running `seconds` later (one deadline for all)."""
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.time() + seconds
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def roll(sup: Supervisor, front: Front, front_dir: Path, servers: list, cmds: list, env: dict, status_url) -> None:
    """Restart the replicas one after the other, each drained first (scaleout/rolling.py); `servers` is
    updated in place. A replica that does not come back stays out of the front, and is said."""

    def replica(i: int) -> Replica:
        def stop():
            sup.procs.remove(servers[i])
            stop_processes([servers[i]])

        def start():
            servers[i] = sup.start(cmds[i], env=env)

        def ready():
            return servers[i].poll() is None and wait_http(status_url(i), 0.1, [servers[i]])

        return Replica(front.replicas[i], stop, start, ready)

    say = lambda text: print(f"Rolling restart: {text}", flush=True)
    try:
        rolling_restart(front, front_dir, [replica(i) for i in range(len(servers))], say=say)
        say("done")
    except RollingError as exc:
        print(f"Rolling restart stopped: {exc}", file=sys.stderr, flush=True)


class Supervisor:
    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, args: list[str], **kw) -> subprocess.Popen:
        proc = subprocess.Popen(args, cwd=ROOT, start_new_session=True, **kw)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        """Every process started, stopped together (SIGKILL after 15 s)."""
        stop_processes([p for p in self.procs if p.poll() is None], 15)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--shell", action="store_true")
    ap.add_argument("--lang", default=None, help="with --shell: the language the bot starts in (es, pt, id...)")
    ap.add_argument("--production", action="store_true")
    ap.add_argument("--endpoints", default="endpoints.yml")
    ap.add_argument("--rasa-port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    ap.add_argument("--actions-port", type=int, default=int(os.environ.get("ACTIONS_PORT", 5055)))
    ap.add_argument("--web-port", type=int, default=int(os.environ.get("WEB_PORT", 8080)))
    ap.add_argument("--no-web", action="store_true")
    ap.add_argument("--replicas", type=int, default=1, help="Rasa servers on consecutive ports (shared stores)")
    ap.add_argument("--host", default="127.0.0.1", help="the address the Rasa servers listen on")
    ap.add_argument("--action-servers", type=int, default=1, help="with --front: action servers behind it")
    ap.add_argument("--front", type=int, default=None, metavar="PORT", help="one address for everything (nginx)")
    ap.add_argument("--front-dir", default=None, help="nginx's config, pid and logs (default: build/front-PORT)")
    args = ap.parse_args()
    if args.production and not args.shell and not os.environ.get("RASA_AUTH_TOKEN"):
        print("--production needs RASA_AUTH_TOKEN in the environment", file=sys.stderr)
        return 2  # before anything is started
    if args.action_servers > 1 and not args.front:
        print("--action-servers needs --front (nothing else spreads the calls over them)", file=sys.stderr)
        return 2
    front = front_of(args) if args.front is not None and not args.shell else None
    front_dir = Path(args.front_dir).resolve() if args.front_dir else prefix_for(args.front or 0)
    nginx_cmd = nginx_command(front, front_dir) if front else []  # nginx missing, a port taken: said first
    check_knowledge_base()
    config = endpoints_config(args.endpoints)
    check_stores(config, args.endpoints)

    env = {
        **SERVING_THREADS,
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
        "SANIC_HOST": "127.0.0.1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    deliveries = chatwoot_deliveries(config, args.endpoints)
    if deliveries:
        env["CHATWOOT_DELIVERIES"] = deliveries
    sup = Supervisor()
    stopping = rolling = False
    started = time.time()

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    def on_rolling(signum, frame):
        nonlocal rolling
        rolling = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    if front:
        signal.signal(signal.SIGUSR1, on_rolling)
        front_dir.mkdir(parents=True, exist_ok=True)
        (front_dir / "run.pid").write_text(f"{os.getpid()}\n")
    try:
        action_ports = list(front.action_servers) if front else [args.actions_port]
        actions_cmds = [[*RASA, "run", "actions", "--actions", "actions", "--port", str(p)] for p in action_ports]
        actions = [sup.start(cmd, env=env) for cmd in actions_cmds]
        if args.shell:
            if not wait_http(f"http://127.0.0.1:{args.actions_port}/health", 120, actions):
                print("action server did not start", file=sys.stderr)
                return 1
            shell = subprocess.run(
                [
                    str(BIN / "python"),
                    str(ROOT / "scripts" / "shell.py"),
                    "-m",
                    args.model,
                    "--endpoints",
                    args.endpoints,
                    "-i",
                    "127.0.0.1",
                    "-p",
                    str(args.rasa_port),
                    *(["--lang", args.lang] if args.lang else []),
                ],
                cwd=ROOT,
                env=env,
            )
            return shell.returncode
        web_origin = front.url if front else f"http://127.0.0.1:{args.web_port}"
        env["WIDGET_ORIGINS"] = f"{web_origin} {web_origin.replace('127.0.0.1', 'localhost')}"
        auth = ["--auth-token", os.environ["RASA_AUTH_TOKEN"]] if args.production else []
        # No --cors: Sanic-CORS would add a second Allow-Origin header to socket.io's
        # own, which accepts only WIDGET_ORIGINS. REST stays same-origin.
        servers_cmds = [
            [
                *RASA,
                "run",
                "-m",
                args.model,
                "--enable-api",
                "-i",
                args.host,
                "-p",
                str(args.rasa_port + i),
                "--endpoints",
                args.endpoints,
                "--credentials",
                "credentials.yml",
                *auth,
            ]
            for i in range(args.replicas)
        ]
        servers = [sup.start(cmd, env=env) for cmd in servers_cmds]
        if not args.no_web:
            sup.start(
                [
                    sys.executable,
                    str(ROOT / "scripts" / "serve_web.py"),
                    "--port",
                    str(args.web_port),
                    *(["--same-origin"] if front else ["--socket-url", f"http://127.0.0.1:{args.rasa_port}"]),
                    "--endpoints",
                    args.endpoints,
                    *(["--production"] if args.production else []),
                ],
                env=env,
            )
        nginx = sup.start(nginx_cmd) if front else None
        print("Starting the action server and Rasa (about 20 s) ...", flush=True)
        ports = [args.rasa_port + i for i in range(args.replicas)]
        running = [*actions, *servers, *[nginx] * bool(nginx)]
        if all(wait_http(f"http://{args.host}:{p}/", 300, running, lambda: stopping) for p in ports):
            closed = args.production and not os.environ.get("ANALYTICS_TOKEN")
            analytics = "off (set ANALYTICS_TOKEN to open them)" if closed else f"{web_origin}/analytics"
            lines = ["", f"Ready in {time.time() - started:.0f} s."]
            if front:
                lines.append(f"  One address:   {front.url}/ (the widget, analytics, REST, socket.io, Chatwoot)")
            lines += [
                f"  Web widget:    {web_origin}/",
                f"  Analytics:     {analytics}",
            ] * (not args.no_web)
            origins = [front.url] if front else [f"http://{args.host}:{p}" for p in ports]
            lines += [f"  REST:          {o}/webhooks/rest/webhook" for o in origins]
            lines += [f"  Chatwoot bot:  {o}/webhooks/chatwoot/webhook" for o in origins[:1]]
            if front:
                lines.append(f"  Replicas:      ports {', '.join(map(str, ports))}, all behind {front.url}")
                lines.append(f"  Rolling restart: kill -USR1 $(cat {front_dir / 'run.pid'})")
            lines += [
                f"  HTTP API:      http://{args.host}:{args.rasa_port}/",
                f"  Action server: {', '.join(f'http://127.0.0.1:{p}/health' for p in action_ports)}",
                "Press Ctrl-C to stop.",
            ]
            print("\n".join(lines), flush=True)
        token = f"?token={os.environ['RASA_AUTH_TOKEN']}" if args.production else ""
        status_url = lambda i: f"http://{args.host}:{ports[i]}/status{token}"
        while not stopping:
            if rolling and front:
                rolling = False
                roll(sup, front, front_dir, servers, servers_cmds, env, status_url)
            if nginx and nginx.poll() is not None:
                print(f"The front (nginx) stopped: {failure(front_dir)}", file=sys.stderr)
                return 1
            for i, server in enumerate(servers):
                if server.poll() is None:
                    continue
                if not front:
                    print("The Rasa server stopped unexpectedly; shutting down.", file=sys.stderr)
                    return 1
                # Behind the front the others answer meanwhile (nginx leaves a dead replica out).
                print(f"The Rasa replica on port {ports[i]} stopped; restarting it.", file=sys.stderr, flush=True)
                servers[i] = restart(sup, server, servers_cmds[i], env)
            for i, proc in enumerate(actions):
                if proc.poll() is not None:
                    print("The action server stopped; restarting it.", file=sys.stderr, flush=True)
                    actions[i] = restart(sup, proc, actions_cmds[i], env)
            time.sleep(0.5)
        return 0
    finally:
        sup.stop()


if __name__ == "__main__":
    sys.exit(main())
