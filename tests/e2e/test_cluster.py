"""The cluster (`make cluster`) keeps conversations whole: turn locks across replicas, and a
screening that goes on to its result when the replica it was talking to dies.

One short cluster (2 Rasa replicas, 2 action servers, PostgreSQL, Redis, nginx) on free ports,
about a minute in all; the long load and fault runs are in `make bench-cluster`.
"""

import json
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from cluster import Cluster, missing_programs  # noqa: E402

SCREENING = [
    "can I get CSP?", "it's for me", "worcester ma", "MassHealth through my ACO", "I have depression",
    "about 3 weeks ago", "three times", "I have an apartment", "nope", "yep", "yes",
]  # fmt: skip


@pytest.fixture(scope="module")
def cluster():
    missing = missing_programs()
    if missing:
        pytest.fail(f"Not installed: {', '.join(missing)} (make test installs them: make cluster-packages)")
    running = Cluster.on_free_ports()
    running.start()
    try:
        yield running
    finally:
        running.stop()


def say(url: str, sender: str, text: str, retry_for: float = 60) -> List[Dict[str, Any]]:
    """A website's turn: sent again, as a client would, while the proxy answers 5xx or nothing."""
    deadline = time.monotonic() + retry_for
    while True:
        try:
            response = requests.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30
            )
            if response.status_code < 500:
                response.raise_for_status()
                return response.json()
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"no answer to {text!r} within {retry_for:.0f} s")
        time.sleep(0.5)


def stored_events(cluster: Cluster, sender: str) -> List[Dict[str, Any]]:
    """The conversation as PostgreSQL holds it, in order."""
    import psycopg2

    settings = cluster._database_settings()
    with psycopg2.connect(
        host="127.0.0.1", port=cluster.postgres_port, user=settings["username"], password=settings["password"],
        dbname=settings["db"],
    ) as connection, connection.cursor() as cursor:  # fmt: skip
        cursor.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
        return [json.loads(row[0]) for row in cursor.fetchall()]


def user_texts(events: List[Dict[str, Any]]) -> List[str]:
    return [event["text"] for event in events if event["event"] == "user"]


def turns_are_whole(events: List[Dict[str, Any]]) -> bool:
    """Each message after the first begins a turn only after the previous turn ended (listening)."""
    for index, event in enumerate(events):
        if event["event"] == "user" and index > 0:
            before = events[index - 1]
            if not (before["event"] == "action" and before["name"] == "action_listen"):
                return False
    return True


def test_two_messages_sent_at_once_to_two_replicas_are_processed_one_after_the_other(cluster):
    senders = [uuid.uuid4().hex for _ in range(6)]
    for sender in senders:
        say(cluster.rasa_url, sender, "hi")
    barrier = threading.Barrier(2 * len(senders))
    failures: List[str] = []

    def send(replica: int, sender: str, text: str) -> None:
        barrier.wait()
        try:
            say(cluster.replica_url(replica), sender, text, retry_for=0)
        except Exception as error:  # noqa: BLE001 - collected and reported below
            failures.append(f"{text}: {error}")

    threads = [
        threading.Thread(target=send, args=(replica, sender, text))
        for sender in senders
        for replica, text in ((0, "what is CSP?"), (1, "what is CST?"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for sender in senders:
        events = stored_events(cluster, sender)
        assert sorted(user_texts(events)) == ["hi", "what is CSP?", "what is CST?"]
        assert turns_are_whole(events)


def test_a_screening_goes_on_to_its_result_when_its_replica_dies(cluster):
    sender = uuid.uuid4().hex
    for text in SCREENING[:4]:
        say(cluster.rasa_url, sender, text)
    cluster.kill("rasa-1")  # the supervisor starts it again; the proxy sends turns to rasa-2 meanwhile
    answers = [say(cluster.rasa_url, sender, text) for text in SCREENING[4:]]
    payloads = [m["custom"] for turn in answers for m in turn if isinstance(m.get("custom"), dict)]
    outcome = [p for p in payloads if p.get("type") == "eligibility"]
    assert outcome, payloads
    assert {p["id"]: p["status"] for p in outcome[0]["programs"]}["CSP"] == "likely"
    events = stored_events(cluster, sender)
    assert user_texts(events) == SCREENING  # every answer kept, once, in order
    assert turns_are_whole(events)


def test_two_lock_stores_never_issue_one_ticket_twice(cluster):
    """Two replicas' lock stores taking tickets for one conversation at the same moment."""
    from components.lock_store import ClusterLockStore

    stores = [ClusterLockStore(host="127.0.0.1", port=cluster.redis_port, db=2) for _ in range(2)]
    tickets: List[int] = []
    barrier = threading.Barrier(40)

    def take(store: ClusterLockStore) -> None:
        barrier.wait()
        tickets.append(store.issue_ticket("one-conversation"))

    threads = [threading.Thread(target=take, args=(stores[i % 2],)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(tickets) == list(range(40))
    lock = stores[0].get_lock("one-conversation")
    assert [t.number for t in lock.tickets] == list(range(40))  # served in the order issued
    for number in range(40):
        stores[number % 2].cleanup("one-conversation", number)
    assert stores[0].get_lock("one-conversation") is None


def test_retention_runs_once_for_the_cluster_and_deletes_on_postgresql(cluster):
    """Two replicas' tracker stores: the first due purge claims the interval, the second skips it."""
    import asyncio

    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from components.retention import ExpiringSQLTrackerStore

    settings = cluster._database_settings()
    settings["host"] = settings.pop("url")
    first, second = (ExpiringSQLTrackerStore(domain=None, retention_hours=1, **settings) for _ in range(2))
    old = DialogueStateTracker(uuid.uuid4().hex, slots=[])
    old.update(UserUttered("I was in the hospital", timestamp=time.time() - 2 * 3600))
    asyncio.run(first.save(old))
    # An interval later: due for both replicas, and for the cluster's schedule.
    with first.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE retention_schedule SET last_purge = 0")
    for store in (first, second):
        store._last_purge = 0
    first._purge_if_due()
    assert stored_events(cluster, old.sender_id) == []
    asyncio.run(first.save(old))  # the same old conversation again: the second must not purge
    second._purge_if_due()
    assert len(stored_events(cluster, old.sender_id)) == 1
    for store in (first, second):
        store.engine.dispose()
