"""Bad input and hostile clients against the real servers: size limit, bad requests, typed payloads,
an answer to every message, origins on socket.io (both transports) and REST, rate limits, the REST
token, and a clean stop of `make run` on SIGTERM and Ctrl-C.

These tests start their own stack (module scope), configured as a site on a real network would be:
listening beyond localhost with a REST token, and with rate limits low enough to reach quickly.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import requests
import websockets

from components.limits import EMPTY_MESSAGE, NO_ANSWER, RATE_LIMITED
from tools.stack import ROOT, Stack, free_port, quiet_env

pytestmark = pytest.mark.e2e

TOKEN = secrets.token_hex(16)
PER_CONVERSATION = {"burst": 6, "per_minute": 6}
PER_ADDRESS = {"burst": 40, "per_minute": 30}
EVIL_ORIGIN = "http://evil.example"


@pytest.fixture(scope="module")
def site():
    stack = Stack.on_free_ports(
        host="0.0.0.0",
        rest_token=TOKEN,
        channel_settings={
            "rate_limit_per_conversation": PER_CONVERSATION,
            "rate_limit_per_address": PER_ADDRESS,
        },
    )
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def post(
    site: Stack,
    body: Any,
    token: Optional[str] = TOKEN,
    origin: Optional[str] = None,
    raw: Optional[bytes] = None,
    source: Optional[str] = None,
) -> http.client.HTTPResponse:
    """POST to the REST webhook, from a chosen loopback source address when given."""
    data = raw if raw is not None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if origin:
        headers["Origin"] = origin
    connection = http.client.HTTPConnection(
        "127.0.0.1", site.rasa_port, timeout=30, source_address=(source, 0) if source else None
    )
    connection.request("POST", "/webhooks/rest/webhook", body=data, headers=headers)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    return response


def say(site: Stack, sender: str, text: str, **kwargs: Any) -> List[Dict[str, Any]]:
    response = post(site, {"sender": sender, "message": text}, **kwargs)
    assert response.status == 200, (response.status, response.body)
    return json.loads(response.body)


def texts(messages: List[Dict[str, Any]]) -> List[str]:
    return [m["text"] for m in messages if m.get("text")]


def stored_events(site: Stack, sender: str) -> List[Dict[str, Any]]:
    """The conversation as Rasa stored it (the test stack's own database)."""
    db = sqlite3.connect(f"file:{site.state_dir / 'conversations.db'}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    finally:
        db.close()
    return [json.loads(row[0]) for row in rows]


async def socket_turns(rasa_url: str, origin: str, messages: List[str], quiet: float = 1.5) -> List[List[Dict]]:
    """Talks over socket.io's websocket transport as the web chat does; the bot's messages per turn."""
    url = rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    session = uuid.uuid4().hex
    turns: List[List[Dict]] = []
    async with websockets.connect(url, extra_headers={"Origin": origin}, max_size=None) as ws:
        assert (await ws.recv()).startswith("0")
        await ws.send("40")
        assert (await ws.recv()).startswith("40")
        await ws.send("42" + json.dumps(["session_request", {"session_id": session}]))
        assert "session_confirm" in await ws.recv()
        for message in messages:
            await ws.send("42" + json.dumps(["user_uttered", {"message": message, "session_id": session}]))
            got: List[Dict] = []
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    frame = await asyncio.wait_for(ws.recv(), quiet if got else 30)
                except asyncio.TimeoutError:
                    break
                if frame == "2":  # engine.io ping
                    await ws.send("3")
                elif frame.startswith("42"):
                    event, payload = json.loads(frame[2:])
                    if event == "bot_uttered":
                        got.append(payload)
            turns.append(got)
    return turns


# ----- 1. size limit -----


def test_a_100000_character_message_is_answered_in_two_seconds_and_memory_stays_flat(site):
    sender = uuid.uuid4().hex
    say(site, sender, "what is CSP? " * 200)  # warm up the long-message path once
    before = site.memory_mb()
    huge = ("I have been feeling low and I want to know what community support is. " * 1400)[:100_000]
    started = time.monotonic()
    answer = say(site, sender, huge)
    elapsed = time.monotonic() - started
    grown = site.memory_mb() - before
    print(f"100,000 characters: answered in {elapsed:.2f} s, Rasa memory {before:.0f} MB -> +{grown:.1f} MB")
    assert elapsed < 2.0
    assert grown < 30
    said = texts(answer)
    assert "first 2,000 characters" in said[0]
    assert len(said) >= 2 and NO_ANSWER not in said  # and then a real answer


def test_the_size_limit_applies_to_the_web_chat_channel_too(site):
    # 100,000 emoji, JSON-escaped by the client: a 1.2 MB websocket frame, over Sanic's own 1 MiB.
    long_turn, emoji_turn = asyncio.run(
        socket_turns(site.rasa_url, site.web_url, ["tell me about CSP " * 10_000, "🙂" * 100_000])
    )
    for turn in (long_turn, emoji_turn):
        said = [m.get("text", "") for m in turn]
        assert "first 2,000 characters" in said[0]
        assert len(turn) >= 2


# ----- 2. bad requests, typed payloads, an answer to every message -----


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b"[]", b'"hello"', b'{"sender": "a"}', b'{"sender": "a", "message": 7}', b'{"message": "hi"}'],
    ids=["empty", "broken-json", "list", "string", "no-message", "number-message", "no-sender"],
)
def test_a_malformed_body_gets_a_400_with_a_short_json_error(site, raw):
    response = post(site, None, raw=raw)
    assert response.status == 400
    assert response.getheader("Content-Type").startswith("application/json")
    error = json.loads(response.body)["error"]
    assert isinstance(error, str) and 0 < len(error) < 120


def test_a_body_over_two_megabytes_is_refused_before_it_is_read(site):
    response = post(site, {"sender": "a", "message": "x" * 2_100_000})
    assert response.status == 413


def test_a_100000_character_message_of_emoji_escaped_as_json_is_still_read(site):
    response = post(site, None, raw=json.dumps({"sender": uuid.uuid4().hex, "message": "🙂" * 100_000}).encode())
    assert response.status == 200 and "first 2,000 characters" in texts(json.loads(response.body))[0]


@pytest.mark.parametrize(
    "text",
    [
        "/restart",
        "1" * 5000,
        "",
        "   ",
        "\x00\x07",
        "/",
        "{}",
        "null",
        "🙂" * 50,
        "/inform{}",
        "?" * 300,
        '/check_eligibility{"for_whom": "client"}',
    ],
    ids=[
        "restart",
        "digits",
        "empty",
        "blank",
        "control",
        "slash",
        "braces",
        "null",
        "emoji",
        "inform",
        "questions",
        "unoffered-payload",
    ],
)
def test_every_message_gets_a_non_empty_reply(site, text):
    said = texts(say(site, uuid.uuid4().hex, text))
    assert said and all(s.strip() for s in said)


def test_a_typed_restart_is_read_as_text_not_as_the_restart_command(site):
    sender = uuid.uuid4().hex
    say(site, sender, "/greet")
    said = texts(say(site, sender, "/restart"))
    assert said
    last_user = [e for e in stored_events(site, sender) if e["event"] == "user"][-1]
    assert last_user["text"] == "restart"  # what the NLU read: words, not Rasa's /restart command


def test_typed_entities_never_set_a_screening_answer(site):
    sender = uuid.uuid4().hex
    say(site, sender, "/greet")
    typed = '/inform{"er_visits": 7, "coverage": "masshealth_mco", "diagnosis": "yes", "consent": "yes"}'
    assert texts(say(site, sender, typed))
    events = stored_events(site, sender)
    # (a screening started by the message may reset them to None: no answer is set)
    assert not [
        e
        for e in events
        if e["event"] == "slot"
        and e["name"] in ("er_visits", "coverage", "diagnosis", "consent")
        and e.get("value") is not None
    ]
    last_user = [e for e in events if e["event"] == "user"][-1]
    assert not last_user["text"].startswith("/")
    assert not [x for x in last_user["parse_data"]["entities"] if x.get("extractor") == "RegexMessageHandler"]


def test_a_button_the_bot_offered_still_acts_as_its_payload(site):
    sender = uuid.uuid4().hex
    greeting = say(site, sender, "/greet")
    buttons = [
        b for m in greeting for b in m.get("buttons") or [] if b["payload"].startswith("/") and "{" in b["payload"]
    ]
    assert buttons, "the greeting offers no payload buttons with entities"
    say(site, sender, buttons[0]["payload"])
    last_user = [e for e in stored_events(site, sender) if e["event"] == "user"][-1]
    assert last_user["text"] == buttons[0]["payload"]
    # Rasa read it as a payload: its entities come from the payload itself.
    assert [x for x in last_user["parse_data"]["entities"] if x.get("extractor") == "RegexMessageHandler"]


def test_an_empty_message_gets_a_kind_prompt(site):
    assert texts(say(site, uuid.uuid4().hex, "  ")) == [EMPTY_MESSAGE]


# ----- 3. origins -----


def polling_handshake(site: Stack, origin: str) -> requests.Response:
    return requests.get(
        f"{site.rasa_url}/socket.io/",
        params={"EIO": "4", "transport": "polling"},
        headers={"Origin": origin},
        timeout=10,
    )


def test_socketio_polling_answers_the_allowed_origin_with_cors_headers(site):
    response = polling_handshake(site, site.web_url)
    assert response.status_code == 200 and response.text.startswith("0{")
    assert response.headers["Access-Control-Allow-Origin"] == site.web_url


def test_socketio_refuses_another_origin_on_both_transports(site):
    response = polling_handshake(site, EVIL_ORIGIN)
    assert response.status_code == 400
    assert "Access-Control-Allow-Origin" not in response.headers
    with pytest.raises(websockets.exceptions.InvalidStatusCode) as refused:
        asyncio.run(socket_turns(site.rasa_url, EVIL_ORIGIN, ["hello"]))
    assert refused.value.status_code == 400


def test_the_web_chat_origin_talks_over_the_websocket(site):
    (turn,) = asyncio.run(socket_turns(site.rasa_url, site.web_url, ["/greet"]))
    assert any(m.get("text") for m in turn)


def test_rest_cors_allows_the_same_origins_only(site):
    allowed = requests.options(
        f"{site.rasa_url}/webhooks/rest/webhook",
        timeout=10,
        headers={
            "Origin": site.web_url,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization",
        },
    )
    assert allowed.headers["Access-Control-Allow-Origin"] == site.web_url
    assert "authorization" in allowed.headers["Access-Control-Allow-Headers"].lower()
    response = post(site, {"sender": uuid.uuid4().hex, "message": "hi"}, origin=site.web_url)
    assert response.status == 200 and response.getheader("Access-Control-Allow-Origin") == site.web_url

    other = post(site, {"sender": uuid.uuid4().hex, "message": "hi"}, origin=EVIL_ORIGIN)
    assert other.status == 403 and other.getheader("Access-Control-Allow-Origin") is None


# ----- 4. REST token beyond localhost -----


def test_rest_beyond_localhost_needs_the_configured_token(site):
    body = {"sender": uuid.uuid4().hex, "message": "hello"}
    assert post(site, body, token=None).status == 401
    assert post(site, body, token="not-the-token").status == 401
    assert post(site, body).status == 200


# ----- 5. rate limits -----


def test_a_conversation_sending_too_fast_gets_a_kind_message_then_goes_on(site):
    sender = uuid.uuid4().hex
    statuses, last = [], None
    for _ in range(PER_CONVERSATION["burst"] + 2):
        response = post(site, {"sender": sender, "message": "hello"})
        statuses.append(response.status)
        last = json.loads(response.body)
    assert statuses[: PER_CONVERSATION["burst"]] == [200] * PER_CONVERSATION["burst"]
    assert statuses[-1] == 429 and texts(last) == [RATE_LIMITED]
    time.sleep(60 / PER_CONVERSATION["per_minute"] + 0.5)  # one message's worth refills
    assert post(site, {"sender": sender, "message": "hello"}).status == 200


def test_one_address_flooding_many_conversations_is_limited(site):
    source = f"127.0.0.{10 + secrets.randbelow(200)}"  # its own address: other tests are unaffected
    statuses = [
        post(site, {"sender": uuid.uuid4().hex, "message": ""}, source=source).status
        for _ in range(PER_ADDRESS["burst"] + 3)
    ]
    assert statuses.count(200) == PER_ADDRESS["burst"] and statuses[-1] == 429
    assert post(site, {"sender": uuid.uuid4().hex, "message": "hi"}).status == 200  # others go on


# ----- 6. clean stop of `make run` -----


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_make_run(ports: Dict[str, int], state_dir: Path, log: Path) -> subprocess.Popen:
    """tools/stack.py as `make run` starts it (its own ports and state directory)."""
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tools" / "stack.py"),
            "--rasa-port",
            str(ports["rasa"]),
            "--action-port",
            str(ports["actions"]),
            "--web-port",
            str(ports["web"]),
            "--state-dir",
            str(state_dir),
        ],
        cwd=ROOT,
        env=quiet_env(),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while b"Ready in" not in log.read_bytes():
        assert process.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
        time.sleep(0.5)
    return process


def stops_everything(process: subprocess.Popen, ports: Dict[str, int], timeout: float = 30) -> bool:
    process.wait(timeout=timeout)
    deadline = time.monotonic() + 20
    while any(listening(port) for port in ports.values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    if any(listening(port) for port in ports.values()):
        kill_leftovers(ports)
        return False
    return True


def kill_leftovers(ports: Dict[str, int]) -> None:
    """Ends the servers a failed stop left behind (found by the ports in their command lines)."""
    marks = {f"--port\x00{port}\x00".encode() for port in ports.values()}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes() + b"\x00"
        except OSError:
            continue
        if any(mark in cmdline for mark in marks):
            try:
                os.kill(int(proc.name), signal.SIGKILL)
            except OSError:
                pass


def test_sigterm_and_ctrl_c_stop_every_server_and_a_restart_keeps_the_conversation(tmp_path):
    ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
    rest = f"http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook"
    sender = uuid.uuid4().hex

    def questions(messages: List[Dict[str, Any]]) -> List[str]:
        return [
            m["custom"]["id"]
            for m in messages
            if isinstance(m.get("custom"), dict) and m["custom"].get("type") == "question"
        ]

    process = start_make_run(ports, tmp_path, tmp_path / "run1.log")
    greeting = requests.post(rest, json={"sender": sender, "message": "/greet"}, timeout=30).json()
    me = next(b["payload"] for m in greeting for b in m.get("buttons") or [] if b["payload"].startswith("/check"))
    asked = questions(requests.post(rest, json={"sender": sender, "message": me}, timeout=30).json())
    # systemd signals every process of the service and make passes its SIGTERM on: twice, at once.
    process.send_signal(signal.SIGTERM)
    process.send_signal(signal.SIGTERM)
    assert stops_everything(process, ports), "a server still listens after SIGTERM"

    process = start_make_run(ports, tmp_path, tmp_path / "run2.log")
    try:
        later = questions(requests.post(rest, json={"sender": sender, "message": "not sure"}, timeout=30).json())
        # The screening goes on where it was (the bot did not greet or start over).
        assert asked and later and later[-1] != asked[-1], (asked, later)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        assert stops_everything(process, ports), "a server still listens after Ctrl-C"


def test_the_servers_stop_even_when_the_runner_is_killed_outright(tmp_path):
    # docker stop and systemd end with SIGKILL when a stop takes too long; stack.py cannot catch it.
    ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
    process = start_make_run(ports, tmp_path, tmp_path / "run.log")
    process.send_signal(signal.SIGKILL)
    assert stops_everything(process, ports, timeout=30), "a server outlived its runner"
