"""Answers to what people ask in the middle of a task (a form), before the task goes on."""

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from referral import faq
from referral.crisis.answers import resource_line
from referral.crisis.resources import state_lines

TOPIC_ENTITY = "faq_topic"


def faq_ranking(tracker: Tracker) -> List[tuple]:
    """(topic, confidence) of the latest message, best first, from the ResponseSelector."""
    selector = (tracker.latest_message.get("response_selector") or {}).get("faq") or {}
    ranking = []
    for entry in selector.get("ranking") or []:
        key = entry.get("intent_response_key") or ""
        if key.startswith("faq/"):
            ranking.append((key.split("/", 1)[1], entry.get("confidence") or 0.0))
    if not ranking:
        response = selector.get("response") or {}
        key = response.get("intent_response_key") or (response.get("utter_action") or "").replace("utter_", "", 1)
        if key.startswith("faq/"):
            ranking.append((key.split("/", 1)[1], response.get("confidence") or 1.0))
    return ranking


def chosen_topic(tracker: Tracker) -> Optional[str]:
    """A topic the person chose with a button (`/faq{"faq_topic": "csp_apply"}`)."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == TOPIC_ENTITY and entity.get("value") in faq.topics():
            return entity["value"]
    return None


def _button(topic: str) -> Dict[str, str]:
    return {"title": faq.title(topic), "payload": f'/faq{{"{TOPIC_ENTITY}": "{topic}"}}'}


def _programs_named(tracker: Tracker) -> set:
    return {e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "program"}


def answer_question(tracker: Tracker, dispatcher: CollectingDispatcher) -> bool:
    """Answers the latest message as a program question; False when there is nothing to say."""
    chosen = chosen_topic(tracker)
    decision = faq.Decision(faq.ONE, (chosen,)) if chosen else faq.decide(faq_ranking(tracker))
    decision = faq.for_the_program_named(decision, _programs_named(tracker))
    if decision.kind == faq.ONE:
        dispatcher.utter_message(response=f"utter_faq/{decision.topics[0]}")
    elif decision.kind == faq.BOTH:
        for topic in decision.topics:
            dispatcher.utter_message(response=f"utter_faq/{topic}")
    elif decision.kind == faq.WHICH:
        first, second = (faq.title(t).lower() for t in decision.topics)
        dispatcher.utter_message(
            text=f"Do you mean {first}, or {second}?",
            buttons=[_button(t) for t in decision.topics],
        )
    elif decision.topics:
        dispatcher.utter_message(
            text="I'm not sure I got the question. Is it one of these? You can also ask it in other words.",
            buttons=[_button(t) for t in decision.topics] + [{"title": "Other questions", "payload": "/help"}],
        )
    else:
        return False
    return True


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
