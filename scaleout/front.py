"""One address in front of the replicas: an nginx config written from the ports, and nginx run with it.

Through the front's one port: REST and the Chatwoot webhook go to the least busy Rasa replica (the
conversations live in the shared stores), socket.io (the widget) to one replica per client address
(an engine.io session lives in the memory of the replica that opened it, and its long-polling requests
must come back there), everything else to the page server (the widget page, /analytics). Rasa's HTTP
API is not reachable through it. A second listener on loopback spreads the replicas' action calls over
the action servers. Dead servers are taken out passively (`max_fails`), a request is tried on another
server only when the first one never got it (a user message is never processed twice), one client
address flooding gets 429, an oversized body 413, and nginx's own errors are short JSON.

A replica is a loopback port (5005) or an address of another host ("10.0.0.3:5005"). A replica
being drained (`Front.draining`) stays in the config marked `down`: nginx sends it nothing new, and
`reload` returns once nginx's old workers have finished the requests they had in flight
(scaleout/rolling.py restarts the replicas one after the other that way).

nginx is Debian's package, run as the user who starts it, with its config, pid, logs and temporary
files under its own prefix (build/front-PORT/ by default): `python -m scaleout.front --help`.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from troubleshooter.paths import BUILD

MAX_MESSAGE_CHARS = 4000  # channels/validation.py's (importing it loads Rasa; a unit test keeps them equal)
# The longest message the channels take, 4,000 characters of up to 12 bytes each as JSON escapes
# (an emoji is "\ud83d\ude29"), twice in a Chatwoot event (the message and the conversation's last
# one), plus the envelope: bodies this size still reach a channel, which explains a too-long message.
BODY_BYTES = 32 * MAX_MESSAGE_CHARS


class FrontError(RuntimeError):
    """What keeps the front from starting, in one line."""


@dataclass(frozen=True)
class Limits:
    """Per client address: `rate` requests a second with `burst` more at once (a page load is about
    ten), REST turns further held to `turns_per_minute` (a person sends one every few seconds), the
    first `turn_delay` above it passed at once, the next ones spaced out to the rate, beyond
    `turn_burst` refused; Chatwoot is one address for all its contacts. A server failing `max_fails`
    times within `fail_timeout` seconds is left out for `fail_timeout` seconds."""

    rate: int = 10
    burst: int = 40
    turns_per_minute: int = 30
    turn_burst: int = 10
    turn_delay: int = 5
    chatwoot_rate: int = 20
    chatwoot_burst: int = 100
    body_bytes: int = BODY_BYTES
    max_fails: int = 2
    fail_timeout: int = 10
    turn_seconds: int = 120  # a turn's answer may take this long (the replica may be busy)
    action_seconds: int = 300  # Rasa's own timeout for an action call


Server = int | str  # a loopback port, or "HOST:PORT" (an IPv4 address or a host name)


def address(server: Server) -> str:
    """A replica's or action server's HOST:PORT as nginx names it ("127.0.0.1:PORT" for a port alone)."""
    if isinstance(server, int) and not isinstance(server, bool):
        port, host = server, "127.0.0.1"
    elif isinstance(server, str) and server.count(":") == 1:
        host, _, text = server.partition(":")
        port = int(text) if text.isdigit() else -1
        with contextlib.suppress(ValueError):
            host = str(ipaddress.IPv4Address(host))
    else:
        raise ValueError(f"a server is a port or HOST:PORT, not {server!r}")
    if not 0 < port < 65536 or not host or not all(c.isalnum() or c in ".-" for c in host):
        raise ValueError(f"a server is a port or HOST:PORT, not {server!r}")
    return f"{host}:{port}"


@dataclass(frozen=True)
class Front:
    port: int
    replicas: tuple[Server, ...]
    pages: Server | None = None
    action_servers: tuple[Server, ...] = ()
    actions_port: int | None = None  # where the replicas' action_endpoint points (loopback only)
    host: str = "127.0.0.1"
    limits: Limits = field(default_factory=Limits)
    draining: tuple[Server, ...] = ()  # replicas nginx sends nothing new (marked `down`)

    def __post_init__(self):
        replicas = {address(r) for r in self.replicas}
        unknown = [d for d in self.draining if address(d) not in replicas]
        if unknown:
            raise ValueError(f"only a replica can be drained: {unknown} is none of {sorted(replicas)}")
        if replicas and replicas <= {address(d) for d in self.draining}:
            raise ValueError("draining every replica would leave nobody to answer")

    @property
    def url(self) -> str:
        return f"http://{'127.0.0.1' if self.host in ('0.0.0.0', '') else self.host}:{self.port}"


def prefix_for(port: int) -> Path:
    """Where the front on `port` keeps its config, pid, logs and temporary files."""
    return BUILD / f"front-{port}"


# ----- the config -----------------------------------------------------------------------------------
def _text(status: int) -> str:
    from troubleshooter.texts import t

    if status == 429:
        return "Too many requests from your address. Please wait a few seconds and try again."
    if status == 413:
        return t("channel.too_long", max_chars=MAX_MESSAGE_CHARS)
    return t("channel.trouble")


def _json_return(status: int) -> str:
    """nginx's `return` of {"error": text}: a single-quoted string (its \\ and ' escaped)."""
    body = json.dumps({"error": _text(status)})  # ASCII: non-ASCII letters as \\u escapes
    if "$" in body:
        raise ValueError(f"nginx would read a variable in the {status} text: {body}")
    return "'" + body.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _upstream(name: str, servers: tuple[Server, ...], balance: str, limits: Limits, down: tuple = ()) -> str:
    health = f"max_fails={limits.max_fails} fail_timeout={limits.fail_timeout}s"
    out = {address(d) for d in down}
    lines = "".join(f"        server {address(s)} {health}{' down' * (address(s) in out)};\n" for s in servers)
    return f"    upstream {name} {{\n        zone {name} 64k;\n        {balance};\n{lines}    }}\n"


def _proxy(upstream: str, read_seconds: int, tries: int, *extra: str) -> str:
    """A location's proxying. Its own proxy_set_header lines replace the inherited ones: all repeated."""
    lines = [
        f"proxy_pass http://{upstream};",
        "proxy_set_header Host $http_host;",
        "proxy_set_header X-Real-IP $remote_addr;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        *extra,
        f"proxy_read_timeout {read_seconds}s;",
        f"proxy_next_upstream_tries {tries};",
    ]
    if not any(line.startswith("proxy_set_header Connection") for line in extra):
        lines.append('proxy_set_header Connection "";')
    return "".join(f"            {line}\n" for line in lines)


def config(front: Front, prefix: Path) -> str:
    """The nginx config of `front`, its files under `prefix`."""
    lim = front.limits
    tries = max(2, len(front.replicas))
    errors = "".join(
        f"        error_page {code} = @error{code};\n"
        f"        location @error{code} {{\n"
        f"            default_type application/json;\n"
        + ("            add_header Retry-After 2 always;\n" if code == 429 else "")
        + f"            return {code} {_json_return(code)};\n        }}\n"
        for code in (413, 429, 502, 503, 504)
    )
    upstreams = _upstream("replicas", front.replicas, "least_conn", lim, front.draining)
    # A drained replica stays in the hash marked down: only its clients move, and come back after.
    upstreams += _upstream("widget_replicas", front.replicas, "hash $remote_addr consistent", lim, front.draining)
    if front.pages:
        upstreams += _upstream("pages", (front.pages,), "least_conn", lim)
    if front.action_servers:
        upstreams += _upstream("action_servers", front.action_servers, "least_conn", lim)
    if front.pages:
        pages = f"        location / {{\n{_proxy('pages', 60, 1)}        }}\n"
    else:
        pages = "        location / {\n            default_type application/json;\n"
        pages += '            return 404 \'{"error": "not found"}\';\n        }\n'
    upgrade = ("proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;")
    socket_io = _proxy("widget_replicas", lim.turn_seconds, tries, *upgrade, "proxy_buffering off;")
    actions = ""
    if front.action_servers:
        actions = f"""
    # The replicas' action calls (their action_endpoint), spread over the action servers: loopback only.
    server {{
        listen 127.0.0.1:{front.actions_port};
        access_log {prefix}/logs/actions.log front;
        client_max_body_size 64m;  # a long conversation's tracker; Rasa is the only client
        client_body_buffer_size 64m;  # in memory: nginx's workers write no files
        location / {{
{_proxy("action_servers", lim.action_seconds, max(2, len(front.action_servers)))}        }}
{errors}    }}
"""
    return f"""# Written by scaleout/front.py at each start: changes here are lost.
worker_processes auto;
# After a reload, old workers finish what they have in flight; an open websocket is closed after this.
worker_shutdown_timeout {lim.turn_seconds}s;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{
    worker_connections 1024;
}}

http {{
    # Which server answered (a request tried on two lists both: "A, B"; a refused one "-").
    log_format front '$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time '
                     'upstream=$upstream_addr upstream_status=$upstream_status';
    access_log {prefix}/logs/access.log front;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    server_tokens off;
    default_type application/octet-stream;

    # A client is its address (behind another proxy, set real_ip_header first, or all are one).
    limit_req_zone $binary_remote_addr zone=per_client:10m rate={lim.rate}r/s;
    limit_req_zone $binary_remote_addr zone=turns:10m rate={lim.turns_per_minute}r/m;
    limit_req_zone $binary_remote_addr zone=chatwoot:1m rate={lim.chatwoot_rate}r/s;
    limit_req_status 429;
    limit_req_log_level info;  # a flood's refusals are in the access log, not one error line each

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" close;
    }}

    # A server that refuses or drops the connection before it got the request is left and the next
    # one tried: safe for any request. Once a POST was sent (a user message, an action call) it is
    # never sent again (nginx retries non-idempotent requests only with `non_idempotent`): a timeout or
    # a dropped connection then answers 502/504, and the message was processed at most once.
    proxy_http_version 1.1;
    proxy_connect_timeout 2s;
    proxy_next_upstream error timeout;
    proxy_next_upstream_timeout 10s;
    proxy_max_temp_file_size 0;

{upstreams}
    server {{
        listen {front.host}:{front.port};
        client_max_body_size {lim.body_bytes};
        client_body_buffer_size {lim.body_bytes};  # in memory: nginx's workers write no files
        limit_req zone=per_client burst={lim.burst} nodelay;

        location /webhooks/rest/ {{
            limit_req zone=per_client burst={lim.burst} nodelay;
            limit_req zone=turns burst={lim.turn_burst} delay={lim.turn_delay};
{_proxy("replicas", lim.turn_seconds, tries)}        }}
        location /webhooks/chatwoot/ {{
            limit_req zone=chatwoot burst={lim.chatwoot_burst} nodelay;
{_proxy("replicas", lim.turn_seconds, tries)}        }}
        # socket.io: long-polling requests of a session must reach the replica holding it. The full
        # client address is hashed (ip_hash takes only three bytes of it); `consistent` moves only a
        # dead replica's clients. The websocket upgrade is passed on; the connection lives past
        # engine.io's pings (25 s apart).
        location /socket.io/ {{
{socket_io}        }}
{pages}{errors}    }}
{actions}}}
"""


# ----- running nginx ---------------------------------------------------------------------------------
def nginx_binary() -> str:
    debian = "/usr/sbin/nginx"  # not on a user's PATH
    found = shutil.which("nginx") or (debian if os.access(debian, os.X_OK) else None)
    if not found:
        raise FrontError("nginx is not installed: `make setup-test` installs it (Debian package nginx)")
    return found


def _port_taken(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return False
        except OSError:
            return True


def write(front: Front, prefix: Path) -> Path:
    """The config written to `prefix`/nginx.conf, with the folders nginx needs; its path."""
    for folder in ("logs", "tmp"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(config(front, prefix))
    return conf


def command(prefix: Path, foreground: bool = True) -> list[str]:
    """nginx on the config under `prefix` (in the foreground: for a supervisor that stops it)."""
    cmd = [nginx_binary(), "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "logs/error.log")]
    return [*cmd, "-g", "daemon off;"] if foreground else cmd


def prepare(front: Front, prefix: Path) -> list[str]:
    """Check nginx and the ports, write and test the config: the command that runs it (foreground)."""
    nginx_binary()
    ports = [(front.host, front.port)] + [("127.0.0.1", front.actions_port)] * bool(front.action_servers)
    for host, port in ports:
        if _port_taken(host, port):
            what = "the front" if port == front.port else "the action servers' front"
            raise FrontError(f"{host}:{port} is taken (by another server?): {what} cannot listen there")
    write(front, prefix)
    conf_test = subprocess.run([*command(prefix, foreground=False), "-t", "-q"], capture_output=True, text=True)
    if conf_test.returncode:
        raise FrontError(f"nginx refuses the config {prefix / 'nginx.conf'}: {last_error(conf_test.stderr)}")
    return command(prefix)


def last_error(text: str) -> str:
    lines = [line for line in text.splitlines() if "[emerg]" in line or "[alert]" in line or "[crit]" in line]
    return (lines or text.strip().splitlines() or ["no message"])[-1].split("] ", 1)[-1]


def failure(prefix: Path) -> str:
    """Why nginx stopped, from its error log."""
    log = prefix / "logs" / "error.log"
    return last_error(log.read_text(errors="replace")[-4000:]) if log.exists() else "no error log"


def _pid(prefix: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int((prefix / "nginx.pid").read_text())
    return None


def start(front: Front, prefix: Path, timeout: float = 10) -> int:
    """nginx started in the background (its pid file under `prefix`) and listening: its pid."""
    prepare(front, prefix)
    done = subprocess.run(command(prefix, foreground=False), capture_output=True, text=True)
    if done.returncode:
        raise FrontError(f"nginx did not start: {last_error(done.stderr)}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = _pid(prefix)
        if pid and _port_taken(front.host, front.port):
            return pid
        time.sleep(0.05)
    raise FrontError(f"nginx is not listening on {front.host}:{front.port} after {timeout:.0f} s: {failure(prefix)}")


def workers(prefix: Path) -> list[int]:
    """The processes of the nginx master started under `prefix` (its workers, old and new)."""
    master = _pid(prefix)
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def reload(front: Front, prefix: Path, timeout: float = 130, runner: tuple[str, ...] = ()) -> float:
    """Write and test `front`'s config and have the running nginx take it (SIGHUP). Returns, in seconds
    waited, once its old workers have exited: every request they had in flight (to a replica now being
    drained, say) is finished. nginx refusing the new config (it then keeps the old one), or old workers
    still busy after `timeout` seconds, raise FrontError. `runner` is the command prefix that puts a
    command where nginx runs (`ip netns exec NAME` for another network namespace): nginx's config test
    binds its listening addresses."""
    master = _pid(prefix)
    if master is None or not _running(master):
        raise FrontError(f"no nginx runs under {prefix}")
    write(front, prefix)
    test = [*runner, *command(prefix, foreground=False), "-t", "-q"]
    conf_test = subprocess.run(test, capture_output=True, text=True, timeout=60)
    if conf_test.returncode:
        raise FrontError(f"nginx refuses the config {prefix / 'nginx.conf'}: {last_error(conf_test.stderr)}")
    old = set(workers(prefix))
    started = time.monotonic()
    os.kill(master, signal.SIGHUP)
    deadline = started + timeout
    while time.monotonic() < deadline:
        now = [p for p in workers(prefix) if _running(p)]
        if not old & set(now) and now:
            return time.monotonic() - started
        time.sleep(0.05)
    busy = [p for p in old if _running(p)]
    if len(busy) == len(old) and not set(workers(prefix)) - old:
        raise FrontError(f"nginx did not take the new config: {failure(prefix)}")
    raise FrontError(f"nginx's old workers {busy} still had requests in flight after {timeout:.0f} s")


def stop(prefix: Path, timeout: float = 10) -> None:
    """Stop the nginx started by `start` (fast: open connections are closed)."""
    pid = _pid(prefix)
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    (prefix / "nginx.pid").unlink(missing_ok=True)


def _server(text: str) -> Server:
    """A command line's PORT or HOST:PORT."""
    server: Server = int(text) if text.isdigit() else text
    if server == 0:
        return 0
    try:
        address(server)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return server


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=["config", "start", "reload", "stop"])
    ap.add_argument("--port", type=int, required=True, help="the one address's port")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--replicas", type=_server, nargs="+", default=[5005], help="the Rasa replicas: PORT or HOST:PORT")
    ap.add_argument("--drain", type=_server, nargs="*", default=[], help="with reload: replicas to send nothing new")
    ap.add_argument("--pages", type=_server, default=8080, help="the page server: PORT or HOST:PORT (0: none)")
    ap.add_argument("--action-servers", type=_server, nargs="*", default=[], help="the action servers' ports")
    ap.add_argument("--actions-port", type=int, default=5055, help="the replicas' action_endpoint port")
    ap.add_argument("--prefix", type=Path, default=None, help="default: build/front-PORT")
    args = ap.parse_args(argv)
    try:
        front = Front(
            args.port,
            tuple(args.replicas),
            args.pages or None,
            tuple(args.action_servers),
            args.actions_port,
            args.host,
            draining=tuple(args.drain),
        )
    except ValueError as exc:
        ap.error(str(exc))
    prefix = (args.prefix or prefix_for(args.port)).resolve()
    try:
        if args.action == "config":
            print(config(front, prefix), end="")
        elif args.action == "start":
            print(f"nginx {start(front, prefix)}: {front.url}/ (logs in {prefix / 'logs'})")
        elif args.action == "reload":
            print(f"nginx took the new config; its old workers finished in {reload(front, prefix):.1f} s")
        else:
            stop(prefix)
    except FrontError as exc:
        print(f"front: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
