"""Rasa's socket.io channel, with each custom payload sent whole to the web chat as `{"custom": {...}}`.

Rasa 3.6's SocketIOOutput.send_custom_json calls `sio.emit(event, **payload)`, so a payload such as
`{"type": "question", "step": 3, "of": 9}` raises TypeError (emit() has no `type` argument) and the
rest of the turn is lost. Sending it under `custom` also matches what the REST channel returns.
"""
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint


class CustomPayloadSocketIOOutput(SocketIOOutput):
    """Sends custom payloads as the `custom` field of a normal bot message."""

    async def send_custom_json(
        self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class CustomPayloadSocketIOInput(SocketIOInput):
    """Rasa's socket.io input channel, answering through CustomPayloadSocketIOOutput."""

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return CustomPayloadSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        async def answer_with_custom_payloads(message: UserMessage) -> None:
            message.output_channel = CustomPayloadSocketIOOutput(
                self.sio, self.bot_message_evt
            )
            await on_new_message(message)

        return super().blueprint(answer_with_custom_payloads)
