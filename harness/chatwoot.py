"""A fake Chatwoot on a free loopback port, shaped like Chatwoot 4.13+ as its
source describes it (`Message#webhook_data`, `Conversation#webhook_data`,
`AgentBotListener`, `Webhooks::Trigger`):

- it signs each agent-bot delivery (`X-Chatwoot-Signature: sha256=HMAC(secret,
  "{timestamp}.{body}")`, `X-Chatwoot-Timestamp`, `X-Chatwoot-Delivery`), waits
  at most 5 s, makes up to 3 attempts on 429/500 with the same delivery id
  (`AgentBots::WebhookJob`: 3 s apart; here 0.1 s), none after a timeout, and
  when a message event still fails, marks the message failed and opens the
  conversation if it was `pending` (the safety net; not with the account's
  `keep_pending_on_bot_failure`);
- the bot's own messages come back as `message_created` (outgoing, some private);
  a status change sends `conversation_status_changed` plus `conversation_opened`
  or `conversation_resolved`; a resolved conversation the contact writes to is
  `pending` again (a bot inbox);
- an option picked in an `input_select` message is a `message_updated` with
  `submitted_values`, sent again when the message is later read.

What the contact and agents do is delivered synchronously (the call returns
when the bot has answered the webhook); echoes of the bot's own API calls are
delivered by a background worker, as Chatwoot's job queue would (`settle`).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import queue
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

ACCOUNT, INBOX = 1, 3
API_TOKEN = "test-api-token"
_CONVERSATION = re.compile(r"^/api/v1/accounts/(\d+)/conversations/(\d+)(/messages|/toggle_status)?$")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


class FakeChatwoot:
    def __init__(self, secret: str, keep_pending_on_bot_failure: bool = False):
        self.secret = secret
        self.keep_pending_on_bot_failure = keep_pending_on_bot_failure
        self.bot_url: str | None = None  # the bot's webhook, set once it runs
        self.lock = threading.RLock()
        self.conversations: dict[int, dict] = {}
        self.messages: dict[int, dict] = {}
        self.calls: list[dict] = []  # every API call the bot made
        self.attempts: list[dict] = []  # every webhook call made to the bot
        self.failures: list[dict] = []  # injected API failures
        self._ids = itertools.count(5000)
        self._jobs: queue.Queue = queue.Queue()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        threading.Thread(target=self._work, daemon=True).start()

    # ----- what contacts and agents do ------------------------------------------------
    def contact_says(self, cid: int, text: str | None, attachments: list | None = None, private: bool = False) -> list:
        return self.deliver(self.contact_writes(cid, text, attachments, private))

    def contact_writes(
        self, cid: int, text: str | None, attachments: list | None = None, private: bool = False
    ) -> dict:
        """The contact's message, stored; its `message_created` event is returned, not delivered."""
        with self.lock:
            conv = self._conversation(cid)
            if conv["status"] == "resolved":  # a bot inbox reopens it for the bot
                conv["status"] = "pending"
            message = self._add(cid, text, "incoming", private=private, attachments=attachments)
        return self._message_event("message_created", message)

    def pick(self, message_id: int, title: str) -> list:
        """The contact clicks the option titled `title` in the bot's input_select message."""
        with self.lock:
            message = self.messages[message_id]
            item = next(i for i in message["content_attributes"]["items"] if i["title"] == title)
            message["content_attributes"]["submitted_values"] = [item]
        return self.deliver(self._message_event("message_updated", message))

    def read(self, message_id: int) -> list:
        """The contact's widget marks the message read: message_updated again, same values."""
        with self.lock:
            self.messages[message_id]["status"] = "read"
        return self.deliver(self._message_event("message_updated", self.messages[message_id]))

    def agent_sets(self, cid: int, status: str, notify: bool = True) -> None:
        """An agent changes the status; `notify=False`: the bot is not told (only the next message shows it)."""
        with self.lock:
            self._conversation(cid)["status"] = status
        for event in self._status_events(cid) if notify else []:
            self.deliver(event)

    # ----- what the bot sees and posted ----------------------------------------------
    def status(self, cid: int) -> str:
        return self._conversation(cid)["status"]

    def posted(self, cid: int, private: bool | None = False) -> list[dict]:
        """The bot's messages in a conversation (public ones unless `private` is None or True)."""
        with self.lock:
            return [
                m
                for m in self.messages.values()
                if m["conversation_id"] == cid
                and m["message_type"] == "outgoing"
                and (private is None or m["private"] == private)
            ]

    def last_select(self, cid: int) -> dict:
        return [m for m in self.posted(cid) if m["content_type"] == "input_select"][-1]

    def fail(self, method: str, suffix: str, status: int, times: int = 1) -> None:
        """The next `times` API calls `method` on a path ending in `suffix` answer `status`."""
        with self.lock:
            self.failures.append({"method": method, "suffix": suffix, "status": status, "times": times})

    def settle(self, seconds: float = 30) -> None:
        """Wait until every queued echo was delivered."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self._jobs.unfinished_tasks == 0:
                return
            time.sleep(0.05)
        raise TimeoutError("echo deliveries still queued")

    # ----- deliveries ------------------------------------------------------------------
    def deliver(
        self,
        payload: dict,
        delivery: str | None = None,
        *,
        secret: str | None = None,
        timestamp: str | None = None,
        attempts: int = 3,
        signed: bool = True,
    ) -> list:
        """POST `payload` as Chatwoot does; the HTTP status of each attempt (None: timed out)."""
        body = json.dumps(payload).encode()
        delivery = delivery or str(uuid.uuid4())
        statuses = []
        for _ in range(attempts):
            ts = timestamp or str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "X-Chatwoot-Delivery": delivery,
                **(
                    {"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": sign(secret or self.secret, ts, body)}
                    if signed
                    else {}
                ),
            }
            try:
                status = requests.post(self.bot_url, data=body, headers=headers, timeout=5).status_code
            except requests.RequestException:
                status = None
            statuses.append(status)
            with self.lock:
                self.attempts.append({"event": payload.get("event"), "delivery": delivery, "status": status})
            if status not in (429, 500):  # a timeout is not retried
                break
            time.sleep(0.1)
        if statuses[-1] is None or statuses[-1] >= 400:
            self._safety_net(payload)
        return statuses

    def _safety_net(self, payload: dict) -> None:
        if payload.get("event") not in ("message_created", "message_updated") or payload.get("id") not in self.messages:
            return
        with self.lock:
            message = self.messages[payload["id"]]
            message["status"] = "failed"
            conv = self._conversation(message["conversation_id"])
            if conv["status"] == "pending" and not self.keep_pending_on_bot_failure:
                conv["status"] = "open"

    def _work(self) -> None:
        while True:
            payload = self._jobs.get()
            try:
                self.deliver(payload)
            finally:
                self._jobs.task_done()

    # ----- Chatwoot's data --------------------------------------------------------------
    def _conversation(self, cid: int) -> dict:
        with self.lock:
            return self.conversations.setdefault(cid, {"id": cid, "status": "pending"})

    def browser_language(self, cid: int, language: str) -> None:
        """The contact's browser language, as Chatwoot's web widget records it on the conversation."""
        with self.lock:
            self._conversation(cid)["browser_language"] = language

    def _add(
        self,
        cid: int,
        content,
        message_type: str,
        private: bool = False,
        attachments=None,
        content_type: str = "text",
        content_attributes: dict | None = None,
    ) -> dict:
        message = {
            "id": next(self._ids),
            "conversation_id": cid,
            "content": content,
            "message_type": message_type,
            "private": private,
            "content_type": content_type,
            "content_attributes": content_attributes or {},
            "attachments": attachments or [],
            "status": "sent",
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        }
        self.messages[message["id"]] = message
        return message

    def _conversation_data(self, cid: int) -> dict:
        conv = self._conversation(cid)
        return {
            "id": cid,
            "account_id": ACCOUNT,
            "inbox_id": INBOX,
            "status": conv["status"],
            "can_reply": True,
            "channel": "Channel::WebWidget",
            "additional_attributes": {k: conv[k] for k in ("browser_language",) if k in conv},
            "contact_inbox": {"id": 8, "contact_id": 55, "inbox_id": INBOX},
            "meta": {"sender": {"id": 55, "name": "Jo", "type": "contact"}, "assignee": None},
            "unread_count": 0,
            "timestamp": int(time.time()),
        }

    def _message_event(self, kind: str, message: dict) -> dict:
        incoming = message["message_type"] == "incoming"
        data = {
            "event": kind,
            **{
                k: message[k]
                for k in (
                    "id",
                    "content",
                    "created_at",
                    "message_type",
                    "content_type",
                    "content_attributes",
                    "private",
                )
            },
            "source_id": None,
            "sender": (
                {"id": 55, "name": "Jo", "type": "contact"}
                if incoming
                else {"id": 2, "name": "Troubleshooter", "type": "agent_bot"}
            ),
            "inbox": {"id": INBOX, "name": "Website"},
            "conversation": self._conversation_data(message["conversation_id"]),
            "account": {"id": ACCOUNT, "name": "Support"},
        }
        if message["attachments"]:
            data["attachments"] = message["attachments"]
        return data

    def _status_events(self, cid: int) -> list[dict]:
        data = self._conversation_data(cid)
        events = [{**data, "event": "conversation_status_changed"}]
        if data["status"] in ("open", "resolved"):
            events.append(
                {**data, "event": "conversation_opened" if data["status"] == "open" else "conversation_resolved"}
            )
        return events

    # ----- Chatwoot's API ---------------------------------------------------------------
    def _injected(self, method: str, path: str) -> int | None:
        with self.lock:
            for f in self.failures:
                if f["method"] == method and path.endswith(f["suffix"]) and f["times"] > 0:
                    f["times"] -= 1
                    return f["status"]
        return None

    def _api(self, method: str, path: str, token: str | None, body: dict | None) -> tuple[int, dict]:
        with self.lock:
            self.calls.append({"method": method, "path": path, "token": token, "json": body})
        if token != API_TOKEN:
            return 401, {"error": "Invalid Access Token"}
        m = _CONVERSATION.match(path)
        if not m or int(m.group(1)) != ACCOUNT or int(m.group(2)) not in self.conversations:
            return 404, {"error": "Resource could not be found"}
        injected = self._injected(method, path)
        if injected:
            return injected, {"error": "injected"}
        cid, tail = int(m.group(2)), m.group(3)
        if method == "GET" and not tail:
            return 200, self._conversation_data(cid)
        if method == "POST" and tail == "/messages":
            if not isinstance(body, dict) or not isinstance(body.get("content"), str) or not body["content"].strip():
                return 422, {"error": "content is required"}
            with self.lock:
                message = self._add(
                    cid,
                    body["content"],
                    body.get("message_type", "outgoing"),
                    private=bool(body.get("private")),
                    content_type=body.get("content_type", "text"),
                    content_attributes=body.get("content_attributes"),
                )
            self._jobs.put(self._message_event("message_created", message))  # the bot's own message, echoed
            return 200, {"id": message["id"]}
        if method == "POST" and tail == "/toggle_status":
            status = (body or {}).get("status")
            if status not in ("open", "pending", "resolved", "snoozed"):
                return 422, {"error": "bad status"}
            with self.lock:
                self._conversation(cid)["status"] = status
            for event in self._status_events(cid):
                self._jobs.put(event)
            return 200, {"payload": {"success": True, "current_status": status, "conversation_id": cid}}
        return 404, {"error": "Resource could not be found"}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                status, answer = fake._api(method, self.path, self.headers.get("api_access_token"), body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def log_message(self, *args):
                pass

        return Handler

    def close(self) -> None:
        self.server.shutdown()
