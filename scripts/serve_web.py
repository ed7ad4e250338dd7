"""Serve web/ (the chat widget page) and the support analytics (/analytics) on
127.0.0.1, without directory listings; /embed.js puts the widget on other sites' pages (a launcher and
the widget page in an iframe), which only the origins of --embed-origins (or EMBED_ORIGINS) may frame."""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import posixpath
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote

from analytics.pages import Routes
from troubleshooter.paths import ROOT, WEB


@functools.cache
def widget_texts() -> str:
    """The widget's own words in every language (knowledge/texts/, group `widget`), as a script."""
    from troubleshooter.texts import KEYS, languages

    texts = {
        lang: {key.removeprefix("widget."): t(key) for key in KEYS if key.startswith("widget.")}
        for lang, t in languages().items()
    }
    return f"window.TROUBLESHOOTER_TEXTS = {json.dumps(texts, ensure_ascii=False)};\n"


# The launcher is named by the chat's header (its state is aria-expanded): existing words, for knowledge/texts/
# is an input of the model (a new key would mean training again).
EMBED_WORDS = ("widget.header",)
ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?")


@functools.cache
def embed_script() -> bytes:
    """web/embed.js with the launcher's words in every language filled in (it defines no global for them)."""
    from troubleshooter.texts import languages

    words = {lang: {key.removeprefix("widget."): t(key) for key in EMBED_WORDS} for lang, t in languages().items()}
    source = (WEB / "embed.js").read_text(encoding="utf-8")
    return source.replace("/*WORDS*/{}", json.dumps(words, ensure_ascii=False)).encode()


def embed_origins(text: str) -> tuple[str, ...]:
    """Comma-separated origins (scheme://host[:port], a host may start with `*.`) that may frame the widget."""
    origins = tuple(o.strip().rstrip("/") for o in text.split(",") if o.strip())
    for origin in origins:
        if not ORIGIN.fullmatch(origin):
            raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}")
    return origins


def frame_ancestors(origins: tuple[str, ...]) -> str:
    return " ".join(["frame-ancestors 'self'", *origins])


class Handler(SimpleHTTPRequestHandler):
    socket_url = "http://127.0.0.1:5005"
    analytics: Routes | None = None
    embed_origins: tuple[str, ...] = ()  # besides the page's own origin, who may show the widget page in a frame

    def do_GET(self):
        raw, _, query_text = self.path.partition("?")  # not urlsplit: "//analytics" is a path here, not a host
        if raw == "/embed.js":
            self._send(200, embed_script(), "application/javascript; charset=utf-8")
            return
        if raw == "/texts.js":
            self._send(200, widget_texts().encode(), "application/javascript")
            return
        if raw == "/config.js":
            # Behind the front (no socket URL): the widget talks to the address the page came from.
            url = json.dumps(self.socket_url) if self.socket_url else "window.location.origin"
            self._send(200, f"window.TROUBLESHOOTER_SOCKET_URL = {url};\n".encode(), "application/javascript")
            return
        path = posixpath.normpath("/" + unquote(raw).lstrip("/"))  # "//analytics", "/./analytics" are analytics too
        if any(p == "/analytics" or p.startswith("/analytics/") for p in (path, raw)):
            if self.analytics is None:
                self._send(404, b'{"error": "analytics are not served here"}', "application/json")
                return
            query = dict(parse_qsl(query_text.partition("#")[0], keep_blank_values=True))
            headers = {k.lower(): v for k, v in self.headers.items()}
            r = self.analytics.get(path, query, headers)
            self._send(r.status, r.body, r.content_type, r.headers)
            return
        super().do_GET()

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def list_directory(self, path):
        self.send_error(404)

    def end_headers(self):
        # The widget page may be framed by the embedding origins (embed.js); nothing else by another origin.
        widget_page = getattr(self, "path", "").partition("?")[0] in ("/", "/index.html")
        self.send_header("Content-Security-Policy", frame_ancestors(self.embed_origins if widget_page else ()))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, fmt, *args):
        pass


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--socket-url", default="http://127.0.0.1:5005", help="where the widget's socket.io is")
    ap.add_argument("--same-origin", action="store_true", help="the widget's socket.io is where the page is (front)")
    ap.add_argument("--endpoints", default="endpoints.yml", help="whose tracker store the analytics read")
    ap.add_argument("--demo-db", default=None, help="tracker database of simulated users (default: build/demo)")
    ap.add_argument("--production", action="store_true", help="analytics only with ANALYTICS_TOKEN")
    ap.add_argument(
        "--embed-origins",
        default=os.environ.get("EMBED_ORIGINS", ""),
        help="comma-separated origins whose pages may show the widget through /embed.js, e.g. "
        "https://help.example.org (default: $EMBED_ORIGINS; none: only the page's own origin)",
    )
    args = ap.parse_args(argv)
    try:
        args.embed_origins = embed_origins(args.embed_origins)
    except ValueError as exc:
        ap.error(f"--embed-origins: {exc}")
    return args


def main() -> None:
    args = parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from analytics.service import DEMO_DB, Analytics, Sources

    endpoints = Path(args.endpoints) if Path(args.endpoints).is_absolute() else ROOT / args.endpoints
    demo = Path(args.demo_db) if args.demo_db else DEMO_DB
    token = os.environ.get("ANALYTICS_TOKEN") or None
    Handler.socket_url = "" if args.same_origin else args.socket_url
    Handler.embed_origins = args.embed_origins
    Handler.analytics = Routes(
        lambda: Analytics(Sources.from_endpoints(endpoints, demo)), token=token, required=args.production
    )
    server = ThreadingHTTPServer(("127.0.0.1", args.port), functools.partial(Handler, directory=str(WEB)))
    if token or not args.production:
        threading.Thread(target=Handler.analytics.warm, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
