"""The benchmark behind `make bench`: latency, throughput, start-up time and memory.

It starts our assistant on free ports (or uses a running one with --use-running), drives 1, 5 and
20 concurrent simulated conversations over REST (program questions, a full screening, providers),
and measures a bare `rasa init` assistant the same way in the same run as the floor. It also times
our two NLU components in-process (median per message). Quote medians and ratios, not single runs:
these machines are shared and noisy.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))

from stack import Stack, free_port, quiet_env, wait_for  # noqa: E402

FLOOR_DIR = ROOT / "results" / "bench" / "rasa-init"

OUR_SCRIPTS = [
    ["hi", "what is CSP?", "do I need prior authorization for CSP?", "how long does it last", "thanks"],
    [
        "check eligibility",
        "for me",
        "01608",
        "MassHealth through my ACO",
        "depression",
        "about 3 weeks ago",
        "twice",
        "I have an apartment",
        "no",
        "yes",
        "yes",
        "show me providers",
        "bye",
    ],
    ["who offers CSP near Worcester?", "show more", "what does a recovery coach do", "bye"],
]
FLOOR_SCRIPTS = [
    ["hello", "I am sad", "yes", "bye"],
    ["hi", "great", "are you a bot?", "goodbye"],
    ["hey", "not good", "no", "bye"],
]


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def rss_mb(pids: List[int]) -> float:
    """Resident memory of the processes and all their descendants, in MB (from /proc)."""
    children: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry.name))
            except OSError:
                continue
    total, todo, seen = 0, list(pids), set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def drive(url: str, scripts: List[List[str]], concurrency: int, rounds: int) -> Dict[str, float]:
    """`concurrency` simulated people, each going through the scripts `rounds` times."""
    latencies: List[float] = []
    lock = threading.Lock()

    def person(index: int) -> None:
        session = requests.Session()
        for round_number in range(rounds):
            script = scripts[(index + round_number) % len(scripts)]
            sender = uuid.uuid4().hex
            for text in script:
                started = time.perf_counter()
                response = session.post(url, json={"sender": sender, "message": text}, timeout=60)
                elapsed = (time.perf_counter() - started) * 1000
                response.raise_for_status()
                with lock:
                    latencies.append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(person, range(concurrency)))
    wall = time.perf_counter() - started
    return {
        "turns": len(latencies),
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "messages_per_s": len(latencies) / wall,
    }


def measure(url: str, scripts, levels, rounds, warmup: Callable[[], None]) -> Dict[int, Dict[str, float]]:
    warmup()
    return {level: drive(url, scripts, level, rounds if level > 1 else rounds * 3) for level in levels}


def ensure_floor_model(python: str) -> Path:
    """A bare `rasa init` project, trained once and kept under results/ (git-ignored).

    The floor is plain Rasa (`-m rasa`, not our components.rasa_cli): without our patches, it is
    the measure of what Rasa alone costs.
    """
    models = FLOOR_DIR / "models"
    if not models.exists() or not any(models.glob("*.tar.gz")):
        FLOOR_DIR.mkdir(parents=True, exist_ok=True)
        print("==> Creating and training the `rasa init` floor assistant (once; about 2 minutes) ...", flush=True)
        subprocess.run(
            [python, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(FLOOR_DIR)],
            cwd=FLOOR_DIR,
            env=quiet_env(),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
    return sorted(models.glob("*.tar.gz"))[-1]


def start_floor(python: str, model: Path):
    port = free_port()
    log = open(FLOOR_DIR / "rasa.log", "wb")
    started = time.monotonic()
    process = subprocess.Popen(  # plain Rasa, as in ensure_floor_model
        [python, "-m", "rasa", "run", "--model", str(model), "--port", str(port), "--interface", "127.0.0.1"],
        cwd=FLOOR_DIR,
        env=quiet_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for(f"http://127.0.0.1:{port}/", 180, process, "The rasa init assistant")
    return process, port, time.monotonic() - started


def component_costs() -> Dict[str, float]:
    """Median ms per message of our two NLU components, run in-process on varied messages."""
    from rasa.shared.nlu.training_data.message import Message

    from components.crisis import CrisisDetector
    from components.entities import ReferralEntityExtractor
    from referral.crisis.classifier import trained_from_corpus

    texts = [text for script in OUR_SCRIPTS for text in script] + [
        "my brother keeps ending up in the ER because of his drinking",
        "someone who speaks Spanish near fall river ma",
        "I was discharged about a month and a half ago",
        "I'm dying to know what CSP is",
        "honestly i dont want to be here anymore",
    ]
    results = {}
    for name, component in (
        ("entity extractor", ReferralEntityExtractor.create({}, None, None, None)),
        # With its classifier (trained from the corpus as `make train` does; the fit is
        # deterministic): the whole crisis layer, patterns and classifier on every sentence.
        ("crisis detector", CrisisDetector({}, classifier=trained_from_corpus())),
    ):
        timings = []
        for _ in range(20):
            for text in texts:
                message = Message(data={"text": text, "intent": {"name": "inform", "confidence": 0.9}})
                started = time.perf_counter()
                component.process([message])
                timings.append((time.perf_counter() - started) * 1000)
        results[name] = statistics.median(timings)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--levels", default="1,5,20")
    parser.add_argument("--rounds", type=int, default=2, help="conversations per simulated person")
    parser.add_argument("--use-running", action="store_true", help="use the assistant on :5005 if it answers")
    parser.add_argument("--no-floor", action="store_true", help="skip the rasa init floor")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    python = sys.executable

    print(f"==> Machine: {os.cpu_count()} cores; levels {levels}; {args.rounds} conversation(s) per person")
    report: Dict[str, object] = {"levels": levels}

    stack = None
    rasa_url = "http://127.0.0.1:5005"
    if args.use_running:
        try:
            requests.get(rasa_url, timeout=2)
        except requests.RequestException:
            args.use_running = False
    if not args.use_running:
        stack = Stack.on_free_ports(with_web=False)
        print("==> Starting our assistant on free ports ...", flush=True)
        stack.start()
        rasa_url = stack.rasa_url
        report["startup_s"] = stack.startup_seconds
    try:
        url = f"{rasa_url}/webhooks/rest/webhook"
        ours = measure(url, OUR_SCRIPTS, levels, args.rounds, lambda: drive(url, OUR_SCRIPTS, 1, 1))
        report["ours"] = ours
        if stack:
            report["ours_rss_mb"] = rss_mb(stack.pids())
    finally:
        if stack:
            stack.stop()

    if not args.no_floor:
        model = ensure_floor_model(python)
        process, port, floor_start = start_floor(python, model)
        try:
            url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
            report["floor"] = measure(url, FLOOR_SCRIPTS, levels, args.rounds, lambda: drive(url, FLOOR_SCRIPTS, 1, 1))
            report["floor_startup_s"] = floor_start
            report["floor_rss_mb"] = rss_mb([process.pid])
        finally:
            os.killpg(process.pid, 15)
            process.wait(timeout=30)

    report["components_median_ms"] = component_costs()
    print_report(report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))


def ratio(ours: float, floor: Optional[float]) -> str:
    return f" ({ours / floor:.2f}x the floor)" if floor else ""


def print_report(report: Dict) -> None:
    """Our figures, the floor's, and ours as ratios to the floor (lower is better but msg/s)."""
    print("\nconcurrency | ours p50 / p95 ms | msg/s | floor p50 / p95 ms | msg/s | ratios p50 / p95 / msg/s")
    for level in report["levels"]:
        ours = report["ours"][level]
        floor = report.get("floor", {}).get(level)
        line = f"{level:>11} | {ours['p50_ms']:7.1f} / {ours['p95_ms']:7.1f} | {ours['messages_per_s']:5.1f}"
        if floor:
            line += (
                f" | {floor['p50_ms']:7.1f} / {floor['p95_ms']:7.1f} | {floor['messages_per_s']:5.1f}"
                f" | {ours['p50_ms'] / floor['p50_ms']:.2f}x / {ours['p95_ms'] / floor['p95_ms']:.2f}x"
                f" / {ours['messages_per_s'] / floor['messages_per_s']:.2f}x"
            )
        print(line)
    first, last = report["levels"][0], report["levels"][-1]
    floors = report.get("floor", {})
    p50 = report["ours"][first]["p50_ms"]
    print(
        f"\n{first} conversation(s), p50 per turn: {p50:.1f} ms"
        f"{ratio(p50, floors.get(first, {}).get('p50_ms'))} (target <= 60 ms)"
    )
    p95 = report["ours"][last]["p95_ms"]
    print(
        f"{last} concurrent, p95 per turn: {p95:.1f} ms"
        f"{ratio(p95, floors.get(last, {}).get('p95_ms'))} (target <= 1.3x the floor)"
    )
    if "startup_s" in report:
        floor_start = report.get("floor_startup_s")
        floor_text = f", floor {floor_start:.1f} s" if floor_start else ""
        print(
            f"start-up: {report['startup_s']:.1f} s{ratio(report['startup_s'], floor_start)}{floor_text} (target <= 30 s)"
        )
    if "ours_rss_mb" in report:
        floor_rss = report.get("floor_rss_mb")
        floor_text = f", floor {floor_rss:.0f} MB" if floor_rss else ""
        print(
            f"resident memory, all processes: {report['ours_rss_mb']:.0f} MB"
            f"{ratio(report['ours_rss_mb'], floor_rss)}{floor_text} (target <= 1500 MB)"
        )
    for name, value in report["components_median_ms"].items():
        target = 5 if name == "entity extractor" else 2
        print(f"{name}: {value:.2f} ms median per message (target <= {target} ms)")


if __name__ == "__main__":
    main()
