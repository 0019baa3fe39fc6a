"""The model's fingerprint (tools/train.py INPUTS) covers every module the trained components
import, so a change the model depends on always retrains it, and nothing else does."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from train import INPUTS  # noqa: E402

COMPONENTS = ["components.entities", "components.crisis", "components.faq_selector"]


def test_every_referral_module_the_trained_components_import_is_fingerprinted():
    code = (
        "import json, sys\n"
        + "".join(f"import {name}\n" for name in COMPONENTS)
        + "print(json.dumps(sorted(m.__file__ for n, m in sys.modules.items()"
        " if n.startswith(('referral', 'components')) and getattr(m, '__file__', None))))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    files = [Path(f).resolve().relative_to(ROOT) for f in json.loads(out.stdout.strip().splitlines()[-1])]
    covered = [ROOT / entry for entry in INPUTS]
    missing = [
        str(f)
        for f in files
        if f.name != "__init__.py" and not any((ROOT / f) == c or c in (ROOT / f).parents for c in covered)
    ]
    # Rasa adapters other than the trained components (patches, limits...) are not read in training.
    missing = [
        m
        for m in missing
        if not m.startswith("components/") or m.split("/")[-1][:-3] in {"entities", "crisis", "faq_selector"}
    ]
    assert not missing, f"imported by a trained component but not in tools/train.py INPUTS: {missing}"
