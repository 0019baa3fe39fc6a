"""Program questions: the answer the ResponseSelector picked, or two answers, or "which do you
mean?", or what can be answered (referral/faq.py decides; the answers are utter_faq/<topic>)."""

import re
from functools import lru_cache
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
    if len(said) >= 2 or (bool(said) and bool(_SEEKS_HELP.search(text) or _about_a_program().search(text))):
        return True
    # "es para mí", "I'm in Nashua, New Hampshire": a short answer to the screening's first
    # questions, said with no question open (after a program question or crisis help).
    from actions.interruptions import is_question

    return (
        bool(said)
        and set(said) <= {"for_whom", "location"}
        and len(text.split()) <= _SHORT_ANSWER_WORDS
        and not is_question(text)
    )


_SHORT_ANSWER_WORDS = 10


_SEEKS_HELP = re.compile(
    r"\b(?:looking for (?:help|something|support|a program|services)|need(?:s)? (?:some )?help|"
    r"trying to (?:find|get) (?:help|something|support)|get (?:him|her|them|me) (?:some )?help|"
    r"help for (?:my|me|myself|him|her)|don'?t know what to do|necesito ayuda|busco ayuda|"
    r"is there (?:any |some )?(?:help|support|one|someone|anybody|anyone)|any help for|anyone who could help|"
    r"someone who (?:could|can) help|"
    r"asking (?:for|about|on behalf of) (?:my|a|me|myself)|on behalf of|(?:it'?s|this is) for (?:my|me|a client)|"
    r"(?:do|take|start) the (?:screen|screening|questions)|(?:see|check) if (?:i|he|she|they|my \w+) (?:qualif|could get|can get)|"
    r"do i qualify|does (?:he|she) qualify|"
    # "I'd like to see about the team for my husband", "wanted to see about the program for him"
    r"(?:see|ask|asking|find out|check|inquire|wondering|wanted to know|wanting to know) about (?:the |that |a |this |getting )?"
    r"(?:team|program|services|help|support)|"
    r"(?:could|can) (?:i|he|she|they|we|my \w+) get (?:on|in|into|with|csp|cst|the team|this|that|some help|help)|"
    r"sign (?:me|him|her|them) up|get (?:him|her|them|me) (?:on|into|signed up))",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _about_a_program() -> re.Pattern:
    """ "wanted to see about <a program> for him": a program asked about by its id or name."""
    from referral.registry import registry

    words = {w for pid, name in registry().names().items() for w in (pid, name.split(" (")[0])}
    said = sorted((re.escape(w) for w in words), key=len, reverse=True)
    return re.compile(
        rf"\b(?:see|ask|asking|find out|check|inquire|wondering) about (?:the |that |a )?(?:{'|'.join(said)})\b",
        re.IGNORECASE,
    )


def corrected_answers(tracker: Tracker) -> Dict[str, object]:
    """ "no wait, she's 18": a correction of answers given before (after the results too), read as
    the facts it states about questions already answered; {} when the message is no correction."""
    from actions.conversation_state import screening_answers
    from actions.interruptions import is_question
    from actions.screening_form import said_places
    from referral.screening.answers import NOT_SURE
    from referral.screening.facts import is_correction, read_facts

    text = tracker.latest_message.get("text") or ""
    answers = screening_answers(tracker)
    if text.startswith("/") or not answers:
        return {}
    if is_correction(text):
        from actions.screening_form import place_told

        facts = read_facts(text, places=said_places(tracker))
        if "location" in facts and "location" in answers and not place_told(text):
            # "actually... he was on the psych unit at St. Anne's in Fall River": the hospital's
            # town, not a new home; a new home is said as one ("he lives in Fall River now").
            del facts["location"]
        changed = {q: v for q, v in facts.items() if q in answers and answers[q] != v}
        if changed:
            return {**changed, **_newly_told(facts, answers)}
        # "no espera, fueron 2 veces": no question named; the last question answered, read again.
        from actions.screening_form import ValidateScreeningForm, last_question_answered
        from referral.screening.answers import NOT_SURE, parse_answer

        asked = last_question_answered(tracker)
        if asked in answers and asked not in ("location", "for_whom"):
            parsed = parse_answer(asked, text, context=ValidateScreeningForm._context(tracker))
            if parsed.value not in (None, NOT_SURE) and parsed.value != answers[asked]:
                return {asked: parsed.value}
        return {}
    if tracker.get_slot("eligibility") is None or is_question(text):
        return {}
    # After the results, a fact said again differently is a correction too, without the words
    # ("he turned 18 on November 28", "the lease says move-in is April 2nd"); not who it is for
    # or the place (a new screening, or providers elsewhere), and not a question ("what if...").
    from actions.screening_form import another_person

    facts = read_facts(text)
    if another_person(facts, answers, tracker.get_slot("relation")):
        return {}  # "now my sister, she is 30": a new screening, not a correction
    changed = {
        q: v for q, v in facts.items() if q in answers and q in _CORRECTED_UNSAID and answers[q] != v and v != NOT_SURE
    }
    return {**changed, **_newly_told(facts, answers)} if changed else {}


def _newly_told(facts: Dict[str, object], answers: Dict[str, object]) -> Dict[str, object]:
    """Answers a correction gives to questions never asked before ("i got the supportive housing
    unit, move in is january 4th": the move-in the new housing answer now asks)."""
    from referral.screening.answers import NOT_SURE
    from referral.screening.questions import question_ids

    return {q: v for q, v in facts.items() if q in question_ids() and q not in answers and v not in (None, NOT_SURE)}


# The answers a message after the results may change without correction words.
_CORRECTED_UNSAID = ("age", "psych_discharge", "er_visits", "move_in", "diagnosis", "housing", "justice")


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
