"""Start the assistant: action server, Rasa server (REST + socket.io +
Chatwoot) and the widget page, all on 127.0.0.1, in the foreground.
Ctrl-C (or SIGTERM) stops every process it started.

  run.py                 development mode (HTTP API open on loopback)
  run.py --production    HTTP API behind RASA_AUTH_TOKEN
  run.py --shell         action server + `rasa shell`
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"


def check_knowledge_base() -> None:
    from troubleshooter.knowledge import KnowledgeBaseError, load_knowledge_base

    try:
        load_knowledge_base(os.environ.get("TROUBLESHOOTER_KB") or ROOT / "knowledge")
    except KnowledgeBaseError as exc:
        sys.exit(f"Invalid knowledge base, not starting: {exc}")


def wait_http(url: str, seconds: float, procs: list[subprocess.Popen]) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if any(p.poll() is not None for p in procs):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(1)
    return False


class Supervisor:
    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, args: list[str], **kw) -> subprocess.Popen:
        proc = subprocess.Popen(args, cwd=ROOT, start_new_session=True, **kw)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 15
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--shell", action="store_true")
    ap.add_argument("--production", action="store_true")
    ap.add_argument("--endpoints", default="endpoints.yml")
    ap.add_argument("--rasa-port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    ap.add_argument("--actions-port", type=int, default=int(os.environ.get("ACTIONS_PORT", 5055)))
    ap.add_argument("--web-port", type=int, default=int(os.environ.get("WEB_PORT", 8080)))
    ap.add_argument("--no-web", action="store_true")
    args = ap.parse_args()
    check_knowledge_base()

    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT),
           "SANIC_HOST": "127.0.0.1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    sup = Supervisor()
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        actions = sup.start([str(BIN / "rasa"), "run", "actions", "--actions", "actions",
                             "--port", str(args.actions_port)], env=env)
        if args.shell:
            if not wait_http(f"http://127.0.0.1:{args.actions_port}/health", 120, [actions]):
                print("action server did not start", file=sys.stderr)
                return 1
            shell = subprocess.run([str(BIN / "rasa"), "shell", "-m", args.model, "--endpoints", args.endpoints,
                                    "-i", "127.0.0.1", "-p", str(args.rasa_port)], cwd=ROOT, env=env)
            return shell.returncode
        web_origin = f"http://127.0.0.1:{args.web_port}"
        env["WIDGET_ORIGINS"] = f"{web_origin} http://localhost:{args.web_port}"
        cmd = [str(BIN / "rasa"), "run", "-m", args.model, "--enable-api", "-i", "127.0.0.1",
               "-p", str(args.rasa_port), "--endpoints", args.endpoints, "--credentials", "credentials.yml"]
        # No --cors: Sanic-CORS would add a second Allow-Origin header to socket.io's
        # own, which accepts only WIDGET_ORIGINS. REST stays same-origin.
        if args.production:
            token = os.environ.get("RASA_AUTH_TOKEN")
            if not token:
                print("--production needs RASA_AUTH_TOKEN in the environment", file=sys.stderr)
                return 2
            cmd += ["--auth-token", token]
        server = sup.start(cmd, env=env)
        if not args.no_web:
            sup.start([sys.executable, str(ROOT / "scripts" / "serve_web.py"), "--port", str(args.web_port),
                       "--socket-url", f"http://127.0.0.1:{args.rasa_port}"], env=env)
        print("Starting... (the Rasa server needs about a minute to load the model)", flush=True)
        if wait_http(f"http://127.0.0.1:{args.rasa_port}/", 300, [actions, server]):
            print(f"\nReady.\n  Web widget:    {web_origin}/" * (not args.no_web)
                  + f"\n  REST:          http://127.0.0.1:{args.rasa_port}/webhooks/rest/webhook"
                  + f"\n  HTTP API:      http://127.0.0.1:{args.rasa_port}/"
                  + f"\n  Action server: http://127.0.0.1:{args.actions_port}/health"
                  + "\nPress Ctrl-C to stop.", flush=True)
        while not stopping:
            if any(p.poll() is not None for p in (actions, server)):
                print("A server stopped unexpectedly; shutting down.", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        sup.stop()


if __name__ == "__main__":
    sys.exit(main())
