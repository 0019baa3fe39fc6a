"""Our changes inside Rasa 3.6, in one place, applied only when `enable()` is called.

- `fast_load`: DIET and the ResponseSelector load without Rasa's one-step training run.
- `action_validation`: action results validated with validators built once.
- `sql_events`: the one use of the SQL tracker store's private API (by components/retention.py).

Each module names what it changes in Rasa and why, and the Rasa version it was checked on
(`RASA_VERSION`). Importing `components` or this package changes nothing in Rasa. The switch is
`enable()`, which the launcher calls before Rasa's own command line runs:

    python -m components.rasa_cli <rasa arguments>     (not `rasa ...` or `python -m rasa ...`)

Every Rasa process of the project starts that way: tools/stack.py (`make run`, the end-to-end
tests, the benchmark), tools/train.py, tools/evaluate_nlu.py and the Makefile. A plain `rasa run`
still works, only without the speed-ups. On another Rasa version `enable()` refuses (RuntimeError)
until each patch has been checked against that Rasa's source and its `RASA_VERSION` updated; then
`make test` checks that they keep Rasa's behaviour (tests/test_rasa_plugins.py,
tests/test_trained_model.py, tests/test_retention.py).
"""

import importlib
from types import ModuleType
from typing import List

# Installed into Rasa by `enable()` (each module's `install()`).
INSTALLED = ("fast_load", "action_validation")
# Called by our own code, not installed; `enable()` checks their Rasa version all the same.
CALLED = ("sql_events",)


def _patch(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def check_rasa_version(patch: ModuleType) -> None:
    """Raises RuntimeError when the installed Rasa is not the version `patch` was written for."""
    import rasa

    if rasa.__version__ != patch.RASA_VERSION:
        raise RuntimeError(
            f"The Rasa patch {patch.__name__} was written for Rasa {patch.RASA_VERSION}, but Rasa "
            f"{rasa.__version__} is installed. Check what it changes against the installed Rasa's "
            f"source, then update its RASA_VERSION ({patch.__file__})."
        )


def enable() -> None:
    """Applies every patch once (calling it again changes nothing); refuses on another Rasa version.

    All versions are checked before anything is installed, so a refusal leaves Rasa unpatched.
    """
    patches: List[ModuleType] = [_patch(name) for name in INSTALLED + CALLED]
    for patch in patches:
        check_rasa_version(patch)
    for name in INSTALLED:
        _patch(name).install()
