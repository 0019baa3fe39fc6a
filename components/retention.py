"""SQL tracker store that forgets conversations after a retention period, and reads each once.

Rasa's SQL tracker store keeps every user message forever; these conversations are protected
health information, so whole conversations idle for longer than `retention_hours` are deleted,
at start-up and then at most every `purge_interval_minutes` while conversations are used.

Rasa also reads the whole conversation back from the database and replays every event on each
message, and counts the stored events again before each save: a third of a turn (py-spy). This
store keeps the trackers of the `cache_conversations` most recent conversations in memory (SQLite
only, where this Rasa process is the one writer; 0 turns it off). Every event is still written
to the database at once, so nothing is lost on a restart. A tracker is reused only as it was
saved: if a turn failed half-way (events added but not saved), or the tracker holds events from
before its last session start (which a database read leaves out), it is read from the database
instead, so a reused tracker is always the one the database would give.

On PostgreSQL several Rasa replicas may write one conversation, turn after turn (`make cluster`),
so there is no cache: each turn reads the conversation as the last replica saved it. The purge
runs once for the whole cluster per `purge_interval_minutes`: the replica whose due purge claims
the shared schedule row (`retention_schedule`, one atomic UPDATE) deletes, the others skip that
interval. Pooled connections are checked before use, and a turn that finds PostgreSQL away (a
restart, a failover) waits for it, up to `database_retry_seconds`, instead of failing.
"""

import itertools
import json
import logging
import time
from collections import OrderedDict
from typing import Any, Iterator, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from components.patches import sql_events

logger = logging.getLogger(__name__)


class ExpiringSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` plus a retention limit and a cache (endpoints.yml: `retention_hours`,
    `cache_conversations`)."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        retention_hours: float = 24,
        purge_interval_minutes: float = 10,
        cache_conversations: int = 200,
        database_retry_seconds: float = 15,
        **kwargs: Any,
    ) -> None:
        self.database_retry_seconds = float(database_retry_seconds)
        super().__init__(domain=domain, **kwargs)
        sqlite = self.engine.dialect.name == "sqlite"
        self.shared_schedule = self.engine.dialect.name == "postgresql"
        if sqlite:
            self._tune_sqlite()
        if self.shared_schedule:
            self._survive_database_restarts()
            self._create_schedule()
        # sender id -> (tracker, number of its events stored in the database)
        self._cache: OrderedDict[Text, tuple[DialogueStateTracker, int]] = OrderedDict()
        self.cache_size = int(cache_conversations) if sqlite and self.event_broker is None else 0
        self.retention_seconds = float(retention_hours) * 3600
        self.purge_interval_seconds = float(purge_interval_minutes) * 60
        self._last_purge = 0.0
        self._purge_if_due()

    def _survive_database_restarts(self) -> None:
        """Pooled connections are checked before use, so after PostgreSQL restarts the next turn
        opens a new connection instead of failing on a dead one."""
        import sqlalchemy as sa
        from rasa.core.tracker_store import create_engine_kwargs

        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _create_schedule(self) -> None:
        """The one-row table that says when the cluster last purged (replicas start together, so
        creating it twice is expected and harmless)."""
        import sqlalchemy as sa

        statements = (
            "CREATE TABLE IF NOT EXISTS retention_schedule "
            "(id INTEGER PRIMARY KEY, last_purge DOUBLE PRECISION NOT NULL)",
            "INSERT INTO retention_schedule (id, last_purge) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
        )
        for statement in statements:
            try:
                with self.engine.begin() as connection:
                    connection.execute(sa.text(statement))
            except (sa.exc.IntegrityError, sa.exc.ProgrammingError):
                pass  # another replica created it at the same moment

    def _claim_purge(self, now: float) -> bool:
        """Whether this replica is the one to purge now: true for exactly one replica per interval
        (PostgreSQL re-checks the WHERE of a concurrent UPDATE after the first one commits)."""
        import sqlalchemy as sa

        with self.engine.begin() as connection:
            claimed = connection.execute(
                sa.text("UPDATE retention_schedule SET last_purge = :now WHERE id = 1 AND last_purge <= :due"),
                {"now": now, "due": now - self.purge_interval_seconds},
            )
            return claimed.rowcount == 1

    def _tune_sqlite(self) -> None:
        """Write-ahead log, synced at checkpoints: a save per turn no longer waits on fsync.

        A power cut can lose the last turns of a chat, never corrupt the file; that trade suits a
        chat whose conversations are deleted within a day anyway. `secure_delete` overwrites
        deleted rows with zeros, so a purged conversation cannot be read back from the file.
        """
        import sqlalchemy as sa

        def pragmas(connection: Any, _: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        sa.event.listen(self.engine, "connect", pragmas)
        self.engine.dispose()  # connections opened before the listener get the pragmas too

    def purge_expired(self, now: Optional[float] = None) -> int:
        """Deletes every conversation whose newest event is older than the retention period."""
        now = time.time() if now is None else now
        cutoff = now - self.retention_seconds
        events = self.SQLEvent
        with self.session_scope() as session:
            expired = session.query(events.sender_id).group_by(events.sender_id).having(self._max_timestamp() < cutoff)
            expired_ids = [row[0] for row in expired]
            for sender_id in expired_ids:
                self._cache.pop(sender_id, None)
            if expired_ids:
                session.query(events).filter(events.sender_id.in_(expired_ids)).delete(synchronize_session=False)
                session.commit()
        if expired_ids and self.engine.dialect.name == "sqlite":
            self._checkpoint()
        self._last_purge = now
        if expired_ids:
            # A count only: never sender ids or content.
            logger.info("Deleted %d expired conversation(s).", len(expired_ids))
        return len(expired_ids)

    def _checkpoint(self) -> None:
        """Copies the write-ahead log into the database and empties it: until then the deleted
        rows are still in the -wal file (secure_delete zeroes them in the database only)."""
        import sqlalchemy as sa

        with self.engine.connect() as connection:
            connection.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))

    def _max_timestamp(self) -> Any:
        import sqlalchemy as sa

        return sa.func.max(self.SQLEvent.timestamp)

    async def _while_database_restarts(self, operation: Any) -> Any:
        """`operation()`, tried again for up to `database_retry_seconds` while PostgreSQL cannot
        be reached (a restart, a failover): the turn waits instead of failing. SQLite: once."""
        import asyncio

        from sqlalchemy.exc import DBAPIError, OperationalError

        deadline = time.monotonic() + (self.database_retry_seconds if self.shared_schedule else 0)
        while True:
            try:
                return await operation()
            except (OperationalError, DBAPIError) as error:
                if not (isinstance(error, OperationalError) or error.connection_invalidated):
                    raise
                if time.monotonic() > deadline:
                    raise
                logger.warning("The database cannot be reached (%s); trying again.", type(error.orig).__name__)
                self.engine.dispose()
                await asyncio.sleep(0.5)

    def _purge_if_due(self) -> None:
        if self.shared_schedule:
            try:
                self._purge_if_due_now()
            except Exception as error:  # the database is away: the next turn's purge tries again
                logger.warning("Retention purge skipped (%s).", type(error).__name__)
            return
        self._purge_if_due_now()

    def _purge_if_due_now(self) -> None:
        now = time.time()
        if now - self._last_purge <= self.purge_interval_seconds:
            return
        if self.shared_schedule and not self._claim_purge(now):
            self._last_purge = now  # another replica purged within the interval
            return
        self.purge_expired(now)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        self._purge_if_due()
        cached = self._cache.get(sender_id)
        if cached is not None:
            tracker, stored = cached
            if len(tracker.events) == stored:
                self._cache.move_to_end(sender_id)
                return tracker
            del self._cache[sender_id]  # changed but never saved: the database has the truth
        tracker = await self._while_database_restarts(lambda: super(ExpiringSQLTrackerStore, self).retrieve(sender_id))
        if tracker is not None and self._reusable(tracker, 0):
            self._remember(tracker)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        cached = self._cache.get(tracker.sender_id)
        known = cached is not None and cached[0] is tracker
        await self.stream_events(tracker)

        async def write() -> None:
            with self.session_scope() as session:
                rows = [self._row(tracker.sender_id, event) for event in self._events_to_write(session, tracker)]
                if rows:
                    # One bulk insert of the rows Rasa's save adds one by one through the ORM.
                    session.execute(self.SQLEvent.__table__.insert(), rows)
                session.commit()

        # Written again after a lost connection: the rows to write are counted in the database
        # again (no cache on PostgreSQL), so a write that did commit is not repeated.
        await self._while_database_restarts(write)
        if known and self._reusable(tracker, cached[1]):
            self._remember(tracker)
        else:
            self._cache.pop(tracker.sender_id, None)
        self._purge_if_due()

    @staticmethod
    def _row(sender_id: Text, event: Any) -> dict:
        """The database row of an event, as `SQLTrackerStore.save` writes it."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _events_to_write(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events not stored yet: counted in memory for a tracker this store handed out."""
        cached = self._cache.get(tracker.sender_id)
        if cached is not None and cached[0] is tracker:
            return itertools.islice(tracker.events, cached[1], len(tracker.events))
        return sql_events.events_not_stored(self, session, tracker)

    @staticmethod
    def _reusable(tracker: DialogueStateTracker, start: int) -> bool:
        """No session starts among events[start:] except as the very first event.

        A database read returns the events from the latest session start on; a tracker that
        started a new session in memory still holds the earlier ones, so it is read again.
        """
        return not any(
            isinstance(event, SessionStarted) and index > 0
            for index, event in enumerate(itertools.islice(tracker.events, start, None), start)
        )

    def _remember(self, tracker: DialogueStateTracker) -> None:
        if self.cache_size <= 0:
            return
        self._cache[tracker.sender_id] = (tracker, len(tracker.events))
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    @staticmethod
    def describe() -> Text:
        return "SQL tracker store with a retention limit and a cache of recent conversations"
