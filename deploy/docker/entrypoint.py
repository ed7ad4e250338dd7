"""The containers' entry point (deploy/docker/*.Dockerfile): one of the project's three servers, started
the way scripts/run.py starts it, bound to all interfaces of the pod instead of loopback.

  entrypoint.py rasa      Rasa server (REST + socket.io + Chatwoot), HTTP API behind RASA_AUTH_TOKEN
  entrypoint.py actions   action server
  entrypoint.py web       widget page + support analytics (scripts/serve_web.py, production mode)
  entrypoint.py ready     readiness of the Rasa server in this pod: /status with the token, a model loaded

Before Rasa starts, what scripts/run.py checks is checked with run.py's own functions: the knowledge base
loads, and the tracker store, the lock store and the Chatwoot delivery store answer (Rasa would otherwise
fall back to an in-memory store and lose conversations). While a store is still starting (a fresh
PostgreSQL), the check is retried for STORE_WAIT_SECONDS before the container gives up.

Only the standard library is imported at module level: `ready` runs as an exec probe every few seconds.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # /app in the images: deploy/docker/entrypoint.py
CONFIG_DIR = Path(os.environ.get("TROUBLESHOOTER_CONFIG_DIR", "/etc/troubleshooter"))
HOST = "0.0.0.0"  # the pod's own address; the Services and the Ingress decide who reaches it


def fail(message: str, code: int = 1):
    print(f"entrypoint: {message}", file=sys.stderr, flush=True)
    raise SystemExit(code)


def project_script(name: str):
    """A module of scripts/ (run.py, serve_web.py), loaded from its file: the same code `make run` uses."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"project_{name}", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def unexpanded(value, where: str = "") -> list[str]:
    """Where `${...}` was left in a config read by Rasa's reader. Rasa expands a plain scalar that is
    only `${VAR}` or fails, but leaves an unset variable inside a longer value (a Redis URL with
    `${REDIS_PASSWORD}` in it) as it is, and never expands a quoted one."""
    if isinstance(value, dict):
        return [w for k, v in value.items() for w in unexpanded(v, f"{where}.{k}" if where else str(k))]
    if isinstance(value, list):
        return [w for i, v in enumerate(value) for w in unexpanded(v, f"{where}[{i}]")]
    return [where] if isinstance(value, str) and "${" in value else []


def read_config(path: Path) -> dict:
    """An endpoints or credentials file as `rasa run` reads it (environment variables expanded)."""
    from rasa.shared.utils.io import read_config_file

    if not path.is_file():
        fail(f"{path} is missing (the troubleshooter-files ConfigMap is mounted at {CONFIG_DIR})")
    empty = sorted({name for name in re.findall(r"\$\{(\w+)\}", path.read_text()) if not os.environ.get(name)})
    if empty:
        fail(f"{path} needs {', '.join(empty)} in the environment, not empty (the troubleshooter-secrets Secret)")
    config = read_config_file(str(path)) or {}
    left = unexpanded(config)
    if left:
        fail(f"{path}: an environment variable was not expanded in {', '.join(left)} (set it, unquoted)")
    return config


def model_file() -> Path:
    """RASA_MODEL, or the one model baked into the image (models/troubleshooter-*.tar.gz)."""
    if os.environ.get("RASA_MODEL"):
        path = Path(os.environ["RASA_MODEL"])
        if not path.is_file():
            fail(f"RASA_MODEL={path} does not exist")
        return path
    found = sorted((ROOT / "models").glob("troubleshooter-*.tar.gz"))
    if len(found) != 1:
        fail(f"expected exactly one model in {ROOT / 'models'}, found {len(found)}: {[p.name for p in found]}")
    return found[0]


def redact(text: str) -> str:
    """`text` without the password of any URL in it (run.py names the Chatwoot delivery store by its URL)."""
    return re.sub(r"(\w+://)[^/\s@]*@", r"\1***@", text)


def wait_for_stores(run, config: dict, endpoints: Path, seconds: float) -> str:
    """run.py's store checks, retried until `seconds` have passed; the Chatwoot delivery store's URL."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            run.check_stores(config, str(endpoints))
            return run.chatwoot_deliveries(config, str(endpoints))
        except SystemExit as exc:  # run.require_reachable: one line saying what is unreachable
            if time.monotonic() >= deadline:
                fail(redact(str(exc.code)))
            print(f"entrypoint: waiting: {redact(str(exc.code))}", file=sys.stderr, flush=True)
            time.sleep(3)


def rasa_argv(model: Path, endpoints: Path, credentials: Path, token: str, port: int) -> list[str]:
    """`rasa run` as run.py --production starts it, on all interfaces."""
    return [
        sys.executable,
        str(ROOT / "scripts" / "rasa"),
        "run",
        "-m",
        str(model),
        "--enable-api",
        "-i",
        HOST,
        "-p",
        str(port),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
        "--auth-token",
        token,
    ]


def start_rasa() -> None:
    token = os.environ.get("RASA_AUTH_TOKEN", "")
    if not token:
        fail("RASA_AUTH_TOKEN is not set (the troubleshooter-secrets Secret)", 2)
    run = project_script("run")
    run.check_knowledge_base()
    endpoints, credentials = CONFIG_DIR / "endpoints.yml", CONFIG_DIR / "credentials.yml"
    config = read_config(endpoints)
    read_config(credentials)
    deliveries = wait_for_stores(run, config, endpoints, float(os.environ.get("STORE_WAIT_SECONDS", "120")))
    if deliveries:
        os.environ["CHATWOOT_DELIVERIES"] = deliveries  # as run.py passes it on
    for key, value in run.SERVING_THREADS.items():  # one turn at a time per process, as run.py starts it
        os.environ.setdefault(key, value)
    argv = rasa_argv(model_file(), endpoints, credentials, token, int(os.environ.get("RASA_PORT", "5005")))
    os.execv(argv[0], argv)


def actions_argv(port: int) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "scripts" / "rasa"),
        "run",
        "actions",
        "--actions",
        "actions",
        "--port",
        str(port),
    ]


def start_actions() -> None:
    project_script("run").check_knowledge_base()
    os.environ.setdefault("SANIC_HOST", HOST)  # rasa_sdk's bind address
    argv = actions_argv(int(os.environ.get("ACTIONS_PORT", "5055")))
    os.execv(argv[0], argv)


def serve_web_on_all_interfaces():
    """scripts/serve_web.py with its server bound to HOST instead of 127.0.0.1 (it has no --host)."""
    serve_web = project_script("serve_web")
    base = serve_web.ThreadingHTTPServer

    class AllInterfaces(base):
        def __init__(self, address, handler):
            super().__init__((HOST, address[1]), handler)

    serve_web.ThreadingHTTPServer = AllInterfaces
    return serve_web


def web_argv(origin: str, port: int, endpoints: Path) -> list[str]:
    return ["serve_web.py", "--port", str(port), "--socket-url", origin, "--endpoints", str(endpoints), "--production"]


def start_web() -> None:
    origin = os.environ.get("PUBLIC_ORIGIN", "")
    if not origin.startswith(("https://", "http://")):
        fail(f"PUBLIC_ORIGIN must be the address people open, e.g. https://bot.example.org (got {origin!r})")
    project_script("run").check_knowledge_base()
    serve_web = serve_web_on_all_interfaces()
    sys.argv = web_argv(origin, int(os.environ.get("WEB_PORT", "8080")), CONFIG_DIR / "endpoints.yml")
    serve_web.main()


def ready(port: int | None = None, token: str | None = None, timeout: float = 4.0) -> int:
    """0 when this pod's Rasa server answers /status with the token and names its loaded model, else 1.
    (`/` answers without a token but not whether a model is loaded; /status answers 409 without one.)"""
    port = port or int(os.environ.get("RASA_PORT", "5005"))
    token = os.environ.get("RASA_AUTH_TOKEN", "") if token is None else token
    url = f"http://127.0.0.1:{port}/status?token={urllib.parse.quote(token)}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status = json.load(response)
    except (OSError, ValueError) as exc:  # refused, timed out, 401, 409, not JSON
        print(f"not ready: {exc}", file=sys.stderr)
        return 1
    if not status.get("model_file"):
        print(f"not ready: no model in {status}", file=sys.stderr)
        return 1
    return 0


COMMANDS = {"rasa": start_rasa, "actions": start_actions, "web": start_web, "ready": lambda: sys.exit(ready())}


def main(argv: list[str]) -> None:
    if len(argv) != 1 or argv[0] not in COMMANDS:
        fail(f"usage: entrypoint.py {'|'.join(COMMANDS)}", 2)
    # The model names its spaCy pipeline by a relative path (config.yml: build/spacy-en-blank), as
    # `make run` starts it from the checkout: the servers run from the project's root whatever the
    # container's working directory.
    os.chdir(ROOT)
    COMMANDS[argv[0]]()


if __name__ == "__main__":
    main(sys.argv[1:])
