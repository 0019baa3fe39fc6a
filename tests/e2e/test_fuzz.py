"""About 1,000 odd, huge and hostile messages through the real servers (tools/fuzz.py; `make fuzz`
sends 10,000): no 5xx, no silent reply, a normal answer afterwards, memory bounded, in under two
minutes."""

import asyncio

import pytest

from tools.fuzz import fuzz

pytestmark = pytest.mark.e2e

COUNT = 1000
MAX_SECONDS = 120
MAX_MEMORY_GROWTH_MB = 300


def test_a_thousand_odd_huge_and_hostile_messages_are_each_answered(live_assistant):
    memory = getattr(live_assistant, "memory_mb", None)  # None against an assistant started elsewhere
    origin = live_assistant.web_url.rstrip("/")
    report = asyncio.run(fuzz(live_assistant.rasa_url, COUNT, seed=15, origin=origin, memory=memory))
    print("\n" + report.summary())

    assert report.sent == COUNT
    assert report.server_errors == []
    assert report.silent == []
    assert report.unexpected == []  # every malformed body got a 400 with a JSON error
    assert report.normal_answer_after
    assert report.seconds < MAX_SECONDS
    if memory is not None:
        assert report.memory_after_mb - report.memory_before_mb < MAX_MEMORY_GROWTH_MB
