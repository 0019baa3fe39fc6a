"""Our plug-ins to Rasa keep Rasa's behaviour: action results are validated as strictly as before.

And our patches of Rasa (components/patches/) apply only when enabled, once, on the Rasa version
they were written for; the launcher Rasa is started with enables them.
"""

import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import rasa
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.tensorflow.models import RasaModel

from components import patches
from components.patches import action_validation, fast_load

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", autouse=True)
def enabled_patches():
    patches.enable()


@pytest.fixture
def unpatched_rasa(monkeypatch):
    """Rasa without our patches, whatever ran before; as it was again after the test."""
    monkeypatch.setattr(RasaModel, "load", classmethod(fast_load.rasa_load))
    monkeypatch.setattr(RemoteAction, "_validate_action_result", action_validation.rasa_validate_action_result)


def patched() -> dict:
    return {
        "fast_load": RasaModel.load.__func__ is fast_load.load_for_inference,
        "action_validation": RemoteAction._validate_action_result is action_validation._validate_action_result,
    }


def run_python(*args: str) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def test_importing_our_components_patches_nothing_in_rasa():
    """In a fresh process, as Rasa imports them from config.yml and endpoints.yml."""
    check = (
        "import components, components.retention, components.faq_selector, components.rest_channel\n"
        "from rasa.utils.tensorflow.models import RasaModel\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "print(RasaModel.load.__func__.__module__, RemoteAction._validate_action_result.__module__)\n"
    )
    completed = run_python("-c", check)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["rasa.utils.tensorflow.models", "rasa.core.actions.action"]


def test_enable_installs_each_patch_and_a_second_call_changes_nothing(unpatched_rasa):
    assert patched() == {"fast_load": False, "action_validation": False}
    patches.enable()
    assert patched() == {"fast_load": True, "action_validation": True}
    installed = (RasaModel.__dict__["load"], RemoteAction.__dict__["_validate_action_result"])
    patches.enable()
    assert (RasaModel.__dict__["load"], RemoteAction.__dict__["_validate_action_result"]) == installed
    assert fast_load.rasa_load.__module__ == "rasa.utils.tensorflow.models"  # Rasa's own, never ours


def test_enable_refuses_another_rasa_version_and_patches_nothing(unpatched_rasa, monkeypatch):
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(RuntimeError) as refusal:
        patches.enable()
    message = str(refusal.value)
    assert "components.patches.fast_load" in message
    assert "written for Rasa 3.6.21" in message and "Rasa 3.7.0 is installed" in message
    assert patched() == {"fast_load": False, "action_validation": False}


def test_every_patch_states_the_rasa_version_it_was_checked_on():
    import importlib

    for name in patches.INSTALLED + patches.CALLED:
        module = importlib.import_module(f"components.patches.{name}")
        assert module.RASA_VERSION == "3.6.21", name
        assert module.__doc__ and "Rasa" in module.__doc__, name


def test_the_launcher_enables_the_patches_before_rasas_command_line_runs(unpatched_rasa, monkeypatch):
    import rasa.__main__

    from components import rasa_cli

    seen = {}

    def rasa_main():
        seen.update(patched(), argv=sys.argv[1:])

    monkeypatch.setattr(rasa.__main__, "main", rasa_main)
    monkeypatch.setattr(sys, "argv", ["rasa_cli.py"])
    rasa_cli.main(["run", "--port", "5005"])
    assert seen == {"fast_load": True, "action_validation": True, "argv": ["run", "--port", "5005"]}


def test_the_launcher_runs_rasas_own_command_line():
    completed = run_python("-m", "components.rasa_cli", "--version")
    assert completed.returncode == 0, completed.stderr
    assert "Rasa Version" in completed.stdout and rasa.__version__ in completed.stdout


def test_our_warning_filter_wins_again_after_rasas_command_line_sets_its_own(monkeypatch, request):
    """Rasa's CLI puts its filters in front of the ones `import components` set; the launcher's
    hook, run after that, puts ours back in front: the FAQ false alarm stays silent."""
    from rasa.shared.utils.io import raise_warning
    from rasa.utils.common import configure_logging_and_warnings

    from components import rasa_cli

    monkeypatch.setenv("LOG_LEVEL", "INFO")  # Rasa writes its level there; restored after
    rasa_logger = logging.getLogger("rasa")
    request.addfinalizer(lambda level=rasa_logger.level: rasa_logger.setLevel(level))
    false_alarm = "your NLU configuration does not include a response selector component. (test)"
    with warnings.catch_warnings(record=True) as shown:
        configure_logging_and_warnings(logging.INFO, filter_repeated_logs=False)
        raise_warning(false_alarm)
        assert [str(w.message) for w in shown] == [false_alarm]  # what the hook is there for
        rasa_cli.REAPPLY_OUR_SETTINGS.configure_commandline(cmdline_arguments=None)
        raise_warning(false_alarm + " again")
        raise_warning("any other warning")
    assert [str(w.message) for w in shown] == [false_alarm, "any other warning"]
    assert logging.getLogger("rasa.core.nlg.interpolator").level == logging.CRITICAL


def test_valid_action_result_passes():
    action = RemoteAction("action_test", None)
    assert action._validate_action_result({"events": [{"event": "slot", "name": "a", "value": 1}], "responses": []})


def test_malformed_action_result_is_still_rejected():
    action = RemoteAction("action_test", None)
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": [{"no_event_key": 1}], "responses": "not a list"})


VALID_EVENTS = [
    {"event": "slot", "name": "location", "value": {"town": "Worcester", "state": "MA"}, "timestamp": None},
    {"event": "slot", "name": "requested_slot", "value": None},
    {
        "event": "bot",
        "text": "Where do you live?",
        "data": {"buttons": [{"title": "Not sure", "payload": "/x"}]},
        "metadata": {"utter_action": "utter_x"},
    },
    {"event": "action", "name": "action_listen", "policy": None, "confidence": None},
    {"event": "active_loop", "name": "screening_form"},
    {"event": "active_loop", "name": None},
    {"event": "followup", "name": "utter_offer_next"},
    {"event": "reset_slots"},
    {"event": "restart"},
    {"event": "session_started", "timestamp": 1.5},
    {
        "event": "user",
        "text": "hi",
        "parse_data": {
            "intent": {"name": "greet", "confidence": 0.9},
            "intent_ranking": [{"name": "greet", "confidence": 0.9}],
            "entities": [],
        },
    },
]
INVALID_EVENTS = [
    {"event": "no_such_event"},
    {"name": "location", "value": 1},
    {"event": "slot", "name": "location"},
    {"event": "slot", "name": 3, "value": 1},
    {"event": "bot", "text": 42},
    {"event": "action", "name": 5},
    {"event": "slot", "name": "a", "value": 1, "timestamp": "yesterday"},
    {"event": "user", "text": "hi", "parse_data": {"intent_ranking": "greet"}},
    {"event": "user", "parse_data": {"entities": [{"start": 0}]}},
    "not an object",
]


@pytest.mark.parametrize(
    "result",
    [{"events": [event], "responses": []} for event in VALID_EVENTS + INVALID_EVENTS]
    + [
        {"events": VALID_EVENTS, "responses": [{"text": "hello"}]},
        {"events": VALID_EVENTS[:3] + INVALID_EVENTS[:1]},
        {"events": "not a list"},
        {"responses": [{"text": "only responses"}]},
        {"responses": ["not an object"]},
        {},
    ],
)
def test_action_results_are_judged_exactly_as_rasa_judges_them(result):
    """Same verdict as `jsonschema.validate` with Rasa's whole schema (what Rasa 3.6 runs)."""
    import jsonschema

    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        rasa_accepts = True
    except ValidationError:
        rasa_accepts = False
    action = RemoteAction("action_test", None)
    if rasa_accepts:
        assert action._validate_action_result(result)
    else:
        with pytest.raises(ValidationError):
            action._validate_action_result(result)


def test_each_event_is_checked_against_its_own_schema_only():
    from components.patches.action_validation import _validators

    _, by_event = _validators()
    assert by_event is not None and {"slot", "bot", "action", "user", "active_loop"} <= set(by_event)
