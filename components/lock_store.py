"""Turn locks shared by several Rasa replicas: Rasa's Redis ticket lock, with every change atomic.

Rasa 3.6's `RedisLockStore` reads a conversation's lock, changes it in Python and writes it back.
Two replicas that take a ticket for one conversation at the same moment both read "no lock",
both write ticket 0, and both process their message at once (RasaHQ/rasa#9213; the concurrent
store that fixed it, #11256, was reverted from Rasa Open Source in #11428). Here each change of a
lock (take a ticket, give it back, drop expired ones) is one Redis transaction (WATCH/MULTI, tried
again when another replica changed the lock in between), so tickets are issued and served in
order across replicas. The lock's format in Redis is Rasa's own `TicketLock`.

Tickets are leases: each lasts `lease_seconds` and the replica that holds or waits for it renews
it every quarter of that. A replica that dies stops renewing, so the next turn of its
conversations waits at most `lease_seconds` (Rasa's default is 60 s, for a lock nobody renews).
A turn that runs longer is still covered, because its lease is renewed. Every Redis call gives up
after `socket_timeout` seconds, so a Redis that stops answering fails a turn instead of hanging it.

endpoints.yml:

    lock_store:
      type: components.lock_store.ClusterLockStore
      url: 127.0.0.1
      port: 6379
      db: 1
      socket_timeout: 2
      lease_seconds: 10
"""

from __future__ import annotations

import json
import logging
import threading
import time
from contextlib import asynccontextmanager
from typing import AsyncGenerator, Callable, Dict, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# A change of a lock: the lock as stored (None when there is none) -> (the lock to store, or None
# to store nothing; what the caller gets back). A lock left with no tickets is deleted.
Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], object]]


class ClusterLockStore(RedisLockStore):
    """`RedisLockStore` whose changes are Redis transactions, with renewed leases (see above)."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **settings: object) -> None:
        if endpoint_config is not None:
            settings = {**endpoint_config.kwargs, **settings}
            if endpoint_config.url:
                settings.setdefault("host", endpoint_config.url)
        self.lease_seconds = float(settings.pop("lease_seconds", 10))
        self.poll_seconds = float(settings.pop("poll_seconds", 0.05))
        settings.setdefault("socket_timeout", 2)
        super().__init__(**settings)  # type: ignore[arg-type]
        self._mine: Dict[Tuple[Text, int], None] = {}  # tickets this process holds or waits for
        self._mine_lock = threading.Lock()
        self._renewer = threading.Thread(target=self._renew_forever, name="lock-lease", daemon=True)
        self._renewer.start()

    # ----- one transaction per change -----

    def _change(self, conversation_id: Text, change: Change) -> object:
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    stored = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(stored)) if stored else None
                    new_lock, result = change(lock)
                    if new_lock is None:
                        pipe.unwatch()
                        return result
                    pipe.multi()
                    if new_lock.tickets:
                        # The key outlives its tickets a little, then Redis forgets it by itself.
                        pipe.set(key, new_lock.dumps(), px=int(self.lease_seconds * 3000))
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another replica changed this lock in between: read it again

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = 0) -> int:
        lifetime = self.lease_seconds

        def take(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lifetime)

        try:
            return int(self._change(conversation_id, take))  # type: ignore[arg-type]
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self.cleanup(conversation_id, ticket_number)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Gives the ticket back, and deletes the lock in the same step if nobody else waits
        (Rasa does these in two steps, between which another replica's new ticket was lost)."""

        def give_back(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, give_back)

    # ----- leases -----

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = 0,
        wait_time_in_seconds: float = 0,
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's `lock`, with the lease renewed while this process holds or waits for it, and a
        short wait between looks (a Redis GET), so a queued turn starts soon after the one before."""
        ticket = self.issue_ticket(conversation_id)
        mine = (conversation_id, ticket)
        with self._mine_lock:
            self._mine[mine] = None
        try:
            yield await self._acquire_lock(conversation_id, ticket, self.poll_seconds)
        finally:
            with self._mine_lock:
                self._mine.pop(mine, None)
            self.cleanup(conversation_id, ticket)

    def renew(self) -> int:
        """Extends every lease of this process by `lease_seconds` from now; returns how many."""
        with self._mine_lock:
            tickets = list(self._mine)
        renewed = 0
        for conversation_id, number in tickets:

            def extend(lock: Optional[TicketLock], number: int = number) -> Tuple[Optional[TicketLock], bool]:
                if lock is None:
                    return None, False
                lock.remove_expired_tickets()
                for ticket in lock.tickets:
                    if ticket.number == number:
                        ticket.expires = time.time() + self.lease_seconds
                        return lock, True
                return None, False

            if self._change(conversation_id, extend):
                renewed += 1
            else:
                # Only after a stall longer than the lease (this process or Redis): say so.
                logger.warning("A turn lock's lease ran out before it was renewed.")
        return renewed

    def _renew_forever(self) -> None:
        while True:
            time.sleep(self.lease_seconds / 4)
            try:
                self.renew()
            except Exception as error:  # Redis away for a moment: the next round tries again
                logger.warning("Could not renew turn locks (%s).", type(error).__name__)
