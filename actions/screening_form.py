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
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation_state import REQUESTED_SLOT, known_state, screening_answers, voice
from actions.interruptions import answer_interruption, faq_ranking, is_question
from referral import faq
from referral.directory.geo import PlaceMatch, resolve_place, state_code
from referral.eligibility.engine import questions_that_matter
from referral.registry import registry, us_state_names
from referral.screening import questions
from referral.screening.answers import (
    YES_NO_QUESTIONS,
    ParsedAnswer,
    commands_only_inside_answer,
    has_stop_words,
    parse_answer,
    says_a_command,
    says_resume,
    says_stop,
)
from referral.screening.facts import answered_in, clauses, is_correction, read_facts, say_back, speaks_of
from referral.screening.questions import question_ids
from referral.text.normalize import normalize

logger = logging.getLogger(__name__)

MAX_RETRIES = 2
CONTROL_INTENTS = {"go_back", "change_answer", "restart_screening"}
CONTROL_CONFIDENCE = 0.6
QUESTION_CONFIDENCE = 0.6
NOT_SURE = "not_sure"
# A first message this short that names who the support is for answers the greeting's question.
SHORT_REPLY_WORDS = 6
# Questions answered with a number or a time: an answer to them may hold "back" ("back in May").
AMOUNT_QUESTIONS = {"age", "psych_discharge", "er_visits", "move_in"}


def _entities(tracker: Tracker) -> List[Dict[str, Any]]:
    return list(tracker.latest_message.get("entities") or [])


def _entity_value(tracker: Tracker, name: str) -> Optional[Any]:
    return next((e.get("value") for e in _entities(tracker) if e.get("entity") == name), None)


def text_of(tracker: Tracker) -> str:
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text


def _intent(tracker: Tracker) -> tuple:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


# Words before a place that say it is not where the person lives now ("I was in Fall River but
# I'm in Providence now", "moved here from Greensboro", "grew up in Dracut").
_PAST_PLACE = re.compile(
    r"\b(?:was in|were in|used to live in|used to be in|lived in|moved from|came from|from|grew up in|"
    r"originally from|born in|before in|vivía en|viviamos en|"
    # not where the person lives: "she lives in Nashua but works in Lowell"
    r"works? in|working in|job in|school in|visiting|trabaja en)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


_INSTITUTION_BEFORE = re.compile(r"\b(?:mci|fci|hoc|doc|bmc|umass)[\s-]+$", re.IGNORECASE)
_STREET_AFTER = re.compile(
    r"\s+(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|pl|place|sq|square|hwy|highway|pkwy)\b\.?",
    re.IGNORECASE,
)
# Someone else's place, or a place of care, said before a town: "his doctor is in Attleboro", "the
# state hospital at Butner", "her clinic's in Lowell": not where the person lives.
_CARE_PLACE_BEFORE = re.compile(
    r"\b(?:(?:his|her|their|my|our|the)\s+(?:\w+\s+)?(?:doctors?|clinic|therapist|counsel?or|psychiatrist|"
    r"prescriber|pcp|program|case manager|office|job|work|school)(?:'s|\s+is|\s+are|\s+was)?\s+(?:in|at|out in|over in)"
    r"|(?:hospital|ward|unit|jail|prison|facility|rehab|detox|court)\s+(?:at|in|of))\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# Where the writer lives, and where the person lives, said before a town ("I live in Lawrence
# but he lives in the Bronx"): the person's place is the answer.
_WRITER_PLACE_BEFORE = re.compile(
    r"\bi\s+(?:live|stay|am|'m|m)\s+(?:in|at|near|out in|up in|down in)\s+(?:the\s+)?$", re.IGNORECASE
)
# "he lives in", "my daughter stays at": where the person lives, told (`_PERSON_LIVE_CUE` reads on
# from it; `_PERSON_PLACE_BEFORE` ends just before a place the NLU found).
_PERSON_LIVES = (
    r"\b(?:he|she|they|we|(?:my|his|her|our)\s+[a-z]+)\s+(?:live|lives|living|stay|stays|staying|is|are|'s|s|'re)\s+"
    r"(?:(?:still|now)\s+)?(?:in|at|near|out in|up in|down in|over in)\s+(?:the\s+)?"
)
_PERSON_PLACE_BEFORE = re.compile(_PERSON_LIVES + "$", re.IGNORECASE)
_PERSON_LIVE_CUE = re.compile(_PERSON_LIVES, re.IGNORECASE)
_VA_FACILITY = re.compile(r"[\s,]+VA\.?$")  # said in capitals: "Bedford VA"
_THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)
_INSTITUTION_AFTER = re.compile(
    r"[\s,]*(?:county\s+)?(?:jail|prison|house of correction|hoc|correctional|general|hospital|medical center|"
    r"memorial|state hospital|detox|courthouse|district court|superior court)\b",
    re.IGNORECASE,
)


# A message said as an answer to "Who is the support for?" ("is for my brother", "para mi hijo").
_SAYS_FOR_WHOM = re.compile(
    r"^\s*(?:sorry,?\s*)?(?:it'?s|its|is|this is|es|no,?\s*)?\s*(?:for|para|pou)\s+(?:my|mi|mwen)\b", re.IGNORECASE
)

# A question about what the open question means ("what counts as psychiatric?", "what is a PO?").
_MEANING_ASKED = re.compile(
    r"\b(?:what (?:does|do) (?:that|this|it|you|they) mean|what do you mean|what does [\w\s']{1,30} mean|"
    r"what counts|what is (?:a|an|the) [\w\s']{1,25}\?|what's (?:a|an|the) [\w\s']{1,25}\?|whats (?:a|an) [\w\s']{1,25}\?|"
    r"like do i|does that mean|does that include|does (?:that|it) count|do you mean|qu[eé] (?:es|significa|quiere decir)|"
    r"what'?s that|what is that|meaning of)",
    re.IGNORECASE,
)

# A pause asked for: "hold up, stop. she's calling me, gimme a few", "brb", "one sec".
_PAUSE_ASKED = re.compile(
    r"^\W*(?:(?:ok|okay|sorry|wait|hey)\W+)?(?:(?:hold|hang)\s+(?:up|on)|one (?:sec|second|minute|moment)|just a (?:sec|second|minute|moment)|"
    r"brb|be right back|give me a (?:sec|second|minute|moment|few)|gimme a (?:sec|second|minute|min|few)|"
    r"(?:i\s+)?(?:need to|gotta|have to|got to) (?:pause|step away|go for a (?:sec|second|minute)|stop for (?:now|a (?:sec|second|minute|bit)))|pause)\b",
    re.IGNORECASE,
)

# The question not understood, said as such: "i dont get the question", "I don't understand", "huh?".
_NOT_UNDERSTOOD = re.compile(
    r"\b(?:i\s+)?(?:don'?t|do not|dont|didn'?t|didnt|did not)\s+(?:get|understand|follow|know what you mean)"
    r"(?:\s+(?:the question|your question|the q|that(?: one)?|this(?: one)?|what you mean|what you'?re asking|you|it))?"
    r"\s*(?=[.!?,;]|$)|^\W*(?:huh|what|que|qué|confused|i'?m confused|im confused)\W*$",
    re.IGNORECASE,
)

# Towns named like an everyday word, in the idiom "in <word>" ("sorry in advance": Advance, NC).
_IDIOMS_AFTER_IN = frozenset(
    "advance general time case person order charge progress recovery treatment crisis fact touch total "
    "public private love trouble between".split()
)


# "I am at my wits' end": no West End, NC.
_WITS_END = re.compile(r"\bwit'?s'?\s+end\b", re.IGNORECASE)


def _idiom(text: str, start: Any, end: Any) -> bool:
    if not (isinstance(start, int) and isinstance(end, int)):
        return False
    if _WITS_END.search(text[max(0, start - 2) : end + 2]):
        return True
    word = text[start:end].strip().lower()
    return word in _IDIOMS_AFTER_IN and bool(re.search(r"\bin\s+$", text[max(0, start - 4) : start], re.IGNORECASE))


# A message of at most these many words may be only a place ("Springfield, Missouri. 65806").
_PLACE_ONLY_WORDS = 8


def said_places(tracker: Tracker) -> List[Dict[str, Any]]:
    """The places of the place names the NLU found in the latest message, resolved (found or
    outside); a place said as a past one or as a workplace is never taken for where the person
    lives, and a town to ask about (in two states) leaves the others out too."""
    text = tracker.latest_message.get("text") or ""
    now, unsettled = [], False
    writers, persons, writer_unsettled = [], [], False
    for entity in _entities(tracker):
        if entity.get("entity") == "place" and entity.get("value"):
            start, end = entity.get("start"), entity.get("end")
            # The words as said: "We're in Salem" is asked about (MA or OR), though the NLU names
            # the only Salem of the states served.
            said = text[start:end] if isinstance(start, int) and isinstance(end, int) and end > start else ""
            match = resolve_place(said or str(entity["value"]))
            if said and match.status not in ("found", "outside", "ambiguous"):
                match = resolve_place(str(entity["value"]))
            past = isinstance(start, int) and _PAST_PLACE.search(text[max(0, start - 30) : start])
            # "got out of MCI Norfolk", "Lowell General", "Hampden County jail": a place in the
            # name of an institution, not where the person lives.
            past = past or (isinstance(start, int) and _INSTITUTION_BEFORE.search(text[max(0, start - 12) : start]))
            past = past or (isinstance(end, int) and _INSTITUTION_AFTER.match(text[end : end + 30]))
            # "a social worker at the Bedford VA", "the Durham VA hospital": Veterans Affairs, not Virginia.
            past = past or bool(
                said
                and _VA_FACILITY.search(said)
                and (
                    _THE_BEFORE.search(text[max(0, start - 5) : start])
                    or _INSTITUTION_AFTER.match(text[end : end + 30])
                )
            )
            # "the shelter on middlesex st.": a street, not a town.
            past = past or (isinstance(end, int) and bool(_STREET_AFTER.match(text[end : end + 12])))
            before = text[max(0, start - 40) : start] if isinstance(start, int) else ""
            past = past or bool(_CARE_PLACE_BEFORE.search(before))
            if past or _idiom(text, start, end):
                continue  # "I was in Fall River", "she works in Lowell", "sorry in advance"
            if match.status in ("found", "outside"):
                now.append(match.place)
                if _WRITER_PLACE_BEFORE.search(before):
                    writers.append(match.place)
                elif _PERSON_PLACE_BEFORE.search(before):
                    persons.append(match.place)
            elif match.status == "ambiguous":
                unsettled = True  # "now in Providence" (RI or NC): asked, no other town taken
                # "I live in Lowell but she lives in ...": the writer's town to ask about; hers may settle it.
                writer_unsettled = writer_unsettled or bool(_WRITER_PLACE_BEFORE.search(before))
    if (writers or writer_unsettled) and not persons:
        # "I live in Lawrence Massachusetts but he live in the Bronx" (a town the NLU does not
        # know, outside the states served): the person's place, told after "he lives in".
        persons = place_told(text, _PERSON_LIVE_CUE)
        now = [place for place in now if not any(place is w for w in writers)] + persons if persons else now
        unsettled = unsettled and not persons
    elif persons and writers:
        now = [place for place in now if not any(place is w for w in writers)]
    if not now and not unsettled:
        # No place the NLU found, or none of them where the person lives ("his doctor is in
        # Attleboro"): a place told as home in the words ("We live in Pawtucket, Rhode Island").
        now = place_told(text)
    return [] if unsettled else now


def places_to_ask_about(tracker: Tracker) -> List[Dict[str, Any]]:
    """The towns to choose from when the latest message named, as the place now, a town in more
    than one state ("we're in Springfield"); [] otherwise."""
    text = tracker.latest_message.get("text") or ""
    for entity in _entities(tracker):
        start, end = entity.get("start"), entity.get("end")
        if entity.get("entity") != "place" or not (isinstance(start, int) and isinstance(end, int)):
            continue
        if (
            _PAST_PLACE.search(text[max(0, start - 30) : start])
            or _INSTITUTION_AFTER.match(text[end : end + 30])
            or _idiom(text, start, end)
        ):
            continue
        match = resolve_place(text[start:end])
        if match.status == "ambiguous":
            return list(match.candidates or [])
    return []


# "I live in Worchester mass zero one six oh five": where a place is told as home, in a clause the
# NLU found no place in (a typo, a ZIP said as words).
_LIVE_CUE = re.compile(
    r"\b(?:i'?m|we'?re|(?:i|we|he|she|they)\s+(?:live|lives|living|stay|stays|staying|am|are|is))\s+(?:in|at|near)\s+",
    re.IGNORECASE,
)


def place_told(text: str, cues: re.Pattern = _LIVE_CUE) -> List[Dict[str, Any]]:
    for cue in cues.finditer(text):
        rest = text[cue.end() :]
        clause = re.split(r"[.!?;\n]| and | but | with | i have | i'm | im | he has | she has ", rest, maxsplit=1)[0]
        # "Pawtucket, Rhode Island, but ...": the town and its state; not a list after a comma.
        clause = ",".join(clause.split(",")[:2])
        if _WITS_END.search(clause):
            continue
        words = clause.split()[:8]
        for n in range(len(words), 0, -1):
            said = " ".join(words[:n])
            if _STREET_AFTER.match(" " + " ".join(words[n:])):
                continue  # "I am at Pine Street": a street (a shelter's), not Pine, AZ
            match = resolve_place(said)
            # Outside the states served, a town said beyond doubt: with a ZIP or its state, or
            # written as a name ("he live in the Bronx"; not "we live in the woods", Woods, KY).
            named = said[:1].isupper()
            if match.status == "found" or (
                match.status == "outside" and (_said_with_zip_or_state(said, match.place) or named)
            ):
                return [match.place]  # not "we live in the woods" (Woods, KY)
            if match.status == "ambiguous":
                return []
    return []


def _said_with_zip_or_state(text: str, place: Dict[str, Any]) -> bool:
    """Whether a place is said beyond doubt: with a ZIP, or its state ("home" is a town in Kansas)."""
    if re.search(r"\b\d{5}\b", text):
        return True
    words = [w.strip(".,;!?") for w in text.split()]
    pairs = [" ".join(words[i : i + 2]) for i in range(len(words) - 1)]
    return any(state_code(w) == place.get("state") for w in words + pairs if w)


def facts_as_slots(facts: Dict[str, Any]) -> Dict[Text, Any]:
    """The facts of read_facts as slot values (the relation too; the diagnosis words are only said back)."""
    return {key: value for key, value in facts.items() if key != "diagnosis_text"}


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


def answer_slots(question_id: str, parsed: Any) -> Dict[Text, Any]:
    """The slots of an open question's parsed answer (the relation too, for who it is for)."""
    slots: Dict[Text, Any] = {question_id: parsed.value, "screening_retries": 0}
    if question_id == "for_whom" and parsed.extra.get("relation"):
        slots["relation"] = parsed.extra["relation"]
    return slots


def open_question_answer(tracker: Tracker, skip_spans: List[List[int]] = (), sure: bool = False) -> Dict[Text, Any]:
    """The open screening question's answer in the latest message, leaving out the character spans
    `skip_spans`; `sure`: "not sure" does not count (a message about something else is no "not sure")."""
    if tracker.active_loop.get("name") != "screening_form":
        return {}
    question_id = tracker.get_slot(REQUESTED_SLOT)
    text = (tracker.latest_message or {}).get("text") or ""
    if question_id not in questions.question_ids() or text.startswith("/"):
        return {}
    rest = text_outside(text, list(skip_spans))
    if not rest.strip():
        return {}
    if question_id == "location":
        match = resolve_place(rest)
        return {"location": match.place} if match.status in ("found", "outside") else {}
    parsed = parse_answer(question_id, rest, context=ValidateScreeningForm._context(tracker))
    if parsed.value is None or (sure and parsed.value == NOT_SURE):
        return {}
    return answer_slots(question_id, parsed)


def answer_outside_crisis(tracker: Tracker) -> Dict[Text, Any]:
    """The open question's answer from the sentences of a crisis message that are not the crisis.

    "I'm 34, I live in Lowell, and I took all my pills an hour ago" answers the crisis first; the
    age or the town, when that is the open question, is kept too. The crisis sentences themselves
    are never read as an answer ("pills an hour ago" is not a date of discharge).
    """
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    if tracker.get_slot(REQUESTED_SLOT) == "consent":
        return {}  # no one agrees to a program in the words of a crisis: asked again after
    # "honestly I don't know why I'm doing this. [crisis]" is no "not sure" to the open question.
    return open_question_answer(tracker, (message.get("crisis") or {}).get("spans") or [[0, len(text)]], sure=True)


def facts_outside_crisis(tracker: Tracker) -> Dict[Text, Any]:
    """With no screening open, the screening facts a crisis message gives outside its crisis
    sentences ("Good evening. I am writing about my grandson, Tyler. He is 23 and he lives with me
    in Fitchburg. [risky sentence]"), as slots: kept, so that the screening, when the person is
    ready for it, does not ask them again."""
    if tracker.active_loop.get("name"):
        return {}
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    if not text or text.startswith("/"):
        return {}
    spans = (message.get("crisis") or {}).get("spans") or []
    if [0, len(text)] in [list(span) for span in spans]:
        return {}  # the whole message carries the risk: nothing is read from it
    outside = text_outside(text, spans)
    places = [p for p in said_places(tracker) if p.get("town", "").lower() in outside.lower()]
    facts = read_facts(outside, places=places)
    return facts_as_slots(facts) if answered_in(facts) else {}


def answer_instead_of_stop(tracker: Tracker) -> Dict[Text, Any]:
    """The open question's answer in a message the NLU took for "stop" but that says no stop
    command ("she cannot work, she stop talk to her friends"), or a short message with no word of
    stopping that answers it ("quincy" to the place question); {} for a real stop."""
    text = tracker.latest_message.get("text") or ""
    if says_stop(text) and has_stop_words(text):
        return {}
    answered = open_question_answer(tracker, sure=True)
    if says_stop(text) and not answered:
        return {}
    return answered


def times_asked_in_a_row(tracker: Tracker, question_id: str) -> int:
    """How many times the bot asked this question since it last asked another (its `question` payloads)."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "bot":
            continue
        custom = (event.get("data") or {}).get("custom") or {}
        if custom.get("type") != "question":
            continue
        if custom.get("id") != question_id:
            break
        count += 1
    return count


def last_question_answered(tracker: Tracker) -> Optional[str]:
    """The screening question answered last before this message ("no he doesn't want it" to the
    daily-living question answered consent), else the one the bot asked last."""
    ids, before_this_message = set(questions.question_ids()), False
    said = {e.get("text") for e in tracker.events if e.get("event") == "user"}
    asked = None
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            before_this_message = True
        elif before_this_message and event.get("event") == "slot" and event.get("name") in ids:
            # Not the message's own text, set on the open question before it was read.
            if event.get("value") is not None and event.get("value") not in said:
                return event["name"]
        elif event.get("event") == "bot" and asked is None:
            custom = (event.get("data") or {}).get("custom") or {}
            asked = custom.get("id") if custom.get("type") == "question" else None
    return asked


def times_asked_unanswered(tracker: Tracker, question_id: str) -> int:
    """How many times the bot asked this question since it was last answered, whatever came in
    between (other questions too: "go back" to another question and back again)."""
    count, before_this_message = 0, False
    # A message's own text, put in the open question's slot before it was read (and set back to
    # None when it was no answer), answered nothing: "change his mind" to consent, six times over.
    said = {e.get("text") for e in tracker.events if e.get("event") == "user"}
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            before_this_message = True  # slots set after it are this message's, not yet validated
        if not before_this_message:
            continue
        if (
            event.get("event") == "slot"
            and event.get("name") == question_id
            and event.get("value") is not None
            and not (isinstance(event.get("value"), str) and event.get("value") in said)
        ):
            break
        if event.get("event") == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            if custom.get("type") == "question" and custom.get("id") == question_id:
                count += 1
    return count


# However the asking goes (interruptions, "go back", a control word read in an answer), a
# question asked this many times without an answer is taken as "not sure": never a loop.
MAX_ASKS_UNANSWERED = 6


def interruption_counted(tracker: Tracker) -> Dict[Text, Any]:
    """A crisis answer in the middle of the screening counts as one of the three times its question
    may come back; the third time the question is taken as "not sure" (never a loop)."""
    question_id = tracker.get_slot(REQUESTED_SLOT)
    if tracker.active_loop.get("name") != "screening_form" or question_id not in questions.question_ids():
        return {}
    # Counted from what was asked too, not only from the slot: a form resumed after a safety
    # question starts its count again, the conversation does not.
    retries = max(int(tracker.get_slot("screening_retries") or 0), times_asked_in_a_row(tracker, question_id) - 1)
    if retries >= MAX_RETRIES:
        return {question_id: NOT_SURE, "screening_retries": 0, "ask_back": None}
    return {"screening_retries": retries + 1}


def _denied_in_own_clause(question_id: str, text: str, value: Any, context: Dict[str, Any]) -> Optional[ParsedAnswer]:
    """ "no psych hospital ever. ER 4 times since mid september": the open question denied in a
    clause of its own words, a time or count said for another question in the rest. The clause
    that speaks of the question decides; None when it does not deny it or says the same."""
    if len(clauses(text)) < 2:
        return None
    others = set(question_ids()) - {question_id}
    if question_id in YES_NO_QUESTIONS and value in ("yes", "no"):
        # "Hospital psiquiátrico nunca. A emergencia fue una vez en octubre. Y sí, él quiere": the
        # "nunca" is the hospital's (its first clause speaks of another question, not of this
        # one); the clause in the question's own words says yes. "No. He says he is not sick. I
        # want it for him but he says no" opens with the answer itself: kept.
        first = clauses(text)[0]
        if speaks_of(question_id, first) or not any(speaks_of(q, first) for q in others):
            return None
        own = read_facts(text, skip=others, context={**context, "asked": question_id}).get(question_id)
        return ParsedAnswer(own) if own in ("yes", "no") and own != value else None
    if question_id not in ("psych_discharge", "er_visits", "justice") or value in (None, NOT_SURE, "no", 0):
        return None
    own = read_facts(text, skip=others, context={**context, "asked": question_id}).get(question_id)
    return ParsedAnswer(own) if own in ("no", 0) else None


def _plain_answer_of_another_question(question_id: str, text: str, value: Any) -> bool:
    """ "He's in a tent, no housing lined up, can't keep a job. No charges.": a plain "no" to the
    diagnosis question in a message about other questions, with no word of a diagnosis, is theirs.
    So is a "no" or "yes" that opens a clause in another question's words, to the diagnosis
    question or to "has housing been found?" ("no psych admissions", "yes she wants it"), unless
    it stands in a clause alone ("no, nothing yet")."""
    plain = {"diagnosis": ("no", "yes"), "housing": ("homeless", "homeless_psh")}
    if value not in plain.get(question_id, ()) or speaks_of(question_id, text):
        return False
    others = set(question_ids()) - {question_id}
    first = clauses(text)[0]
    words = first.split()
    if len(words) > 1 and words[0].strip(",.!").lower() in _PLAIN_WORDS and any(speaks_of(o, first) for o in others):
        return True
    if question_id != "diagnosis" or value != "no" or len(text.split()) <= _LONG_REPLY_WORDS:
        return False
    return bool(answered_in(read_facts(text, skip={"diagnosis"}, context={"asked": "diagnosis"})))


_LONG_REPLY_WORDS = 8
# The words that open a plain answer: "no psych admissions", "yes she wants it".
_PLAIN_WORDS = frozenset(("no", "nope", "nah", "never", "yes", "yeah", "yep", "ya", "yea", "sí", "si"))

# The key of `_parse_open`'s answer that names another question a "not sure" was about (no slot).
NOT_SURE_OF = "not_sure_of"


def _not_sure_of_another_question(question_id: str, text: str, value: Any, answers: Dict[str, Any]) -> Optional[str]:
    """ "i dont know if i have trouble getting to care... not sure" to the housing question: the
    doubt is about the one other question the message speaks of (not yet answered), not the open
    one, which is asked again."""
    if value != NOT_SURE or speaks_of(question_id, text):
        return None
    spoken = [
        q
        for q in question_ids()
        if q not in (question_id, "for_whom", "location") and q not in answers and speaks_of(q, text)
    ]
    return spoken[0] if len(spoken) == 1 else None


def another_person(facts: Dict[str, Any], answers: Dict[str, Any], relation: Optional[str]) -> bool:
    """Whether facts read after the results are about someone else than the screening was ("now
    my brother, he's 30"): another relation, or another kind of asker."""
    if "for_whom" not in facts or "for_whom" not in answers:
        return False
    return facts["for_whom"] != answers["for_whom"] or bool(facts.get("relation")) and facts["relation"] != relation


class ActionStartScreening(Action):
    """Starts (or resumes) the screening, taking who it is for from the first message if said."""

    def name(self) -> Text:
        return "action_start_screening"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent, _ = _intent(tracker)
        answers = screening_answers(tracker, skip_unvalidated=False)
        finished = tracker.get_slot("eligibility") is not None
        events: List[EventType] = [SlotSet("screening_retries", 0), SlotSet("place_candidates", None)]
        target = _entity_value(tracker, "question") if intent == "change_answer" else None
        if intent == "change_answer" and target is None and finished and answers:
            from actions.questions import corrected_answers

            if not corrected_answers(tracker):
                # "wait, I want to change my answer about wanting the help" after the results, no
                # question named and no new answer said: the last question answered.
                plan = question_plan(tracker, answers)
                last = last_question_answered(tracker)
                target = last if last in answers else next((q for q in reversed(plan) if q in answers), None)
        if target is not None and finished and answers:
            from actions.questions import corrected_answers

            corrected = corrected_answers(tracker)
            if corrected and target not in corrected:
                # "no wait, it was 2 visits ... I forgot because I was out of town": the question
                # the new answer is to, not the one a word of the story named.
                target = None
        # "change my answer about the ER visits", after the results too (asked now if it never was)
        changing = target in answers or (bool(answers) and target in questions.question_ids())
        if finished and not changing and intent != "restart_screening":
            # "no wait, it was 2 visits" after the results: that answer changed, the rest kept.
            from actions.questions import corrected_answers

            corrected = corrected_answers(tracker)
            if corrected:
                dispatcher.utter_message(text=say_back(corrected).replace("Got it:", "Okay, I changed that:"))
                return events + [SlotSet(q, v) for q, v in corrected.items()] + [SlotSet("eligibility", None)]
            text = tracker.latest_message.get("text") or ""
            facts = read_facts(text, places=said_places(tracker)) if not text.startswith("/") else {}
            # Whatever the NLU made of it: "i got my own place, live alone. but i cant keep a job"
            # after the results tells more of the same person.
            if (intent == "inform" or answered_in(facts)) and not another_person(
                facts, answers, tracker.get_slot("relation")
            ):
                # "Yes. Before all this she told me she wants the team. She agrees." after the
                # results: nothing new about who it is for, so the same screening, nothing lost;
                # what is new is taken and the results come again.
                new = {q: v for q, v in facts_as_slots(facts).items() if q not in answers and q != "relation"}
                return events + [SlotSet(q, v) for q, v in new.items()] + [SlotSet("eligibility", None)]

        if intent == "restart_screening" or (finished and not changing) or not answers:
            events += [SlotSet(question_id, None) for question_id in questions.question_ids()]
            events += [
                SlotSet("relation", None),
                SlotSet("eligibility", None),
                SlotSet("coverage_needs_state", None),
                SlotSet("housing_hint", None),
            ]
            answers = {}
            dispatcher.utter_message(
                text="Let's see which programs may fit. I'll ask a few short questions, one at a "
                'time. You can tap a button or type your answer. Say "not sure" if you don\'t '
                'know, or "stop" at any time.'
            )
        elif changing:
            dispatcher.utter_message(text=f'Okay, let\'s change the answer to "{questions.label(target)}".')
            events += [SlotSet("eligibility", None), SlotSet(target, None), SlotSet("revisit", target)]
            # The new answer may be in the same message: "change the ER visits, it was 2" (not a
            # yes or no: "I want to change my answer about wanting the help" is no "I want").
            if target != "location" and target not in YES_NO_QUESTIONS and text_of(tracker):
                parsed = parse_answer(target, text_of(tracker), context=ValidateScreeningForm._context(tracker))
                if parsed.value is not None and parsed.value != NOT_SURE:
                    events += [SlotSet(target, parsed.value), SlotSet("revisit", None)]
            text = text_of(tracker)
            if text:
                # "change my answer about housing. i got the supportive housing unit, move in is
                # january 4th": a question not answered yet, told in the same message, is taken too.
                facts = read_facts(text, places=said_places(tracker), context=ValidateScreeningForm._context(tracker))
                events += [
                    SlotSet(q, v)
                    for q, v in facts_as_slots(facts).items()
                    if q in questions.question_ids() and q not in answers and q != target
                ]
            return events
        else:
            dispatcher.utter_message(text="Let's pick up the questions where we left off.")

        who = _entity_value(tracker, "for_whom")
        text = tracker.latest_message.get("text") or ""
        # "soy promotora, ayudo a una clienta", then the button: who the support is for, as the
        # messages before the questions told it (a fresh start only; the latest message wins).
        earlier = who_told_before(tracker) if not answers and intent != "restart_screening" else {}
        if who in ("self", "other", "client") and "for_whom" not in answers:
            events.append(SlotSet("for_whom", who))
        elif text.startswith("/"):
            if earlier:
                events += [SlotSet(key, value) for key, value in earlier.items()]
                dispatcher.utter_message(text=say_back(earlier))
        else:
            # Every fact of the first message: "it's for my son, he's 17, we live in Charlotte".
            facts = read_facts(text, skip={q for q, v in answers.items() if v != NOT_SURE}, places=said_places(tracker))
            facts = {**earlier, **facts}
            if "for_whom" not in facts and "for_whom" not in answers and len(text.split()) <= SHORT_REPLY_WORDS:
                # "me" to the greeting's "Who is the support for?": an answer to that question.
                parsed = parse_answer("for_whom", text)
                if parsed.value in ("self", "other", "client"):
                    facts.update(answer_slots("for_whom", parsed))
                    facts.pop("screening_retries", None)
            events += [SlotSet(key, value) for key, value in facts_as_slots(facts).items()]
            unsettled = [] if "location" in facts or "location" in answers else places_to_ask_about(tracker)
            if unsettled:
                # "we're in Springfield": which one (unless the coverage said says the state).
                state = registry().state_of_coverage(facts.get("coverage") or answers.get("coverage"))
                settled = [c for c in unsettled if state and c.get("state") == state]
                events.append(
                    SlotSet("location", settled[0]) if len(settled) == 1 else SlotSet("place_candidates", unsettled)
                )
            if len(answered_in(facts)) >= 2:
                dispatcher.utter_message(text=say_back(facts))

        return events


# How many of the person's messages before the questions are read for who the support is for.
_EARLIER_MESSAGES = 4


def who_told_before(tracker: Tracker) -> Dict[str, Any]:
    """Who the support is for (and the relation), as the person's messages before the latest one
    said it, since the conversation (or its last restart) began and before any screening: the
    latest of them wins. Crisis messages and buttons tell nothing. Only that: the other facts of
    messages before the questions are often told as past, doubted or asked about ("i got out of
    randolph in october", "my masshealth might be cut idk"); taken, they made wrong "likely"s in
    the replays of earlier rounds, so the questions ask them."""
    told: List[str] = []
    latest_seen = False
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if kind in ("session_started", "restart", "active_loop") or (
            kind == "action" and event.get("name") in ("action_restart", "action_start_screening", "screening_form")
        ):
            break
        if kind != "user":
            continue
        if not latest_seen:
            latest_seen = True  # the latest message is read by the caller
            continue
        text = event.get("text") or ""
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if not text.startswith("/") and intent not in ("crisis", "restart_screening"):
            told.append(text)
        if len(told) >= _EARLIER_MESSAGES:
            break
    others = set(questions.question_ids()) - {"for_whom"}
    facts: Dict[str, Any] = {}
    for text in reversed(told):  # oldest first: a later message overrides
        facts.update(read_facts(text, skip=others))
    return facts


class ActionResumeScreening(Action):
    """ "I'm back, I want to keep going" after "stop": the questions go on where they were, the
    answers kept. With no questions started (or the results given), the offer to start them."""

    def name(self) -> Text:
        return "action_resume_screening"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answers = screening_answers(tracker, skip_unvalidated=False)
        if not answers or tracker.get_slot("eligibility") is not None:
            dispatcher.utter_message(response="utter_no_screening_running")
            return []
        events = await ActionStartScreening().run(dispatcher, tracker, domain)
        return [*events, FollowupAction("screening_form")]


class ActionGreet(Action):
    """The greeting, which asks who the support is for. A greeting that says it already ("hi, I
    need help for my son") starts the questions with what it said instead."""

    def name(self) -> Text:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = text_of(tracker)
        facts = read_facts(text, places=said_places(tracker)) if text else {}
        if "for_whom" not in facts:
            dispatcher.utter_message(response="utter_greet")
            return []
        events = await ActionStartScreening().run(dispatcher, tracker, domain)
        return [*events, FollowupAction("screening_form")]


class AskScreeningQuestion(Action):
    """Asks one screening question: text in the asker's voice, buttons, and the `question` payload."""

    question_id: Text = ""

    def name(self) -> Text:
        return f"action_ask_{self.question_id}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        question_id = self.question_id
        candidates = tracker.get_slot("place_candidates")
        pending = tracker.get_slot("ask_back") or {}
        if question_id == "location" and candidates:
            ask_which_place(dispatcher, candidates)
        elif pending.get("question") == question_id and pending.get("variant"):
            # "idk" to the age: which side of 18, once.
            dispatcher.utter_message(
                text=questions.wording(
                    question_id, voice(tracker), tracker.get_slot("relation"), False, pending["variant"]
                ),
                buttons=questions.buttons(question_id, known_state(tracker), pending["variant"]),
            )
        elif pending.get("question") == question_id:
            ask_which_side(dispatcher, question_id, pending)
        else:
            again = bool(tracker.get_slot("screening_retries"))
            # "I'm at a shelter" said before: only whether housing is lined up is left to ask.
            # Asked to change the housing answer: the whole question again.
            lined_up = tracker.get_slot("housing_hint") == "homeless" and tracker.get_slot("revisit") != "housing"
            variant = "lined_up" if question_id == "housing" and lined_up else ""
            dispatcher.utter_message(
                text=questions.wording(question_id, voice(tracker), tracker.get_slot("relation"), again, variant),
                buttons=questions.buttons(question_id, known_state(tracker), variant),
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


ASK_BACK = {
    # question -> (the question, the "less" button, the "more" button); {unit} from the parser.
    "psych_discharge": ("Was it more or less than {unit} ago?", "Less than {unit} ago", "More than {unit} ago"),
    "move_in": ("Is the move-in more or less than {unit} from now?", "Less than {unit}", "More than {unit}"),
    "er_visits": ("In the last 3 months (90 days) only: was it {unit} or more, or fewer?", "Fewer", "{unit} or more"),
}
ASK_BACK_COUNT = ("Was it {unit} or more, or fewer?", "Fewer", "{unit} or more")


def ask_which_side(dispatcher: CollectingDispatcher, question_id: str, pending: Dict[str, Any]) -> None:
    """An answer near a rule's boundary ("about six months ago"): one short question, two buttons."""
    unit = pending.get("unit") or str(pending.get("near"))
    text, less, more = ASK_BACK.get(question_id, ASK_BACK_COUNT)
    dispatcher.utter_message(
        text=text.format(unit=unit),
        buttons=[
            {"title": less.format(unit=unit), "payload": "less"},
            {"title": more.format(unit=unit), "payload": "more"},
            {"title": "Not sure", "payload": "not sure"},
        ],
    )


# State codes that are words too ("the one near me", "or", "in"): taken only as capitals.
_CODES_THAT_ARE_WORDS = frozenset("me or in oh ok hi de la pa co al id".split())


def _candidate_named(text: str, candidates: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The one town of those asked about whose state the reply names, by code ("nh lol the real
    one", "MA") or name ("the one in New Hampshire"); None when it names none or several."""
    if not candidates or not text or text.startswith("/"):
        return None
    names = us_state_names()
    norm = f" {normalize(text)} "
    named = [
        c
        for c in candidates
        if isinstance(c, dict)
        and c.get("state")
        and (
            (c["state"].lower() not in _CODES_THAT_ARE_WORDS and f" {c['state'].lower()} " in norm)
            or f" {normalize(names.get(c['state'], '')).strip()} " in norm
            or re.search(rf"\b{re.escape(c['state'])}\b", text)  # "NC." "(MA)"
        )
    ]
    return named[0] if len(named) == 1 else None


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
        if isinstance(value, dict):
            return {"location": value, "place_candidates": None, **self._coverage_by_place(value, dispatcher, tracker)}
        if value == NOT_SURE:
            return {"location": value, "place_candidates": None}
        return self._validate("location", value, dispatcher, tracker)

    @staticmethod
    def _coverage_by_place(
        place: Dict[str, Any], dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        """ "She has Medicaid" said before the place: once the place is known, which Medicaid it is."""
        if not tracker.get_slot("coverage_needs_state") or tracker.get_slot("coverage") is not None:
            return {}
        parsed = parse_answer("coverage", "medicaid", context={"state": place.get("state")})
        if parsed.value is None:
            return {}
        dispatcher.utter_message(text=say_back({"coverage": parsed.value}))
        return {"coverage": parsed.value, "coverage_needs_state": None}

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
        text = tracker.latest_message.get("text") or value
        if times_asked_unanswered(tracker, question_id) >= MAX_ASKS_UNANSWERED:
            parsed = parse_answer(question_id, text, context=self._context(tracker))
            if parsed.value is not None and question_id != "location":
                return answer_slots(question_id, parsed)
            dispatcher.utter_message(text="No problem. I'll mark that one as \"not sure\" and we'll go on.")
            return {question_id: NOT_SURE, "screening_retries": 0, "place_candidates": None, "revisit": None}
        if (
            not text.startswith("/")
            and (is_correction(text) or question_id in YES_NO_QUESTIONS)
            and question_id != "location"
            and not speaks_of(question_id, text)
        ):
            # "no wait, it was 2 visits" while another question is open corrects the earlier answer;
            # "yes, I want this support and agree to take part" to the justice question is consent's
            # answer. Either way the open question is asked again, not answered by the "no" or "yes".
            corrected = self._other_facts(question_id, text, {}, dispatcher, tracker, only_named=True)
            if corrected:
                return {question_id: None, **corrected}
            if is_correction(text):
                # "no wait, it was only once since october" to the housing question, the ER visits
                # answered last: that answer changed, in words that name no question.
                changed = self._new_answer_in(
                    last_question_answered(tracker), question_id, screening_answers(tracker), dispatcher, tracker
                )
                if changed:
                    return changed
        if (
            intent in CONTROL_INTENTS
            and confidence >= CONTROL_CONFIDENCE
            and (text.startswith("/") or says_a_command(text))
            and not self._answer_not_command(question_id, text)
        ):
            return self._control(intent, question_id, dispatcher, tracker)
        if intent == "nlu_fallback" and is_question(text):
            # "does it cost anything?" the NLU was unsure of: the program questions' ranking decides.
            intent, confidence = "faq", QUESTION_CONFIDENCE
        asked_something = (
            intent not in ("inform", "affirm", "deny", "not_sure")
            and confidence >= QUESTION_CONFIDENCE
            and is_question(text)
        )
        if not asked_something and "?" in text and faq.decide(faq_ranking(tracker)).kind in (faq.ONE, faq.BOTH):
            # "we live in Worcester, does it cost anything?": an answer, and a program question the
            # ranking is sure of.
            intent, asked_something = "faq", True
        # The open question first: the message is read with its parser (the text, one parse path),
        # and every other fact it gives is taken too. A message that is also a question about the
        # programs gets its answer after.
        if question_id != "location" and _NOT_UNDERSTOOD.search(text):
            # "what do you mean barriers. like money? i dont get the question": its "dont" is no
            # "no"; what else the message says is read without it.
            text = _NOT_UNDERSTOOD.sub(" ", text)
            if not re.sub(r"[\W_]+", "", text):
                return self._unclear(question_id, dispatcher, tracker)
        meaning = _MEANING_ASKED.search(text) if question_id != "location" and "?" in text else None
        if meaning and not text[text.rindex("?") + 1 :].strip():
            # "what does that mean, justice involvement? like do i have a PO?": a question about
            # the question, no answer (its "PO" is no "yes"). Answered where the program questions
            # know it, then the question again (counted).
            if not asked_something and faq.decide(faq_ranking(tracker)).kind in (faq.ONE, faq.BOTH):
                intent, asked_something = "faq", True
            if asked_something:
                answer_interruption(intent, tracker, dispatcher)
            return self._unclear(question_id, dispatcher, tracker)
        if meaning:
            # "what kind of trouble do you mean? I don't have a car ... So yes.": the answer is
            # what follows the question.
            text = text[text.rindex("?") + 1 :]
        if (
            says_resume(text)
            and not speaks_of(question_id, text)
            and (question_id != "location" or resolve_place(text).status not in ("found", "outside", "ambiguous"))
        ):
            # "im ok for now, can we keep going", "ya estoy mejor, ¿podemos seguir?": the person asks
            # to go on; its "ok" or "ya" is no answer. The question again (counted).
            return self._unclear(question_id, dispatcher, tracker)
        pause = _PAUSE_ASKED.match(text)
        if pause:
            # "hold up, stop. she's calling me, gimme a few": a pause, no answer and no end; "one
            # sec. he's 44" answers after it (its "one" is no age).
            text = text[pause.end() :].lstrip(" ,.;:!-")
            answered = {q for q, v in screening_answers(tracker).items() if v != NOT_SURE}
            if not answered_in(read_facts(text, skip=answered, places=said_places(tracker))) and (
                question_id == "location"
                or parse_answer(question_id, text, context=self._context(tracker)).value is None
            ):
                dispatcher.utter_message(
                    text="Take your time. Your answers so far are kept. When you're ready, answer the question below."
                )
                return {question_id: None}
        if question_id == "location":
            slots = self._validate_place(text, dispatcher, tracker)
        elif question_id == "move_in" and parse_answer("housing", text).value == "homeless":
            # "there's no move-in date, nothing lined up yet": no housing found after all.
            dispatcher.utter_message(text=say_back({"housing": "homeless"}))
            return {"housing": "homeless", "move_in": None, "screening_retries": 0, "revisit": None}
        else:
            slots = self._parse_open(question_id, text, dispatcher, tracker)
        if slots.get(question_id) is not None or slots.get("place_candidates"):
            slots.update(self._other_facts(question_id, text, slots, dispatcher, tracker))
            slots.update(self._place_by_coverage(slots, tracker))
            if asked_something:
                answer_interruption(intent, tracker, dispatcher)
            return slots
        if slots.get("ask_back"):
            return slots
        others = self._other_facts(question_id, text, slots, dispatcher, tracker)
        if slots.get(NOT_SURE_OF):
            others = {**others, slots[NOT_SURE_OF]: NOT_SURE}
        settled = self._place_by_coverage({**others, "location": None}, tracker) if question_id == "location" else {}
        if settled:
            return {**others, **settled}  # "he has MassHealth" settles which Lowell
        if others:
            # Not this question's answer, but answers to others: taken, and this one asked again
            # (counted: the same question at most three times in a row). A program question in
            # the same message ("we live in Worcester, does it cost anything?") is answered too.
            if asked_something:
                answer_interruption(intent, tracker, dispatcher)
            return {**self._unclear(question_id, dispatcher, tracker), **others}

        # "He came home from the psych unit on 06.04.26." is no program question, whatever the NLU
        # made of it: a program answer only for a message asked as a question.
        interruption = None if intent == "faq" and not is_question(text) else intent
        if answer_interruption(interruption, tracker, dispatcher):
            # Interruptions count too: the same question at most three times in a row, whatever
            # comes in between, then "not sure" and the screening goes on (never a loop).
            return self._unclear(question_id, dispatcher, tracker)
        if question_id == "coverage" and slots.get("needs_state"):
            names = [s.medicaid.name for s in registry().states.values()]
            dispatcher.utter_message(
                text=f"Thanks. Medicaid has a different name in each state, like {' or '.join(names)}."
            )
        return self._unclear(question_id, dispatcher, tracker)

    def _parse_open(
        self, question_id: str, text: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        """The open question's answer: its slots, or {} (with "needs_state" / "ask_back" set when
        the answer needs one more word)."""
        context = self._context(tracker)
        if question_id == "housing" and tracker.get_slot("housing_hint"):
            context["hint"] = tracker.get_slot("housing_hint")
        pending = tracker.get_slot("ask_back") or {}
        if pending.get("question") == question_id:
            context["near"] = pending.get("near")
            if pending.get("yes_means"):
                context["yes_means"] = pending["yes_means"]
        parsed = parse_answer(question_id, text, context=context)
        denied = _denied_in_own_clause(question_id, text, parsed.value, context)
        if denied is not None:
            parsed = denied
        if _plain_answer_of_another_question(question_id, text, parsed.value):
            parsed = ParsedAnswer(None)
        doubt_of = _not_sure_of_another_question(question_id, text, parsed.value, screening_answers(tracker))
        if doubt_of:
            return {NOT_SURE_OF: doubt_of}
        if (
            question_id == "age"
            and parsed.value == NOT_SURE
            and not pending
            and normalize(text) != "not sure"  # the button: taken as it is
            and not re.search(r"\d", text)
        ):
            # "idk" to the age: which side of 18 is asked once ("Is he 18 or older? A best guess
            # is fine."); it counts as one of the three times the question may be asked.
            return {
                "screening_retries": int(tracker.get_slot("screening_retries") or 0) + 1,
                question_id: None,
                "ask_back": {"question": "age", "near": 18, "unit": "18", "variant": "adult", "yes_means": "above"},
            }
        if parsed.value is not None:
            return {**answer_slots(question_id, parsed), "revisit": None, "ask_back": None}
        if parsed.extra.get("near") is not None and not pending:
            # Could be either side of a rule's boundary ("about six months ago"): ask, don't guess.
            # The ask-back counts as one of the three times the question may be asked.
            return {
                "screening_retries": int(tracker.get_slot("screening_retries") or 0) + 1,
                question_id: None,
                "ask_back": {"question": question_id, "near": parsed.extra["near"], "unit": parsed.extra.get("unit")},
            }
        return {"needs_state": True} if parsed.extra.get("needs_state") else {}

    def _other_facts(
        self,
        question_id: str,
        text: str,
        slots: Dict[Text, Any],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        only_named: bool = False,
    ) -> Dict[Text, Any]:
        """Answers the message gives to other questions: taken where not answered yet (or where the
        person corrects an answer: "no wait, it was 2 visits"), and said back in one line.

        `only_named`: only a correction of an earlier answer, or a yes/no question's answer said in
        its own words ("I agree to take part"); {} for anything else."""
        if text.startswith("/"):
            return {}
        answers = screening_answers(tracker)
        correcting = is_correction(text)
        # A "not sure" given before is replaced by a sure answer said later ("he has masshealth").
        sure = {q for q, v in answers.items() if v != NOT_SURE}
        skip = {question_id} if correcting else {question_id, *sure}
        places = [] if question_id == "location" else said_places(tracker)
        context = {**self._context(tracker), "asked": question_id}
        facts = read_facts(text, skip=skip, places=places, context=context)
        if (
            answers.get("housing") == "homeless"
            and question_id not in ("housing", "move_in")
            and speaks_of("housing", text)
        ):
            # "She has been accepted for a permanent supportive housing unit" after "homeless": the
            # fuller answer, not a correction.
            fuller = read_facts(text, skip=set(question_ids()) - {"housing", "move_in"}, context=context)
            if fuller.get("housing") == "homeless_psh":
                facts["housing"] = "homeless_psh"
        moved = self._place_said_again(question_id, text, answers, slots)
        if moved:
            facts["location"] = moved
        if (
            not correcting
            and slots.get(question_id) is None
            and question_id != "for_whom"
            and "for_whom" in sure
            and _SAYS_FOR_WHOM.match(text)
        ):
            # "is for my brother" to the place question, after "self" was taken: who it is for.
            said = read_facts(text, skip={question_id}, context=context)
            relation = said.get("relation")
            if said.get("for_whom") and relation and relation != tracker.get_slot("relation"):
                facts.update({"for_whom": said["for_whom"], "relation": relation})
        if (
            not correcting
            and answers.get("coverage") == NOT_SURE
            and not registry().state_of_coverage(facts.get("coverage"))
        ):
            facts.pop("coverage", None)  # a "not sure" coverage is replaced by a Medicaid named, not by "the VA"
        if only_named:
            relation = facts.get("relation")
            facts = {
                q: v
                for q, v in facts.items()
                if ((q in answers and answers[q] != v) if correcting else (q in YES_NO_QUESTIONS and q not in answers))
            }
            if "for_whom" in facts and relation:
                facts["relation"] = relation  # "its actually for my husband not me": who, with the relation
        if not answered_in(facts):
            return {}
        taken = facts_as_slots(facts)
        shown = dict(facts)
        if slots.get(question_id) is not None:
            shown[question_id] = slots[question_id]
            if question_id == "for_whom" and slots.get("relation"):
                shown["relation"] = slots["relation"]
        line = say_back(shown)
        if line:
            dispatcher.utter_message(text=line)
        return taken

    def _validate_place(self, text: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        picked = _candidate_named(text, tracker.get_slot("place_candidates") or [])
        if picked is not None:
            # "There is Manchester in more than one state. Which one?" "nh lol the real one"
            slots = {"location": picked, "screening_retries": 0, "place_candidates": None, "revisit": None}
            return {**slots, **self._coverage_by_place(picked, dispatcher, tracker)}
        match = resolve_place(text)
        told = (
            said_places(tracker)
            if match.status in ("found", "outside") and len(text.split()) > _PLACE_ONLY_WORDS
            else []
        )
        if told and told[0] != match.place:
            # "We live in Pawtucket, Rhode Island, but his doctor is in Attleboro": where they live.
            served = registry().served_states()
            match = PlaceMatch("found" if told[0].get("state") in served else "outside", told[0])
        if match.status not in ("found", "outside", "ambiguous") and parse_answer("consent", text).value == NOT_SURE:
            # "not sure" with no place in it ("greenville, south carolina, dont know the zip" has one)
            return {"location": NOT_SURE, "screening_retries": 0, "place_candidates": None}
        if match.status in ("found", "outside"):
            slots = {"location": match.place, "screening_retries": 0, "place_candidates": None, "revisit": None}
            return {**slots, **self._coverage_by_place(match.place, dispatcher, tracker)}
        if match.status == "ambiguous":
            # "Which one do you mean?" is the question again, counted like any unclear answer: the
            # third time "not sure", the towns kept so that the coverage may still settle it.
            return {**self._unclear("location", dispatcher, tracker), "place_candidates": match.candidates}
        return self._unclear("location", dispatcher, tracker)

    def _unclear(self, question_id: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        retries = max(int(tracker.get_slot("screening_retries") or 0), times_asked_in_a_row(tracker, question_id) - 1)
        if retries >= MAX_RETRIES:
            dispatcher.utter_message(text="No problem. I'll mark that one as \"not sure\" and we'll go on.")
            return {
                question_id: NOT_SURE,
                "screening_retries": 0,
                "place_candidates": None,
                "revisit": None,
                "ask_back": None,
            }
        return {question_id: None, "screening_retries": retries + 1}

    def _control(
        self, intent: str, question_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        answers = screening_answers(tracker)
        if intent == "restart_screening":
            dispatcher.utter_message(text="Okay, let's start over from the first question.")
            cleared = {q: None for q in questions.question_ids()}
            return {
                **cleared,
                "relation": None,
                "coverage_needs_state": None,
                "housing_hint": None,
                "screening_retries": 0,
                "place_candidates": None,
                "revisit": None,
                "ask_back": None,
            }

        target = _entity_value(tracker, "question") if intent == "change_answer" else None
        changed = self._new_answer_in(target, question_id, answers, dispatcher, tracker)
        if changed:
            return changed
        if target in questions.question_ids() and target not in answers and target != question_id:
            # "change my answer about the ER visits" before that question was asked: asked now.
            dispatcher.utter_message(text=f'Okay, let\'s answer "{questions.label(target)}" now.')
            return {question_id: None, "screening_retries": 0, "place_candidates": None, "revisit": target}
        if target == question_id:
            # "change my answer about housing. she got a supportive housing apartment!!" to the
            # housing question itself: its answer, not an earlier question's.
            own = self._parse_open(question_id, text_of(tracker), dispatcher, tracker)
            if own.get(question_id) is not None:
                return own
            return {question_id: None}
        if target not in answers:
            plan = question_plan(tracker, answers)
            earlier = [q for q in plan[: plan.index(question_id)] if q in answers] if question_id in plan else []
            target = earlier[-1] if earlier else None
        if target is None:
            dispatcher.utter_message(text="This is the first question, so there's nothing to go back to.")
            return {question_id: None}
        if speaks_of(target, text_of(tracker)):
            # "wait, it was 2 visits. I forgot the one last week": the question answered last, in
            # its own words, with its new answer.
            changed = self._new_answer_in(target, question_id, answers, dispatcher, tracker)
            if changed:
                return changed
        dispatcher.utter_message(text=f'Okay, let\'s change the answer to "{questions.label(target)}".')
        # Asked again even where it no longer changes the outcome: the person asked to change it.
        return {target: None, question_id: None, "screening_retries": 0, "place_candidates": None, "revisit": target}

    def _new_answer_in(
        self,
        target: Optional[str],
        question_id: str,
        answers: Dict[str, Any],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> Dict[Text, Any]:
        """ "wait, I'm reading the records wrong - it was 2 ER visits, 11/12 and 11/28": a change
        of an answer with the new answer in the same message; taken, said back, and the open
        question asked again. {} when there is none ("sorry I said 21, can I change his age?":
        the answer given before is no new one; a yes or no question is asked again)."""
        text = text_of(tracker)
        if (
            target not in questions.question_ids()
            or target in (question_id, "location")
            or target in YES_NO_QUESTIONS
            or not text
            or text.startswith("/")
        ):
            return {}
        parsed = parse_answer(target, text, context={**self._context(tracker), "asked": target})
        if parsed.value is None or parsed.value == NOT_SURE or parsed.value == answers.get(target):
            return {}
        dispatcher.utter_message(text=say_back({target: parsed.value}).replace("Got it:", "Okay, I changed that:"))
        return {
            **answer_slots(target, parsed),
            question_id: None,
            "screening_retries": 0,
            "place_candidates": None,
            "revisit": None,
        }

    @staticmethod
    def _place_by_coverage(slots: Dict[Text, Any], tracker: Tracker) -> Dict[Text, Any]:
        """A town in more than one state, with a coverage that belongs to one of them ("Lowell",
        then "he has MassHealth"): that state's town."""
        candidates = slots.get("place_candidates") or tracker.get_slot("place_candidates") or []
        state = registry().state_of_coverage(slots.get("coverage") or tracker.get_slot("coverage"))
        match = [c for c in candidates if state and c.get("state") == state]
        location = slots["location"] if "location" in slots else tracker.get_slot("location")
        if location not in (None, NOT_SURE) or len(match) != 1:
            return {}
        return {"location": match[0], "place_candidates": None, "screening_retries": 0}

    @staticmethod
    def _place_said_again(
        question_id: str, text: str, answers: Dict[str, Any], slots: Dict[Text, Any]
    ) -> Optional[Dict[str, Any]]:
        """ "Springfield, Missouri. 65806" to the coverage question, after "Springfield" was taken
        for the one in MA: a short message that is only a place, other than the one answered,
        corrects the place (the open question had no answer in it)."""
        if (
            question_id == "location"
            or slots.get(question_id) is not None
            or not isinstance(answers.get("location"), dict)
        ):
            return None
        if len(text.split()) > _PLACE_ONLY_WORDS:
            return None
        match = resolve_place(text)
        if match.status not in ("found", "outside"):
            return None
        if not _said_with_zip_or_state(text, match.place):
            return None
        same = (match.place.get("town"), match.place.get("state")) == (
            answers["location"].get("town"),
            answers["location"].get("state"),
        )
        return None if same else match.place

    @staticmethod
    def _answer_not_command(question_id: str, text: str) -> bool:
        """ "once, back in October" to the ER question is an answer with an amount, not "go back";
        "Lowell. wait no, Lawrence MA" to the place question is a place (the last one said)."""
        if text.startswith("/"):
            return False
        if question_id == "location":
            return resolve_place(text).status in ("found", "outside")
        if question_id not in AMOUNT_QUESTIONS:
            # "got out of the house of correction in august": the command word inside an answer's
            # own phrase ("house of correction") commands nothing.
            return commands_only_inside_answer(question_id, text)
        return parse_answer(question_id, text).value not in (None, NOT_SURE)

    @staticmethod
    def _context(tracker: Tracker) -> Dict[str, Any]:
        place = tracker.get_slot("location")
        return {"state": place.get("state")} if isinstance(place, dict) else {}
