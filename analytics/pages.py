"""HTTP routes of the analytics pages, independent of the server that mounts them:
`Routes.get(path, query, headers)` -> `Response`. With a token configured every route
needs it (Authorization: Bearer, or the cookie set by opening a page with ?token=)."""

from __future__ import annotations

import hmac
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from troubleshooter.knowledge import KnowledgeBaseError
from troubleshooter.paths import WEB

from .service import Analytics, QueryError
from .store import StoreError

logger = logging.getLogger(__name__)
PAGES = WEB / "analytics"
_STATIC = re.compile(r"^[a-z0-9_-]+\.(css|js)$")
_TYPES = {"css": "text/css; charset=utf-8", "js": "application/javascript; charset=utf-8"}
COOKIE = "analytics_token"


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def _json(status: int, data) -> Response:
    return Response(status, json.dumps(data, separators=(",", ":")).encode())


class Routes:
    def __init__(self, make: Callable[[], Analytics], token: str | None = None, required: bool = False):
        """`make` builds the analytics on first use; `required`: refuse everything without a token."""
        self._make, self._analytics, self._lock = make, None, threading.Lock()
        self.token, self.required = token, required

    def analytics(self) -> Analytics:
        with self._lock:
            if self._analytics is None:
                try:
                    self._analytics = self._make()
                except (StoreError, KnowledgeBaseError, OSError, ValueError) as exc:  # a set-up to fix, said plainly
                    raise QueryError(f"the analytics cannot start: {exc}", 503) from None
            return self._analytics

    def warm(self) -> None:
        """Read every store once (at start-up, in the background), so the first page is quick."""
        try:
            for store in self.analytics().sources.stores.values():
                store.refresh(force=True)
        except Exception as exc:
            logger.warning("analytics: could not read the tracker store yet: %s", exc)

    def get(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Response:
        started = time.perf_counter()
        try:
            response = self._route(path, query, headers)
        except QueryError as exc:
            response = _json(exc.status, {"error": str(exc)})
        except Exception:
            logger.exception("analytics request %s failed", path)
            response = _json(500, {"error": "the analytics could not answer this request; see the server log"})
        response.headers.setdefault("Server-Timing", f"app;dur={(time.perf_counter() - started) * 1000:.1f}")
        return response

    def _route(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Response:
        denied = self._denied(path, query, headers)
        if denied:
            return denied
        if path in ("/analytics", "/analytics/"):
            return self._page("index.html")
        if path == "/analytics/review":
            return self._page("review.html")
        if path.startswith("/analytics/static/"):
            name = path.rsplit("/", 1)[-1]
            if _STATIC.match(name) and (PAGES / name).is_file():
                return Response(200, (PAGES / name).read_bytes(), _TYPES[name.rsplit(".", 1)[1]])
            return _json(404, {"error": "no such file"})
        a = self.analytics()
        if path == "/analytics/summary.json":
            return _json(200, a.summary(query))
        if path == "/analytics/episodes.json":
            return _json(200, a.episodes(query))
        if path == "/analytics/episodes.csv":
            return Response(
                200,
                a.episodes_csv(query).encode(),
                "text/csv; charset=utf-8",
                {"Content-Disposition": 'attachment; filename="episodes.csv"'},
            )
        if path == "/analytics/conversation.json":
            return _json(200, a.conversation(query))
        return _json(404, {"error": f"no analytics page at {path[:80]}"})

    def _page(self, name: str) -> Response:
        return Response(200, (PAGES / name).read_bytes(), "text/html; charset=utf-8")

    def _denied(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Response | None:
        if not self.token:
            if self.required:
                return _json(403, {"error": "analytics are off: start with ANALYTICS_TOKEN set to open them"})
            return None
        given = query.get("token")
        if given is not None and self._matches(given) and not path.endswith((".json", ".csv")):
            rest = {k: v for k, v in query.items() if k != "token"}
            return Response(
                303,
                b"",
                "text/plain",
                {
                    "Location": path + ("?" + urlencode(rest) if rest else ""),
                    "Set-Cookie": f"{COOKIE}={given}; Path=/analytics; HttpOnly; SameSite=Lax",
                },
            )
        auth = headers.get("authorization", "")
        cookies = [
            c.strip().partition("=") for c in headers.get("cookie", "").split(";")
        ]  # other cookies may be malformed
        for candidate in (
            auth[7:] if auth.lower().startswith("bearer ") else None,
            *(value for name, _, value in cookies if name == COOKIE),
            given,
        ):
            if candidate is not None and self._matches(candidate):
                return None
        return _json(
            401,
            {
                "error": "this page needs the analytics token: open /analytics?token=... once, "
                "or send Authorization: Bearer <token>"
            },
        )

    def _matches(self, given: str) -> bool:
        return hmac.compare_digest(given.encode(), self.token.encode())
