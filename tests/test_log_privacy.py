"""No health information in the logs: Rasa's response templating must not log slot values."""

import asyncio
import logging
from pathlib import Path

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.log_utils import configure_structlog

import components  # noqa: F401  (installs the logging settings, as the Rasa process does)

ROOT = Path(__file__).resolve().parents[1]


def test_the_greeting_buttons_are_sent_whole_and_no_slot_value_is_logged(caplog):
    configure_structlog(logging.INFO)
    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events("t", [SlotSet("for_whom", "SECRET-MARKER")], domain.slots)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    caplog.set_level(logging.DEBUG)
    message = asyncio.run(nlg.generate("utter_greet", tracker, "rest"))
    payloads = [b["payload"] for b in message["buttons"]]
    assert '/check_eligibility{"for_whom": "self"}' in payloads
    assert "SECRET-MARKER" not in caplog.text
