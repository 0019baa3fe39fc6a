"""Every fact a message gives, for any screening question: "it's for my son, he's 17, we live in
Charlotte NC and he has schizophrenia" answers four questions at once.

`read_facts` reads a message clause by clause and takes an answer for a question only where the
clause says something about that question (its own words: a diagnosis, a housing situation, a
coverage name, "17 years old", "ER", probation...), with the question's own parser
(answers.parse_answer), so each answer is read one way whichever question is open. Plain yes,
no, a bare number or "not sure" answer only the open question, never another one. Places come
from the place names the NLU found (the adapter passes them), resolved by the directory.

`say_back` puts what was taken in one short line: "Got it: for your son, 17, in Charlotte, NC,
with schizophrenia."
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any, Iterable, Optional

from referral.registry import registry
from referral.screening.answers import (
    CARE_REACHED,
    ER_WINDOW_DAYS,
    NOT_HOUSING,
    NOT_SURE,
    coverage_mentions,
    keeps_appointments_said,
    not_named_words,
    parse_answer,
    relative_is,
    repair_spelling,
)
from referral.screening.lexicon import lexicon
from referral.text.normalize import normalize
from referral.text.phrases import PhraseTable

# A clause ends at a sentence end, a comma, a semicolon, " and ", " but ", " so ", " also ".
_DAY_THEN_DATE = re.compile(
    r"\b((?:mon|tues|wednes|thurs|fri|satur|sun)day)\s*,\s*(?=(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d)",
    re.IGNORECASE,
)
_CLAUSES = re.compile(r"[.!?;\n]+|,|\s(?:and|but|so|also|plus|y|pero)\s", re.IGNORECASE)
_AGE = re.compile(
    r"(?:\b(?:is|he's|hes|she's|shes|i'm|im|i am|age|aged|turned|turns|turning|they're|theyre)\s+"
    r"(?:only\s+|just\s+|about\s+|almost\s+)?(?P<a>\d{1,3}|[a-z]+(?:[\s-][a-z]+)?)\b"
    r"(?!\s*(?:times|visits|days|weeks|months|am|pm)|/\d)"
    # "I have 45 years" (tengo 45 años, said in English)
    r"|\b(?:have|has) (?P<yrs>\d{1,3}) years\b(?! ago)"
    r"|\b(?P<b>\d{1,3})\s*(?:years?\s*old|yrs?\s*old|y/?o|años)\b"
    r"|\b(?P<c>[a-z]+(?:[\s-][a-z]+)?)\s+years?\s+old\b"
    # a clinician's shorthand: "47M", "38F", "33 y/o F"
    r"|\b(?P<d>\d{2})\s?(?:m|f)\b)",
    re.IGNORECASE,
)
# A reply said for the person, in a clause alone: "he says no", "she said yes".
_SAYS_SO = re.compile(r"\s*(?:and\s+)?(?:he|she|they)\s+(?:say|says|said)\s+(?:yes|no|so)\s*[.!]*\s*", re.IGNORECASE)
_AGE_ALONE = re.compile(
    r"^\s*(?:1[6-9]|[2-9]\d|sixteen|seventeen|eighteen|nineteen|"
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?)\s*$",
    re.IGNORECASE,
)
_A_PERSON = re.compile(
    r"\b(?:guy|man|woman|lady|gentleman|member|tenant|client|patient|pt|person|resident|guest|son|daughter|"
    r"mom|mother|dad|father|brother|sister|husband|wife|he|she|him|her|"
    # "im in worcester, masshealth, 29, i have bipolar": the writer's own age
    r"i|i'm|im|me|my)\b",
    re.IGNORECASE,
)
_ER = re.compile(
    r"\b(?:er|e\.r\.|ed|emergency(?:\s+room|\s+department|\s+dept)?|urgencias|sala de emergencias?|emergencias?|urg[eê]ncia)\b"
    # "it was 2 visits": of the questions, only the ER one counts visits ("visits to his therapist" does not).
    r"|\b(?:\d+|one|two|three|four|five|six|once|twice)\s+visits?\b(?!\s+(?:to|with|from|at)\b)",
    re.IGNORECASE,
)
_HOSPITAL = re.compile(
    r"\b(?:psych(?!iatrist|ologist|iatric nurse|\s+(?:np|doc|doctor|meds))\w*|hospital\w*|inpatient|admitted|discharged|d/c|detox|mental hospital|crisis stabilization|"
    r"hospitalizad[oa]|internad[oa]|hospital psiqui\w*|(?:behavioral health|inpatient|locked)\s+(?:unit|ward|floor))\b",
    re.IGNORECASE,
)
_PSYCH_STAY = re.compile(
    r"\b(?:psych(?!iatrist|ologist|iatric nurse|\s+(?:np|doc|doctor|meds))\w*|inpatient|inpt|detox|mental hospital|crisis stabilization|crisis unit|state hospital|"
    r"behavioral health|bh unit|locked (?:unit|ward|floor)|hospital psiqui\w*|psiqui\w*|"
    r"mcleans?|mclean|arbour|bournewood|baldpate|dorothea dix|cherry hospital|broughton|holly hill|"
    r"for (?:his|her|my|their) (?:mental health|depression|bipolar|schizophrenia|psychosis|mind|nerves|head)|"
    r"hospital for the mind|internado|internada)\b",
    re.IGNORECASE,
)
# Words of other questions' lists that, next to a hospital, say nothing about them.
_HOSPITAL_WORDS = {"psych", "psychiatric", "psych ward", "psychiatric hospital"}
_NOT_PROBATION_PAPER = re.compile(r"\b(?:diagnos\w*|dx|nothing|anything|written|down|it|name|official\w*)\s+$")
_SINCE_THE_STAY = re.compile(
    r"\bsince(?:\s+then|\s+(?:she|he|they|i)\s+(?:got out|came home|left|was discharged|got discharged)|"
    r"\s+(?:the|her|his|my)\s+(?:discharge|stay|hospital\w*))?\s*[.!,;]*\s*$",
    re.IGNORECASE,
)
_WAITING = re.compile(r"\b(?:wait\s?lists?|waiting lists?|lista de espera)\b", re.IGNORECASE)
_HOUSING_SAID = re.compile(
    r"\b(?:homeless|housing|shelter|lined up|voucher|section 8|apartment|apt|unit|lease|my car|the car|"
    r"vivienda|albergue|apartamento)\b",
    re.IGNORECASE,
)
# "tengo mucha ansiedad", "so much anxiety", "really bad depression": a condition said with how
# much of it a person feels is a feeling, not a condition a doctor named.
_HOW_MUCH = re.compile(
    r"\b(?:a lot of|lots of|much|such|really bad|very bad|bad|terrible|horrible|awful|"
    r"mucha|mucho|tanta|tanto|muita|muito|demasiada|bastante)\s+$",
    re.IGNORECASE,
)
_RELEASE_WORDS = {"got out", "released", "just got out", "discharged", "released from", "just released", "got out last"}
# Words that say the support is for the writer, in a message about other things too.
_SELF = re.compile(
    r"\b(?:for me|for myself|it'?s for me|this is for me|i need|i want|help me|i'?m looking for|"
    r"para m[ií]|necesito|yo necesito|i have|i got|i was|i am on|i'?m on|i live|im in|i'?m in)\b"
    # "me. Asheville NC. Vaya": "me" as a clause of its own
    r"|(?:^|[.!?;,]\s*)(?:me|myself|just me)\s*(?:[.!?;,]|$)",
    re.IGNORECASE,
)
_MOVE_IN = re.compile(
    r"\b(?:move[\s-]?in|moving in|moves in|move into|moving into|gets the keys|get the keys|getting the keys|"
    r"lease starts|lease (?:\w+ ){1,4}(?:starts|begins)|lease[\s-]?up|lease signing|se muda|mudarse)\b",
    re.IGNORECASE,
)
# Coverage words that, in a message about other things, name insurance only next to an insurance
# word ("the VA doc said", "my parents kicked me out", "my other son", "a private room").
_CARE_PLACES = {
    "va",
    "the va",
    "veterans",
    "my parents",
    "other",
    "something else",
    "private",
    "commercial",
    "employer",
}
_INSURANCE = re.compile(r"\b(?:insur\w*|coverage|covered|seguro|plan)\b", re.IGNORECASE)
_CORRECTION = re.compile(
    r"^\s*(?:(?:sorry|oh|ay|oops|um|uh|ok|okay|hmm|perd[oó]n|no|wait)\W+){0,2}"
    r"(?:no+\s*,?\s*wait|wait\s*,?\s*no|no\s*,?\s*espera|actually|(?:it'?s|its|it is|this is)\s+actually|correction|i meant|i mean|let me correct|i made a mistake|"
    r"my mistake|my bad|i was wrong|i got (?:it|that) wrong|i am confused|i'm confused|me equivoqu[eé]|"
    r"perd[oó]n|oops)\b"
    r"|^\s*sorry\s*,?\s*(?:it was|it's|its)\b",
    re.IGNORECASE,
)

# Questions whose time may be told in the clause after the one that names them.
_TOLD_ON = ("psych_discharge", "move_in")

# The order facts are said back in.
SAY_BACK_ORDER = (
    "for_whom",
    "age",
    "location",
    "coverage",
    "diagnosis",
    "psych_discharge",
    "er_visits",
    "housing",
    "move_in",
    "justice",
    "access_barriers",
    "daily_living",
    "consent",
)


def clauses(text: str) -> list[str]:
    text = _DAY_THEN_DATE.sub(r"\1 ", text or "")  # "Friday, April 2nd" is one time
    return [part.strip() for part in _CLAUSES.split(text) if part and part.strip()]


_SENTENCES = re.compile(r"[^.!?\n]+[.!?\n]*")
_ASKING = re.compile(
    r"^\W*(?:is|are|am|does|do|did|can|could|will|would|should|shall|may|what|what's|whats|how|who|which|"
    r"where|when|why|need|has|have|must|if)\b",
    re.IGNORECASE,
)


def asked_clauses(text: str) -> set[str]:
    """The clauses of a message that ask rather than tell ("Is this just for people on
    MassHealth?", "does she need active MassHealth before I refer?"): a clause of a sentence ending
    in "?" that opens with a question word, or every clause of a sentence that opens with one."""
    asked = set()
    for sentence in _SENTENCES.findall(_DAY_THEN_DATE.sub(r"\1 ", text or "")):
        if "?" not in sentence:
            continue
        parts = [part.strip() for part in _CLAUSES.split(sentence) if part and part.strip()]
        whole = bool(_ASKING.match(sentence))
        asked.update(part for part in parts if whole or _ASKING.match(part))
    return asked


def is_correction(text: str) -> bool:
    """ "no wait, it was 2 visits", "actually he's 19": the person corrects an earlier answer."""
    return bool(_CORRECTION.search(text or ""))


def _own_words(question_id: str) -> Optional[PhraseTable]:
    """The words that say a clause is about this question, in a message about other things
    (lexicon.yml `fact_words`, else `question_words`)."""
    return lexicon().fact_words.get(question_id)


def _says(question_id: str, clause: str, message: str = "", asked: Optional[str] = None) -> bool:
    """Whether a clause (of `message`) says something about a question in that question's own words."""
    norm = normalize(clause)
    tables = lexicon().tables
    if question_id == "for_whom":
        return bool(tables["for_whom"].find_all(relative_is(norm)))
    if question_id == "coverage":
        # "no" or "nothing" is coverage only where the clause is about insurance ("no insurance").
        norm_clause = normalize(clause)
        labels = [
            hit.label
            for hit in coverage_mentions(clause)
            if not (norm_clause[hit.start : hit.end] in _CARE_PLACES and not _INSURANCE.search(clause))
        ]
        return any(label not in ("none", "not_sure") for label in labels) or bool(labels and _INSURANCE.search(clause))
    if question_id == "age":
        # "Got a guy we keep getting called on, 41, Medicaid thru Trillium": a number alone
        # between commas, in a message about a person, is their age.
        return bool(_AGE.search(clause)) or bool(_AGE_ALONE.match(clause) and _A_PERSON.search(message or ""))
    if question_id == "diagnosis":
        # "the psych ward" is a place, not a diagnosis.
        hits = tables["diagnosis"].find_all(norm)
        if _HOSPITAL.search(clause):
            hits = [h for h in hits if norm[h.start : h.end] not in _HOSPITAL_WORDS]
        # "ER twice for what they said were panic attacks", "depressed and drinking again": what a
        # person feels or does, not a condition a doctor named; the diagnosis question is asked.
        not_named = not_named_words()
        return any(
            norm[h.start : h.end] not in not_named and not _HOW_MUCH.search(norm[: h.start]) for h in hits
        ) or bool(tables["diagnosis_words"].find_all(norm))
    if question_id == "housing":
        hits = tables["housing"].find_all(NOT_HOUSING.sub(lambda m: " " * len(m.group(0)), norm))
        if hits and all(h.label == "not_lined_up" for h in hits) and not _HOUSING_SAID.search(message or clause):
            return False  # "she's on a waitlist for a therapist": a wait for care, not for housing
        return bool(hits)
    if question_id == "er_visits":
        return bool(_ER.search(clause))
    if question_id == "psych_discharge":
        # "he was in the hospital in sept" may be any hospital: only a psychiatric stay said as one
        # ("the psych unit", "inpatient", "detox", "in the hospital for his bipolar") is taken.
        if not _HOSPITAL.search(clause) or _ER.search(clause):
            return False
        return bool(_PSYCH_STAY.search(clause)) or bool(tables["diagnosis"].find_all(norm))
    if question_id == "move_in":
        return bool(_MOVE_IN.search(clause))
    own = _own_words(question_id)
    hits = own.find_all(norm) if own else []
    if question_id == "daily_living":
        hits = [h for h in hits if not keeps_appointments_said(norm, h.end)]  # "can't keep appointments"
    if question_id == "access_barriers" and CARE_REACHED.search(norm):
        return True  # "she gets to her doctor fine on the senior van"
    if question_id == "access_barriers" and _WAITING.search(norm) and _HOUSING_SAID.search(message or clause):
        # "homeless, living in the car. on waitlists but nothing lined up": a wait for housing,
        # not for care.
        hits = [h for h in hits if not _WAITING.search(norm[h.start : h.end])]
    if question_id == "justice":
        # "nobody gave me a diagnosis on paper": no probation ("on paper") there.
        hits = [
            h
            for h in hits
            if not (norm[h.start : h.end] in ("on paper", "on papers") and _NOT_PROBATION_PAPER.search(norm[: h.start]))
        ]
    if question_id == "justice" and (_HOSPITAL.search(message or clause) or asked == "psych_discharge"):
        # "I was in the hospital in September, got out around the 20th", or "got out in sept" to
        # the hospital question: a release from a hospital, not from jail, even in the next clause.
        hits = [h for h in hits if norm[h.start : h.end] not in _RELEASE_WORDS]
    return bool(hits)


def _says_lined_up(spoken: list[str]) -> bool:
    """Whether the housing clauses say anything about housing lined up (found, or not yet)."""
    table = lexicon().tables["housing"]
    return any(
        hit.label in ("homeless_psh", "not_lined_up") for clause in spoken for hit in table.find_all(normalize(clause))
    )


@lru_cache(maxsize=1)
def speaks_of(question_id: str, text: str) -> bool:
    """Whether any clause of a message speaks of a question in its own words."""
    return any(_says(question_id, clause, text) for clause in clauses(text))


_TURNING = re.compile(
    r"\b(?:turns|turning|will be|gonna be|going to be|about to turn|gonna turn)\s+(?:\d{1,3}|[a-z]+teen|eighteen|twenty[\w-]*)\b",
    re.IGNORECASE,
)


def _age_clause(clause: str) -> str:
    """The words of a clause that give the age ("he's 17" -> "17", "seventeen years old"): the
    first place that says one ("this is for me ... I'm twenty seven": not "is for me")."""
    said = [next(g for g in match.groups() if g) for match in _AGE.finditer(clause)]
    if _TURNING.search(clause):
        # "My son turns 18 on December 12th": 17 until then; the parser reads the whole of it.
        return clause
    for words in said:
        if parse_answer("age", words).value not in (None, NOT_SURE):
            return words
    return said[0] if said else clause


# In a message about other things, a car or a van is a home only where someone lives or sleeps in it.
_IN_A_VEHICLE = re.compile(r"\b(?:in|from)\s+(?:the|my|his|her|their|our|a)\s+(?:van|car|truck)\b", re.IGNORECASE)
_LIVES_THERE = re.compile(r"\b(?:liv\w*|sleep\w*|slept|stay\w*|staying|crash\w*|homeless|nowhere)\b", re.IGNORECASE)

# The least age taken from a message about other things.
_LEAST_AGE_TOLD = 10

_WRITER_AGE = re.compile(
    r"\b(?:i am|i'm|im|i m|i'll be|i will be|i turned)\s+(?:(?:about|almost|nearly|now)\s+)?(?:\d{1,3}|[a-z]+ty)\b",
    re.IGNORECASE,
)


def read_facts(
    text: str,
    skip: Iterable[str] = (),
    places: Iterable[dict] = (),
    today: Optional[date] = None,
    context: Optional[dict] = None,
) -> dict[str, Any]:
    """Answers the message gives to questions other than those in `skip`, by question id.

    `places`: resolved places (directory place dicts) of the place names said in the message;
    the first found one answers `location`. Values are those of parse_answer; "not sure" is
    never taken from a message about other things. `extra` of for_whom (the relation) is returned
    under "relation"; a diagnosis' own words under "diagnosis_text"; "Medicaid" said before the
    state is known as "coverage_needs_state": True. `context` may name the question the message
    answers ("asked"): "got out in sept" to the hospital question is no release from jail.
    """
    skip = set(skip)
    context = dict(context or {})
    text = repair_spelling(text)  # "i got skitsofrenia"
    found: dict[str, Any] = {}
    places = [p for p in places if isinstance(p, dict)]
    if "location" not in skip and places:
        found["location"] = places[0]
        context.setdefault("state", places[0].get("state"))
    parts = clauses(text)
    asked = asked_clauses(text)
    for question_id in SAY_BACK_ORDER:
        if question_id in skip or question_id in found or question_id == "location":
            continue
        # A clause that asks tells nothing ("is this just for people on MassHealth?"), but who
        # the support is for ("can my son get this?").
        spoken = [
            clause
            for clause in parts
            if (question_id == "for_whom" or clause not in asked)
            and _says(question_id, clause, text, context.get("asked"))
        ]
        if question_id in ("housing", "diagnosis", "coverage") and len(spoken) > 1:
            # "homeless right now, but got matched for a supportive housing unit", "bipolar and
            # opioid use disorder", "Medicare and MassHealth both": read together.
            spoken = [" ; ".join(spoken)] + spoken
        if question_id == "age" and found.get("for_whom") in ("other", "client"):
            # "I am 68 years old and I look after my younger brother, who is 61": the writer's age.
            spoken = [clause for clause in spoken if not _WRITER_AGE.search(clause)]
        for clause in spoken:
            said = _age_clause(clause) if question_id == "age" else clause
            if question_id == "diagnosis" and _HOSPITAL.search(clause):
                said = re.sub(r"\bpsych(?:iatric)?\s+(?:ward|unit|hospital\w*|floor)\b", " ", said, flags=re.IGNORECASE)
            parsed = parse_answer(question_id, said, today=today, context=context)
            if question_id == "age" and isinstance(parsed.value, int) and parsed.value < _LEAST_AGE_TOLD:
                # "is it one of those programs where you sit in a group": no age. A young child's
                # age, told in passing, is asked (the question costs one turn; a wrong one, an
                # outcome).
                continue
            if parsed.value is None and question_id in _TOLD_ON:
                following = _next_clause(parts, clause)
                if following and not _ER.search(following) and not _says(question_id, following, text):
                    # "I was in the psych unit at Good Samaritan and got out on November 6th": the
                    # time in the clause after the stay.
                    parsed = parse_answer(question_id, f"{said} and {following}", today=today, context=context)
            if question_id == "er_visits" and parsed.value is None and parsed.extra.get("near") is not None:
                # "This fall he went to the ER twice, once on October 20th and once on November
                # 15th": a count asked back alone, placed by the days in the rest of its sentence.
                sentence = next((m.group(0) for m in _SENTENCES.finditer(text) if clause.strip() in m.group(0)), None)
                if sentence and sentence.strip() != clause.strip():
                    told = parse_answer(question_id, sentence, today=today, context=context)
                    if told.value is not None:
                        parsed = told
            if question_id == "er_visits" and parsed.extra.get("scope") == "none":
                following = _next_clause(parts, clause)
                if following:
                    # "I went to the ER once, in October": the time in the clause after the count.
                    told = parse_answer(question_id, f"{said}, {following}", today=today, context=context)
                    if told.extra.get("scope") != "none" and told.value is not None and not told.extra.get("near"):
                        parsed = told
            if (
                question_id in ("coverage", "diagnosis")
                and parsed.value == NOT_SURE
                and clause is spoken[0]
                and len(spoken) > 1
            ):
                # "My counselor mentioned a program through MassHealth but I'm not sure I even have
                # MassHealth anymore": the doubt holds for the whole message; no clause of it is
                # taken alone (the coverage question is asked).
                break
            if (
                question_id == "diagnosis"
                and parsed.value == "no"
                and parse_answer("diagnosis", text, today=today, context=context).value == NOT_SURE
            ):
                # "he hasnt been diagnosed with anything official but hes using pills": never named,
                # what he does told in the next clause; not a "no" (the question is asked).
                break
            if question_id == "coverage" and parsed.extra.get("needs_state"):
                found["coverage_needs_state"] = True  # "she has Medicaid": which one, the place will say
            if parsed.value is None or parsed.value == NOT_SURE or parsed.extra.get("by_date"):
                continue  # visits told by their dates in a story: a clause may hold only some of them
            if question_id == "er_visits" and _er_count_unplaced(parsed, text, context):
                stay = found.get("psych_discharge")
                if not (_SINCE_THE_STAY.search(clause) and isinstance(stay, int) and 0 <= stay <= ER_WINDOW_DAYS):
                    continue
                # "she was in the psych hospital in September and has been to the ER 3 times
                # since": since the stay, which ended inside the 90 days.
            if question_id == "for_whom" and parsed.extra.get("by_pronoun"):
                continue
            if (
                question_id == "consent"
                and context.get("asked") not in (None, "consent")
                and _SAYS_SO.fullmatch(clause)
            ):
                continue  # "no record that I know of, he says no": his answer to the question asked

            if question_id == "housing" and parsed.value == "homeless" and _IN_A_VEHICLE.search(clause):
                bare = _IN_A_VEHICLE.sub(" ", clause)
                if (
                    not _LIVES_THERE.search(clause)
                    and parse_answer("housing", bare, today=today, context=context).value != "homeless"
                ):
                    # "doing this w my pt in the van": where the writer is typing, not where anyone lives
                    continue
            if question_id == "for_whom" and parsed.value == "self" and not _SELF.search(text):
                continue  # "me" in "she lives with me" does not say who the support is for
            if question_id == "housing" and parsed.value == "homeless" and not _says_lined_up(spoken):
                # "I'm at a shelter": homeless, but whether housing is lined up is not said; the
                # housing question asks only that.
                found["housing_hint"] = "homeless"
                break
            found[question_id] = parsed.value
            if question_id == "for_whom" and parsed.extra.get("relation"):
                found["relation"] = parsed.extra["relation"]
            if question_id == "diagnosis" and parsed.extra.get("diagnosis_text"):
                found["diagnosis_text"] = parsed.extra["diagnosis_text"]
            break
    if found.get("housing") == "housed" and found.get("move_in") not in (None, NOT_SURE):
        # "the lease says move-in is April 2nd": the home to come, not one lived in now.
        del found["housing"]
    return found


def _er_count_unplaced(parsed, text: str, context: dict) -> bool:
    """ "had a psych admission this spring and a couple ED visits": a count of visits in a message
    about other things, with no time said for it, is not taken as the 90 days' count (the
    question, which names them, is asked). A correction ("no wait, it was 2 visits") is."""
    scope = parsed.extra.get("scope")
    if scope is None or parsed.value == 0 or context.get("asked") == "er_visits" or is_correction(text):
        return False
    return scope == "none"


def _next_clause(parts: list[str], clause: str) -> Optional[str]:
    try:
        index = parts.index(clause)
    except ValueError:
        return None
    return parts[index + 1] if index + 1 < len(parts) else None


def answered_in(facts: dict[str, Any]) -> list[str]:
    """The questions a read_facts result says something about (a housing hint counts: it is half
    the housing answer), without its extras (relation, diagnosis words, coverage_needs_state)."""
    from referral.screening.questions import question_ids

    return [q for q in facts if q in question_ids() or q == "housing_hint"]


def _coverage_words(value: str) -> str:
    state = registry().state_of_coverage(value)
    if state:
        return f"with {registry().states[state].medicaid.name}"
    return {
        "other": "with other insurance",
        "none": "with no insurance",
        "medicaid_other_state": "with Medicaid in another state",
    }.get(value, "")


def say_back(facts: dict[str, Any]) -> str:
    """One short line of what was understood, or "" when there is nothing to say back."""
    parts = []
    for question_id in SAY_BACK_ORDER:
        value = facts.get(question_id)
        if question_id == "housing" and value is None:
            value = facts.get("housing_hint")  # "homeless", lined-up housing still to ask
        if value is None or value == NOT_SURE:
            continue
        if question_id == "for_whom":
            relation = facts.get("relation")
            parts.append(
                {"self": "for you", "client": "for your client"}.get(
                    value, f"for your {relation}" if relation else "for someone you care about"
                )
            )
        elif question_id == "age":
            parts.append(str(value))
        elif question_id == "location" and isinstance(value, dict):
            where = ", ".join(p for p in (value.get("town"), value.get("state")) if p)
            parts.append(f"in {where or value.get('zip')}")
        elif question_id == "coverage":
            parts.append(_coverage_words(value))
        elif question_id == "diagnosis":
            named = facts.get("diagnosis_text")
            parts.append(
                f"with {named}"
                if named
                else {
                    "mental_health": "with a mental health condition",
                    "substance_use": "with a substance use condition",
                    "both": "with a mental health and a substance use condition",
                    "yes": "with a diagnosis",
                    "no": "no diagnosis",
                }.get(value, "")
            )
        elif question_id == "psych_discharge":
            parts.append(
                "left a psychiatric hospital "
                + (
                    f"{value} days ago"
                    if isinstance(value, int)
                    else "recently"
                    if value == "yes"
                    else "not in the last 6 months"
                )
            )
        elif question_id == "er_visits":
            parts.append(f"{value} ER visit{'s' if value != 1 else ''} in 3 months")
        elif question_id == "housing":
            parts.append(
                {
                    "housed": "has a place to live",
                    "homeless": "homeless or about to lose housing",
                    "homeless_psh": "homeless, with supportive housing lined up",
                }.get(value, "")
            )
        elif question_id == "move_in" and isinstance(value, int):
            parts.append(f"moving in {'today' if value == 0 else f'in {value} days'}")
        elif question_id == "justice":
            parts.append("involved with the justice system" if value == "yes" else "no justice involvement")
    parts = [p for p in parts if p]
    return f"Got it: {', '.join(parts)}." if parts else ""
