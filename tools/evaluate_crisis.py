"""Evaluates crisis recognition on the labelled set: the deterministic matcher alone, and with
`--model PATH` the whole NLU pipeline of a trained Rasa model (crisis when intent == crisis).

Prints recall, false-positive rate, counts, every miss and false alarm (the set is synthetic test
data, so its texts may be printed), and the matcher's median and p95 milliseconds per message.
Exits 0 unless it crashes: the numbers are for people and for tests/test_crisis.py to judge.

    python tools/evaluate_crisis.py [--data tests/crisis/labelled.csv] [--model models/x.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import logging
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DATA = ROOT / "tests" / "crisis" / "labelled.csv"
TARGET_RECALL = 100.0
TARGET_FPR = 2.0


def load_labelled(path: Path) -> List[Dict[str, str]]:
    """Rows with `text`, `label` (crisis | none) and `note`."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = [row for row in csv.DictReader(f) if row.get("text", "").strip()]
    bad = [row["label"] for row in rows if row["label"] not in ("crisis", "none")]
    if bad:
        raise ValueError(f"unknown labels in {path}: {sorted(set(bad))}")
    return rows


def score(rows: List[Dict[str, str]], predicted: List[bool]) -> Dict[str, object]:
    """Recall over crisis rows, false-positive rate over none rows, and the rows each way wrong."""
    crisis = [(r, p) for r, p in zip(rows, predicted) if r["label"] == "crisis"]
    none = [(r, p) for r, p in zip(rows, predicted) if r["label"] == "none"]
    misses = [r for r, p in crisis if not p]
    false_alarms = [r for r, p in none if p]
    return {
        "crisis": len(crisis),
        "none": len(none),
        "caught": len(crisis) - len(misses),
        "misses": misses,
        "false_alarms": false_alarms,
        "recall": 100.0 * (len(crisis) - len(misses)) / len(crisis) if crisis else 100.0,
        "fpr": 100.0 * len(false_alarms) / len(none) if none else 0.0,
    }


def print_score(
    title: str, result: Dict[str, object], why: Optional[Callable[[str], str]] = None
) -> None:
    print(f"\n== {title}")
    print(f"crisis messages: {result['crisis']}, caught {result['caught']}; "
          f"non-crisis messages: {result['none']}, false alarms {len(result['false_alarms'])}")
    print(f"recall: {result['recall']:.1f}% (target {TARGET_RECALL:.0f}%)")
    print(f"false positives: {result['fpr']:.1f}% (target <= {TARGET_FPR:.0f}%)")
    for name, rows in (("misses", result["misses"]), ("false alarms", result["false_alarms"])):
        print(f"{name}: {len(rows)}")
        for row in rows:
            extra = f"  -> {why(row['text'])}" if why else ""
            print(f"  [{row['note']}] {row['text']}{extra}")


def matcher_timings(
    detect: Callable[[str], object], texts: List[str], passes: int = 5
) -> Tuple[float, float]:
    """Median and p95 milliseconds per message, after one warm-up pass."""
    for text in texts:
        detect(text)
    timings = []
    for _ in range(passes):
        for text in texts:
            started = time.perf_counter()
            detect(text)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.95))]


def evaluate_matcher(rows: List[Dict[str, str]]) -> Dict[str, object]:
    from actions.crisis.matcher import CrisisMatcher

    started = time.perf_counter()
    matcher = CrisisMatcher()
    load_s = time.perf_counter() - started
    signals = [matcher.detect(row["text"]) for row in rows]
    result = score(rows, [s is not None for s in signals])

    def why(text: str) -> str:
        signal = matcher.detect(text)
        return f"{signal.category}/{signal.level} ({signal.rule})" if signal else "no match"

    print_score("Deterministic matcher (actions/crisis/patterns.yml)", result, why)
    levels = Counter(s.level for s, r in zip(signals, rows) if s and r["label"] == "crisis")
    categories = Counter(s.category for s, r in zip(signals, rows) if s and r["label"] == "crisis")
    print(f"levels of recognised crises: {dict(levels)}")
    print(f"categories of recognised crises: {dict(categories)}")
    median, p95 = matcher_timings(matcher.detect, [row["text"] for row in rows])
    print(f"matcher time per message: median {median:.3f} ms, p95 {p95:.3f} ms "
          f"(target median <= 2 ms); patterns loaded in {load_s:.2f} s")
    result.update({"median_ms": median, "p95_ms": p95})
    return result


def evaluate_model(rows: List[Dict[str, str]], model_path: str) -> Dict[str, object]:
    """The trained model's full NLU pipeline (DIET + this crisis component, as configured)."""
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Rasa's debug log prints every parsed text: keep it quiet (warnings only).
    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.ERROR)
    logging.getLogger("components.crisis").setLevel(logging.ERROR)

    agent = Agent.load(model_path)

    async def parse_all() -> List[Dict[str, object]]:
        return [await agent.parse_message(row["text"]) for row in rows]

    parsed = asyncio.run(parse_all())
    predicted = [(p.get("intent") or {}).get("name") == "crisis" for p in parsed]
    result = score(rows, predicted)
    by_text = {row["text"]: p for row, p in zip(rows, parsed)}

    def why(text: str) -> str:
        p = by_text[text]
        intent = p.get("intent") or {}
        source = (p.get("crisis") or {}).get("source", "-")
        confidence = intent.get("confidence") or 0.0
        return f"intent {intent.get('name')} {confidence:.2f}, crisis source {source}"

    print_score(f"Full NLU pipeline of {model_path} (crisis if intent == crisis)", result, why)
    sources = Counter((p.get("crisis") or {}).get("source") for p, ok in zip(parsed, predicted) if ok)
    print(f"recognised by: {dict(sources)}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled CSV: text,label,note")
    parser.add_argument("--model", help="a trained Rasa model (.tar.gz) to run the full NLU pipeline")
    args = parser.parse_args()
    rows = load_labelled(args.data)
    counts = Counter(row["label"] for row in rows)
    print(f"labelled set: {args.data} ({counts['crisis']} crisis, {counts['none']} none)")
    evaluate_matcher(rows)
    if args.model:
        evaluate_model(rows, args.model)


if __name__ == "__main__":
    main()
