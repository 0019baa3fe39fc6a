"""Answers to what people ask in the middle of a task (a form), before the task goes on."""

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from referral.crisis.answers import resource_line
from referral.crisis.resources import state_lines

QUESTION_START = re.compile(
    r"^\s*(what|whats|what's|who|whom|how|why|when|where|which|is|are|am|can|could|do|does|did|"
    r"will|would|should|tell me|explain|i want to know|i'd like to know)\b",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    """A message that reads like a question rather than an answer."""
    return text.strip().endswith("?") or bool(QUESTION_START.match(text))


def state_help_lines(state: Optional[str]) -> List[Dict[str, Any]]:
    """The help lines of a served state (programs/registry.yml), or every served state's."""
    return state_lines(state)


def handoff_text(state: Optional[str]) -> str:
    """How to reach a person, from the crisis resources data file (no number written twice)."""
    lines = ["I'm an automated helper. To talk with a person:", "- Call a provider near you. I can find one."]
    lines += [resource_line(r) for r in state_help_lines(state)]
    lines.append("- If you need help right now, call or text 988. In an emergency, call 911.")
    return "\n".join(lines)


def answer_interruption(intent: Optional[str], tracker: Tracker, dispatcher: CollectingDispatcher) -> bool:
    """Answers a question asked mid-task; returns False when the message was not one."""
    if intent == "faq":
        from actions.questions import answer_question

        if not answer_question(tracker, dispatcher):
            return False
    elif intent == "help":
        dispatcher.utter_message(
            text='You can tap a button or answer in your own words. You can also say "not sure", '
            '"go back", "change my answer about ...", "start over" or "stop".'
        )
    elif intent == "human_handoff":
        dispatcher.utter_message(text=handoff_text(None))
    elif intent == "bot_challenge":
        dispatcher.utter_message(text="I'm an automated helper, not a person. A provider makes the final decision.")
    elif intent == "find_providers":
        dispatcher.utter_message(
            text='I\'ll show providers near you right after these questions. To skip the questions, say "stop".'
        )
    elif intent == "check_eligibility":
        dispatcher.utter_message(text="We're doing that now.")
    else:
        return False
    dispatcher.utter_message(text="Now, back to the questions.")
    return True
