"""The end of the screening: the outcome per program in plain words, the `eligibility` payload,
and what to do next. The assistant never says a person *is* eligible: the provider decides."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation_state import screening_answers, voice
from referral.eligibility.engine import ProgramResult, evaluate
from referral.registry import registry
from referral.screening import questions

STATUS_WORDS = {
    "likely": "looks like a good match",
    "possible": "might be a match; a provider would need to check",
    "unlikely": "does not look like a match right now",
}


def describe_result(result: ProgramResult) -> str:
    lines = [f"{result.name or result.id}: {STATUS_WORDS[result.status]}."]
    lines += [f"- {reason}" for reason in result.reasons]
    return "\n".join(lines)


def describe_answer(question_id: str, value: Any) -> str:
    if isinstance(value, dict):
        parts = [value.get("town"), value.get("state"), value.get("zip")]
        return ", ".join(str(p) for p in parts if p)
    return str(value).replace("_", " ")


def screening_summary(answers: Dict[str, Any], results: List[ProgramResult]) -> str:
    """A plain-text summary an outreach worker can copy into their notes."""
    lines = ["Screening summary (not a determination of eligibility)", "Answers:"]
    lines += [
        f"- {questions.label(q)}: {describe_answer(q, answers[q])}" for q in questions.question_ids() if q in answers
    ]
    lines.append("Outcome by program:")
    for result in results:
        lines.append(f"- {result.id}: {result.status}")
        lines += [f"  - {reason}" for reason in result.reasons]
    steps = _unique(step for result in results for step in result.next_steps)
    if steps:
        lines.append("Next steps:")
        lines += [f"- {step}" for step in steps]
    return "\n".join(lines)


def _unique(items) -> List[str]:
    seen: List[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


class ActionScreeningOutcome(Action):
    """Explains the outcome per program and offers providers."""

    def name(self) -> Text:
        return "action_screening_outcome"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answers = screening_answers(tracker)
        results = evaluate(answers)
        outcomes = [describe_result(result) for result in results]
        steps = _unique(step for result in results for step in result.next_steps)
        steps_text = "What to do next:\n" + "\n".join(f"- {s}" for s in steps) if steps else ""
        # `covers`: the texts the card shows again (each program's outcome, reasons and next steps),
        # so our web chat shows them once, as the card; other clients show the texts.
        covers = outcomes + ([steps_text] if steps_text else [])
        payload = {"type": "eligibility", "programs": [r.to_payload() for r in results], "covers": covers}

        dispatcher.utter_message(text="Thank you. Here is what your answers suggest:")
        for outcome in outcomes:
            dispatcher.utter_message(text=outcome)
        dispatcher.utter_message(json_message=payload)
        if steps_text:
            dispatcher.utter_message(text=steps_text)
        dispatcher.utter_message(text=self._reminder(results))
        if voice(tracker) == "client":
            dispatcher.utter_message(text=screening_summary(answers, results))

        if any(result.status in ("likely", "possible") for result in results):
            dispatcher.utter_message(
                text="Would you like to see providers near you?",
                buttons=[
                    {"title": "Show providers near me", "payload": "/find_providers"},
                    {"title": "Ask a question", "payload": "/help"},
                    {"title": "Start over", "payload": "/restart_screening"},
                ],
            )
        else:
            dispatcher.utter_message(
                text="Is there anything else I can help with?",
                buttons=[
                    {"title": "Change an answer", "payload": "/change_answer"},
                    {"title": "Ask a question", "payload": "/help"},
                    {"title": "Talk to a person", "payload": "/human_handoff"},
                ],
            )
        return [SlotSet("eligibility", payload)]

    @staticmethod
    def _reminder(results: List[ProgramResult]) -> str:
        programs = registry().programs
        parts = ["This is not a decision. A provider makes the final decision after an assessment."]
        parts += [programs[r.id].after_outcome for r in results if r.id in programs and programs[r.id].after_outcome]
        return " ".join(_unique(parts))
