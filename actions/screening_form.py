"""The screening conversation: starting it, asking each question, and understanding the answers.

The form `screening_form` lists every question id; which ones are asked, and in what order, comes
from the eligibility engine (`questions_that_matter`), so a question is asked only where it can
change an outcome. Every answer arrives as free text (buttons send plain answers too) and is
understood by `referral.screening.answers.parse_answer`. The validation also handles what people
do in the middle of a screening: ask about the programs, go back, change an earlier answer,
start over. An unclear answer is asked again in other words at most twice; then "not sure" is
taken and the screening goes on.
"""

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation_state import REQUESTED_SLOT, known_state, screening_answers, voice
from referral.directory.geo import resolve_place
from referral.eligibility.engine import questions_that_matter
from actions.interruptions import answer_interruption, is_question
from referral.screening import questions
from referral.screening.answers import parse_answer

logger = logging.getLogger(__name__)

MAX_RETRIES = 2
CONTROL_INTENTS = {"go_back", "change_answer", "restart_screening"}
CONTROL_CONFIDENCE = 0.6
QUESTION_CONFIDENCE = 0.6
NOT_SURE = "not_sure"


def _entities(tracker: Tracker) -> List[Dict[str, Any]]:
    return list(tracker.latest_message.get("entities") or [])


def _entity_value(tracker: Tracker, name: str) -> Optional[Any]:
    return next((e.get("value") for e in _entities(tracker) if e.get("entity") == name), None)


def _intent(tracker: Tracker) -> tuple:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def question_plan(tracker: Tracker, answers: Optional[Dict[str, Any]] = None) -> List[str]:
    """The ordered question ids worth asking now (answered ones included)."""
    answers = screening_answers(tracker) if answers is None else answers
    return questions_that_matter(answers)


def text_outside(text: str, spans: List[List[int]]) -> str:
    """The message with the given character spans (the crisis sentences) blanked out."""
    chars = list(text)
    for start, end in spans:
        for i in range(max(0, start), min(len(chars), end)):
            chars[i] = " "
    return "".join(chars)


def answer_outside_crisis(tracker: Tracker) -> Dict[Text, Any]:
    """The open question's answer from the sentences of a crisis message that are not the crisis.

    "I'm 34, I live in Lowell, and I took all my pills an hour ago" answers the crisis first; the
    age or the town, when that is the open question, is kept too. The crisis sentences themselves
    are never read as an answer ("pills an hour ago" is not a date of discharge).
    """
    if tracker.active_loop.get("name") != "screening_form":
        return {}
    question_id = tracker.get_slot(REQUESTED_SLOT)
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    spans = (message.get("crisis") or {}).get("spans") or [[0, len(text)]]
    if question_id not in questions.question_ids() or text.startswith("/"):
        return {}
    rest = text_outside(text, spans)
    if not rest.strip():
        return {}
    if question_id == "location":
        match = resolve_place(rest)
        return {"location": match.place} if match.status in ("found", "outside") else {}
    inside = [(int(a), int(b)) for a, b in spans]
    entities = [
        e for e in _entities(tracker)
        if not any(a < int(e.get("end", 0)) and int(e.get("start", 0)) < b for a, b in inside)
    ]
    context = ValidateScreeningForm._context(tracker)
    parsed = parse_answer(question_id, rest, entities, context=context)
    if parsed.value is None:
        return {}
    slots: Dict[Text, Any] = {question_id: parsed.value, "screening_retries": 0}
    if question_id == "for_whom" and parsed.extra.get("relation"):
        slots["relation"] = parsed.extra["relation"]
    return slots


class ActionStartScreening(Action):
    """Starts (or resumes) the screening, taking who it is for from the first message if said."""

    def name(self) -> Text:
        return "action_start_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        intent, _ = _intent(tracker)
        answers = screening_answers(tracker, skip_unvalidated=False)
        finished = tracker.get_slot("eligibility") is not None
        events: List[EventType] = [SlotSet("screening_retries", 0), SlotSet("place_candidates", None)]

        if intent == "restart_screening" or finished or not answers:
            events += [SlotSet(question_id, None) for question_id in questions.question_ids()]
            events += [SlotSet("relation", None), SlotSet("eligibility", None)]
            answers = {}
            dispatcher.utter_message(
                text="Let's see which programs may fit. I'll ask a few short questions, one at a "
                "time. You can tap a button or type your answer. Say \"not sure\" if you don't "
                "know, or \"stop\" at any time."
            )
        else:
            dispatcher.utter_message(text="Let's pick up the questions where we left off.")

        who = _entity_value(tracker, "for_whom")
        text = tracker.latest_message.get("text") or ""
        if who not in ("self", "other", "client") and not text.startswith("/"):
            parsed = parse_answer("for_whom", text, _entities(tracker))
            who = parsed.value
            if parsed.extra.get("relation"):
                events.append(SlotSet("relation", parsed.extra["relation"]))
        if who in ("self", "other", "client") and "for_whom" not in answers:
            events.append(SlotSet("for_whom", who))

        if intent == "change_answer" and answers:
            target = _entity_value(tracker, "question")
            if target in answers:
                events.append(SlotSet(target, None))
        return events


class AskScreeningQuestion(Action):
    """Asks one screening question: text in the asker's voice, buttons, and the `question` payload."""

    question_id: Text = ""

    def name(self) -> Text:
        return f"action_ask_{self.question_id}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        question_id = self.question_id
        candidates = tracker.get_slot("place_candidates")
        if question_id == "location" and candidates:
            ask_which_place(dispatcher, candidates)
        else:
            again = bool(tracker.get_slot("screening_retries"))
            dispatcher.utter_message(
                text=questions.wording(question_id, voice(tracker), tracker.get_slot("relation"), again),
                buttons=questions.buttons(question_id, known_state(tracker)),
            )
        plan = question_plan(tracker)
        if question_id not in plan:
            plan = plan + [question_id]
        dispatcher.utter_message(
            json_message={
                "type": "question",
                "id": question_id,
                "step": plan.index(question_id) + 1,
                "of": len(plan),
            }
        )
        return []


def ask_which_place(dispatcher: CollectingDispatcher, candidates: List[Dict[str, Any]]) -> None:
    """A town name that exists in both states: ask which one, with a button for each."""
    town = next((c["town"] for c in candidates if c.get("town")), "a place with that name")
    names = [", ".join(part for part in (c.get("town"), c.get("state")) if part) for c in candidates]
    dispatcher.utter_message(
        text=f"There is {town} in more than one state. Which one do you mean?",
        buttons=[{"title": name, "payload": name} for name in names],
    )


# One ask action per question id, e.g. `action_ask_er_visits`. They are module attributes
# because the action server registers the action classes it finds in the module.
for _question_id in questions.question_ids():
    _class_name = f"AskScreeningQuestion_{_question_id}"
    globals()[_class_name] = type(_class_name, (AskScreeningQuestion,), {"question_id": _question_id})


class ValidateScreeningForm(FormValidationAction):
    """Understands each answer, and handles questions, corrections and restarts mid-screening."""

    def name(self) -> Text:
        return "validate_screening_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        plan = question_plan(tracker)
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested in domain_slots and requested not in plan:
            plan.append(requested)
        return plan

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Optional[EventType]:
        # Called after validation: every answer in the tracker is clean now, the newest included.
        revisit = tracker.get_slot("revisit")
        if revisit and tracker.get_slot(revisit) is None:
            return SlotSet(REQUESTED_SLOT, revisit)
        plan = question_plan(tracker, screening_answers(tracker, skip_unvalidated=False))
        return SlotSet(REQUESTED_SLOT, next((q for q in plan if tracker.get_slot(q) is None), None))

    async def validate_for_whom(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("for_whom", value, dispatcher, tracker)

    async def validate_location(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if isinstance(value, dict) or value == NOT_SURE:
            return {"location": value, "place_candidates": None}
        return self._validate("location", value, dispatcher, tracker)

    async def validate_coverage(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("coverage", value, dispatcher, tracker)

    async def validate_age(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("age", value, dispatcher, tracker)

    async def validate_diagnosis(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("diagnosis", value, dispatcher, tracker)

    async def validate_psych_discharge(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("psych_discharge", value, dispatcher, tracker)

    async def validate_er_visits(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("er_visits", value, dispatcher, tracker)

    async def validate_housing(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("housing", value, dispatcher, tracker)

    async def validate_move_in(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("move_in", value, dispatcher, tracker)

    async def validate_justice(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("justice", value, dispatcher, tracker)

    async def validate_access_barriers(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("access_barriers", value, dispatcher, tracker)

    async def validate_daily_living(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("daily_living", value, dispatcher, tracker)

    async def validate_consent(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("consent", value, dispatcher, tracker)

    def _validate(
        self, question_id: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        if not isinstance(value, str):
            return {question_id: value, "screening_retries": 0}
        # A value set by the assistant itself (e.g. "self" from a greeting button) is already clean.
        if tracker.get_slot(REQUESTED_SLOT) != question_id:
            return {question_id: value}

        intent, confidence = _intent(tracker)
        if intent in CONTROL_INTENTS and confidence >= CONTROL_CONFIDENCE:
            return self._control(intent, question_id, dispatcher, tracker)

        text = tracker.latest_message.get("text") or value
        if intent not in ("inform", "affirm", "deny", "not_sure") and confidence >= QUESTION_CONFIDENCE:
            if is_question(text) and answer_interruption(intent, tracker, dispatcher):
                return self._unclear(question_id, dispatcher, tracker)

        if question_id == "location":
            return self._validate_place(text, dispatcher, tracker)

        parsed = parse_answer(question_id, text, _entities(tracker), context=self._context(tracker))
        if parsed.value is not None:
            slots: Dict[Text, Any] = {question_id: parsed.value, "screening_retries": 0, "revisit": None}
            if question_id == "for_whom" and parsed.extra.get("relation"):
                slots["relation"] = parsed.extra["relation"]
            return slots

        if answer_interruption(intent, tracker, dispatcher):
            # Interruptions count too: the same question at most three times in a row, whatever
            # comes in between, then "not sure" and the screening goes on (never a loop).
            return self._unclear(question_id, dispatcher, tracker)
        if question_id == "coverage" and parsed.extra.get("needs_state"):
            dispatcher.utter_message(
                text="Thanks. Medicaid is different in each state: in Massachusetts it is called "
                "MassHealth."
            )
        return self._unclear(question_id, dispatcher, tracker)

    def _validate_place(
        self, text: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        if parse_answer("consent", text, None).value == NOT_SURE:
            return {"location": NOT_SURE, "screening_retries": 0, "place_candidates": None}
        match = resolve_place(text)
        if match.status in ("found", "outside"):
            return {"location": match.place, "screening_retries": 0, "place_candidates": None, "revisit": None}
        if match.status == "ambiguous":
            return {"location": None, "place_candidates": match.candidates}
        return self._unclear("location", dispatcher, tracker)

    def _unclear(
        self, question_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        retries = int(tracker.get_slot("screening_retries") or 0)
        if retries >= MAX_RETRIES:
            dispatcher.utter_message(text="No problem. I'll mark that one as \"not sure\" and we'll go on.")
            return {question_id: NOT_SURE, "screening_retries": 0, "place_candidates": None, "revisit": None}
        return {question_id: None, "screening_retries": retries + 1}

    def _control(
        self, intent: str, question_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        answers = screening_answers(tracker)
        if intent == "restart_screening":
            dispatcher.utter_message(text="Okay, let's start over from the first question.")
            cleared = {q: None for q in questions.question_ids()}
            return {**cleared, "relation": None, "screening_retries": 0, "place_candidates": None, "revisit": None}

        target = _entity_value(tracker, "question") if intent == "change_answer" else None
        if target not in answers or target == question_id:
            plan = question_plan(tracker, answers)
            earlier = [q for q in plan[: plan.index(question_id)] if q in answers] if question_id in plan else []
            target = earlier[-1] if earlier else None
        if target is None:
            dispatcher.utter_message(text="This is the first question, so there's nothing to go back to.")
            return {question_id: None}
        dispatcher.utter_message(text=f"Okay, let's change the answer to \"{questions.label(target)}\".")
        # Asked again even where it no longer changes the outcome: the person asked to change it.
        return {target: None, question_id: None, "screening_retries": 0, "place_candidates": None, "revisit": target}

    @staticmethod
    def _context(tracker: Tracker) -> Dict[str, Any]:
        place = tracker.get_slot("location")
        return {"state": place.get("state")} if isinstance(place, dict) else {}
