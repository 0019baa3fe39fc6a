"""Program questions, measured the honest way: which answer each question gets from the real model
and referral/faq.py's decision (one answer, both, "which do you mean?", or "not sure").

Sets (CSV files `text,topic`; a topic "a+b" is a question that asks two things, either is right):
- held-out writer: `--holdout WRITER` trains an NLU-only model without that writer's training
  file (data/nlu/faq_writers/WRITER.yml) and scores that writer's questions, from
  tests/nlu/faq_writers/WRITER.csv (same writers as the training data, not the same lines);
- blind: tests/nlu/faq_blind/*.csv, written by other writers after the model was frozen,
  scored once with the trained model (models/referral.tar.gz).

For each question: "right" (the answer given is an expected topic, or both answers given include
one), "which" (an honest "which do you mean?" or "is it one of these?" that offers an expected
topic), "confident wrong" (an answer given, none of them expected), "missed" (offered without
the expected topic, or not read as a program question at all).
Targets on the blind set: right + which >= 92%, confident wrong <= 3%.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from referral import faq  # noqa: E402

BLIND_DIR = ROOT / "tests" / "nlu" / "faq_blind"
WRITERS_DIR = ROOT / "tests" / "nlu" / "faq_writers"
TRAINING_DIR = ROOT / "data" / "nlu" / "faq_writers"
MODEL = ROOT / "models" / "referral.tar.gz"
RIGHT_TARGET, WRONG_TARGET = 0.92, 0.03


def read_set(path: Path) -> list[tuple[str, set]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["text"], set(row["topic"].split("+"))) for row in csv.DictReader(handle) if row["text"].strip()]


def ranking_of(parsed: dict) -> tuple[str, list[tuple[str, float]]]:
    intent = (parsed.get("intent") or {}).get("name")
    selector = (parsed.get("response_selector") or {}).get("faq") or {}
    ranking = [
        (e["intent_response_key"].split("/", 1)[1], e.get("confidence") or 0.0)
        for e in selector.get("ranking") or []
        if (e.get("intent_response_key") or "").startswith("faq/")
    ]
    return intent, ranking


def judge(intent: str, ranking: list, expected: set) -> str:
    if intent != "faq":
        return "missed"
    decision = faq.decide(ranking)
    given = set(decision.topics)
    if decision.kind in (faq.ONE, faq.BOTH):
        return "right" if given & expected else "confident wrong"
    return "which" if given & expected else "missed"


async def _parse_all(model: Path, texts: list[str]) -> list[dict]:
    from components import patches

    patches.enable()
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def score(model: Path, rows: list[tuple[str, set]], misses: list | None = None, keep: Path | None = None) -> Counter:
    parsed = asyncio.run(_parse_all(model, [text for text, _ in rows]))
    readings = [(text, sorted(expected), *ranking_of(message)) for (text, expected), message in zip(rows, parsed)]
    if keep:  # the readings, to choose the thresholds of referral/faq.py without training again
        keep.parent.mkdir(parents=True, exist_ok=True)
        keep.write_text(json.dumps(readings), encoding="utf-8")
    return judge_readings(readings, misses)


def judge_readings(readings: list, misses: list | None = None) -> Counter:
    counts: Counter = Counter()
    for text, expected, intent, ranking in readings:
        expected = set(expected)
        verdict = judge(intent, ranking, expected)
        counts[verdict] += 1
        if misses is not None and verdict in ("confident wrong", "missed"):
            decision = faq.decide(ranking) if intent == "faq" else None
            misses.append(
                (
                    verdict,
                    text,
                    "+".join(sorted(expected)),
                    intent,
                    decision.kind if decision else "-",
                    "+".join(decision.topics) if decision else "-",
                )
            )
    return counts


def report(name: str, counts: Counter) -> bool:
    total = sum(counts.values()) or 1
    right, which, wrong = counts["right"] / total, counts["which"] / total, counts["confident wrong"] / total
    met = right + which >= RIGHT_TARGET and wrong <= WRONG_TARGET
    print(
        f"{name:<34} n={total:>4}  right {right:6.1%}  which {which:6.1%}  right+which {right + which:6.1%}"
        f"  confident wrong {wrong:5.1%}  missed {counts['missed'] / total:5.1%}"
        f"  {'meets' if met else 'MISSES'} the targets"
    )
    return met


def train_without(writer: str, out: Path) -> Path:
    """An NLU-only model trained on data/ without one writer's training file."""
    data = out / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "nlu" / "faq_writers" / f"{writer}.yml").unlink()
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "components.rasa_cli",
            "train",
            "nlu",
            "--config",
            "config.yml",
            "-d",
            "domain.yml",
            "--nlu",
            str(data),
            "--out",
            str(out),
            "--fixed-model-name",
            f"without-{writer}",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out / f"without-{writer}.tar.gz"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--holdout", nargs="*", default=[], help="writers to hold out (trains a model each)")
    parser.add_argument("--blind", action="store_true", help="score the blind sets with models/referral.tar.gz")
    parser.add_argument("--write-misses", type=Path, help="write the misses of the newest blind set here")
    args = parser.parse_args()
    ok = True
    for writer in args.holdout:
        with tempfile.TemporaryDirectory(prefix="faq-holdout-") as temp:
            model = train_without(writer, Path(temp))
            keep = ROOT / "results" / "faq" / f"holdout-{writer}.json"
            ok &= report(f"held-out writer {writer}", score(model, read_set(WRITERS_DIR / f"{writer}.csv"), keep=keep))
    if args.blind:
        sets = sorted(BLIND_DIR.glob("*.csv"))
        newest = sets[-1].stem.split("_")[0] if sets else None  # "round1" of round1_planner.csv
        rounds: dict = {}
        for path in sets:
            rounds.setdefault(path.stem.split("_")[0], []).append(path)
        for name, paths in rounds.items():
            misses: list = []
            total: Counter = Counter()
            for path in paths:
                counts = score(MODEL, read_set(path), misses)
                report(f"blind {path.stem}", counts)
                total += counts
            met = report(f"blind {name} (all writers)", total)
            if name == newest:
                ok &= met  # the targets are judged on the newest round only
                if args.write_misses:
                    with args.write_misses.open("w", encoding="utf-8", newline="") as handle:
                        out = csv.writer(handle)
                        out.writerow(["verdict", "text", "expected", "intent", "decision", "topics"])
                        out.writerows(misses)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
