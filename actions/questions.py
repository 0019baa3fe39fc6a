"""Program questions: the answer the ResponseSelector picked, or two answers, or "which do you
mean?", or what can be answered (referral/faq.py decides; the answers are utter_faq/<topic>)."""

from typing import Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from referral import faq

TOPIC_ENTITY = "faq_topic"


def _ranking(tracker: Tracker) -> List[tuple]:
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


def _chosen_topic(tracker: Tracker) -> Optional[str]:
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
    chosen = _chosen_topic(tracker)
    decision = faq.Decision(faq.ONE, (chosen,)) if chosen else faq.decide(_ranking(tracker))
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


def tells_a_story(tracker: Tracker) -> bool:
    """A message that is no question but gives several screening facts ("My sister is 42, lives in
    Lowell and has bipolar disorder..."): the person wants the screening, not a topic list."""
    from actions.interruptions import is_question
    from actions.screening_form import said_places
    from referral.screening.facts import read_facts
    from referral.screening.questions import question_ids

    text = tracker.latest_message.get("text") or ""
    if text.startswith("/") or is_question(text) or _chosen_topic(tracker):
        return False
    if faq.decide(_ranking(tracker)).kind in (faq.ONE, faq.BOTH):
        return False
    facts = read_facts(text, places=said_places(tracker))
    return len([q for q in facts if q in question_ids()]) >= 2


def corrected_answers(tracker: Tracker) -> Dict[str, object]:
    """ "no wait, she's 18": a correction of answers given before (after the results too), read as
    the facts it states about questions already answered; {} when the message is no correction."""
    from actions.conversation_state import screening_answers
    from actions.screening_form import said_places
    from referral.screening.facts import is_correction, read_facts

    text = tracker.latest_message.get("text") or ""
    answers = screening_answers(tracker)
    if text.startswith("/") or not answers or not is_correction(text):
        return {}
    facts = read_facts(text, places=said_places(tracker))
    return {q: v for q, v in facts.items() if q in answers and answers[q] != v}


class ActionAnswerQuestion(Action):
    def name(self) -> Text:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        corrected = corrected_answers(tracker)
        if corrected:
            # The corrected answers replace the earlier ones, and the screening finishes again.
            from referral.screening.facts import say_back

            dispatcher.utter_message(text=say_back(corrected).replace("Got it:", "Okay, I changed that:"))
            return [SlotSet(q, v) for q, v in corrected.items()] + [
                SlotSet("eligibility", None),
                FollowupAction("screening_form"),
            ]
        if tells_a_story(tracker):
            # The screening, starting from every fact of the story.
            from actions.screening_form import ActionStartScreening

            events = await ActionStartScreening().run(dispatcher, tracker, domain)
            return [*events, FollowupAction("screening_form")]
        if not answer_question(tracker, dispatcher):
            dispatcher.utter_message(response="utter_help")
        return []
