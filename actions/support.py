"""Safety and help: the crisis response, reaching a person, stopping, and the fallback."""

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation_state import known_state
from actions.crisis.resources import resources_for
from actions.interruptions import handoff_text, resource_line

logger = logging.getLogger(__name__)

GO_ON_BUTTONS = [
    {"title": "Check if a program may fit", "payload": "/check_eligibility"},
    {"title": "Find providers", "payload": "/find_providers"},
    {"title": "Talk to a person", "payload": "/human_handoff"},
]


class CrisisCounter:
    """Counts crisis responses for the logs: a number only, never text or who."""

    count = 0

    @classmethod
    def record(cls) -> int:
        cls.count += 1
        logger.warning("Crisis response shown (total since start: %d).", cls.count)
        return cls.count


def crisis_signal(tracker: Tracker) -> Dict[str, Any]:
    """What the crisis detector said about the latest message (category, level, about)."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    return message.get("crisis") or intent.get("crisis") or {}


class ActionCrisisResponse(Action):
    """Answers first with crisis help; a screening in progress keeps its place and answers."""

    def name(self) -> Text:
        return "action_crisis_response"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        CrisisCounter.record()
        signal = crisis_signal(tracker)
        resources = resources_for(known_state(tracker))
        if signal.get("about") == "other":
            opening = (
                "I'm so sorry. If someone's life is in danger right now, call 911. You can also "
                "get help for them, and for you, right now:"
            )
        elif signal.get("level") == "gentle":
            opening = (
                "It sounds like things may be really hard right now. You deserve support, and you "
                "can reach someone any time, day or night:"
            )
        else:
            opening = (
                "I'm really sorry you're going through this. Your safety comes first. Please reach "
                "out now. You can talk to someone any time, day or night:"
            )
        dispatcher.utter_message(text="\n".join([opening] + [resource_line(r) for r in resources]))
        dispatcher.utter_message(json_message={"type": "crisis", "resources": resources})
        if tracker.active_loop.get("name"):
            dispatcher.utter_message(
                text="When you're ready, we can go on. Your answers so far are saved."
            )
        else:
            dispatcher.utter_message(
                text="When you're ready, I'm still here to help.", buttons=GO_ON_BUTTONS
            )
        return []


class ActionHumanHandoff(Action):
    """How to reach a person: providers, the state's help line, 988."""

    def name(self) -> Text:
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(
            text=handoff_text(known_state(tracker)),
            buttons=[
                {"title": "Find providers", "payload": "/find_providers"},
                {"title": "Check if a program may fit", "payload": "/check_eligibility"},
            ],
        )
        return []


class ActionStopScreening(Action):
    """Stops the questions (or the provider search) without losing the answers so far."""

    def name(self) -> Text:
        return "action_stop_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        form = tracker.active_loop.get("name")
        if form == "screening_form":
            text = "Okay, we've stopped the questions. Your answers are kept for this chat if you want to finish later."
            buttons = [
                {"title": "Continue the questions", "payload": "/check_eligibility"},
                {"title": "Start over", "payload": "/restart_screening"},
                {"title": "Ask a question", "payload": "/help"},
            ]
        else:
            text = "Okay, stopped. What would you like to do?"
            buttons = GO_ON_BUTTONS
        dispatcher.utter_message(text=text, buttons=buttons)
        return [ActiveLoop(None), SlotSet("requested_slot", None)] if form else []


# A low-confidence message that the model still ranks as possibly a crisis gets the crisis
# resources, gently: when unsure, showing help beats missing someone.
UNSURE_CRISIS_CONFIDENCE = 0.2


def possibly_crisis(tracker: Tracker) -> bool:
    ranking = tracker.latest_message.get("intent_ranking") or []
    return any(
        r.get("name") == "crisis" and float(r.get("confidence") or 0) >= UNSURE_CRISIS_CONFIDENCE
        for r in ranking
    )


class ActionDefaultFallback(Action):
    """A message we could not understand: say so kindly and offer what we can do."""

    def name(self) -> Text:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        reply = self._reply_to_an_offer(dispatcher, tracker)
        if reply is not None:
            return reply
        if possibly_crisis(tracker):
            CrisisCounter.record()
            resources = resources_for(known_state(tracker))
            dispatcher.utter_message(
                text="I'm not sure I understood, but if things are hard right now, you can talk to "
                "someone any time:\n" + "\n".join(resource_line(r) for r in resources)
            )
            dispatcher.utter_message(json_message={"type": "crisis", "resources": resources})
        dispatcher.utter_message(
            text="Sorry, I'm not sure I understood. I can explain the programs, check if one may "
            "fit, or find providers. You can also ask a question in your own words.",
            buttons=[
                {"title": "Check if a program may fit", "payload": "/check_eligibility"},
                {"title": "Find providers", "payload": "/find_providers"},
                {"title": "What is CSP?", "payload": "What is the Community Support Program?"},
                {"title": "Talk to a person", "payload": "/human_handoff"},
            ],
        )
        return []

    @staticmethod
    def _reply_to_an_offer(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
        """"Yes" or "no" to the question the last bot message asked with buttons, if one did.

        After the results, "Would you like to see providers near you?" offers one thing: "yes"
        starts the provider search, "no" is answered kindly. Where the buttons offer several
        things ("check if a program may fit, or find providers?"), "yes" gets the choices again.
        """
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent not in ("affirm", "deny"):
            return None
        offered = [b.get("payload") for b in last_bot_buttons(tracker)]
        if not offered:
            return None
        if offered[0] == "/find_providers":
            if intent == "affirm":
                return [FollowupAction("action_prepare_provider_search")]
            dispatcher.utter_message(
                text="Okay. You can ask me a question, or come back to find providers any time.",
                buttons=[
                    {"title": "Ask a question", "payload": "/help"},
                    {"title": "Talk to a person", "payload": "/human_handoff"},
                    {"title": "Start over", "payload": "/restart_screening"},
                ],
            )
            return []
        if intent == "affirm" and "/check_eligibility" in offered and "/find_providers" in offered:
            dispatcher.utter_message(
                text="Which would you like?",
                buttons=[
                    {"title": "Check if a program may fit", "payload": "/check_eligibility"},
                    {"title": "Find providers", "payload": "/find_providers"},
                ],
            )
            return []
        return None


def last_bot_buttons(tracker: Tracker) -> List[Dict[str, Any]]:
    """The buttons of the newest bot message before the person's latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return []
            seen_user = True
        elif event.get("event") == "bot" and seen_user and (event.get("data") or {}).get("buttons"):
            return event["data"]["buttons"]
    return []
