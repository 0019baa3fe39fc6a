"""Conversations are protected health information: the store forgets them after the retention period."""

import asyncio
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

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


# The cache of recent conversations: a reused tracker must always be the one the database gives.


def fresh_view(store, sender):
    """The conversation as a store without a cache reads it from the same database."""
    uncached = ExpiringSQLTrackerStore(
        domain=Domain.empty(), dialect="sqlite", db=store.engine.url.database, cache_conversations=0
    )
    tracker = asyncio.run(uncached.retrieve(sender))
    return tracker.current_state(EventVerbosity.ALL) if tracker else None


async def turn(store, sender, text):
    """What Rasa does per message: read the tracker, add events, save it."""
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered(text))
    tracker.update(ActionExecuted("utter_ok"))
    tracker.update(BotUttered("ok"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    return tracker


def start_session(store, sender):
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))


def test_a_saved_conversation_is_reused_and_matches_the_database(store):
    start_session(store, "a")
    first = asyncio.run(turn(store, "a", "hello"))
    second = asyncio.run(turn(store, "a", "what is CSP"))
    third = asyncio.run(turn(store, "a", "thanks"))
    assert first is second is third  # read from the database once, then reused
    assert third.current_state(EventVerbosity.ALL) == fresh_view(store, "a")
    assert [e.text for e in third.events if isinstance(e, UserUttered)] == ["hello", "what is CSP", "thanks"]


def test_a_tracker_changed_but_not_saved_is_read_again(store):
    start_session(store, "a")
    asyncio.run(turn(store, "a", "hello"))
    tracker = asyncio.run(turn(store, "a", "second"))
    tracker.update(UserUttered("lost: the turn failed before the save"))
    again = asyncio.run(store.retrieve("a"))
    assert again is not tracker
    assert again.latest_message.text == "second"
    assert again.current_state(EventVerbosity.ALL) == fresh_view(store, "a")


def test_a_new_session_in_memory_is_read_again_from_the_database(store):
    start_session(store, "a")
    asyncio.run(turn(store, "a", "hello"))
    tracker = asyncio.run(turn(store, "a", "second"))
    time.sleep(0.01)  # a session start has a later timestamp than what came before
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("a"))
    assert again is not tracker
    assert not any(isinstance(e, UserUttered) for e in again.events)  # only the new session
    assert again.current_state(EventVerbosity.ALL) == fresh_view(store, "a")


def test_expired_conversations_leave_the_cache_too(store):
    start_session(store, "old")
    asyncio.run(turn(store, "old", "I was in the hospital"))
    asyncio.run(turn(store, "old", "again"))
    assert asyncio.run(store.retrieve("old")) is not None
    assert store.purge_expired(now=time.time() + 2 * 3600) == 1
    assert asyncio.run(store.retrieve("old")) is None


def test_the_cache_holds_at_most_cache_conversations(tmp_path):
    store = ExpiringSQLTrackerStore(
        domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "c.db"), cache_conversations=3
    )
    for sender in "abcde":
        start_session(store, sender)
        asyncio.run(turn(store, sender, "hello"))
        asyncio.run(turn(store, sender, "again"))
    assert len(store._cache) == 3
    assert list(store._cache) == ["c", "d", "e"]
    for sender in "abcde":
        assert asyncio.run(store.retrieve(sender)).current_state(EventVerbosity.ALL) == fresh_view(store, sender)


def test_rows_are_written_as_rasa_writes_them(tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import SlotSet

    def rows(store):
        with store.engine.connect() as connection:
            return connection.execute(
                "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
            ).fetchall()

    tracker = DialogueStateTracker("a", slots=[])
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("what is CSP", intent={"name": "faq", "confidence": 0.9}))
    tracker.update(ActionExecuted("utter_faq"))
    tracker.update(SlotSet("for_whom", "self"))
    tracker.update(BotUttered("CSP is ..."))
    rasa_store = SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "rasa.db"))
    ours = ExpiringSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "ours.db"))
    asyncio.run(rasa_store.save(tracker))
    asyncio.run(ours.save(tracker))
    assert len(rows(ours)) == 7
    assert rows(ours) == rows(rasa_store)
