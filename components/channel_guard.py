"""The part our REST and socket.io channels share: settings from credentials.yml, the message guard
(components/limits.py), and the rule that every message a person sends gets a non-empty answer.

Logs name what happened (rate limited, cut, failed) and never the words or the conversation id:
conversations are protected health information.
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any, Awaitable, Callable, Dict, FrozenSet, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage

from components.limits import NO_ANSWER, Admission, MessageGuard, offered_payloads

logger = logging.getLogger(__name__)

SERVER_TROUBLE = (
    "Sorry, something went wrong on my side. Please try again in a moment. If you are in crisis, " "call or text 988."
)
MAX_METADATA_CHARS = 4000
MAX_SENDER_CHARS = 128


def describe_failure(error: BaseException) -> Text:
    """Each exception in the chain by type and place, never its message (it may quote the user)."""
    parts = []
    seen = set()
    while error is not None and id(error) not in seen and len(parts) < 5:
        seen.add(id(error))
        frames = traceback.extract_tb(error.__traceback__)
        where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
        parts.append(type(error).__name__ + where)
        error = error.__cause__ or error.__context__
    return ", caused by ".join(parts)


def allowed_origins(settings: Dict[Text, Any]) -> List[Text]:
    """The `allowed_origins` list of a channel's settings, as exact scheme://host:port strings."""
    origins = settings.get("allowed_origins") or []
    if isinstance(origins, str):
        origins = [origins]
    cleaned = [str(origin).strip().rstrip("/") for origin in origins if str(origin).strip()]
    if "*" in cleaned:
        raise ValueError("allowed_origins must list the sites that may use the chat, not '*'")
    return cleaned


class Guarded:
    """Mixed into an input channel; `settings` are its section of credentials.yml."""

    guard: MessageGuard

    def init_guard(self, settings: Dict[Text, Any]) -> None:
        self.guard = MessageGuard.from_settings(settings)
        self.agent_source: Optional[Callable[[], Any]] = None

    async def _offered(self, sender_id: Text) -> FrozenSet[Text]:
        """The button payloads the bot offered in its last turn of this conversation."""
        agent = self.agent_source() if self.agent_source else None
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return frozenset()
        tracker = await store.retrieve(sender_id)
        if tracker is None:
            return frozenset()
        tail = []
        for event in reversed(tracker.events):
            tail.append({"event": event.type_name, "data": getattr(event, "data", None)})
            if event.type_name == "user":
                break
        return offered_payloads(reversed(tail))

    async def admit(self, text: Text, sender_id: Text, address: Text) -> Admission:
        admission = await self.guard.admit(text, sender_id, address, offered=lambda: self._offered(sender_id))
        if admission.reason != "ok":
            self._note(admission.reason)
        return admission

    def _note(self, reason: Text) -> None:
        """Logs what happened, at most once a minute per kind, so a flood cannot flood the log."""
        now = time.monotonic()
        counts = self.__dict__.setdefault("_noted", {})
        count, since = counts.get(reason, (0, None))
        count += 1
        if since is None or now - since >= 60:
            logger.info(
                "Message %s (%s channel): %d since the last such line.",
                reason.replace("_", " "),
                self.name(),
                count,
            )
            counts[reason] = (0, now)
        else:
            counts[reason] = (count, since)

    async def answer(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        admission: Admission,
        output: OutputChannel,
        sender_id: Text,
        metadata: Optional[Dict[Text, Any]],
        sent: Callable[[], int],
    ) -> None:
        """Says the notes, lets Rasa answer the admitted text, and makes sure something was said.

        `sent` counts the messages the output channel has sent so far.
        """
        for note in admission.notes:
            await output.send_text_message(sender_id, note)
        if admission.text is None:
            return
        before = sent()
        try:
            await on_new_message(
                UserMessage(admission.text, output, sender_id, input_channel=self.name(), metadata=metadata)
            )
        except Exception as error:  # noqa: BLE001 - the person still gets an answer
            logger.error("Rasa failed on a message: %s", describe_failure(error))
            await output.send_text_message(sender_id, SERVER_TROUBLE)
            return
        if sent() == before:
            await output.send_text_message(sender_id, NO_ANSWER)

    @staticmethod
    def clean_metadata(metadata: Any) -> Optional[Dict[Text, Any]]:
        """Metadata kept with the message: a small JSON object, or nothing."""
        import json

        if isinstance(metadata, str):
            if len(metadata) > MAX_METADATA_CHARS:
                return None
            try:
                metadata = json.loads(metadata)
            except ValueError:
                return None
        if not isinstance(metadata, dict):
            return None
        try:
            if len(json.dumps(metadata)) > MAX_METADATA_CHARS:
                return None
        except (TypeError, ValueError):
            return None
        return metadata
