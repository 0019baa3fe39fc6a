"""Turns the FAQ writers' CSV files (`text,topic`) into training data, one file per writer.

`tests/nlu/faq_writers/<writer>.csv` is what the writer wrote (kept whole, for the held-out writer
figure of tools/evaluate_faq.py); `data/nlu/faq_writers/<writer>.yml` is its training data: the
questions with one topic (a two-part question "a+b" is not a training example), without a
question that another file already has (Rasa refuses the same example twice).

Usage: python tools/import_faq_writers.py WRITER.csv [...]
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TRAINING_DIR = ROOT / "data" / "nlu" / "faq_writers"
KEPT_DIR = ROOT / "tests" / "nlu" / "faq_writers"


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w']+", " ", text.lower()).split())


def existing_examples(skip: set) -> set:
    keys = set()
    for path in (ROOT / "data" / "nlu").rglob("*.yml"):
        if path in skip:
            continue
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    keys.add(_key(line.strip()[2:]))
    return keys


def main(paths: list[str]) -> int:
    TRAINING_DIR.mkdir(parents=True, exist_ok=True)
    KEPT_DIR.mkdir(parents=True, exist_ok=True)
    targets = {TRAINING_DIR / f"{Path(p).stem}.yml" for p in paths}
    seen = existing_examples(skip=targets)
    for source in map(Path, paths):
        shutil.copyfile(source, KEPT_DIR / source.name)
        by_topic: dict[str, list[str]] = defaultdict(list)
        dropped = 0
        with source.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                text, topic = " ".join(row["text"].split()), row["topic"].strip()
                if "+" in topic or not text:
                    continue
                if _key(text) in seen:
                    dropped += 1
                    continue
                seen.add(_key(text))
                by_topic[topic].append(text)
        lines = [
            'version: "3.1"',
            "",
            f"# Program questions by an independent writer ({source.stem}), from {KEPT_DIR.relative_to(ROOT)}/{source.name}",
            "# (tools/import_faq_writers.py). Edit the CSV and import again, not this file.",
            "",
            "nlu:",
        ]
        for topic in sorted(by_topic):
            lines += [f"- intent: faq/{topic}", "  examples: |"]
            lines += [f"    - {text}" for text in by_topic[topic]]
        (TRAINING_DIR / f"{source.stem}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(
            f"{source.stem}: {sum(map(len, by_topic.values()))} examples in {len(by_topic)} topics ({dropped} already elsewhere)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
