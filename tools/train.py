"""Trains the model when it is missing or stale.

Stale means the fingerprint changed: a hash of everything training reads (config, domain,
training data, and our NLU components with their pattern files). Timestamps are not trusted.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "referral.tar.gz"
STAMP = ROOT / "models" / "referral.fingerprint"
# Everything the trained model or our NLU components read when training: the data, the
# components, and the domain package's text tools, crisis layer and place names they are built
# from (tests/test_train_inputs.py checks that every referral module they import is here).
# The screening's words and parsers (referral/screening) are read by the action server only, and
# program data (programs/) when the servers start: neither is trained on, so changing them needs
# no training.
INPUTS = [
    "config.yml",
    "domain.yml",
    "data",
    "components/entities.py",
    "components/entity_patterns.yml",
    "components/crisis.py",
    "components/faq_selector.py",
    "referral/text",
    "referral/text_pipeline.py",
    "referral/registry.py",
    "referral/crisis",
    "referral/directory",
]


def fingerprint() -> str:
    digest = hashlib.sha256()
    for entry in INPUTS:
        path = ROOT / entry
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def main() -> int:
    current = fingerprint()
    if "--force" not in sys.argv and MODEL.exists() and STAMP.exists() and STAMP.read_text().strip() == current:
        print("==> The model is up to date.")
        return 0
    print("==> Training the model (data, domain or config changed; about 3-6 minutes on 2 cores) ...", flush=True)
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    command = [
        sys.executable,
        "-m",
        "components.rasa_cli",
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "data",
        "--out",
        "models",
        "--fixed-model-name",
        "referral",
        "--force",
    ]
    result = subprocess.run(command, cwd=ROOT, env=env)
    if result.returncode != 0:
        print("==> Training failed (see the messages above).", file=sys.stderr)
        return result.returncode
    STAMP.write_text(current + "\n")
    print(f"==> Model saved to {MODEL.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
