"""Rasa's socket.io channel for the web chat, hardened: only the allowed origins may connect (both
transports), custom payloads reach the page, and every message goes through the message guard
(size and rate limits, typed payloads read as text) and gets a non-empty answer.

- Rasa 3.6's SocketIOOutput.send_custom_json calls `sio.emit(event, **payload)`, so a payload such
  as `{"type": "question", "step": 3, "of": 9}` raises TypeError and the rest of the turn is lost;
  here it is sent as `{"custom": {...}}`, the shape the REST channel returns.
- Rasa creates its socket.io server with `cors_allowed_origins=[]`, which turns origin checks off:
  a websocket from any site is accepted, and polling answers carry no CORS headers, so clients
  that start with polling (rasa-webchat) cannot connect at all. Here python-socketio checks the
  Origin of every request against `allowed_origins` (credentials.yml) and sends CORS headers to
  those origins. Requests without an Origin header (not from a browser) are not refused: the rate
  limits cover them.
"""

from __future__ import annotations

import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import rasa.core.channels.channel
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from components.channel_guard import MAX_SENDER_CHARS, Guarded, allowed_origins
from components.limits import UNREADABLE


class CustomPayloadSocketIOOutput(SocketIOOutput):
    """Sends custom payloads as the `custom` field of a normal bot message; counts what it sent."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class LimitedSocketBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint, with Sanic's websocket frame limit (1 MiB, read when the server
    is built, before any listener runs) set to the limit of the polling transport."""

    def __init__(self, max_bytes: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.max_bytes = max_bytes

    def register(self, app: Any, options: Dict[Text, Any]) -> None:
        app.config.WEBSOCKET_MAX_SIZE = self.ctx.max_bytes
        super().register(app, options)


class CustomPayloadSocketIOInput(Guarded, SocketIOInput):
    """credentials.yml: Rasa's socket.io settings plus `allowed_origins`, `max_message_chars`,
    `max_http_buffer_bytes`, `rate_limit_per_conversation`, `rate_limit_per_address`."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        channel.init_guard(credentials)
        channel.origins = allowed_origins(credentials)
        channel.max_http_buffer_bytes = int(credentials.get("max_http_buffer_bytes", 2_000_000))
        return channel

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return CustomPayloadSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if not hasattr(self, "guard"):  # built without from_credentials: Rasa's defaults
            self.init_guard({})
            self.origins, self.max_http_buffer_bytes = [], 2_000_000
        sio = AsyncServer(
            async_mode="sanic",
            # An empty list would turn the check off (python-engineio); None allows Rasa's own
            # origin only.
            cors_allowed_origins=self.origins or None,
            max_http_buffer_size=self.max_http_buffer_bytes,
        )
        self.sio = sio
        webhook = LimitedSocketBlueprint(
            self.max_http_buffer_bytes, sio, self.socketio_path, "socketio_webhook", __name__
        )
        addresses: Dict[Text, Text] = {}  # socket id -> client address, for the rate limit
        channel = self

        @webhook.listener("before_server_start")
        async def remember_app(app: Any, _: Any) -> None:
            channel.agent_source = lambda: getattr(app.ctx, "agent", None)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict]) -> bool:
            if self.jwt_key:
                token = auth.get("token") if isinstance(auth, dict) else None
                if not token or not rasa.core.channels.channel.decode_bearer_token(
                    token, self.jwt_key, self.jwt_algorithm
                ):
                    return False
            request = environ.get("sanic.request")
            addresses[sid] = (request.remote_addr or request.ip) if request else "unknown"
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            addresses.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if not isinstance(session_id, str) or not session_id or len(session_id) > MAX_SENDER_CHARS:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            output = CustomPayloadSocketIOOutput(sio, self.bot_message_evt)
            data = data if isinstance(data, dict) else {}
            if self.session_persistence:
                sender_id = data.get("session_id")
                if not isinstance(sender_id, str) or not sender_id or len(sender_id) > MAX_SENDER_CHARS:
                    # Rasa ignores such a message silently; the person is told instead.
                    await output.send_text_message(sid, UNREADABLE)
                    return
            else:
                sender_id = sid
            text = data.get("message", "")
            if not isinstance(text, str):
                await output.send_text_message(sender_id, UNREADABLE)
                return
            admission = await self.admit(text, sender_id, addresses.get(sid, "unknown"))
            await self.answer(
                on_new_message,
                admission,
                output,
                sender_id,
                self.clean_metadata(data.get(self.metadata_key)) or {},
                sent=lambda: output.sent,
            )

        return webhook
