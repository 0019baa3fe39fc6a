"""SQL tracker store that forgets conversations after a retention period.

Rasa's SQL tracker store keeps every user message forever; these conversations are protected
health information, so whole conversations idle for longer than `retention_hours` are deleted,
at start-up and then at most every `purge_interval_minutes` while messages are saved.
"""

import logging
import time
from typing import Any, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)


class ExpiringSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` plus a retention limit (endpoints.yml: `retention_hours`)."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        retention_hours: float = 24,
        purge_interval_minutes: float = 10,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain=domain, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self._tune_sqlite()
        self.retention_seconds = float(retention_hours) * 3600
        self.purge_interval_seconds = float(purge_interval_minutes) * 60
        self._last_purge = 0.0
        self.purge_expired()

    def _tune_sqlite(self) -> None:
        """Write-ahead log, synced at checkpoints: a save per turn no longer waits on fsync.

        A power cut can lose the last turns of a chat, never corrupt the file; that trade suits a
        chat whose conversations are deleted within a day anyway.
        """
        import sqlalchemy as sa

        def pragmas(connection: Any, _: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        sa.event.listen(self.engine, "connect", pragmas)
        self.engine.dispose()  # connections opened before the listener get the pragmas too

    def purge_expired(self, now: Optional[float] = None) -> int:
        """Deletes every conversation whose newest event is older than the retention period."""
        now = time.time() if now is None else now
        cutoff = now - self.retention_seconds
        events = self.SQLEvent
        with self.session_scope() as session:
            expired = (
                session.query(events.sender_id)
                .group_by(events.sender_id)
                .having(self._max_timestamp() < cutoff)
            )
            expired_ids = [row[0] for row in expired]
            if expired_ids:
                session.query(events).filter(events.sender_id.in_(expired_ids)).delete(
                    synchronize_session=False
                )
                session.commit()
        self._last_purge = now
        if expired_ids:
            # A count only: never sender ids or content.
            logger.info("Deleted %d expired conversation(s).", len(expired_ids))
        return len(expired_ids)

    def _max_timestamp(self) -> Any:
        import sqlalchemy as sa

        return sa.func.max(self.SQLEvent.timestamp)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        if time.time() - self._last_purge > self.purge_interval_seconds:
            self.purge_expired()

    @staticmethod
    def describe() -> Text:
        return "SQL tracker store with a retention limit"
