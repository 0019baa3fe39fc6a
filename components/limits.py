"""What every channel does to a user message before Rasa reads it: size limit, rate limits, and
typed payloads read as text. Pure logic (no Sanic), used by our REST and socket.io channels.

- Only the first `max_message_chars` characters are read (Rasa's NLU time and memory grow with
  the length: 20,000 words took 23 s and 6 GB); the person is told so, kindly.
- Rate limits per conversation and per client address, as token buckets: a burst, then a steady
  rate. A person typing or clicking never reaches them; a script does.
- Rasa treats any text that starts with "/" as an intent with entities (`/restart`,
  `/inform{"coverage": "..."}`), which would let a typed message skip the NLU and set screening
  answers. Only the payloads of the buttons the bot offered in its last turn, and the few the web
  chat sends by itself, are passed on as payloads; anything else is read as plain text.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, FrozenSet, Iterable, List, Optional, Text

INTENT_PREFIX = "/"

# What the person sees. Plain words; people may be in distress, so 988 stays in reach.
TOO_LONG_NOTE = (
    "Your message was long, so I read the first {limit:,} characters. If there is more you want "
    "me to know, please send it in a shorter message."
)
RATE_LIMITED = (
    "You're sending messages faster than I can keep up with. Please wait a few seconds, then "
    "send your message again. If you are in crisis, call or text 988 now."
)
EMPTY_MESSAGE = (
    'I didn\'t get any words in that message. You can type a question, or type "help" to see ' "what I can do."
)
NO_ANSWER = (
    'Sorry, I didn\'t quite follow that. Could you say it another way? You can also type "help" '
    "to see what I can do. If you are in crisis, call or text 988."
)
UNREADABLE = "Sorry, I could not read that message. Please try sending it again."

# Control characters other than tab and newline, and unassigned/private-use code points, carry no
# meaning for the NLU and can break logs or terminals.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def clean_text(text: Text) -> Text:
    """The message as the NLU should read it: valid Unicode, no control characters, trimmed."""
    # Lone surrogates (valid in JSON, not in UTF-8) would fail later when stored or sent back.
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = _CONTROL.sub(" ", text)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Co", "Cn", "Cs"))
    return text.strip()


def truncate(text: Text, limit: int) -> tuple[Text, bool]:
    """The first `limit` characters (cut at a space when one is near), and whether anything was cut."""
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ", max(0, limit - 40))
    if space > 0:
        cut = cut[:space]
    return cut.rstrip(), True


def offered_payloads(events: Iterable[Dict[Text, Any]]) -> FrozenSet[Text]:
    """The button payloads the bot sent since the person's last message (events as dicts)."""
    offered: List[Text] = []
    for event in reversed(list(events)):
        if event.get("event") == "user":
            break
        if event.get("event") == "bot":
            for button in (event.get("data") or {}).get("buttons") or []:
                payload = button.get("payload") if isinstance(button, dict) else None
                if isinstance(payload, str):
                    offered.append(payload.strip())
    return frozenset(offered)


def as_plain_text_unless_offered(text: Text, offered: FrozenSet[Text], always_allowed: FrozenSet[Text]) -> Text:
    """The text unchanged if it is a payload the bot offered; otherwise never a payload: the
    intent's name as a word, without the entities typed after it (`/inform{"coverage": ...}` ->
    "inform"), so that no answer is read from payload syntax either."""
    if not text.startswith(INTENT_PREFIX) or text in offered or text in always_allowed:
        return text
    plain = text.lstrip(INTENT_PREFIX).strip()
    typed = _TYPED_ENTITIES.fullmatch(plain)
    return typed.group(1) if typed else plain


# An intent name with entities after it, as Rasa reads a payload: `inform{"er_visits": 7}`.
_TYPED_ENTITIES = re.compile(r"([\w/-]+)\s*\{.*\}\s*", re.DOTALL)


@dataclass
class TokenBucket:
    """`burst` messages at once, then one every 60/`per_minute` seconds."""

    burst: float
    per_minute: float
    tokens: float
    updated: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.per_minute / 60)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def full(self, now: float) -> bool:
        return self.tokens + (now - self.updated) * self.per_minute / 60 >= self.burst


class RateLimiter:
    """Token buckets by key (a conversation id or a client address), at most `max_keys` kept.

    When the table is full the least recently used bucket is forgotten: that key starts again
    with a full burst, which errs on the side of letting a person talk.
    """

    def __init__(
        self,
        burst: float,
        per_minute: float,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = float(burst)
        self.per_minute = float(per_minute)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[Text, TokenBucket] = OrderedDict()

    def allow(self, key: Text) -> bool:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = TokenBucket(self.burst, self.per_minute, self.burst, now)
            self._buckets[key] = bucket
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        return bucket.take(now)

    def __len__(self) -> int:
        return len(self._buckets)


@dataclass
class Admission:
    """What to do with one incoming message."""

    text: Optional[Text]  # what Rasa reads; None: do not pass the message on
    notes: List[Text] = field(default_factory=list)  # said to the person before Rasa's answer
    reason: Text = "ok"  # for logs and tests: ok, truncated, rate_limited, empty


@dataclass
class MessageGuard:
    """The settings and state shared by a channel (credentials.yml, see `from_settings`)."""

    max_message_chars: int = 2000
    conversation_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(20, 30))
    address_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(120, 300))
    always_allowed_payloads: FrozenSet[Text] = frozenset({"/greet"})

    @classmethod
    def from_settings(cls, settings: Dict[Text, Any]) -> MessageGuard:
        """Reads `max_message_chars`, `rate_limit_per_conversation` and `rate_limit_per_address`
        (each `{burst, per_minute}`) and `always_allowed_payloads` from a channel's credentials."""

        def limiter(name: Text, default_burst: float, default_rate: float) -> RateLimiter:
            value = settings.get(name) or {}
            return RateLimiter(
                float(value.get("burst", default_burst)),
                float(value.get("per_minute", default_rate)),
            )

        max_chars = int(settings.get("max_message_chars", 2000))
        if max_chars < 1:
            raise ValueError("max_message_chars must be at least 1")
        return cls(
            max_message_chars=max_chars,
            conversation_limiter=limiter("rate_limit_per_conversation", 20, 30),
            address_limiter=limiter("rate_limit_per_address", 120, 300),
            always_allowed_payloads=frozenset(settings.get("always_allowed_payloads") or ["/greet"]),
        )

    async def admit(
        self,
        text: Text,
        conversation: Text,
        address: Text,
        offered: Optional[Callable[[], Awaitable[FrozenSet[Text]]]] = None,
    ) -> Admission:
        """Applies the rate limits, cleans and cuts the text, and reads typed payloads as text.

        `offered` is called only when the text looks like a payload (it reads the conversation).
        """
        # Both buckets are charged, so a flood spread over many conversations is still limited.
        by_address = self.address_limiter.allow(address)
        by_conversation = self.conversation_limiter.allow(conversation)
        if not (by_address and by_conversation):
            return Admission(None, [RATE_LIMITED], "rate_limited")
        # Cleaning reads every character: a huge message is cut roughly first, then exactly.
        rough_limit = 2 * self.max_message_chars + 1000
        cut = len(text) > rough_limit
        text = clean_text(text[:rough_limit])
        if not text:
            return Admission(None, [EMPTY_MESSAGE], "empty")
        text, cut_here = truncate(text, self.max_message_chars)
        cut = cut or cut_here
        if text.startswith(INTENT_PREFIX):
            payloads = await offered() if offered is not None else frozenset()
            text = as_plain_text_unless_offered(text, payloads, self.always_allowed_payloads)
            if not text:
                return Admission(None, [EMPTY_MESSAGE], "empty")
        if cut:
            return Admission(text, [TOO_LONG_NOTE.format(limit=self.max_message_chars)], "truncated")
        return Admission(text)
