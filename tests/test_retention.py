"""Conversations are protected health information: the store forgets them after the retention period."""

import asyncio
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.retention import ExpiringSQLTrackerStore


@pytest.fixture
def store(tmp_path):
    return ExpiringSQLTrackerStore(
        domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "conversations.db"), retention_hours=1
    )


async def save_message(store, sender: str, text: str, timestamp: float) -> None:
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered(text, timestamp=timestamp))
    await store.save(tracker)


def test_conversation_idle_longer_than_retention_is_deleted(store):
    now = time.time()
    asyncio.run(save_message(store, "old", "I was in the hospital", now - 2 * 3600))
    asyncio.run(save_message(store, "recent", "hello", now - 60))
    assert store.purge_expired(now=now) == 1
    assert asyncio.run(store.retrieve("old")) is None
    assert asyncio.run(store.retrieve("recent")).latest_message.text == "hello"


def test_nothing_is_deleted_within_retention(store):
    now = time.time()
    asyncio.run(save_message(store, "recent", "hello", now - 30 * 60))
    assert store.purge_expired(now=now) == 0
