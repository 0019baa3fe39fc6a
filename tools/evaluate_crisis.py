"""Measures the crisis layer (patterns + classifier, as the NLU runs it) and prints every figure
labelled by where its messages come from:

- training set: the corpus in data/crisis/corpus/ (one file per writer), scored by a model
  trained on all of it (how well it learned, not how well it generalizes);
- held-out writer: each writer's file scored by a model trained on the other writers only;
- blind: tests/crisis/blind/roundN_*.csv, written after the model was frozen by a writer who saw
  neither the patterns nor the corpus (the honest figure: the newest round; earlier rounds are
  printed as regression sets; see tests/crisis/blind/README.md);
- speed: the whole crisis layer per message, median and p95.

Each blind file's misses and false alarms are written next to it (`<name>.misses.csv`) only with
`--write-misses` (the first, once-only scoring of a new set). Exits 1 when a target is missed on
the newest blind round, or the speed target (`--no-targets` to only print).

    python tools/evaluate_crisis.py [--skip-cv] [--write-misses] [--no-targets]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Sequence

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from referral.crisis.classifier import CrisisClassifier, load_corpus, read_labelled  # noqa: E402
from referral.crisis.detector import DEFAULT_THRESHOLDS, CrisisAssessor  # noqa: E402
from referral.crisis.matcher import default_matcher  # noqa: E402

BLIND_DIR = ROOT / "tests" / "crisis" / "blind"
# Targets on the blind set (issue 11): caught at once or through the safety question, resources at
# once, the crisis banner and the safety question on everyday messages; speed of the layer.
TARGETS = {"caught": 98.0, "at_once": 90.0, "banner": 2.0, "ask_everyday": 5.0, "median_ms": 2.0, "p95_ms": 5.0}


def thresholds_from_config() -> Dict[str, float]:
    """The crisis component's thresholds as config.yml sets them."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"].endswith("CrisisDetector"):
            return {
                "crisis": float(component.get("crisis_threshold", DEFAULT_THRESHOLDS["crisis"])),
                "ask": float(component.get("ask_threshold", DEFAULT_THRESHOLDS["ask"])),
                "cleared_margin": float(component.get("cleared_margin", DEFAULT_THRESHOLDS["cleared_margin"])),
                "sentence_gate": float(component.get("sentence_gate", DEFAULT_THRESHOLDS["sentence_gate"])),
            }
    raise ValueError("config.yml has no CrisisDetector")


def score(rows: Sequence[Dict[str, str]], answers: Sequence[str]) -> Dict[str, object]:
    """Rates by label: crisis rows caught / at once, ask rows caught, none rows banner / ask."""
    by_label: Dict[str, List[str]] = defaultdict(list)
    for row, answer in zip(rows, answers):
        by_label[row["label"]].append(answer)

    def pct(values: List[str], wanted: Sequence[str]) -> float:
        return 100.0 * sum(v in wanted for v in values) / len(values) if values else float("nan")

    crisis, ask, none = by_label["crisis"], by_label["ask"], by_label["none"]
    return {
        "n_crisis": len(crisis),
        "n_ask": len(ask),
        "n_none": len(none),
        "caught": pct(crisis, ("crisis", "ask")),
        "at_once": pct(crisis, ("crisis",)),
        "ask_caught": pct(ask, ("crisis", "ask")),
        "banner": pct(none, ("crisis",)),
        "ask_everyday": pct(none, ("ask",)),
    }


def print_score(title: str, result: Dict[str, object]) -> None:
    print(f"\n== {title}")
    print(
        f"  clear crisis messages: {result['n_crisis']:4d}  caught {result['caught']:5.1f}%  "
        f"(target >= {TARGETS['caught']:.0f}%)   resources at once {result['at_once']:5.1f}%  "
        f"(target >= {TARGETS['at_once']:.0f}%)"
    )
    if result["n_ask"]:
        print(
            f"  unclear risk signals:  {result['n_ask']:4d}  caught {result['ask_caught']:5.1f}%  "
            "(crisis or the safety question)"
        )
    print(
        f"  everyday messages:     {result['n_none']:4d}  crisis banner {result['banner']:5.1f}%  "
        f"(target <= {TARGETS['banner']:.0f}%)   safety question {result['ask_everyday']:5.1f}%  "
        f"(target <= {TARGETS['ask_everyday']:.0f}%)"
    )


def misses(rows: Sequence[Dict[str, str]], answers: Sequence[str]) -> List[Dict[str, str]]:
    wrong = []
    for row, answer in zip(rows, answers):
        bad = (row["label"] in ("crisis", "ask") and answer == "none") or (row["label"] == "none" and answer != "none")
        if bad:
            wrong.append({**row, "answer": answer})
    return wrong


def by_kind(rows: Sequence[Dict[str, str]], answers: Sequence[str]) -> str:
    total, missed = Counter(), Counter()
    for row, answer in zip(rows, answers):
        if row["label"] in ("crisis", "ask"):
            total[row["kind"]] += 1
            missed[row["kind"]] += answer == "none"
    return ", ".join(f"{k} {missed[k]}/{total[k]}" for k in sorted(total))


def assessor(classifier: CrisisClassifier) -> CrisisAssessor:
    return CrisisAssessor(default_matcher(), classifier, thresholds_from_config())


def answers_for(layer: CrisisAssessor, rows: Sequence[Dict[str, str]]) -> List[str]:
    return [layer.assess(r["text"]).answer for r in rows]


def timings(layer: CrisisAssessor, texts: Sequence[str]) -> Dict[str, float]:
    for text in texts[:50]:
        layer.assess(text)
    spent = []
    for text in texts:
        started = time.perf_counter()
        layer.assess(text)
        spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return {"median_ms": statistics.median(spent), "p95_ms": spent[int(len(spent) * 0.95)]}


def round_number(path: Path) -> int:
    """`round2_c.csv` -> 2."""
    digits = "".join(ch for ch in path.stem.split("_")[0] if ch.isdigit())
    return int(digits or 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-cv", action="store_true", help="skip the held-out-writer runs (slow)")
    parser.add_argument("--write-misses", action="store_true", help="write <blind>.misses.csv files")
    parser.add_argument("--no-targets", action="store_true", help="print only; never exit 1")
    args = parser.parse_args()

    corpus = load_corpus()
    writers = sorted({r["writer"] for r in corpus})
    counts = Counter(r["label"] for r in corpus)
    print(
        f"crisis corpus: {len(corpus)} messages from {len(writers)} writers ({', '.join(writers)}): "
        f"{counts['crisis']} crisis, {counts['ask']} unclear, {counts['none']} everyday"
    )
    print(f"thresholds (config.yml): {thresholds_from_config()}")
    full = assessor(CrisisClassifier.train(corpus))
    print_score(
        "training set (the corpus itself; model trained on all of it)", score(corpus, answers_for(full, corpus))
    )

    if not args.skip_cv:
        rows_all, answers_all = [], []
        # The assistant's own NLU examples are always trained on (as they are in the model).
        for writer in [w for w in writers if w != "nlu_examples"]:
            held = [r for r in corpus if r["writer"] == writer]
            layer = assessor(CrisisClassifier.train([r for r in corpus if r["writer"] != writer]))
            answers = answers_for(layer, held)
            rows_all += held
            answers_all += answers
            result = score(held, answers)
            print(
                f"  held-out writer {writer:14s} caught {result['caught']:5.1f}%  at once {result['at_once']:5.1f}%  "
                f"banner {result['banner']:4.1f}%  ask on everyday {result['ask_everyday']:4.1f}%"
            )
        print_score(
            "held-out writer (each writer's file scored by a model trained on the others)", score(rows_all, answers_all)
        )
        print(f"  missed by kind: {by_kind(rows_all, answers_all)}")

    failed = []
    blind = [p for p in sorted(BLIND_DIR.glob("round*.csv")) if not p.name.endswith(".misses.csv")]
    newest = max((round_number(p) for p in blind), default=0)
    for path in blind:
        rows = read_labelled(path)
        answers = answers_for(full, rows)
        result = score(rows, answers)
        if round_number(path) == newest:
            title = f"BLIND set {path.relative_to(ROOT)} (newest round: another writer, after freezing)"
        else:
            title = (
                f"regression set {path.relative_to(ROOT)} (an earlier blind round: later work has "
                "seen its kinds of misses, so it no longer measures generalization)"
            )
        print_score(title, result)
        print(f"  missed by kind: {by_kind(rows, answers)}")
        if args.write_misses and round_number(path) == newest:
            out = path.with_suffix(".misses.csv")
            with open(out, "w", newline="", encoding="utf-8") as f:
                writer = csv.DictWriter(f, fieldnames=["text", "label", "kind", "about", "lang", "writer", "answer"])
                writer.writeheader()
                writer.writerows(misses(rows, answers))
            print(f"  misses and false alarms written to {out.relative_to(ROOT)}")
        if round_number(path) != newest:
            continue
        failed += [f"{path.name}: {k}" for k in ("caught", "at_once") if result[k] < TARGETS[k]]
        failed += [f"{path.name}: {k}" for k in ("banner", "ask_everyday") if result[k] > TARGETS[k]]

    speed = timings(full, [r["text"] for r in corpus])
    print(
        f"\n== speed of the whole crisis layer per message (patterns + classifier, every sentence): "
        f"median {speed['median_ms']:.2f} ms (target <= {TARGETS['median_ms']:.0f}), "
        f"p95 {speed['p95_ms']:.2f} ms (target <= {TARGETS['p95_ms']:.0f})"
    )
    failed += [k for k in ("median_ms", "p95_ms") if speed[k] > TARGETS[k]]
    if failed:
        print(f"\nTargets not met: {', '.join(failed)}")
    return 1 if failed and not args.no_targets else 0


if __name__ == "__main__":
    sys.exit(main())
