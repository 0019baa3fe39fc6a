"""Deletion that deletes: a conversation removed by retention is gone from the database file and
its write-ahead log, not only from the table (SQLite keeps deleted rows' bytes otherwise)."""

import asyncio
import sqlite3
import time
import uuid

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.retention import ExpiringSQLTrackerStore


def raw_bytes(tmp_path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(tmp_path.glob("conversations.db*")))


def test_a_purged_conversation_leaves_no_trace_in_the_raw_database_files(tmp_path):
    store = ExpiringSQLTrackerStore(
        domain=Domain.empty(),
        dialect="sqlite",
        db=str(tmp_path / "conversations.db"),
        retention_hours=1,
        cache_conversations=0,
    )
    marker = f"my-private-words-{uuid.uuid4().hex}"
    now = time.time()
    for sender, age in [("old", 2 * 3600), ("recent", 60)]:
        tracker = DialogueStateTracker(sender, slots=[])
        for turn in range(30):  # several pages of rows, as a real conversation has
            tracker.update(UserUttered(f"{marker} {sender} turn {turn} " + "x" * 200, timestamp=now - age))
        asyncio.run(store.save(tracker))
    # Another connection open on the file (a second reader, a backup tool) keeps SQLite from
    # folding the write-ahead log back into the database when the store's connection closes.
    reader = sqlite3.connect(tmp_path / "conversations.db")
    reader.execute("SELECT count(*) FROM events").fetchone()
    assert f"{marker} old".encode() in raw_bytes(tmp_path)

    assert store.purge_expired(now=now) == 1

    data = raw_bytes(tmp_path)
    assert f"{marker} old".encode() not in data
    assert f"{marker} recent".encode() in data  # the kept conversation is still readable
    wal = tmp_path / "conversations.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    reader.close()


def test_the_store_asks_sqlite_to_overwrite_deleted_rows(tmp_path):
    # Some SQLite builds (Debian's among them) do it by default; others do not.
    store = ExpiringSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "c.db"))
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA secure_delete")).scalar() == 1
