"""The benchmark behind `make bench-cluster`: the cluster against a single node, then its faults.

1. Load: 1, 20 and 100 concurrent simulated people (program questions, a full screening,
   providers; tools/bench.py's scripts) over REST, first against the single node (`make run`'s
   stack on free ports), then through the cluster's proxy (`make cluster` on free ports), in the
   same run; the cluster's figures as ratios to the single node's.
2. Turn locks: conversations whose two messages are sent at the same moment to two replicas.
3. Faults, each during a load of screenings: one Rasa replica killed, then (once it is back) the
   other; an action server killed; PostgreSQL restarted.

Every conversation the cluster served is then read back from PostgreSQL: a turn is lost when a
message that got an answer is not stored, and interleaved when a message starts before the
previous turn ended. A client sends a turn again after a 5xx or a refused connection (as the web
chat does); those retries are counted, and their seconds are the fault's cost.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))

from bench import OUR_SCRIPTS, percentile  # noqa: E402
from cluster import Cluster  # noqa: E402
from stack import Stack  # noqa: E402

SCREENING = OUR_SCRIPTS[1]


@dataclass
class Load:
    """What simulated people sent and got: latencies, retries, and what each conversation said."""

    latencies: List[float] = field(default_factory=list)
    failed_attempts: int = 0
    longest_wait_s: float = 0.0  # from a turn's first failed attempt to its answer
    gave_up: int = 0
    sent: Dict[str, List[str]] = field(default_factory=dict)  # sender -> messages answered
    wall_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def figures(self) -> Dict[str, float]:
        return {
            "turns": len(self.latencies),
            "p50_ms": statistics.median(self.latencies),
            "p95_ms": percentile(self.latencies, 0.95),
            "messages_per_s": len(self.latencies) / self.wall_s,
            "failed_attempts": self.failed_attempts,
            "longest_wait_s": round(self.longest_wait_s, 1),
            "gave_up": self.gave_up,
        }


def turn(session: requests.Session, url: str, sender: str, text: str, load: Load, retry_for: float = 90) -> bool:
    """One message, sent again after a 5xx or a refused connection; True once answered."""
    first_failure: Optional[float] = None
    while True:
        started = time.perf_counter()
        try:
            response = session.post(url, json={"sender": sender, "message": text}, timeout=60)
            ok = response.status_code < 500
        except requests.RequestException:
            ok = False
        now = time.perf_counter()
        with load.lock:
            if ok:
                load.latencies.append((now - started) * 1000)
                load.sent.setdefault(sender, []).append(text)
                if first_failure is not None:
                    load.longest_wait_s = max(load.longest_wait_s, now - first_failure)
                return True
            load.failed_attempts += 1
        first_failure = first_failure or started
        if now - first_failure > retry_for:
            with load.lock:
                load.gave_up += 1
            return False
        time.sleep(0.5)


def drive(
    url: str, people: int, rounds: int, scripts: List[List[str]] = OUR_SCRIPTS, load: Optional[Load] = None
) -> Load:
    """`people` simulated people at once, each going through `rounds` conversations."""
    load = load or Load()
    url = f"{url}/webhooks/rest/webhook"

    def person(index: int) -> None:
        session = requests.Session()
        for round_number in range(rounds):
            script = scripts[(index + round_number) % len(scripts)]
            sender = uuid.uuid4().hex
            for text in script:
                if not turn(session, url, sender, text, load):
                    return

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=people) as pool:
        list(pool.map(person, range(people)))
    load.wall_s = time.perf_counter() - started
    return load


def during(load_of: Callable[[], Load], fault: Callable[[], None], after_s: float) -> Load:
    """Runs the load, and the fault `after_s` seconds into it."""
    result: Dict[str, Load] = {}
    runner = threading.Thread(target=lambda: result.setdefault("load", load_of()))
    runner.start()
    time.sleep(after_s)
    fault()
    runner.join()
    return result["load"]


# ----- what PostgreSQL kept -----


def stored_turns(cluster: Cluster, senders: List[str]) -> Dict[str, List[Dict]]:
    import psycopg2

    settings = cluster._database_settings()
    connection = psycopg2.connect(
        host="127.0.0.1", port=cluster.postgres_port, user=settings["username"], password=settings["password"],
        dbname=settings["db"],
    )  # fmt: skip
    stored: Dict[str, List[Dict]] = {sender: [] for sender in senders}
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT sender_id, data FROM events WHERE sender_id = ANY(%s) ORDER BY id", (senders,))
        for sender, data in cursor.fetchall():
            stored[sender].append(json.loads(data))
    connection.close()
    return stored


def check_conversations(cluster: Cluster, load: Load) -> Dict[str, int]:
    """Lost, duplicated (a retry of a turn that was stored but not answered) and interleaved turns."""
    stored = stored_turns(cluster, list(load.sent))
    lost = duplicated = interleaved = 0
    for sender, sent in load.sent.items():
        events = stored[sender]
        texts = [event["text"] for event in events if event["event"] == "user"]
        for text in set(sent):
            lost += max(0, sent.count(text) - texts.count(text))
            duplicated += max(0, texts.count(text) - sent.count(text))
        for index, event in enumerate(events):
            if event["event"] == "user" and index > 0:
                before = events[index - 1]
                if not (before["event"] == "action" and before.get("name") == "action_listen"):
                    interleaved += 1
    return {"conversations": len(load.sent), "lost": lost, "duplicated": duplicated, "interleaved": interleaved}


def simultaneous_pairs(cluster: Cluster, conversations: int) -> Dict[str, int]:
    """Each conversation's two messages sent at the same moment, one to each of two replicas."""
    load = Load()
    senders = [uuid.uuid4().hex for _ in range(conversations)]
    session = requests.Session()
    for sender in senders:
        turn(session, f"{cluster.rasa_url}/webhooks/rest/webhook", sender, "hi", load)
    barrier = threading.Barrier(2 * conversations)

    def send(replica: int, sender: str, text: str) -> None:
        barrier.wait()
        turn(requests.Session(), f"{cluster.replica_url(replica)}/webhooks/rest/webhook", sender, text, load)

    threads = [
        threading.Thread(target=send, args=(replica, sender, text))
        for sender in senders
        for replica, text in ((0, "what is CSP?"), (1, "what is CST?"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {**check_conversations(cluster, load), "failed_attempts": load.failed_attempts}


# ----- the run -----


def measure(url: str, levels: List[int], rounds: int) -> Dict[int, Load]:
    drive(url, 1, 1)  # warm-up
    return {level: drive(url, level, rounds if level > 1 else rounds * 3) for level in levels}


def faults(cluster: Cluster, people: int) -> Dict[str, Dict]:
    screenings = [SCREENING]
    results: Dict[str, Dict] = {}

    def record(name: str, load: Load, restart_s: Optional[float] = None) -> None:
        figures = {**load.figures(), **check_conversations(cluster, load)}
        if restart_s is not None:
            figures["back_after_s"] = round(restart_s, 1)
        results[name] = figures
        print(f"    {name}: {json.dumps(figures)}", flush=True)

    def kill_and_time(name: str) -> Callable[[], None]:
        def fault() -> None:
            cluster.kill(name)
            fault.killed_at = time.monotonic()  # type: ignore[attr-defined]

        return fault

    for replica in cluster.replica_names:
        fault = kill_and_time(replica)
        load = during(lambda: drive(cluster.rasa_url, people, 1, screenings), fault, after_s=3)
        cluster.wait_ready(replica)
        record(f"kill {replica} mid-screening", load, time.monotonic() - fault.killed_at)  # type: ignore[attr-defined]

    fault = kill_and_time(cluster.action_names[0])
    load = during(lambda: drive(cluster.rasa_url, people, 1, screenings), fault, after_s=3)
    cluster.wait_ready(cluster.action_names[0])
    record("kill actions-1 mid-load", load)

    def restart_postgres() -> None:
        cluster.kill("postgres", sig=2)  # SIGINT: a fast shutdown; the supervisor starts it again

    load = during(lambda: drive(cluster.rasa_url, people, 1, screenings), restart_postgres, after_s=3)
    cluster.wait_ready("postgres")
    record("restart PostgreSQL mid-load", load)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,20,100")
    parser.add_argument("--rounds", type=int, default=2, help="conversations per simulated person (1 at 100)")
    parser.add_argument("--fault-load", type=int, default=10, help="people screening during each fault")
    parser.add_argument("--no-single", action="store_true", help="skip the single node")
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument("--json", type=Path, default=ROOT / "results" / "bench" / "cluster.json")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    rounds_at = lambda level: 1 if level >= 100 else args.rounds  # noqa: E731
    load_average = os.getloadavg()[0]
    print(f"==> Machine: {os.cpu_count()} cores, load average {load_average:.2f}; levels {levels}", flush=True)
    report: Dict[str, object] = {"levels": levels, "cores": os.cpu_count(), "load_average": load_average}

    if not args.no_single:
        stack = Stack.on_free_ports(with_web=False)
        print("==> Single node: starting ...", flush=True)
        stack.start()
        try:
            drive(stack.rasa_url, 1, 1)
            report["single"] = {
                level: drive(stack.rasa_url, level, rounds_at(level) * (3 if level == 1 else 1)).figures()
                for level in levels
            }
        finally:
            stack.stop()

    cluster = Cluster.on_free_ports(say=lambda message: print(f"    {message}", flush=True))
    print("==> Cluster (2 Rasa replicas, 2 action servers, PostgreSQL, Redis, nginx): starting ...", flush=True)
    cluster.start()
    report["cluster_startup_s"] = round(cluster.startup_seconds, 1)
    try:
        drive(cluster.rasa_url, 1, 1)
        loads = {level: drive(cluster.rasa_url, level, rounds_at(level) * (3 if level == 1 else 1)) for level in levels}
        report["cluster"] = {
            level: {**load.figures(), **check_conversations(cluster, load)} for level, load in loads.items()
        }
        report["simultaneous_pairs"] = simultaneous_pairs(cluster, 50)
        if not args.no_faults:
            print("==> Faults ...", flush=True)
            report["faults"] = faults(cluster, args.fault_load)
    finally:
        cluster.stop()
    print_report(report)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))


def print_report(report: Dict) -> None:
    print(
        "\nconcurrent | single p50 / p95 ms | msg/s | cluster p50 / p95 ms | msg/s | ratios p50 / p95 / msg/s | lost / interleaved"
    )
    for level in report["levels"]:
        ours = report["cluster"][level]
        single = report.get("single", {}).get(level)
        line = f"{level:>10} | "
        if single:
            line += f"{single['p50_ms']:7.1f} / {single['p95_ms']:7.1f} | {single['messages_per_s']:5.1f} | "
        line += f"{ours['p50_ms']:7.1f} / {ours['p95_ms']:7.1f} | {ours['messages_per_s']:5.1f}"
        if single:
            line += (
                f" | {ours['p50_ms'] / single['p50_ms']:.2f}x / {ours['p95_ms'] / single['p95_ms']:.2f}x"
                f" / {ours['messages_per_s'] / single['messages_per_s']:.2f}x"
            )
        line += f" | {ours['lost']} / {ours['interleaved']}"
        print(line)
    pairs = report["simultaneous_pairs"]
    print(
        f"\nTwo messages at once to two replicas, {pairs['conversations']} conversations: "
        f"lost {pairs['lost']}, interleaved {pairs['interleaved']}, duplicated {pairs['duplicated']}"
    )
    for name, figures in report.get("faults", {}).items():
        print(
            f"{name}: {figures['failed_attempts']} failed attempt(s) retried, longest wait {figures['longest_wait_s']} s, "
            f"p95 {figures['p95_ms']:.0f} ms, lost {figures['lost']}, duplicated {figures['duplicated']}, "
            f"interleaved {figures['interleaved']}, gave up {figures['gave_up']}"
            + (f", back after {figures['back_after_s']} s" if "back_after_s" in figures else "")
        )
    print(f"\nCluster start-up: {report['cluster_startup_s']} s")


if __name__ == "__main__":
    main()
