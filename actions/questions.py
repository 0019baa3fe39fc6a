"""Program questions: the answer the ResponseSelector picked, or two answers, or "which do you
mean?", or what can be answered (referral/faq.py decides; the answers are utter_faq/<topic>)."""

import re
from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.interruptions import answer_question, chosen_topic, faq_ranking
from referral import faq


def tells_a_story(tracker: Tracker) -> bool:
    """A message that gives several screening facts ("My sister is 42, lives in Lowell and has
    bipolar disorder...", "it's for me, we live in Worcester, does it cost anything?"), or says who
    needs help and seeks it: the person wants the screening (a question in it is answered too)."""
    from actions.screening_form import said_places
    from referral.screening.facts import answered_in, read_facts

    text = tracker.latest_message.get("text") or ""
    if text.startswith("/") or chosen_topic(tracker):
        return False
    said = answered_in(read_facts(text, places=said_places(tracker)))
    # "I'm looking for something for my brother, he keeps ending up in the hospital": who it is
    # for, and help sought for them.
    return len(said) >= 2 or (bool(said) and bool(_SEEKS_HELP.search(text)))


_SEEKS_HELP = re.compile(
    r"\b(?:looking for (?:help|something|support|a program|services)|need(?:s)? (?:some )?help|"
    r"trying to (?:find|get) (?:help|something|support)|get (?:him|her|them|me) (?:some )?help|"
    r"help for (?:my|me|myself|him|her)|don'?t know what to do|necesito ayuda|busco ayuda|"
    r"asking (?:for|about|on behalf of) (?:my|a|me|myself)|on behalf of|(?:it'?s|this is) for (?:my|me|a client)|"
    r"(?:do|take|start) the (?:screen|screening|questions)|(?:see|check) if (?:i|he|she|they|my \w+) (?:qualif|could get|can get)|"
    r"do i qualify|does (?:he|she) qualify)",
    re.IGNORECASE,
)


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
            # The screening, starting from every fact of the story; a program question in the same
            # message is answered first (a message that is both gets both).
            from actions.screening_form import ActionStartScreening

            if faq.decide(faq_ranking(tracker)).kind in (faq.ONE, faq.BOTH):
                answer_question(tracker, dispatcher)
            events = await ActionStartScreening().run(dispatcher, tracker, domain)
            return [*events, FollowupAction("screening_form")]
        if not answer_question(tracker, dispatcher):
            dispatcher.utter_message(response="utter_help")
        return []
