"""`make evaluate`: train an NLU-only model and score it on the held-out set in tests/nlu/.

Prints intent accuracy and F1, the five weakest intents, and how well the ResponseSelector picks
the right FAQ answer (`faq/<topic>`). The model goes to results/ (git-ignored), never to models/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INTENT_MACRO_F1_TARGET = 0.95
# Rows of a Rasa/sklearn report that are summaries, not intents.
SUMMARY_ROWS = {"accuracy", "macro avg", "weighted avg", "micro avg"}
# Predicted when confidence is under the FallbackClassifier threshold; it is never a true label.
FALLBACK_INTENT = "nlu_fallback"
MODEL_NAME = "nlu-evaluate"


def default_domain(root: Path) -> Optional[Path]:
    """The project's domain: domain.yml, else a domain/ folder, else none (NLU can do without)."""
    for candidate in (root / "domain.yml", root / "domain"):
        if candidate.exists():
            return candidate
    return None


def run_rasa(args: List[str], cwd: Path) -> None:
    """Run Rasa (`python -m components.rasa_cli ...`: with our patches) from this venv; cwd on
    sys.path lets custom components import."""
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    command = [sys.executable, "-m", "components.rasa_cli", *args]
    print("$ " + " ".join(command), flush=True)
    completed = subprocess.run(command, cwd=cwd, env=env)
    if completed.returncode != 0:
        print(f"rasa {args[0]} failed with exit code {completed.returncode}", file=sys.stderr)
        sys.exit(completed.returncode)


def train_nlu_model(config: Path, domain: Optional[Path], data: Path, model_dir: Path, cwd: Path) -> Path:
    """Train an NLU-only model into model_dir and return the model file's path."""
    model_dir.mkdir(parents=True, exist_ok=True)
    args = ["train", "nlu", "-c", str(config), "--nlu", str(data), "--out", str(model_dir)]
    args += ["--fixed-model-name", MODEL_NAME]
    if domain is not None:
        args += ["-d", str(domain)]
    run_rasa(args, cwd)
    return model_dir / f"{MODEL_NAME}.tar.gz"


def intent_rows(report: Dict[str, Any]) -> Dict[str, Dict[str, float]]:
    """Per-label rows of a report, without the summary rows."""
    return {label: row for label, row in report.items() if label not in SUMMARY_ROWS and isinstance(row, dict)}


def summarize(report: Dict[str, Any]) -> Tuple[float, float, float]:
    """(accuracy, macro-F1, weighted F1) over the labels that occur in the test set.

    Rasa's own "macro avg" also averages in labels that were only ever predicted (such as
    nlu_fallback, with F1 0); we average over true labels so the number means "how well is each
    intent recognised". Misses to the fallback still count, as lost recall of the true intent.
    """
    rows = {label: row for label, row in intent_rows(report).items() if row.get("support", 0) > 0}
    total = sum(row["support"] for row in rows.values())
    macro_f1 = sum(row["f1-score"] for row in rows.values()) / len(rows) if rows else 0.0
    weighted_f1 = sum(row["f1-score"] * row["support"] for row in rows.values()) / total if total else 0.0
    accuracy = report.get("accuracy")
    if accuracy is None:  # sklearn reports "micro avg" instead when labels were restricted
        accuracy = report.get("micro avg", {}).get("f1-score", 0.0)
    return float(accuracy), macro_f1, weighted_f1


def weakest(report: Dict[str, Any], count: int = 5) -> List[Tuple[str, Dict[str, float]]]:
    """The `count` true labels with the lowest F1 (ties: most examples first)."""
    rows = [(label, row) for label, row in intent_rows(report).items() if row.get("support", 0) > 0]
    rows.sort(key=lambda item: (item[1]["f1-score"], -item[1]["support"]))
    return rows[:count]


def print_report(title: str, report: Dict[str, Any], show_target: bool) -> None:
    """Print the headline numbers and the weakest labels of one report."""
    accuracy, macro_f1, weighted_f1 = summarize(report)
    print(f"\n== {title} ==")
    print(f"{title} accuracy: {accuracy:.3f}")
    target = f" (target >= {INTENT_MACRO_F1_TARGET:.2f})" if show_target else ""
    print(f"{title} macro-F1: {macro_f1:.3f}{target}")
    print(f"{title} weighted F1: {weighted_f1:.3f}")
    if FALLBACK_INTENT in intent_rows(report):
        print(f"note: some examples fell under the FallbackClassifier threshold ({FALLBACK_INTENT})")
    print("worst 5:")
    for label, row in weakest(report):
        print(
            f"  {label:<32} F1 {row['f1-score']:.3f}  precision {row['precision']:.3f}"
            f"  recall {row['recall']:.3f}  n={row['support']}"
        )


def load_report(path: Path) -> Optional[Dict[str, Any]]:
    """A JSON report written by `rasa test nlu`, or None when that report was not produced."""
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    parser.add_argument("--domain", type=Path, default=None, help="default: domain.yml or domain/")
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT / "data")
    parser.add_argument("--tests", type=Path, default=PROJECT_ROOT / "tests" / "nlu")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "results" / "nlu")
    parser.add_argument("--model-dir", type=Path, default=PROJECT_ROOT / "results" / "nlu-model")
    parser.add_argument("--plots", action="store_true", help="also draw confusion matrices")
    options = parser.parse_args(argv)

    domain = options.domain or default_domain(PROJECT_ROOT)
    model = train_nlu_model(options.config, domain, options.data, options.model_dir, PROJECT_ROOT)

    test_args = ["test", "nlu", "--nlu", str(options.tests), "--model", str(model)]
    test_args += ["--out", str(options.out)]
    if domain is not None:
        test_args += ["-d", str(domain)]
    if not options.plots:
        test_args.append("--no-plot")
    run_rasa(test_args, PROJECT_ROOT)

    intent_report = load_report(options.out / "intent_report.json")
    if intent_report is None:
        print(f"no intent report in {options.out}", file=sys.stderr)
        return 1
    print_report("intent", intent_report, show_target=True)

    response_report = load_report(options.out / "response_selection_report.json")
    if response_report is None:
        print("\n(no response_selection_report.json: no faq/<topic> examples were tested)")
    else:
        print_report("faq response", response_report, show_target=False)
    print(f"\nfull reports and errors: {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
