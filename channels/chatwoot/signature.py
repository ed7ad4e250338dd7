"""Is a webhook call really from Chatwoot? Chatwoot 4.13+ signs each agent-bot
webhook: `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{raw body}">`
keyed with the agent bot's secret, with `X-Chatwoot-Timestamp` (unix seconds).
Older Chatwoot cannot sign; for it, `?token=SECRET` in the webhook URL is the
documented fallback (weaker: the URL is visible to account users and in logs)."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

WINDOW_SECONDS = 300  # a signed call older or newer than this is a replay (or a skewed clock)


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return "sha256=" + digest


def problem(
    secret: str, headers: Mapping[str, str], query_token: str | None, body: bytes, now: float, allow_token: bool = True
) -> str | None:
    """Why the call must be refused, or None when it is authentic."""
    if not secret:
        return "the webhook secret is not configured (CHATWOOT_WEBHOOK_SECRET)"
    signature = headers.get("x-chatwoot-signature")
    if signature is None:
        if allow_token and query_token is not None:
            return None if hmac.compare_digest(query_token.encode(), secret.encode()) else "wrong token"
        return "unsigned call"
    timestamp = headers.get("x-chatwoot-timestamp") or ""
    if not re.fullmatch(r"[0-9]{1,12}", timestamp) or abs(now - int(timestamp)) > WINDOW_SECONDS:
        return "missing or stale timestamp"
    if not hmac.compare_digest(signature.encode(), expected_signature(secret, timestamp, body).encode()):
        return "bad signature"
    return None
