"""Sends odd, huge and hostile messages through the real servers and checks that every one is
answered: no 5xx, no silent reply, a normal answer afterwards, memory bounded.

    python tools/fuzz.py --count 10000          # starts its own servers on free ports (make fuzz)
    python tools/fuzz.py --rasa-url http://127.0.0.1:5005 --count 1000

Messages: random Unicode (astral, combining, right-to-left, zero-width), control characters, lone
surrogates, 100 KB and larger, JSON and markup in text, empty and blank, payload-like ("/restart",
`/inform{...}`, unknown intents), template braces, digits by the thousand; plus malformed request
bodies (which must get a 400) and some messages over socket.io's websocket. Seeded: a failure can
be replayed with the same --seed. The report never prints a message's text, only its kind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APOLOGY = "something went wrong on my side"  # components/channel_guard.py SERVER_TROUBLE
NORMAL_QUESTION = "what is csp?"

INTENT_LIKE = [
    "restart",
    "greet",
    "inform",
    "check_eligibility",
    "find_providers",
    "stop",
    "session_start",
    "back",
    "affirm",
    "deny",
    "nlu_fallback",
    "faq/csp_what",
    "crisis",
    "help",
    "x" * 80,
]
SLOTS = [
    "for_whom",
    "coverage",
    "er_visits",
    "psych_discharge",
    "diagnosis",
    "consent",
    "location",
    "housing",
    "justice",
    "requested_slot",
    "age",
]


def _random_unicode(rng: random.Random, length: int) -> str:
    ranges = [
        (0x20, 0x7E),
        (0xA0, 0x24F),
        (0x300, 0x36F),
        (0x590, 0x6FF),
        (0x900, 0x97F),
        (0x3040, 0x30FF),
        (0x4E00, 0x4FFF),
        (0xAC00, 0xAD00),
        (0x1F300, 0x1FAFF),
        (0x200B, 0x200F),
        (0x202A, 0x202E),
        (0xE000, 0xE0FF),
        (0x10000, 0x1007F),
        (0xFFF0, 0xFFFF),
    ]
    out = []
    for _ in range(length):
        low, high = rng.choice(ranges)
        out.append(chr(rng.randint(low, high)))
    return "".join(out)


def _words(rng: random.Random, count: int) -> str:
    vocabulary = [
        "I",
        "need",
        "help",
        "with",
        "housing",
        "CSP",
        "MassHealth",
        "ER",
        "three",
        "times",
        "yes",
        "no",
        "not",
        "sure",
        "Worcester",
        "01608",
        "depression",
        "my",
        "son",
        "kill",
        "time",
        "feel",
        "hopeless",
        "eligible",
        "provider",
        "near",
        "me",
        "the",
        "a",
        "insurance",
    ]
    return " ".join(rng.choice(vocabulary) for _ in range(count))


GENERATORS: Dict[str, Callable[[random.Random], str]] = {
    "unicode": lambda r: _random_unicode(r, r.randint(1, 400)),
    "control": lambda r: "".join(chr(r.randint(0, 31)) for _ in range(r.randint(1, 60))) + _words(r, 3),
    "surrogate": lambda r: "hello \ud800 there \udfff" + _random_unicode(r, 5),
    "huge_words": lambda r: _words(r, r.randint(15_000, 20_000))[:100_000],
    "huge_one_token": lambda r: r.choice("x1🙂") * r.choice([5_000, 100_000]),
    "huge_unicode": lambda r: _random_unicode(r, 30_000),
    "digits": lambda r: "1" * r.choice([20, 100, 500, 1999, 2000, 5000]),
    "json": lambda r: json.dumps({"message": _words(r, 3), "sender": "other", "metadata": {"a": [1, 2, {"b": None}]}}),
    "markup": lambda r: r.choice(
        [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "'; DROP TABLE events; --",
            "${jndi:ldap://x/a}",
            "{{7*7}}",
            "%s%s%s%n",
            "../../etc/passwd",
            "\\x00\\u0000",
        ]
    ),
    "braces": lambda r: "{" + r.choice(SLOTS) + "} {0} {} {{}} {" + _words(r, 2) + "}",
    "empty": lambda r: r.choice(["", " ", "\n\n", "\t", "\u200b", "\ufeff", "\x00"]),
    "payload": lambda r: "/" + r.choice(INTENT_LIKE) + r.choice(["", "{}", "{", "}", "[]", '{"a": 1}']),
    "payload_entities": lambda r: "/inform"
    + json.dumps({s: r.choice(["yes", "no", 7, None, "x" * 50]) for s in r.sample(SLOTS, 3)}),
    "slashes": lambda r: "/" * r.randint(1, 50) + _words(r, r.randint(0, 3)),
    "newlines": lambda r: "\n".join(_words(r, 2) for _ in range(r.randint(2, 200))),
    "normal": lambda r: _words(r, r.randint(1, 12)),
}
# How often each kind comes up (huge ones less: each is 100 KB over the wire).
WEIGHTS = {
    "unicode": 10,
    "control": 6,
    "surrogate": 3,
    "huge_words": 2,
    "huge_one_token": 2,
    "huge_unicode": 1,
    "digits": 4,
    "json": 5,
    "markup": 6,
    "braces": 5,
    "empty": 6,
    "payload": 10,
    "payload_entities": 6,
    "slashes": 4,
    "newlines": 3,
    "normal": 12,
}

MALFORMED_BODIES: List[bytes] = [
    b"",
    b"{",
    b"[]",
    b"null",
    b'"text"',
    b"\xff\xfe\x00",
    b'{"sender": 1.5}',
    b'{"sender": "a", "message": {"nested": true}}',
    b'{"sender": [], "message": "hi"}',
    b'{"sender": "a", "message": "hi", "metadata": "not json"}',
]


@dataclass
class Report:
    sent: int = 0
    by_kind: Counter = field(default_factory=Counter)
    server_errors: List[Tuple[str, int]] = field(default_factory=list)  # (kind, status)
    silent: List[str] = field(default_factory=list)  # kinds answered with nothing
    apologies: Counter = field(default_factory=Counter)  # Rasa failed; the person got an apology
    unexpected: List[str] = field(default_factory=list)  # e.g. a malformed body not refused with 400
    normal_answer_after: bool = False
    seconds: float = 0.0
    memory_before_mb: Optional[float] = None
    memory_after_mb: Optional[float] = None

    @property
    def ok(self) -> bool:
        return not (self.server_errors or self.silent or self.unexpected) and self.normal_answer_after

    def summary(self) -> str:
        lines = [
            f"{self.sent} messages in {self.seconds:.1f} s ({self.sent / max(self.seconds, 0.001):.1f}/s)",
            "kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items())),
            f"5xx: {len(self.server_errors)} {Counter(k for k, _ in self.server_errors).most_common(5)}",
            f"silent replies: {len(self.silent)} {Counter(self.silent).most_common(5)}",
            f"unexpected answers: {len(self.unexpected)} {self.unexpected[:5]}",
            f"answered with an apology (Rasa raised): {sum(self.apologies.values())} {self.apologies.most_common(5)}",
            f"normal answer afterwards: {self.normal_answer_after}",
        ]
        if self.memory_before_mb is not None:
            lines.append(f"Rasa memory: {self.memory_before_mb:.0f} MB -> {self.memory_after_mb:.0f} MB")
        return "\n".join(lines)


def plan(count: int, seed: int) -> List[Tuple[str, str, object]]:
    """(transport, kind, message or body) for each of `count` sends."""
    rng = random.Random(seed)
    kinds = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in kinds]
    sends: List[Tuple[str, str, object]] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.05:
            sends.append(("rest-raw", "malformed_body", rng.choice(MALFORMED_BODIES)))
            continue
        kind = rng.choices(kinds, weights)[0]
        transport = "socketio" if roll > 0.97 else "rest"
        sends.append((transport, kind, GENERATORS[kind](rng)))
    return sends


def texts_of(messages: List[dict]) -> List[str]:
    return [
        m.get("text") for m in messages if isinstance(m, dict) and isinstance(m.get("text"), str) and m["text"].strip()
    ]


async def _rest(
    session, url: str, headers: Dict[str, str], sender: str, kind: str, message: object, report: Report, raw: bool
) -> None:
    import aiohttp

    if raw:
        body = message
    else:
        # ensure_ascii keeps lone surrogates as \\ud800 escapes, as a browser's JSON.stringify does.
        body = json.dumps({"sender": sender, "message": message}).encode()
    try:
        async with session.post(url, data=body, headers=headers) as response:
            status = response.status
            text = await response.text()
    except aiohttp.ClientError as error:
        report.server_errors.append((kind, -1))
        print(f"  {kind}: connection failed ({type(error).__name__})", file=sys.stderr)
        return
    if status >= 500:
        report.server_errors.append((kind, status))
    elif raw:
        if status != 400 or "error" not in json.loads(text or "{}"):
            report.unexpected.append(f"{kind}: {status}")
    elif status in (200, 429):
        said = texts_of(json.loads(text))
        if not said:
            report.silent.append(kind)
        elif any(APOLOGY in s for s in said):
            report.apologies[kind] += 1
    else:
        report.unexpected.append(f"{kind}: {status}")


async def _socketio(rasa_url: str, origin: str, kind: str, message: str, report: Report, quiet: float = 0.8) -> None:
    import websockets

    url = rasa_url.replace("http://", "ws://").replace("https://", "wss://") + "/socket.io/?EIO=4&transport=websocket"
    session = uuid.uuid4().hex
    got: List[dict] = []
    try:
        async with websockets.connect(url, extra_headers={"Origin": origin}, max_size=None) as ws:
            await ws.recv()
            await ws.send("40")
            await ws.recv()
            await ws.send("42" + json.dumps(["session_request", {"session_id": session}]))
            await ws.recv()
            await ws.send("42" + json.dumps(["user_uttered", {"message": message, "session_id": session}]))
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    frame = await asyncio.wait_for(ws.recv(), quiet if got else 30)
                except asyncio.TimeoutError:
                    break
                if frame.startswith("42"):
                    event, payload = json.loads(frame[2:])
                    if event == "bot_uttered":
                        got.append(payload)
    except (OSError, websockets.exceptions.WebSocketException) as error:
        report.server_errors.append((kind + " (socket.io)", -1))
        print(f"  {kind} over socket.io: {type(error).__name__}", file=sys.stderr)
        return
    said = texts_of(got)
    if not said:
        report.silent.append(kind + " (socket.io)")
    elif any(APOLOGY in s for s in said):
        report.apologies[kind + " (socket.io)"] += 1


async def fuzz(
    rasa_url: str,
    count: int,
    seed: int = 15,
    concurrency: int = 4,
    origin: str = "http://localhost:8080",
    token: Optional[str] = None,
    memory: Optional[Callable[[], float]] = None,
) -> Report:
    import aiohttp

    report = Report()
    run_id = uuid.uuid4().hex[:8]

    # Each conversation gets about ten messages in a row, as a hostile client's would, and then
    # the next one starts: memory must level off once the store's cache of recent conversations
    # is full. (How long one conversation may grow is the rate limits' business.)
    # Neighbouring messages go to different conversations, so the workers do not queue behind
    # one conversation's lock.
    def sender_of(index: int) -> str:
        return f"fuzz-{seed}-{run_id}-{(index // (10 * concurrency)) * concurrency + index % concurrency}"

    url = f"{rasa_url}/webhooks/rest/webhook"
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    sends = plan(count, seed)
    queue: asyncio.Queue = asyncio.Queue()
    for index, item in enumerate(sends):
        queue.put_nowait((index, *item))
    report.memory_before_mb = memory() if memory else None
    started = time.monotonic()
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def worker() -> None:
            while not queue.empty():
                index, transport, kind, message = queue.get_nowait()
                report.sent += 1
                report.by_kind[kind] += 1
                if transport == "socketio":
                    await _socketio(rasa_url, origin, kind, message, report)
                else:
                    await _rest(session, url, headers, sender_of(index), kind, message, report, transport == "rest-raw")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        report.seconds = time.monotonic() - started
        report.memory_after_mb = memory() if memory else None
        async with session.post(
            url, json={"sender": uuid.uuid4().hex, "message": NORMAL_QUESTION}, headers=headers
        ) as response:
            said = texts_of(await response.json()) if response.status == 200 else []
    report.normal_answer_after = bool(said) and not any(APOLOGY in s or "didn't quite follow" in s for s in said)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rasa-url", help="a running assistant (default: start one on free ports)")
    parser.add_argument("--origin", default="http://localhost:8080", help="Origin for socket.io (an allowed one)")
    parser.add_argument("--max-growth-mb", type=float, default=300, help="allowed growth of Rasa's memory")
    args = parser.parse_args()

    stack = None
    memory = None
    rasa_url = args.rasa_url
    if not rasa_url:
        from tools.stack import Stack

        stack = Stack.on_free_ports(with_web=False, die_with_parent=True)

        def stop(*_: object) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)  # the servers stop with us
        print("==> Starting the servers on free ports ...", flush=True)
        stack.start()
        rasa_url, memory = stack.rasa_url, stack.memory_mb
        args.origin = f"http://localhost:{stack.web_port}"
    try:
        print(f"==> Sending {args.count} messages (seed {args.seed}) ...", flush=True)
        report = asyncio.run(fuzz(rasa_url, args.count, args.seed, args.concurrency, args.origin, memory=memory))
    finally:
        if stack:
            stack.stop()
    print(report.summary())
    grown = (report.memory_after_mb or 0) - (report.memory_before_mb or 0)
    if memory and grown > args.max_growth_mb:
        print(f"FAILED: Rasa's memory grew by {grown:.0f} MB (allowed {args.max_growth_mb:.0f} MB)")
        return 1
    print("OK" if report.ok else "FAILED")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
