"""Safety and help: the crisis response, reaching a person, stopping, and the fallback."""

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation_state import known_state
from actions.interruptions import handoff_text
from actions.screening_form import (
    answer_instead_of_stop,
    answer_outside_crisis,
    facts_outside_crisis,
    interruption_counted,
    open_question_answer,
)
from referral.crisis.answers import (
    VIOLENCE_KINDS,
    buttons_for,
    crisis_reply,
    crisis_text,
    read_safety_reply,
    safety_question,
    words_for,
)
from referral.crisis.resources import answers_data
from referral.screening.answers import has_stop_words, is_plain_agreement, is_plain_refusal, says_safe_now, says_stop
from referral.screening.facts import speaks_of
from referral.screening.questions import question_ids

logger = logging.getLogger(__name__)

GO_ON_BUTTONS = [
    {"title": "Check if a program may fit", "payload": "/check_eligibility"},
    {"title": "Find providers", "payload": "/find_providers"},
    {"title": "Talk to a person", "payload": "/human_handoff"},
]


class CrisisCounter:
    """Counts crisis answers for the logs: the kind and answer only, never text or who."""

    count = 0

    @classmethod
    def record(cls, answer: str = "resources", kind: str = "") -> int:
        cls.count += 1
        logger.warning("Crisis answer shown: %s, kind=%s (total since start: %d).", answer, kind or "-", cls.count)
        return cls.count


def crisis_signal(tracker: Tracker) -> Dict[str, Any]:
    """What the crisis layer said about the latest message (answer, kind, about, lang, ...); about
    someone else with nobody named ("she's been cutting again"), who it is from the screening
    ("it's for my daughter")."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    signal = dict(message.get("crisis") or intent.get("crisis") or {})
    if signal.get("about") == "other" and not signal.get("relation"):
        known = answers_data()["screening_relations"].get(tracker.get_slot("relation") or "")
        if known:
            signal["relation"] = known
        elif tracker.get_slot("for_whom") == "client":
            signal["relation"] = "client"
    return signal


def crisis_answered_last(tracker: Tracker) -> bool:
    """Whether the bot's last turn, before the person's latest message, was a crisis answer."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            custom = (event.get("data") or {}).get("custom") or {}
            if custom.get("type") == "crisis":
                return True
    return False


def speak_crisis_help(
    dispatcher: CollectingDispatcher, tracker: Tracker, signal: Dict[str, Any], opening_key: Optional[str] = None
) -> None:
    """The crisis answer: the opening words and the resources fitted to the kind, as text and payload."""
    reply = crisis_reply(signal, known_state(tracker), opening_key)
    spanish = bool(signal.get("spanish_too")) or signal.get("lang") == "es"
    dispatcher.utter_message(text=crisis_text(reply, spanish, signal.get("lang", "en")))
    dispatcher.utter_message(json_message={"type": "crisis", "resources": reply.resources})


def go_on(
    dispatcher: CollectingDispatcher, tracker: Tracker, signal: Dict[str, Any], resume: Optional[str]
) -> List[EventType]:
    """After crisis help: back to the form that was open (same question), or what to do next."""
    words = words_for(signal.get("lang"))
    if resume in FORMS_TO_RESUME:
        dispatcher.utter_message(text=words["go_on_in_form"])
        # A form still open runs next by its rule (the same question again); a closed one is resumed.
        return [FollowupAction(resume)] if tracker.active_loop.get("name") != resume else []
    dispatcher.utter_message(text=words["go_on"], buttons=buttons_for(GO_ON_BUTTONS, signal.get("lang")))
    return []


FORMS_TO_RESUME = ("screening_form", "provider_search_form")


def plain_consent_answer(tracker: Tracker) -> List[EventType]:
    """ "Yes. I want to do it." or a plain "no" to the consent question: that answer, not a crisis,
    when the crisis layer's signal came from the classifier alone and the message only agrees or
    declines in a closed set of words (answers.is_plain_agreement, is_plain_refusal: none of the
    5,450 risk lines of the crisis corpus, blind and labelled sets is one). Anything else,
    patterns included, is answered as a crisis."""
    message = tracker.latest_message or {}
    source = (message.get("crisis") or {}).get("source")
    text = message.get("text") or ""
    if (
        tracker.active_loop.get("name") != "screening_form"
        or tracker.get_slot("requested_slot") != "consent"
        or source != "classifier"
    ):
        return []
    # The same for a plain refusal ("no. she doesn't want anybody coming to her house and to stop
    # trying. she won't agree to it"; is_plain_refusal: none of those risk lines either).
    answer = "yes" if is_plain_agreement(text) else "no" if is_plain_refusal(text) else None
    if answer is None:
        return []
    logger.info("A plain answer to the consent question was not taken for a crisis.")
    return [SlotSet("consent", answer), SlotSet("screening_retries", 0), FollowupAction("screening_form")]


# The actions that give crisis help (the resources, or the safety question's answer).
_HELP_ACTIONS = ("action_crisis_response", "action_safety_answer")


def _help_just_given(tracker: Tracker) -> bool:
    """Whether crisis help was given in reply to the message before this one."""
    seen_user = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user += 1
            if seen_user == 2:
                return False
        elif seen_user == 1 and event.get("event") == "action" and event.get("name") in _HELP_ACTIONS:
            return True
    return False


def safe_after_help(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """ "The ambulance took her to the hospital. They say she will be all right. Can we go on?" just
    after crisis help: thanks, 988 one tap away, and back where the person was (the open question's
    answer in the message taken), when the crisis layer's signal came from the classifier alone and
    the message says safety in words of `says_safe_now` (none of the 5,450 risk lines of the crisis
    corpus and blind sets). Anything else, patterns included, is answered as a crisis."""
    message = tracker.latest_message or {}
    signal = message.get("crisis") or {}
    if signal.get("source") != "classifier" or not _help_just_given(tracker):
        return []
    if not says_safe_now(message.get("text") or ""):
        return []
    logger.info("Safety said just after crisis help was not taken for a new crisis.")
    CrisisCounter.record("safe_after_help", signal.get("kind", ""))
    words = words_for(signal.get("lang"))
    dispatcher.utter_message(
        text=words["safety_no"], buttons=[{"title": words["button_988"], "payload": "/human_handoff"}]
    )
    # The open question's answer only in its own words ("I agree to take part"): the "ok" of
    # "ok, my sister is here and I'm safe" is no "yes".
    asked = tracker.get_slot("requested_slot")
    taken = open_question_answer(tracker, sure=True) if asked and speaks_of(asked, message.get("text") or "") else {}
    events: List[EventType] = [SlotSet(k, v) for k, v in taken.items()]
    form = tracker.active_loop.get("name")
    events += go_on(dispatcher, tracker, signal, form)
    # Back to the open form's question, never on to the safety question the rule would ask next.
    next_action = form if form in FORMS_TO_RESUME else "action_listen"
    return [e for e in events if e.get("event") != "followup"] + [FollowupAction(next_action)]


def _said_again_after_help(tracker: Tracker) -> bool:
    """Whether the latest message, read as a crisis by the classifier alone, is the message crisis
    help was just given for, said again (the person answering the question asked back): the safety
    question then, never the same resources over and over with no way on."""
    message = tracker.latest_message or {}
    if (message.get("crisis") or {}).get("source") != "classifier" or not _help_just_given(tracker):
        return False
    said = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    return len(said) >= 2 and " ".join(said[-1].lower().split()) == " ".join(said[-2].lower().split())


def answers_the_open_question(tracker: Tracker) -> bool:
    """Whether a message the classifier alone (no crisis pattern) took for a clear crisis answers
    the open screening question ("Yes. He told the discharge planner he'd do CST and he said it to
    me again last night." to the consent question): then the safety question is asked, not the
    resources shown at once; a yes or a not sure to it gives the help. A crisis pattern, or a
    message that answers nothing, gets the resources."""
    message = tracker.latest_message or {}
    if (message.get("crisis") or {}).get("source") != "classifier":
        return False
    if tracker.active_loop.get("name") != "screening_form" or _help_just_given(tracker):
        return False
    asked = tracker.get_slot("requested_slot")
    if asked not in question_ids():
        return False
    # In the question's own words ("he'd do CST", "agrees to take part", "discharged on 10/3"), not
    # a bare yes or a word read as one: "ya no aguanto más, tengo las pastillas..." is no answer.
    if not speaks_of(asked, message.get("text") or ""):
        return False
    # A "not sure" in the question's own words is an answer too ("idk. nobody ever told me
    # straight what i have" to the diagnosis question).
    taken = open_question_answer(tracker, sure=False)
    return taken.get(asked) is not None


class ActionCrisisResponse(Action):
    """A clear crisis: help first, fitted to the kind; a screening keeps its place and answers,
    including an answer given in the same message outside the crisis sentences."""

    def name(self) -> Text:
        return "action_crisis_response"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        agreed = plain_consent_answer(tracker) or safe_after_help(dispatcher, tracker)
        if agreed:
            return agreed
        if answers_the_open_question(tracker) or _said_again_after_help(tracker):
            logger.info("A screening answer the classifier alone read as a crisis: the safety question.")
            asked = await ActionSafetyQuestion().run(dispatcher, tracker, domain)
            return asked + [FollowupAction("safety_check_form")]
        signal = crisis_signal(tracker)
        CrisisCounter.record("resources", signal.get("kind", ""))
        speak_crisis_help(dispatcher, tracker, signal)
        taken = answer_outside_crisis(tracker) or interruption_counted(tracker) or facts_outside_crisis(tracker)
        events: List[EventType] = [SlotSet(k, v) for k, v in taken.items()]
        return events + go_on(dispatcher, tracker, signal, tracker.active_loop.get("name"))


class ActionSafetyQuestion(Action):
    """A risk signal that is not clear: remembers where the person was, then the safety form asks."""

    def name(self) -> Text:
        return "action_safety_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        agreed = plain_consent_answer(tracker) or safe_after_help(dispatcher, tracker)
        if agreed:
            return agreed
        signal = crisis_signal(tracker)
        CrisisCounter.record("safety_question", signal.get("kind", ""))
        keep = {k: signal.get(k) for k in ("kind", "about", "lang", "spanish_too", "danger_now", "relation")}
        keep["resume"] = tracker.active_loop.get("name")
        # The answer the whole message gives, taken only if the person says "no" to the question:
        # nothing is read from part of it before ("No, he doesn't want it. [risky sentence] I want
        # it for him" is no "yes"). After "yes" or "not sure", the question comes again, and the
        # safety question counts as one of the three times it may (never a loop).
        keep["answer_if_safe"] = open_question_answer(tracker)
        keep["count"] = interruption_counted(tracker)
        # With no screening open, what the message told of the person is kept whatever the reply.
        events: List[EventType] = [SlotSet(k, v) for k, v in facts_outside_crisis(tracker).items()]
        # `safety_answer` is left alone (None since the last check): a SlotSet here would be read
        # by the form, at its activation, as a reply to a question not yet asked.
        return events + [SlotSet("safety_check", keep)]


class ActionAskSafetyAnswer(Action):
    """The safety question, asked the way the Columbia Protocol's screener asks it."""

    def name(self) -> Text:
        return "action_ask_safety_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        signal = tracker.get_slot("safety_check") or crisis_signal(tracker)
        question = safety_question(signal)
        dispatcher.utter_message(text=question["text"], buttons=question["buttons"])
        dispatcher.utter_message(json_message={"type": "crisis_check", "about": question["about"]})
        return []


class ValidateSafetyCheckForm(FormValidationAction):
    """Reads the reply to the safety question: yes, no, not sure, or still at risk."""

    def name(self) -> Text:
        return "validate_safety_check_form"

    async def validate_safety_answer(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None or tracker.get_slot("requested_slot") != "safety_answer":
            return {"safety_answer": None}  # the question is not open yet: nothing to read
        intent = tracker.latest_message.get("intent") or {}
        answer = read_safety_reply(
            str(value or ""), intent.get("name"), float(intent.get("confidence") or 0.0), crisis_signal(tracker)
        )
        return {"safety_answer": answer}


class ActionSafetyAnswer(Action):
    """After the safety question: help for yes, not sure or an answer still at risk; thanks for no.
    Then back to exactly where the person was."""

    def name(self) -> Text:
        return "action_safety_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        signal = dict(tracker.get_slot("safety_check") or {})
        answer = tracker.get_slot("safety_answer") or "not_sure"
        latest = crisis_signal(tracker)
        if answer == "at_risk" and latest:
            # The reply itself told more (a method, someone in danger): fit the help to it.
            signal.update({k: v for k, v in latest.items() if k in ("kind", "danger_now") and v})
        words = words_for(signal.get("lang"))
        answered = [SlotSet(k, v) for k, v in (signal.get("count") or {}).items()]
        if answer == "no":
            CrisisCounter.record("safety_no", signal.get("kind", ""))
            dispatcher.utter_message(
                text=words["safety_no"],
                buttons=[{"title": words["button_988"], "payload": "/human_handoff"}],  # 988, one tap
            )
            # Safe: the message that raised the question was an answer ("my friend"), taken as one.
            answered = [SlotSet(k, v) for k, v in (signal.get("answer_if_safe") or signal.get("count") or {}).items()]
        else:
            CrisisCounter.record(f"safety_{answer}", signal.get("kind", ""))
            if answer == "not_sure":
                opening = "safety_unsure"
            else:
                if signal.get("about") != "other":
                    opening = "safety_yes_self"
                else:
                    opening = "safety_yes_violence" if signal.get("kind") in VIOLENCE_KINDS else "safety_yes_other"
            speak_crisis_help(dispatcher, tracker, signal, opening)
        events: List[EventType] = [SlotSet("safety_check", None), SlotSet("safety_answer", None), *answered]
        return events + go_on(dispatcher, tracker, signal, signal.get("resume"))


class ActionHumanHandoff(Action):
    """How to reach a person: providers, the state's help line, 988."""

    def name(self) -> Text:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
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

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        form = tracker.active_loop.get("name")
        text = tracker.latest_message.get("text") or ""
        if not form and tracker.get_slot("eligibility") is not None and not text.startswith("/"):
            from actions.questions import corrected_answers

            if corrected_answers(tracker) and not has_stop_words(text):
                # "no wait sorry he's 18!! his birthday was the 14th" after the results, which the
                # NLU took for "stop": the answer changed and the results again.
                from actions.screening_form import ActionStartScreening

                events = await ActionStartScreening().run(dispatcher, tracker, domain)
                return list(events) + [FollowupAction("screening_form")]
        answered = answer_instead_of_stop(tracker)
        if answered:
            # The open question first: "bipolar, and alcohol before, now I stop" is an answer.
            return [SlotSet(k, v) for k, v in answered.items()] + [FollowupAction("screening_form")]
        text = tracker.latest_message.get("text") or ""
        if form == "screening_form" and not text.startswith("/") and not says_stop(text):
            # No stop said ("I'm not going to do anything, my mom is home. can we finish this?"):
            # the question again, counted (never a loop).
            counted = interruption_counted(tracker)
            return [SlotSet(k, v) for k, v in counted.items()] + [FollowupAction("screening_form")]
        if form == "screening_form":
            text = "Okay, we've stopped the questions. Your answers are kept for this chat if you want to finish later."
            buttons = [
                {"title": "Continue the questions", "payload": "/check_eligibility"},
                {"title": "Start over", "payload": "/restart_screening"},
                {"title": "Ask a question", "payload": "/help"},
            ]
        elif not form:
            dispatcher.utter_message(response="utter_stopped")  # nothing running: acknowledged
            return []
        else:
            text = "Okay, stopped. What would you like to do?"
            buttons = GO_ON_BUTTONS
        dispatcher.utter_message(text=text, buttons=buttons)
        return [ActiveLoop(None), SlotSet("requested_slot", None)] if form else []


_WANTS_THE_QUESTIONS = re.compile(
    r"\b(?:finish|continue|go on with|keep going with|get through|complete|do|answer|start)\s+"
    r"(?:the|these|those|this|your|my|his|her)\s+(?:questions|screening|screen|form)\b"
    r"|\b(?:terminar|seguir con|continuar)\s+(?:las|estas)\s+preguntas\b",
    re.IGNORECASE,
)


class ActionDefaultFallback(Action):
    """A message we could not understand: say so kindly and offer what we can do."""

    def name(self) -> Text:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reply = self._reply_to_an_offer(dispatcher, tracker)
        if reply is not None:
            return reply
        if not crisis_answered_last(tracker):
            # A question the NLU was unsure of ("does it cost anything?"), or a story: the program
            # questions' ranking and the screening's facts may still know it.
            from actions.interruptions import answer_question, is_question
            from actions.questions import ActionAnswerQuestion, tells_a_story

            text = tracker.latest_message.get("text") or ""
            if tells_a_story(tracker):
                return await ActionAnswerQuestion().run(dispatcher, tracker, domain)
            if is_question(text) and answer_question(tracker, dispatcher):
                return []
        if _WANTS_THE_QUESTIONS.search(tracker.latest_message.get("text") or ""):
            # "I would still like to finish these questions for him" (after crisis help too): the
            # screening, where it was left, or from the start.
            from actions.screening_form import ActionStartScreening

            events = await ActionStartScreening().run(dispatcher, tracker, domain)
            return [*events, FollowupAction("screening_form")]
        if crisis_answered_last(tracker):
            # Right after crisis help, "no", "ok" or anything unclear is met kindly, never with
            # "I didn't understand".
            dispatcher.utter_message(
                text="I'm still here. You can talk to someone right now: call or text 988, any time. "
                "When you're ready, I can also help you find support.",
                buttons=GO_ON_BUTTONS,
            )
            return []
        dispatcher.utter_message(
            text="Sorry, I'm not sure I understood. I can explain the programs, check if one may "
            "fit, or find providers. You can also ask a question in your own words.",
            buttons=[
                {"title": "Check if a program may fit", "payload": "/check_eligibility"},
                {"title": "Find providers", "payload": "/find_providers"},
                {"title": "Ask about the programs", "payload": "/help"},
                {"title": "Talk to a person", "payload": "/human_handoff"},
            ],
        )
        return []

    @staticmethod
    def _reply_to_an_offer(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
        """ "Yes" or "no" to the question the last bot message asked with buttons, if one did.

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
