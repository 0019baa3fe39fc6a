"""Rasa's REST channel for integrators, hardened: a clear 400 for a bad request, the message guard
(size and rate limits, typed payloads as text), a non-empty answer to every message, CORS for the
allowed origins only, and a token whenever Rasa listens beyond this machine.

Request: POST /webhooks/rest/webhook with `{"sender": "...", "message": "...", "metadata": {...}}`
(metadata optional); answer: Rasa's list of bot messages. Streaming (`?stream=true`) is not offered.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from components.channel_guard import MAX_SENDER_CHARS, Guarded, allowed_origins

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", ""}


def listens_beyond_this_machine(host: Optional[Text]) -> bool:
    """Whether a server bound to `host` can be reached from other machines."""
    host = (host or "").strip("[]")
    if host in LOOPBACK_NAMES:
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a host name other than localhost: assume it is reachable


def bad_request(reason: Text, status: int = 400) -> HTTPResponse:
    return response.json({"error": reason}, status=status)


class GuardedRestInput(Guarded, RestInput):
    """credentials.yml: `allowed_origins`, `token_env`, `max_message_chars`, `max_body_bytes`,
    `rate_limit_per_conversation`, `rate_limit_per_address` (see credentials.yml)."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(credentials or {})

    def __init__(self, settings: Optional[Dict[Text, Any]] = None) -> None:
        settings = settings or {}
        self.init_guard(settings)
        self.origins = allowed_origins(settings)
        self.max_body_bytes = int(settings.get("max_body_bytes", 2_000_000))
        token_env = settings.get("token_env") or "REFERRAL_REST_TOKEN"
        self.token_env = token_env
        self.token = (os.environ.get(token_env) or "").strip() or None

    # ----- checks -----

    def check_exposure(self, host: Optional[Text]) -> None:
        """Refuses to start a REST channel that others can reach without a token."""
        if self.token is None and listens_beyond_this_machine(host):
            raise RuntimeError(
                f"Rasa listens on {host}, beyond this machine, and the REST channel has no "
                f"token: set the environment variable {self.token_env} (see README, Security)."
            )

    def _authorized(self, request: Request) -> bool:
        if self.token is None:
            return True
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), self.token)

    def _parse(self, request: Request) -> tuple[Optional[Dict[Text, Any]], Optional[Text]]:
        """The request's JSON object and None, or None and what is wrong with it."""
        body = request.body or b""
        if not body.strip():
            return None, "The request body is empty: send JSON with 'sender' and 'message'."
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None, "The request body is not valid JSON."
        if not isinstance(data, dict):
            return None, "The request body must be a JSON object with 'sender' and 'message'."
        sender = data.get("sender")
        if isinstance(sender, int) and not isinstance(sender, bool):
            sender = str(sender)
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
            return None, f"'sender' must be a non-empty string of at most {MAX_SENDER_CHARS} characters."
        if not isinstance(data.get("message"), str):
            return None, "'message' must be a string."
        if "metadata" in data and data["metadata"] is not None:
            if self.clean_metadata(data["metadata"]) is None:
                return None, "'metadata' must be a small JSON object."
        data["sender"] = sender.strip()
        return data, None

    # ----- routes -----

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)
        channel = self

        @webhook.listener("before_server_start")
        async def check_configuration(app: Any, _: Any) -> None:
            channel.agent_source = lambda: getattr(app.ctx, "agent", None)
            # Sanic reads at most this much of a request body (413 beyond); Rasa's API is off.
            app.config.REQUEST_MAX_SIZE = min(app.config.REQUEST_MAX_SIZE, channel.max_body_bytes)
            channel.check_exposure(app.state.host)

        @webhook.middleware("response")
        async def cors(request: Request, reply: HTTPResponse) -> None:
            # A blueprint middleware: it also runs on the empty answer Rasa's CORS extension
            # gives to a preflight request (OPTIONS) before our routes are reached.
            origin = request.headers.get("Origin")
            reply.headers["Vary"] = "Origin"
            if not origin or origin not in channel.origins:
                return
            reply.headers["Access-Control-Allow-Origin"] = origin
            if request.method == "OPTIONS":
                reply.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
                reply.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
                reply.headers["Access-Control-Max-Age"] = "600"

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["OPTIONS"])
        async def preflight(request: Request) -> HTTPResponse:
            return response.empty(status=204)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            origin = request.headers.get("Origin")
            if origin and origin not in channel.origins:
                # A page on another site: browsers would hide the answer, but the message would
                # still reach the bot, so it is refused outright.
                return bad_request("This origin is not allowed.", 403)
            if not channel._authorized(request):
                return response.json(
                    {"error": "A valid token is required (Authorization: Bearer ...)."},
                    status=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            data, problem = channel._parse(request)
            if problem:
                return bad_request(problem)
            sender = data["sender"]
            address = request.remote_addr or request.ip or "unknown"
            admission = await channel.admit(data["message"], sender, address)
            collector = CollectingOutputChannel()
            await channel.answer(
                on_new_message,
                admission,
                collector,
                sender,
                channel.clean_metadata(data.get("metadata")),
                sent=lambda: len(collector.messages),
            )
            status = 429 if admission.reason == "rate_limited" else 200
            return response.json(collector.messages, status=status)

        return webhook

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        data, _ = self._parse(request)
        return self.clean_metadata(data.get("metadata")) if data else None
