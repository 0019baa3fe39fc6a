"""The message guard and our channels' checks, without servers: size limit, typed payloads, rate
limits, bad requests, the REST token, and an answer to every message."""

import asyncio
import json
import logging
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.io import read_yaml_file

from components.channel_guard import SERVER_TROUBLE, describe_failure
from components.limits import (
    EMPTY_MESSAGE,
    NO_ANSWER,
    RATE_LIMITED,
    MessageGuard,
    RateLimiter,
    as_plain_text_unless_offered,
    clean_text,
    offered_payloads,
)
from components.rest_channel import GuardedRestInput, listens_beyond_this_machine
from components.socketio_channel import CustomPayloadSocketIOInput
from tools.stack import ROOT, write_credentials

SOCKET = "components.socketio_channel.CustomPayloadSocketIOInput"
REST = "components.rest_channel.GuardedRestInput"


def run(coroutine):
    return asyncio.get_event_loop_policy().new_event_loop().run_until_complete(coroutine)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def guard(**kwargs) -> MessageGuard:
    return MessageGuard(**kwargs)


# ----- size -----


def test_a_message_over_the_limit_is_cut_to_the_limit_and_the_person_is_told():
    admission = run(guard(max_message_chars=2000).admit("help me " * 12_500, "c1", "a1"))
    assert admission.reason == "truncated"
    assert 1960 <= len(admission.text) <= 2000
    assert "first 2,000 characters" in admission.notes[0]


def test_a_message_at_the_limit_is_read_whole_without_a_note():
    text = "x" * 2000
    admission = run(guard(max_message_chars=2000).admit(text, "c1", "a1"))
    assert (admission.text, admission.notes, admission.reason) == (text, [], "ok")


def test_the_limit_is_configurable():
    admission = run(MessageGuard.from_settings({"max_message_chars": 10}).admit("a" * 50, "c", "a"))
    assert admission.text == "a" * 10 and "first 10 characters" in admission.notes[0]


def test_control_characters_and_lone_surrogates_are_removed():
    assert clean_text("hi\x00 there\x1b[31m \ud800ok\u202e\n") == "hi  there [31m \ufffdok"


def test_an_empty_or_blank_message_gets_a_kind_prompt_and_never_reaches_rasa():
    for text in ["", "   \n\t", "\x00\x01", "/", "///"]:
        admission = run(guard().admit(text, "c1", "a1"))
        assert admission.text is None and admission.notes == [EMPTY_MESSAGE], repr(text)


# ----- typed payloads -----


def offered(*payloads):
    async def read():
        return frozenset(payloads)

    return read


def test_a_typed_restart_is_read_as_plain_text():
    admission = run(guard().admit("/restart", "c1", "a1", offered=offered("/help")))
    assert admission.text == "restart"


def test_a_typed_intent_with_entities_is_read_as_plain_text():
    typed = '/inform{"coverage": "masshealth_mco", "er_visits": 5}'
    admission = run(guard().admit(typed, "c1", "a1", offered=offered('/inform{"coverage": "none"}')))
    assert admission.text == "inform"  # the typed entities dropped: no answer read from them as words
    assert not admission.text.startswith("/")


def test_a_payload_of_a_button_the_bot_offered_is_passed_on():
    payload = '/check_eligibility{"for_whom": "self"}'
    assert run(guard().admit(payload, "c1", "a1", offered=offered(payload))).text == payload


def test_the_web_chat_greeting_is_always_a_payload():
    assert run(guard().admit("/greet", "c1", "a1", offered=offered())).text == "/greet"
    assert as_plain_text_unless_offered("/greet", frozenset(), frozenset()) == "greet"


def test_entities_typed_after_a_payload_are_dropped_not_read_as_words():
    typed = '/inform{"coverage": "masshealth_mco", "er_visits": 7}'
    assert as_plain_text_unless_offered(typed, frozenset(), frozenset()) == "inform"
    assert as_plain_text_unless_offered("/ I have MassHealth", frozenset(), frozenset()) == "I have MassHealth"


def test_only_the_buttons_of_the_bot_s_last_turn_count_as_offered():
    tracker = DialogueStateTracker.from_events(
        "c1",
        [
            ActionExecuted("action_listen"),
            BotUttered("Who is it for?", {"buttons": [{"title": "Me", "payload": "/old"}]}),
            UserUttered("me"),
            BotUttered("Where do you live?", {"buttons": [{"title": "Boston", "payload": "/new"}]}),
            BotUttered(None, {"custom": {"type": "question"}}),
        ],
    )
    events = [event.as_dict() for event in tracker.events]
    assert offered_payloads(events) == frozenset({"/new"})


def test_the_channel_reads_the_offered_buttons_from_the_conversation():
    tracker = DialogueStateTracker.from_events(
        "c1", [BotUttered("Start?", {"buttons": [{"title": "Yes", "payload": "/affirm"}]})]
    )

    class Store:
        async def retrieve(self, sender_id):
            return tracker if sender_id == "c1" else None

    channel = GuardedRestInput({})
    channel.agent_source = lambda: SimpleNamespace(tracker_store=Store())
    assert run(channel.admit("/affirm", "c1", "a1")).text == "/affirm"
    assert run(channel.admit("/affirm", "c2", "a1")).text == "affirm"


# ----- rate limits -----


def test_a_burst_is_allowed_then_the_steady_rate():
    clock = Clock()
    limiter = RateLimiter(burst=5, per_minute=30, clock=clock)
    assert [limiter.allow("c") for _ in range(6)] == [True] * 5 + [False]
    clock.now += 2  # one message every 2 s at 30 a minute
    assert limiter.allow("c") and not limiter.allow("c")


def test_a_person_typing_and_clicking_at_a_quick_pace_is_never_limited():
    clock = Clock()
    limits = guard(
        conversation_limiter=RateLimiter(20, 30, clock=clock),
        address_limiter=RateLimiter(120, 300, clock=clock),
    )
    for turn in range(300):  # a screening clicked through at 1 s a question, then typing; again
        clock.now += 1.0 if turn % 30 < 12 else 4.0
        assert run(limits.admit("yes", "person", "home")).reason == "ok", turn


def test_a_flood_gets_the_kind_message_and_does_not_reach_rasa():
    clock = Clock()
    limits = guard(conversation_limiter=RateLimiter(3, 6, clock=clock))
    results = [run(limits.admit("hi", "c1", "a1")) for _ in range(5)]
    assert [r.reason for r in results] == ["ok"] * 3 + ["rate_limited"] * 2
    assert results[-1].text is None and results[-1].notes == [RATE_LIMITED]
    assert "988" in RATE_LIMITED
    assert run(limits.admit("hi", "c2", "a1")).reason == "ok"  # another conversation goes on


def test_a_flood_spread_over_many_conversations_is_limited_by_address():
    clock = Clock()
    limits = guard(address_limiter=RateLimiter(10, 60, clock=clock))
    reasons = [run(limits.admit("hi", f"c{i}", "203.0.113.9")).reason for i in range(12)]
    assert reasons == ["ok"] * 10 + ["rate_limited"] * 2
    assert run(limits.admit("hi", "c99", "198.51.100.1")).reason == "ok"


def test_the_rate_limit_table_stays_bounded():
    limiter = RateLimiter(1, 1, max_keys=100)
    for i in range(10_000):
        limiter.allow(f"c{i}")
    assert len(limiter) == 100


def test_the_limits_are_read_from_the_channel_settings():
    limits = MessageGuard.from_settings(
        {"rate_limit_per_conversation": {"burst": 2, "per_minute": 1}, "max_message_chars": 300}
    )
    assert (limits.conversation_limiter.burst, limits.conversation_limiter.per_minute) == (2, 1)
    assert limits.max_message_chars == 300


# ----- every message gets an answer -----


def answer(on_new_message, admission_text="hello", notes=()):
    from components.limits import Admission

    channel = GuardedRestInput({})
    collector = CollectingOutputChannel()
    run(
        channel.answer(
            on_new_message,
            Admission(admission_text, list(notes)),
            collector,
            "c1",
            None,
            sent=lambda: len(collector.messages),
        )
    )
    return [m["text"] for m in collector.messages]


def test_a_turn_where_rasa_says_nothing_gets_a_kind_answer():
    async def silent(message):
        return None

    assert answer(silent) == [NO_ANSWER]


def test_rasa_s_own_answer_is_not_padded():
    async def speaks(message):
        await message.output_channel.send_text_message(message.sender_id, f"read: {message.text}")

    assert answer(speaks, notes=["note first"]) == ["note first", "read: hello"]


def test_a_failure_in_rasa_gets_an_apology_and_the_log_never_quotes_the_message(caplog):
    async def fails(message):
        raise ValueError(f"could not parse {message.text}")

    with caplog.at_level(logging.INFO):
        assert answer(fails, "my private words") == [SERVER_TROUBLE]
    assert "ValueError" in caplog.text and "private" not in caplog.text


def test_a_failure_is_described_by_type_and_place_only():
    try:
        try:
            raise OverflowError("secret 111")
        except OverflowError as inner:
            raise RuntimeError("secret 222") from inner
    except RuntimeError as error:
        described = describe_failure(error)
    assert "RuntimeError at" in described and "OverflowError at" in described
    assert "secret" not in described


# ----- REST requests -----


def parse(body: bytes):
    return GuardedRestInput({})._parse(SimpleNamespace(body=body))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'"text"',
        b"null",
        b'{"message": "hi"}',
        b'{"sender": "", "message": "hi"}',
        b'{"sender": {"a": 1}, "message": "hi"}',
        json.dumps({"sender": "x" * 200, "message": "hi"}).encode(),
        b'{"sender": "a"}',
        b'{"sender": "a", "message": 5}',
        b'{"sender": "a", "message": null}',
        b'{"sender": "a", "message": "hi", "metadata": [1]}',
        json.dumps({"sender": "a", "message": "hi", "metadata": {"x": "y" * 5000}}).encode(),
    ],
)
def test_a_malformed_request_is_refused_with_a_short_reason(body):
    data, problem = parse(body)
    assert data is None and problem and len(problem) < 120


def test_a_well_formed_request_is_accepted():
    data, problem = parse(b'{"sender": 42, "message": "hi", "metadata": {"page": "faq"}}')
    assert problem is None and data["sender"] == "42"


def test_the_token_is_checked_when_set(monkeypatch):
    monkeypatch.setenv("REFERRAL_REST_TOKEN", "s3cret-token")
    channel = GuardedRestInput({"token_env": "REFERRAL_REST_TOKEN"})
    request = lambda header: SimpleNamespace(headers={"Authorization": header} if header else {})  # noqa: E731
    assert channel._authorized(request("Bearer s3cret-token"))
    assert not channel._authorized(request("Bearer wrong"))
    assert not channel._authorized(request("s3cret-token"))
    assert not channel._authorized(request(None))


def test_rest_beyond_this_machine_refuses_to_start_without_a_token(monkeypatch):
    monkeypatch.delenv("REFERRAL_REST_TOKEN", raising=False)
    channel = GuardedRestInput({})
    for host in ["127.0.0.1", "localhost", "::1"]:
        channel.check_exposure(host)
    for host in ["0.0.0.0", "::", "10.1.2.3", "chat.example.org"]:
        assert listens_beyond_this_machine(host)
        with pytest.raises(RuntimeError, match="REFERRAL_REST_TOKEN"):
            channel.check_exposure(host)
    monkeypatch.setenv("REFERRAL_REST_TOKEN", "t0ken")
    GuardedRestInput({}).check_exposure("0.0.0.0")


# ----- settings -----


def test_both_channels_share_one_origin_list_and_one_set_of_limits():
    credentials = read_yaml_file(ROOT / "credentials.yml")
    socket, rest = credentials[SOCKET], credentials[REST]
    for key in ["allowed_origins", "max_message_chars", "rate_limit_per_conversation", "rate_limit_per_address"]:
        assert socket[key] == rest[key], key
    assert socket["max_message_chars"] == 2000
    assert "*" not in socket["allowed_origins"]


def test_the_socket_server_checks_origins_against_the_list():
    channel = CustomPayloadSocketIOInput.from_credentials({"allowed_origins": ["https://chat.example.org"]})
    channel.blueprint(lambda message: None)
    assert channel.sio.eio.cors_allowed_origins == ["https://chat.example.org"]
    with pytest.raises(ValueError):
        CustomPayloadSocketIOInput.from_credentials({"allowed_origins": ["*"]})


def test_a_stack_allows_the_origin_of_its_own_page(tmp_path):
    path = write_credentials(43210, tmp_path, {"max_message_chars": 500}, ["http://other.test:1"])
    written = read_yaml_file(path)
    for name in (SOCKET, REST):
        assert written[name]["allowed_origins"] == [
            "http://localhost:43210",
            "http://127.0.0.1:43210",
            "http://other.test:1",
        ]
        assert written[name]["max_message_chars"] == 500


def test_a_flood_writes_one_log_line_a_minute_not_one_per_message(caplog):
    channel = GuardedRestInput({"rate_limit_per_conversation": {"burst": 1, "per_minute": 1}})
    with caplog.at_level(logging.INFO, logger="components.channel_guard"):
        for _ in range(200):
            run(channel.admit("hello", "c1", "a1"))
    lines = [r.getMessage() for r in caplog.records if "rate limited" in r.getMessage()]
    assert lines == ["Message rate limited (rest channel): 1 since the last such line."]
