"""Reads people's free-text screening answers ("yep", "three times", "about 3 weeks ago") into the
answer values of referral/screening/questions.yml `answers`. Pure functions; the words live in
lexicon.yml (answers), referral/text/words.yml (numbers, times) and programs/registry.yml (each
state's Medicaid).

`parse_answer(question_id, text, today, context)` is the one entry point: the text is read, never
an NLU entity (the one parse path).
`coverage_mentions` is also used by the spaCy entity extractor (components/entities.py), so each
phrase is parsed one way only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Optional

from rapidfuzz.distance import Levenshtein

from referral.registry import registry
from referral.screening.lexicon import lexicon
from referral.screening.questions import answer_values
from referral.text.durations import TimeReference, current_date, find_time_references
from referral.text.normalize import normalize, strip_accents
from referral.text.numbers import find_number_ranges, find_numbers, number_words
from referral.text.phrases import PUNCTUATION, PhraseHit, is_negated, key

NOT_SURE = "not_sure"
# A doubt about the kind of plan, not about the coverage: "not sure which", "I'm not sure if it's a
# managed care plan or fee-for-service" (a gap of a few words that names no Medicaid).
_KIND_UNSURE = re.compile(
    r"(?:not sure|unsure|don'?t know|do not know|no idea|no s[eé])"
    r"(?:\s+(?:which|what|of the|about the)\b"
    r"|(?:\s+(?!masshealth|mass health|medicaid)[\w'-]+){0,5}?\s+(?:which plan|what plan|the plan|a plan|kind|type|managed care|"
    r"mco|aco|fee[\s-]for[\s-]service|ffs)\b[^.,;!?\n]*)"
)
_THIRD_PERSON = re.compile(r"\b(?:he|she|they|him|her|his|them|hes|he's|shes|she's)\b")
_OBJECT_SELF = {"me", "my", "mine", "i"}
_HE_OR_SHE = re.compile(r"\b(?:he|she|hes|he's|shes|she's|him|her)\b")
_SUBJECT_SELF = {"i am", "i'm", "im", "i do", "i need", "yo"}
_REFERRER = re.compile(
    r"\s*(?:\w+\s+)?(?:gave me|give me|told me|tells me|said i|says i|said to|sent me|referred me|recommended|"
    r"suggested|mentioned|thinks i|wants me|me dijo|me habl[oó]|me recomend[oó]|me mand[oó])\b"
)
_RELATIVE_IS = re.compile(
    r"\b(my\s+(?:dad|father|mom|mother|son|daughter|brother|sister|husband|wife|partner|boyfriend|girlfriend|"
    r"grandson|granddaughter|grandma|grandpa|uncle|aunt|cousin|friend|nephew|niece|kid|boy|girl))'s(?=\s+(?:a|an|been|got|"
    r"going|gonna|in|at|on|not|never|always|very|really|so|still|just|only|about|almost|\d+)\b)"
)


def relative_is(norm: str) -> str:
    """ "my dad's a Vietnam vet" -> "my dad   a Vietnam vet": "dad is", not "dad's house" (the
    same length, so positions are kept)."""
    return _RELATIVE_IS.sub(lambda m: m.group(1) + "  ", norm)


_RELATIVE_SENT = re.compile(
    r"\s*(?:\w+\s+)?(?:suggested|recommended|reminded me|sent me|referred me|told me to|said i should|"
    r"thinks i should|says i should|gave me (?:this|the)|found this for me)\b"
)
_DIED = re.compile(r"\s*(?:\w+\s+)?(?:died|passed|passed away|is gone|was killed|murió|fallec)")
_THEIRS_BEFORE = re.compile(r"\b(?:his|her|their|no|any|your|su|sus)\s+(?:[a-z]+\s+)?$")
_OWNER_BEFORE = re.compile(r"\b(?:my|his|her|their|our|mi|su)\s+$")
_WRITER_IS_WORKER = re.compile(r"\b(?:i'?m|im|i am|as|soy)\s+(?:his|her|their|su)\s+$")
_CLIENT_NOUNS = re.compile(
    r"\b(?:clients?|patients?|consumers?|members?|participants?|residents?|guests?|cliente|paciente)\b"
)
YES_NO_QUESTIONS = ("justice", "access_barriers", "daily_living", "consent")
MAX_AGE = 120
# "about 18" may be 16 to 20 years.
AGE_SPREAD = 2
# "at least once" is once or more: this many more counts on the open side.
COUNT_SPREAD = 10
# A count of ER visits in 90 days above this is not a count ("2024" is a year).
MAX_ER_VISITS = 90


@dataclass(frozen=True)
class ParsedAnswer:
    """A normalized answer (`value`, None when unclear: ask again) and what else was understood."""

    value: Any = None
    extra: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------- boundaries


@dataclass(frozen=True)
class Boundary:
    """Where a rule splits the answers of a question: `value` is the number the rule names (180
    of max_days 180, 2 of min 2) and `cut` the first value on its upper side (181, 2)."""

    value: int
    cut: int
    upper_bound: bool  # max / max_days: `value` is the last value inside


def boundaries(question_id: str) -> list[Boundary]:
    """The boundaries the compiled rules (referral.eligibility.engine.rules()) put on a question's
    numbers: every max_days / max / min of a criterion reading it, judgements included. A new
    program's boundary is found here too."""
    from referral.eligibility.engine import rules

    found: dict[int, Boundary] = {}
    for program in rules().programs.values():
        for criterion in program.criteria:
            if list(criterion.reads) != [question_id]:
                continue
            for condition in (criterion.condition, criterion.condition.get("judgement") or {}):
                for name in ("max_days", "max"):
                    if name in condition:
                        bound = int(condition[name])
                        found[bound + 1] = Boundary(bound, bound + 1, True)
                if int(condition.get("min", 0)) > 0:  # "min: 0" (any number at all) is no boundary
                    bound = int(condition["min"])
                    found.setdefault(bound, Boundary(bound, bound, False))
    return [found[cut] for cut in sorted(found)]


def _straddled(question_id: str, low: float, high: float) -> Optional[Boundary]:
    """The first boundary with values of [low, high] on both sides of it."""
    for boundary in boundaries(question_id):
        if low < boundary.cut <= high:
            return boundary
    return None


def _boundary_words(question_id: str, value: int) -> str:
    """How a boundary is said: 180 days -> "6 months", 2 visits -> "2 times", 18 -> "18 years"."""
    said = lexicon().raw["boundary_words"]

    def amount(count: int, unit: str) -> str:
        return f"{count} {said[unit] if count == 1 else said[unit + 's']}"

    if question_id in ("psych_discharge", "move_in"):
        for unit, days in (("month", 30), ("week", 7)):
            if value % days == 0 and value >= days:
                return amount(value // days, unit)
        return amount(value, "day")
    if question_id == "age":
        return f"{value} {said['years']}"
    return amount(value, "time")


def _ask_back(question_id: str, boundary: Boundary) -> ParsedAnswer:
    # A count's boundary is asked by its first value outside: "2 times or more, or fewer?" for
    # "more than 1 visit" (the reply "more" is 2, "fewer" is 1).
    said = boundary.cut if question_id == "er_visits" and boundary.upper_bound else boundary.value
    return ParsedAnswer(None, {"near": boundary.value, "unit": _boundary_words(question_id, said)})


def _in_range(question_id: str, low: float, high: float, value: float) -> ParsedAnswer:
    """A value said as a range: asked back when the range falls on both sides of a boundary."""
    boundary = _straddled(question_id, low, high)
    if boundary is not None:
        return _ask_back(question_id, boundary)
    return ParsedAnswer(int(round(value)))


def _near_reply(question_id: str, norm: str, context: dict) -> Optional[ParsedAnswer]:
    """The reply to an ask-back ("less", "more than that", "longer ago", "yes less", "no, more"):
    the value just on the side said of the boundary `context["near"]`."""
    near = int(context["near"])
    replies = lexicon().tables["near_replies"]
    hits = [h.label for h in replies.find_all(norm)]
    side = hits[-1] if hits else None
    # A plain yes or no answers the ask-back only in a short reply: "Emergency room no. He lives
    # with me. No police." is about other questions.
    if side is None and context.get("yes_means") in ("below", "above") and len(norm.split()) <= _SHORT_REPLY_WORDS:
        word = _answer_word(question_id, norm)
        if word in ("yes", "no"):
            other = "above" if context["yes_means"] == "below" else "below"
            side = context["yes_means"] if word == "yes" else other
    if side is None:
        return None
    boundary = next((b for b in boundaries(question_id) if b.value == near), None)
    upper_bound = boundary.upper_bound if boundary else question_id in ("psych_discharge", "move_in")
    if upper_bound:
        return ParsedAnswer(near if side == "below" else near + 1)
    return ParsedAnswer(max(near - 1, 0) if side == "below" else near)


# ----------------------------------------------------------------------------- per question


# "she has", "I do", "he didn't": a whole answer only where its clause ends there ("yes she has",
# "he did, twice"). "she has an apartment with me" is about something else, not a "yes".
_AUX_ANSWER = re.compile(r"(i|he|she|they|we) (do|does|did|have|has|don't|doesn't|didn't|haven't|hasn't)( not)?")
_AFTER_AUX_ANSWER = {
    "yes",
    "yeah",
    "no",
    "too",
    "really",
    "actually",
    "definitely",
    "though",
    "sadly",
    "already",
    "before",
    "lol",
    "i",
    "think",
    "guess",
    "so",
}


def _answer_word(question_id: str, norm: str, text: str = "") -> Optional[str]:
    hit = _answer_hit(question_id, norm, text)
    return hit.label if hit else None


# A yes or no word deep inside a longer message ("EMS is here... ok let's finish", "I get to my
# appointments ok") is no yes or no to the question: only near the start, or in a short reply.
_YES_NO_LEAD_WORDS = 3
_SHORT_REPLY_WORDS = 5


def _leads(norm: str, hit: PhraseHit, text: str = "") -> bool:
    """Near the start, in a short reply, or a clause of its own ("what is justice? police? no. never.")."""
    if len(norm.split()) <= _SHORT_REPLY_WORDS or len(norm[: hit.start].split()) < _YES_NO_LEAD_WORDS:
        return True
    if len(text) != len(norm):
        return False
    before = PUNCTUATION.split(text[: hit.start])[-1]
    after = PUNCTUATION.split(text[hit.end :], maxsplit=1)[0]
    return len((before + " " + after).split()) <= 1


def _answer_hit(question_id: str, norm: str, text: str = "") -> Optional[PhraseHit]:
    table = lexicon().answers[question_id]
    while True:
        hit = table.first(norm)
        if hit is None:
            return None
        if text and _AUX_ANSWER.fullmatch(norm[hit.start : hit.end]):
            rest = PUNCTUATION.split(text[hit.end :], maxsplit=1)[0].lower().split()
            if any(word not in _AFTER_AUX_ANSWER for word in rest):
                # Not a whole answer: blank its subject and look again, so that a phrase it
                # overlapped ("he doesn't want it" -> "doesn't want") is still found.
                subject_end = norm.index(" ", hit.start)
                norm = norm[: hit.start] + " " * (subject_end - hit.start) + norm[subject_end:]
                continue
        return hit


def _exact(question_id: str, text: str) -> Optional[Any]:
    raw = text.strip().lower()
    if raw == NOT_SURE:
        return NOT_SURE
    if raw in answer_values(question_id):
        return raw
    if question_id in ("age", "er_visits", "psych_discharge", "move_in") and re.fullmatch(r"\d{1,3}", raw):
        # A bare number from a button or an integration; for the time questions it is days only
        # when sent exactly as a number (typed text goes through the parser below).
        limit = {"age": MAX_AGE, "er_visits": MAX_ER_VISITS}.get(question_id)
        return int(raw) if limit is not None and int(raw) <= limit else None
    return None


def _parse_for_whom(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    tables = lexicon().tables
    norm = relative_is(norm)
    explicit = [
        h
        for h in tables["for_whom_self_explicit"].find_all(norm)
        if not is_negated(text, h.start, tables["for_whom_negators"], max_gap_words=0)
    ]
    if explicit:
        return ParsedAnswer("self")  # "for myself, I'm a peer worker"; not "it's not for me"
    hits = [
        h
        for h in tables["for_whom"].find_all(norm)
        if not is_negated(text, h.start, tables["for_whom_negators"], max_gap_words=0)
    ]
    # "the social worker gave me this", "my case manager told me about it": a worker who sent the
    # writer here, not the writer's own role.
    hits = [h for h in hits if not (h.label[0] == "client" and _REFERRER.match(norm[h.end : h.end + 40]))]
    # "my daughter suggested I look into this", "my sister just reminded me": who sent or told the
    # writer; "since my mother died", "my late husband": no one the support can be for.
    hits = [
        h
        for h in hits
        if not (
            h.label[0] == "other"
            and (
                _RELATIVE_SENT.match(norm[h.end : h.end + 40])
                or _DIED.match(norm[h.end : h.end + 30])
                or norm[max(0, h.start - 5) : h.start].endswith("late ")
            )
        )
    ]
    # "lives with his elderly mother", "no friend": someone of the person's, or no one, not the
    # writer's relative the support is for.
    hits = [
        h
        for h in hits
        if not (
            h.label[0] == "other"
            and not norm[h.start : h.end].startswith(("my ", "mi "))
            and _THEIRS_BEFORE.search(norm[max(0, h.start - 30) : h.start])
            and not _ROLE_BEFORE.search(norm[max(0, h.start - 20) : h.start])  # "I am his mother": read below
        )
    ]
    # "my case worker just texted", "her PO": the writer's (or the person's) own worker, no
    # worker writing for a client.
    hits = [
        h
        for h in hits
        if not (
            h.label[0] == "client"
            and _OWNER_BEFORE.search(norm[: h.start])
            and not _WRITER_IS_WORKER.search(norm[: h.start])
            and not _CLIENT_NOUNS.search(norm[h.start : h.end])
        )
    ]
    # "permanent supportive housing with a VA case manager": someone's worker, not the writer.
    hits = [
        h
        for h in hits
        if not (
            h.label[0] == "client"
            and not _CLIENT_NOUNS.search(norm[h.start : h.end])
            and _SOMEONES_WORKER_BEFORE.search(norm[max(0, h.start - 25) : h.start])
            and not _WRITER_IS_WORKER.search(norm[: h.start])
        )
    ]
    if _THIRD_PERSON.search(norm):
        # "he asked me to look into this": "me" is who he asked, not who the support is for.
        # "I am confused, he turned 18": "I am" says nothing of who the support is for.
        hits = [
            h
            for h in hits
            if not (
                h.label[0] == "self"
                and ((h.start > 0 and norm[h.start : h.end] in _OBJECT_SELF) or norm[h.start : h.end] in _SUBJECT_SELF)
            )
        ]
    # "I am the grandmother of Jonathan", "I am wife of my husband", "I'm his mother": the writer's
    # own role; the person is the other side of it (or the relative named next).
    said_as_writer = [
        h for h in hits if h.label[0] == "other" and _ROLE_BEFORE.search(norm[max(0, h.start - 20) : h.start])
    ]
    roles = [h for h in said_as_writer if h.label[1] and _is_writer_role(norm, h)]
    hits = [h for h in hits if h not in said_as_writer]  # "I'm a mother of two": no one to help
    if roles:
        hits = [h for h in hits if h.label[0] != "self"]
        if not any(h.label[0] in ("other", "client") for h in hits):
            relation = _ROLE_REVERSED.get(roles[0].label[1])
            return ParsedAnswer("other", {"relation": relation} if relation else {})
    kinds = [h.label[0] for h in hits]
    for kind in ("client", "other", "self"):
        if kind in kinds:
            relation = next((h.label[1] for h in hits if h.label[0] == kind and h.label[1]), None)
            return ParsedAnswer(kind, {"relation": relation} if relation else {})
    if _answer_word("for_whom", norm, text) == NOT_SURE:
        return ParsedAnswer(NOT_SURE)
    if _HE_OR_SHE.search(norm):
        # "he turned 18 last month", "she asked me to look into this": someone else, unnamed (to
        # the question only; in a story, "he" says nothing of who is writing).
        return ParsedAnswer("other", {"by_pronoun": True})
    return ParsedAnswer(None)


_SOMEONES_WORKER_BEFORE = re.compile(
    r"\b(?:with|has|have|got|from|and|by|to)\s+(?:a|an|the|her|his|their)\s+(?:[a-z]+\s+)?$"
)
_ROLE_BEFORE = re.compile(r"\b(?:i am|i'm|im|i m|soy)\s+(?:(?:the|a|his|her|their|la|el|su)\s+)?$")
_ROLE_OWNED = re.compile(r"\b(?:his|her|their|su)\s+$")
_ROLE_OF = re.compile(r"\s+(?:of|de|to)\s+(?!(?:two|three|four|five|six|\d|many|several|a|an|the kids|kids)\b)\w")
# The writer's role, turned round: who the person is to them.
_ROLE_REVERSED = {
    "grandmother": "grandchild",
    "grandfather": "grandchild",
    "mother": "child",
    "mom": "child",
    "father": "child",
    "dad": "child",
    "parent": "child",
    "wife": "husband",
    "husband": "wife",
    "sister": "sibling",
    "brother": "sibling",
    "sibling": "sibling",
    "son": "parent",
    "daughter": "parent",
    "friend": "friend",
    "neighbor": "neighbor",
    "cousin": "cousin",
    "partner": "partner",
    "roommate": "roommate",
}


def _is_writer_role(norm: str, hit: PhraseHit) -> bool:
    """Whether a relation word names the writer ("I am the grandmother of ...", "I'm his mother")."""
    before = norm[max(0, hit.start - 20) : hit.start]
    if not _ROLE_BEFORE.search(before):
        return False
    return bool(_ROLE_OWNED.search(before) or _ROLE_OF.match(norm[hit.end : hit.end + 20]))


def _medicaid_typo(norm: str) -> Optional[str]:
    """The served state whose one-word Medicaid name is written with one typo ("mashealth")."""
    for state in registry().states.values():
        target = state.medicaid.spelling
        if not target:
            continue
        for word in norm.split():
            if 7 <= len(word) <= 12 and word != target and Levenshtein.distance(word, target, score_cutoff=1) <= 1:
                return state.code
    return None


def coverage_label(label: Any) -> str:
    """A coverage mention's label as a string: a coverage answer ("masshealth_ffs"), or
    "medicaid_of:MA" (a state's Medicaid, kind not said), "medicaid" (state not said), "other",
    "none", "not_sure"."""
    if isinstance(label, tuple):
        return f"medicaid_of:{label[1]}" if label[0] == "medicaid_of" else label[1]
    return label


def coverage_mentions(text: str) -> list[PhraseHit]:
    """Coverage names in a text with what each means (see `coverage_label`). A name said as not
    had ("no MassHealth", "lost his MassHealth", "my MassHealth got closed") is labelled
    "negated:<label>"."""
    tables = lexicon().tables
    norm = normalize(text)
    out = []
    for hit in tables["coverage"].find_all(norm):
        label = coverage_label(hit.label)
        ended = tables["coverage_ended"].first(norm[hit.end : hit.end + 25])
        gap = norm[hit.end : hit.end + ended.start].strip(" ,") if ended else None
        said_as_not_had = is_negated(text, hit.start, tables["coverage_negators"]) or gap in ("", "got", "was", "just")
        if label == "other" and said_as_not_had and is_negated(text, hit.start, tables["coverage_negators"]):
            continue  # "not the VA", "no private insurance": no coverage named
        if label not in ("none", "not_sure", "other") and said_as_not_had:
            label = f"negated:{label}"
        out.append(PhraseHit(hit.start, hit.end, label))
    return out


def coverage_from_mentions(labels: list[str], state: Optional[str], said_states: list[str]) -> ParsedAnswer:
    """Decides the coverage value from the coverage names found (see `coverage_mentions`).

    Order: a served state's Medicaid named (the kind when said, else the state's default:
    "MassHealth" -> masshealth_unsure); a kind said alone ("through my ACO"), unless the person is
    known to be in another state; Medicaid, by the state said in the text or else the state known
    from the location (without either: None, with extra {"needs_state": True}); other insurance or
    none, whichever was said first; not sure.
    """
    reg = registry()
    found = [label for label in labels if not label.startswith("negated:")]
    negated = [label for label in labels if label.startswith("negated:")]
    place = said_states[0] if said_states else state
    named_states = [label.split(":", 1)[1] for label in found if label.startswith("medicaid_of:")]
    kinds = [label for label in found if label in reg.coverage_answers()]

    if named_states:
        named = named_states[0]
        kind_said = next((k for k in kinds if reg.state_of_coverage(k) == named), None)
        return ParsedAnswer(kind_said or reg.medicaid_default(named))
    if kinds and "medicaid" not in found:
        # "through my ACO", "fee for service" without naming MassHealth: that state's Medicaid,
        # unless the person is known to be in another state.
        kind = kinds[0]
        return ParsedAnswer(kind if place in (None, reg.state_of_coverage(kind)) else None)
    if "medicaid" in found:
        if place in reg.states:
            kind_said = next((k for k in kinds if reg.state_of_coverage(k) == place), None)
            return ParsedAnswer(kind_said or reg.medicaid_default(place))
        if place:
            return ParsedAnswer("medicaid_other_state")
        return ParsedAnswer(None, {"needs_state": True})
    if "medicaid_other_state" in found:
        return ParsedAnswer("medicaid_other_state")  # "She has TennCare"
    for label in found:
        if label in ("other", "none"):
            return ParsedAnswer(label)
    if negated:
        return ParsedAnswer("none")
    if "not_sure" in found:
        return ParsedAnswer(NOT_SURE)
    return ParsedAnswer(None)


_CODE_BY_MEDICAID = re.compile(
    r"(?<![\w'])(?:([a-z]{2})\s+medicaid|medicaid\s+(?:from|in|of|thru|through)\s+([a-z]{2}))(?![\w'])"
)


def _state_codes_by_medicaid(text: str, norm: str) -> list[str]:
    """ "RI Medicaid", "medicaid from NH": a state's two-letter code said with Medicaid."""
    from referral.registry import us_states

    codes = {state["code"].lower(): state["code"] for state in us_states()}
    as_words = set(lexicon().raw["state_codes_as_words"])
    out = []
    for m in _CODE_BY_MEDICAID.finditer(norm):
        group = 1 if m.group(1) else 2
        code = m.group(group)
        typed = text[m.start(group) : m.end(group)]
        if code in codes and (code not in as_words or typed.isupper()):
            out.append(codes[code])
    return out


def _kind_hints(labels: list, norm: str) -> list:
    """The labels with the kind of a named state's Medicaid said in other words ("MassHealth with
    Tufts" -> managed care; "not in an ACO" -> fee for service, whatever kind word it holds)."""
    named = [label.split(":", 1)[1] for label in labels if str(label).startswith("medicaid_of:")]
    hints = lexicon().tables["coverage_kind_hints"].find_all(norm)
    state = registry().states.get(named[0]) if named else None
    if not hints or state is None:
        return labels
    said_not = [h for h in hints if h.label == "ffs"]
    if any(label in registry().coverage_answers() for label in labels) and not said_not:
        return labels
    hint = said_not[0] if said_not else hints[0]
    kind = [answer for answer in state.medicaid.kinds if answer.endswith(f"_{hint.label}")][:1]
    if said_not:
        labels = [label for label in labels if label not in registry().coverage_answers()]
    return kind + labels


def _parse_coverage(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    # "MassHealth, not sure if it's managed care or fee-for-service": the kinds named in the doubt
    # are alternatives, not the answer.
    unsure_of_kind = _KIND_UNSURE.sub(" ", norm)
    if unsure_of_kind != norm:
        text = norm = unsure_of_kind
    mentions = coverage_mentions(text)
    if len(norm.split()) > _SHORT_REPLY_WORDS and not _INSURANCE_WORDS.search(norm):
        # "he cant handle the bills or nothing, i do it all": a "nothing" deep in a message about
        # other things, with no word of insurance, is no coverage.
        mentions = [
            hit
            for hit in mentions
            if not (hit.label == "none" and norm[hit.start : hit.end] in _BARE_NONE and not _leads(norm, hit, text))
        ]
    labels = [hit.label for hit in mentions]
    typo_state = _medicaid_typo(norm)
    if typo_state and f"medicaid_of:{typo_state}" not in labels:
        labels.append(f"medicaid_of:{typo_state}")
    said_states = [hit.label for hit in lexicon().tables["states"].find_all(norm)] + _state_codes_by_medicaid(
        text, norm
    )
    labels = _kind_hints(labels, norm)
    medicaid_said = [
        label
        for label in labels
        if label.startswith("medicaid_of:") or label == "medicaid" or label in registry().coverage_answers()
    ]
    # "MassHealth, not sure which kind" is sure of MassHealth: only the kind is not known.
    doubts = [
        hit
        for hit in lexicon().tables["coverage_unsure"].find_all(norm)
        if not is_negated(text, hit.start, lexicon().tables["answer_negators"])  # "haven't applied for anything"
    ]
    lost = [label for label in labels if label.startswith("negated:") and _is_medicaid(label[len("negated:") :])]
    if (lost or medicaid_said) and _MEDICAID_BACK.search(norm):
        # "he lost his MassHealth in June but got it back last week": held again.
        labels = [label[len("negated:") :] if label in lost else label for label in labels]
        medicaid_said = [label for label in labels if _is_medicaid(label)]
    elif (lost or medicaid_said) and _medicaid_pending(norm) and (lost or _MEDICAID_NOT_HELD.search(norm)):
        return ParsedAnswer(NOT_SURE)  # "it got cut off, but she reapplied and it's pending"
    elif medicaid_said and _MEDICAID_NOT_HELD.search(norm):
        # "I applied for Medicaid and they said I make too much", "I had MassHealth until September
        # but it got cut off": a Medicaid named as not held; what is held is the answer.
        if _LOSS_DOUBTED.search(norm):
            return ParsedAnswer(NOT_SURE)  # "she might have lost it, she doesn't know either"
        held = [label for label in labels if label not in medicaid_said]
        return ParsedAnswer("other" if any(label == "other" for label in held) else "none")
    if medicaid_said and doubts:
        # "MassHealth, one of the ACO plans, I think Tufts but not sure": the doubt is about which
        # plan, after it is named; MassHealth itself is sure (its kind not known).
        first_doubt = min(hit.start for hit in doubts)
        plain = all(
            norm[hit.start : hit.end] in ("not sure", "unsure", "not certain")
            and not re.match(r"\s*(?:if|whether|she still|he still|it's still|its still)\b", norm[hit.end :])
            for hit in doubts
        )
        if plain and _PLAN_NAMED.search(norm[:first_doubt]) and not _COVERAGE_DOUBT.search(norm[:first_doubt]):
            told = coverage_from_mentions(labels, context.get("state"), said_states)
            state = registry().state_of_coverage(told.value)
            if state:
                return ParsedAnswer(registry().medicaid_default(state))
        # A Medicaid named with a doubt about it: not sure, never a coverage that could make a "likely".
        return ParsedAnswer(NOT_SURE)
    parsed = coverage_from_mentions(labels, context.get("state"), said_states)
    if parsed.value is None and not labels and _answer_word("coverage", norm, text) == NOT_SURE:
        return ParsedAnswer(NOT_SURE)
    if parsed.value == "other" and not medicaid_said and _COVERAGE_DOUBT.search(norm):
        # "i dont know. medicare. maybe the other one. my daughter do the papers": another
        # insurance named in doubt may come with Medicaid too; not sure, not "no Medicaid".
        return ParsedAnswer(NOT_SURE)
    return parsed


_PLAN_NAMED = re.compile(r"\b(?:aco|mco|plans?|tufts|wellsense|fallon|bmc|healthnet|be healthy|c3|managed care)\b")
_INSURANCE_WORDS = re.compile(r"\b(?:insur\w*|coverage|covered|seguro|plan|card|medicaid|masshealth|medicare)\b")
_BARE_NONE = frozenset({"nothing", "none", "no", "nada", "nothing at all"})


# A Medicaid named as not held: denied, ended, lost.
_MEDICAID_NOT_HELD = re.compile(
    r"\b(?:(?:said )?(?:i|he|she|they|we) (?:make|makes|made|earn|earns|earned) (?:way )?too much|(?:made|make|makes|earn) too much for (?:masshealth|medicaid)|over (?:the )?income(?: limit)?|(?:pension|income|savings|assets) (?:was |were |is |are )?too (?:high|much)|"
    r"(?:was|were|got|been) (?:denied|turned down|rejected|cut off|terminated|dropped|kicked off)|denied (?:me|him|her|them|us)|(?:got|get|a) denial|turned (?:me|him|her|them|us) down|"
    r"(?:not|wasn'?t|isn'?t|weren'?t) eligible|didn'?t qualify|doesn'?t qualify|don'?t qualify|did not qualify|"
    r"(?:it|coverage) (?:ended|expired|lapsed|stopped)|lost (?:it|(?:my|his|her|their) (?:masshealth|medicaid))|"
    r"so no (?:masshealth|medicaid)|no (?:masshealth|medicaid) (?:now|anymore|any more)|(?:don'?t|doesn'?t) have (?:it|that) (?:anymore|any more|now)|"
    r"(?:had|used to have) (?:masshealth|medicaid) (?:until|till|before))\b"
)
# ...but back, or about to be: "got it back", "reinstated", "approved again".
_MEDICAID_BACK = re.compile(
    r"\b(?:got (?:it|them) back|reinstated|re-?approved|approved again|back on (?:it|masshealth|medicaid)|has it again|have it again)\b"
)
_MEDICAID_PENDING = re.compile(
    r"\b(?:pending|reapplied|re-applied|applied to reinstate|waiting (?:on|for)|in process|reinstat\w*|appeal\w*|no word yet)\b"
)


_LOSS_DOUBTED = re.compile(
    r"\b(?:might|may|could) have (?:been )?\w+|\bmaybe\b|\bnot sure\b|\bpossibly\b|\bi think\b|\bdon'?t know\b|\bdoesn'?t know\b"
)


def _is_medicaid(label: str) -> bool:
    return label.startswith("medicaid_of:") or label == "medicaid" or label in registry().coverage_answers()


def _medicaid_pending(norm: str) -> bool:
    """ "she reapplied and it's pending", not "I haven't reapplied yet"."""
    return any(
        not re.search(
            r"\b(?:haven'?t|hasn'?t|have not|has not|not|never|didn'?t|did not)\s+(?:\w+\s+)?$", norm[: m.start()]
        )
        for m in _MEDICAID_PENDING.finditer(norm)
    )


_COVERAGE_DOUBT = re.compile(
    r"\b(?:i don'?t know|i dont know|not sure|no s[eé]|idk|maybe|or the other|the other one|"
    r"could be|don'?t remember|no me acuerdo)\b"
)


def _numbers_outside_times(text: str, norm: str, today: date, keep_years: bool = False) -> list[tuple[int, int, float]]:
    refs = find_time_references(text, today)
    # For an age, "34 years" is the answer, not a time.
    spans = [(r.start, r.end) for r in refs if not (keep_years and r.kind == "unsigned" and r.days % 365 == 0)]
    return [n for n in find_numbers(norm) if not any(s <= n[0] < e for s, e in spans)]


def _parse_age(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    tables = lexicon().tables
    born = _age_from_birth(text, norm, today)
    if born is not None:
        return born
    decade = _DECADE.search(norm) or tables["age_decades"].first(norm)
    if decade is not None:
        return _age_decade(norm, decade)
    numbers = [
        n
        for n in _numbers_outside_times(text, norm, today, keep_years=True)
        if n[2] == int(n[2]) and not _A_COUNT_AFTER.match(norm[n[1] :]) and not _A_COUNT_BEFORE.search(norm[: n[0]])
    ]
    plus = re.search(r"(\d+)\s*\+", norm)
    ranges = [r for r in find_number_ranges(norm) if r[3] <= MAX_AGE]
    if ranges and numbers and ranges[0][0] <= numbers[0][0]:
        return _in_range("age", ranges[0][2], ranges[0][3], ranges[0][2])  # "17 or 18"
    if numbers:
        value = int(numbers[0][2])
        if value > MAX_AGE:
            return ParsedAnswer(None)
        said = norm[numbers[0][0] : numbers[0][1]].strip()
        if (
            value < 10
            and not said.isdigit()
            and len(norm.split()) > 3
            and not _YEARS_AFTER.match(norm[numbers[0][1] :])
        ):
            # "is it one of those programs where you sit in a group": a word, no age
            return ParsedAnswer(None)
        about = tables["age_about"].first(norm[: numbers[0][0]])
        if about and not norm[about.end : numbers[0][0]].strip():
            return _in_range("age", value - AGE_SPREAD, value + AGE_SPREAD, value)  # "about 18"
        before = norm[: numbers[0][0]]
        if _just_before(tables["age_turning"], before):
            return ParsedAnswer(max(value - 1, 0))
        if _just_before(tables["age_at_most"], before):
            return ParsedAnswer(max(value - 1, 0))
        if _just_before(tables["age_at_least"], before) or plus:
            return ParsedAnswer(value)
        return ParsedAnswer(value)
    age_range = tables["age_ranges"].first(norm)
    if age_range:
        low, high = age_range.label
        return _in_range("age", low, high, low)  # "a teenager"
    if tables["age_minor"].first(norm):
        return ParsedAnswer(17)
    if tables["age_adult"].first(norm):
        return ParsedAnswer(18)
    if _answer_word("age", norm, text) == NOT_SURE:
        return ParsedAnswer(NOT_SURE)
    return ParsedAnswer(None)


_YEARS_AFTER = re.compile(r"\s*(?:years?|yrs?|años|anos)\b")

# "ER like 3 times since halloween", "ok so 2 ER then": a count of visits or stays, not an age.
_A_COUNT_AFTER = re.compile(
    r"\s*(?:x\b|times?\b|visits?\b|trips?\b|admissions?\b|stays?\b|er\b|ed\b|e\.r\.|emergency|hospitali[sz]ations?\b|veces\b)"
)
_A_COUNT_BEFORE = re.compile(
    r"\b(?:er|ed|e\.r\.|emergency room|visits?|times|admissions?)\s*(?:like|about|maybe|x)?\s*$"
)


def _just_before(table, before: str, max_gap_words: int = 1) -> bool:
    """A phrase of `table` right before the end of `before` ("turns 18", not "turns" far away)."""
    hits = table.find_all(before)
    return bool(hits) and len(before[hits[-1].end :].split()) <= max_gap_words


_DECADE = re.compile(r"(?<![\w'])(?:(?P<part>early|mid|late)[\s\-]+)?(?P<decade>[1-9]0)'?s(?![\w'])")
_YEAR = re.compile(r"(?<![\w/\-])(19\d\d|20\d\d)(?![\w/\-])")
_NUMERIC_DATE = re.compile(r"(?<![\w/])(\d{1,2})[/\-](\d{1,2})[/\-](19\d\d|20\d\d)(?![\w/])")


def _age_from_birth(text: str, norm: str, today: date) -> Optional[ParsedAnswer]:
    """ "born in July 1990", "DOB 3/14/1988": the age on `today`."""
    if not lexicon().tables["age_birth"].first(norm):
        return None
    numeric = _NUMERIC_DATE.search(norm)
    year_match = _YEAR.search(norm)
    if numeric:
        month, day, year = int(numeric.group(1)), int(numeric.group(2)), int(numeric.group(3))
    elif year_match:
        year = int(year_match.group(1))
        from referral.text.numbers import words

        months = {key(k): v for k, v in words()["month_names"].items()}
        said = next((months[w] for w in norm.split() if w in months), None)
        month, day = (said, 1) if said else (None, None)
        after = re.search(r"(?<![\w])(\d{1,2})(?:st|nd|rd|th)?(?![\w])", norm[: year_match.start()])
        if said and after:
            day = int(after.group(1))
    else:
        return None
    if year > today.year:
        return None
    age = today.year - year
    if month is None:
        return _in_range("age", age - 1, age, age - 1)
    if (month, day or 1) > (today.month, today.day):
        age -= 1
    return ParsedAnswer(age) if 0 <= age <= MAX_AGE else None


def _age_decade(norm: str, match) -> ParsedAnswer:
    """ "in her 30s", "mid 40s", "late teens": a range of ages, read as its first year."""
    if isinstance(match, re.Match):
        start, part = int(match.group("decade")), match.group("part")
    else:
        start = match.label
        before = norm[: match.start].split()
        part = before[-1] if before and before[-1] in ("early", "mid", "late") else None
    low, high = {"early": (start, start + 3), "mid": (start + 3, start + 6), "late": (start + 6, start + 9)}.get(
        part, (start, start + 9)
    )
    return _in_range("age", low, high, start if part != "late" else low)


@lru_cache(maxsize=1)
def not_named_words() -> frozenset:
    """Conditions said as what a person feels or does (lexicon.yml `diagnosis_not_named`), normalized."""
    return frozenset(normalize(p) for p in lexicon().raw.get("diagnosis_not_named", []))


_MEDICINE_BEFORE = re.compile(
    r"\b(?:manag\w*|tak\w*|took|remember\w*|forget\w*|forgot|organiz\w*|refill\w*|keep track of|run out of|ran out of)"
    r"(?:\s+(?:to|take|his|her|my|their|the))*\s*$"
)


def _parse_diagnosis(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    tables = lexicon().tables
    said = tables["diagnosis"].find_all(norm)
    # "Cape Cod Hospital": a place, not COD (a co-occurring disorder).
    said = [h for h in said if not (norm[h.start : h.end] == "cod" and norm[: h.start].endswith("cape "))]
    # "he cannot manage his pills", "she forgets to take her pills": medicine, not a drug problem.
    said = [
        h
        for h in said
        if not (
            norm[h.start : h.end] in ("pills", "his pills", "her pills", "my pills")
            and _MEDICINE_BEFORE.search(norm[: h.start])
        )
    ]
    hits = [
        h
        for h in said
        if not is_negated(text, h.start, tables["diagnosis_negators"], max_gap_words=2)
        and not _DENIED_RIGHT_BEFORE.search(norm[: h.start])
    ]
    if said and not hits:
        return ParsedAnswer("no")  # "asthma, nothing mental health, he doesn't drink": every one denied
    if hits and _DIAGNOSIS_DOUBT.search(norm):
        # "psychosis or meth or both, nobody knows", "psychosis NOS vs substance induced": which
        # condition, if any, is not known; a clinician decides.
        named = [text[h.start : h.end] for h in hits if h.label != "both"]
        return ParsedAnswer(NOT_SURE, {"diagnosis_text": ", ".join(dict.fromkeys(n.lower() for n in named))})
    ruled_out = [h for h in hits if _ruled_out(norm, h.start, h.end)]
    if ruled_out and len(ruled_out) == len(hits):
        # "the doctor checked me for depression and said I was alright", "they ruled out
        # schizophrenia": a condition looked for and not found.
        return ParsedAnswer("no")
    hits = [h for h in hits if h not in ruled_out]
    kinds = {h.label for h in hits}
    named = [text[h.start : h.end] for h in hits if h.label != "both"]
    extra = {"diagnosis_text": ", ".join(dict.fromkeys(n.lower() for n in named))} if named else {}
    unsure = lexicon().answers["diagnosis"].first(norm)
    said_no = tables["diagnosis_words"].first(norm)
    if hits and said_no and said_no.label == NOT_SURE and all(h.label != "both" for h in hits):
        # "Nobody ever put a name on it. She drinks every day": what she does, no condition named.
        if all(norm[h.start : h.end] in not_named_words() for h in hits):
            return ParsedAnswer(NOT_SURE, extra)
    if hits and said_no and said_no.label == "no" and said_no.start < hits[0].start:
        if all(norm[h.start : h.end] in not_named_words() for h in hits):
            # "he hasn't been diagnosed with anything, but he's using pills": what he does, never
            # named; a clinician decides.
            return ParsedAnswer(NOT_SURE, extra)
        return ParsedAnswer("no", extra)  # "not officially, but I think I have ADHD"
    if hits and unsure and unsure.label == NOT_SURE and unsure.start < hits[0].start:
        # "not sure if it's depression": a guess, not a diagnosis.
        return ParsedAnswer(NOT_SURE, extra)
    if "both" in kinds or {"mental_health", "substance_use"} <= kinds:
        return ParsedAnswer("both", extra)
    if kinds:
        return ParsedAnswer(kinds.pop(), extra)
    said = tables["diagnosis_words"].first(norm)
    if said:
        return ParsedAnswer(said.label)  # "has a dx", "never been diagnosed"
    hit = _answer_hit("diagnosis", norm, text)
    if hit is not None and hit.label in ("yes", "no") and not _leads(norm, hit, text):
        return ParsedAnswer(None)  # "i was in the hospital 2 times, long ago. 2019. not this year"
    return ParsedAnswer(hit.label if hit else None)


# "he doesn't drink", "nothing mental health or substance": the condition denied just before it.
_DENIED_RIGHT_BEFORE = re.compile(
    r"(?:\b(?:doesn'?t|does not|don'?t|do not|didn'?t|did not|never|nothing|nada|no tiene|not any)\s+"
    r"(?:(?:drink|use|do|take|abuse|smoke)\s+|\w+\s+or\s+)?(?:(?:drink|use|do|take|abuse|smoke)\s+or\s+(?:\w+\s+)?)?)$"
)
_DIAGNOSIS_DOUBT = re.compile(
    r"\b(?:nobody|no one|noone|nobodys|nobody's)\s+(?:really\s+)?(?:knows|is sure|can tell|can say|has figured)\b"
    r"|\bvs\b|\bversus\b|\bor both\b|\bnot sure which\b|\bdon'?t know which\b|\bno se cual\b"
)
_LOOKED_FOR = re.compile(
    r"\b(?:checked|screened|tested|evaluated|assessed|looked)\s+(?:\w+\s+){0,2}for\s+(?:\w+\s+)?$|\bruled out\s+(?:\w+\s+)?$"
)
_NOT_FOUND = re.compile(
    r"\b(?:said|says|told (?:me|him|her|us))\s+(?:i|he|she|they|it)?\s*(?:was|is|were|am|are)?\s*(?:alright|all right|fine|ok|okay|normal|good)\b"
    r"|\b(?:doesn'?t|don'?t|didn'?t|does not|do not|did not) have (?:it|that|any)\b|\bruled (?:it )?out\b|\bnegative\b|\bno sign"
)


def _ruled_out(norm: str, start: int, end: int) -> bool:
    """Whether a condition named at norm[start:end] was looked for and not found: "checked me for
    depression and said I was alright", "they ruled out bipolar"."""
    sentence_start = max(norm.rfind(mark, 0, start) for mark in ".!?;") + 1
    ends = [i for i in (norm.find(mark, end) for mark in ".!?;") if i >= 0]
    sentence = norm[sentence_start : min(ends) if ends else len(norm)]
    before = norm[sentence_start:start]
    if before.rstrip().endswith("ruled out"):
        return True
    return bool(_LOOKED_FOR.search(before)) and bool(_NOT_FOUND.search(sentence[start - sentence_start :]))


_HOW_LONG = re.compile(
    r"(?:\b(?:for|durante|por)\s+(?:about\s+|around\s+|like\s+|almost\s+|over\s+)?"
    r"|\b(?:stayed|estuvo|internad[oa]|hospitalizad[oa])\s+(?:[^\W\d_]+\s+){0,2})$",
    re.IGNORECASE,
)


def _first_time(text: str, today: date, prefer: str) -> tuple[Optional[TimeReference], list[TimeReference]]:
    """The time that answers the question, and any windows said.

    A time in the question's direction wins over one without a direction: in "he was in for
    two weeks and got out a month ago" the discharge was a month ago.
    """
    refs = find_time_references(text, today, prefer)
    # "in a psych unit for 9 days", "was inpatient for two weeks": how long, not when.
    refs = [r for r in refs if not (r.kind == "unsigned" and _HOW_LONG.search(text[max(0, r.start - 30) : r.start]))]
    points = [r for r in refs if not r.kind.startswith("window")]
    windows = [r for r in refs if r.kind.startswith("window")]
    ranked = sorted(points, key=lambda r: {prefer: 0, "unsigned": 1}.get(r.kind, 2))
    return (ranked[0] if ranked else None), windows


def _time_answer(question_id: str, point: TimeReference) -> ParsedAnswer:
    """Days of a time said, or an ask-back when its range falls on both sides of a boundary
    ("about six months ago", "back in May", "last spring")."""
    low, high = sorted(abs(day) for day in point.span)
    return _in_range(question_id, low, high, abs(point.days))


# A clause about a stay (not only about the emergency room).
_STAY_WORDS = re.compile(
    r"\b(?:hospital\w*|psych\w*|inpatient|inpt|admit\w*|admission|discharg\w*|d/c|unit|ward|internad[oa]|"
    r"detox|stabiliz\w*|state hospital|bed|stay|stayed|salio|salió|saiu)\b"
)
_STAY_CLAUSES = re.compile(r"[.!?;\n]+|\s(?:but|pero)\s", re.IGNORECASE)


def _without_er_clauses(text: str) -> str:
    """ "Emergency room I went 1 time in the last 3 months": a clause about the emergency room
    alone says nothing about a hospital stay ("ED kept her overnight once in Oct but did not
    admit her" is no stay 47 days ago)."""
    er_words = lexicon().tables["er_words"]

    def other_question(part: str) -> bool:
        return bool(er_words.first(normalize(part)) or _JUSTICE_WORDS.search(normalize(part)))

    kept = [
        part
        for part in _STAY_CLAUSES.split(text)
        if part and part.strip() and not (other_question(part) and not _STAY_WORDS.search(normalize(part)))
    ]
    return " , ".join(kept)


# "i AM on probation, since august, for a court thing": a time said of the justice question.
_JUSTICE_WORDS = re.compile(
    r"\b(?:probation|parole|pretrial|court|jail|prison|arrested|charges?|incarcerat\w*|locked up|po)\b"
)


def _parse_psych_discharge(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    if lexicon().tables["still_in_hospital"].first(norm):
        return ParsedAnswer(None)  # not discharged yet: ask again
    if lexicon().tables["er_words"].first(norm) or _JUSTICE_WORDS.search(norm):
        text = _without_er_clauses(text)
        norm = normalize(text)
        if not norm.strip():
            return ParsedAnswer(None)
        if not _STAY_WORDS.search(norm) and len(norm.split()) > _SHORT_REPLY_WORDS:
            # "ER no. He lives with me. No police.": the rest is about other questions, its "no" too.
            return ParsedAnswer(None)
    if _STAY_DOUBT.search(norm) and _CLOSING_UNSURE.search(norm):
        # "he stayed in some hospital, maybe in summer, I don't know if it was the psychiatric one.
        # Not sure.": not sure, however the time falls.
        return ParsedAnswer(NOT_SURE)
    point, windows = _first_time(text, today, "past")
    out = _DISCHARGE_WORD.search(norm)
    if point is not None and out:
        # "IVC'd Oct 5, sat in the ED 6 days, transferred on the 11th, discharged Nov 18": the
        # time said with the discharge.
        refs = [r for r in find_time_references(text, today, "past") if r.kind == "past" and r.start >= out.start()]
        if refs:
            point = min(refs, key=lambda r: r.start)
    if point is not None:
        if point.kind == "future":
            return ParsedAnswer(None)
        return _time_answer("psych_discharge", _with_alternatives(text, today, point))
    years = [int(y) for y in _YEAR.findall(norm)]
    window = max((b.value for b in boundaries("psych_discharge")), default=None)
    if years and window and _STAY_WORDS.search(norm) and date(max(years), 12, 31) < today - timedelta(days=window):
        return ParsedAnswer("no")  # "last time i was in the hospital for it was 2019"
    word = _answer_word("psych_discharge", norm, text)
    if windows:
        # "yes, in the last 2 months" -> yes; "not in the last year" -> no. A window that does
        # not line up with the 180 days ("not in the last 2 weeks") says too little: ask again.
        window = windows[0]
        if window.kind == "window_past" and word in ("no", None) and _negated_window(norm, window):
            return ParsedAnswer("no" if window.days >= 180 else None)
        if window.kind == "window_past" and window.days <= 180 and word != "no":
            return ParsedAnswer("yes")
        return ParsedAnswer(None)
    if word:
        return ParsedAnswer(word)
    if find_numbers(norm):
        return ParsedAnswer(None)  # "2" to a question about when
    return ParsedAnswer(None)


_DISCHARGE_WORD = re.compile(r"\b(?:discharged|d/c'?d|got out|came home|came out|released|sali[oó]|saiu)\b")
_STAY_DOUBT = re.compile(
    r"\b(?:don'?t|do not|dont|doesn'?t|not) (?:know|remember|sure) (?:if|whether)\b(?:\s+\w+){0,4}\s+(?:psych\w*|mental)"
    r"|\bno s[eé] si\b"
)
_CLOSING_UNSURE = re.compile(r"\b(?:not sure|no idea|idk|don'?t know|no s[eé]|nao sei|não sei)\W*$")


def _with_alternatives(text: str, today: date, point: TimeReference) -> TimeReference:
    """A time said with others as alternatives ("end of May or the first week of June", "late
    May, maybe early June"): one reference spanning them all, so that one straddling a boundary
    is asked back."""
    refs = [r for r in find_time_references(text, today, "past") if r.kind == "past"]
    if point not in refs:
        return point
    at = refs.index(point)
    group = [point]
    for ref in refs[at + 1 :]:
        if not _OR_BETWEEN.search(text[group[-1].end : ref.start].lower()):
            break
        group.append(ref)
    if len(group) == 1:
        return point
    lows = [r.low if r.low is not None else r.days for r in group]
    highs = [r.high if r.high is not None else r.days for r in group]
    low, high = min(lows), max(highs)
    return TimeReference(point.start, group[-1].end, int(round((low + high) / 2)), "past", low, high)


_OR_BETWEEN = re.compile(r"^[\s,]*(?:or|or maybe|maybe|o|ou|or possibly|possibly)[\s,]+(?:the\s+|in\s+|at\s+)?$")


def _negated_window(norm: str, window: TimeReference) -> bool:
    before = norm[: window.start]
    hit = lexicon().answers["psych_discharge"].find_all(before)
    return any(h.label == "no" for h in hit)


_TIMES_X = re.compile(r"(?<![\w'])x\s?(\d{1,2})(?![\w'])")


_ONE_AS_PRONOUN = re.compile(
    r"\b(?:the last|the first|the second|the other|that|this|which|each|every|the latest|the recent)\s+$"
)
_WINDOW_SAID = re.compile(
    r"\b(?:last|past|previous|within|inside|outside|the)\s+(?:the\s+)?(90|ninety)\b(?!\s*(?:times|visits|x)\b)"
    r"|\b(90|ninety)\s*(?:days?|d)\b"
)


def _parse_er_visits(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    lex = lexicon()
    times = [(r.start, r.end) for r in find_time_references(text, today)]
    outside = lambda start: not any(s <= start < e for s, e in times)  # noqa: E731
    candidates = sorted(
        [(h.start, int(h.label)) for h in number_words().counts.find_all(norm) if outside(h.start)]
        + [(n[0], int(n[2])) for n in find_numbers(norm) if outside(n[0]) and n[2] == int(n[2])]
    )
    candidates += [(m.start(), int(m.group(1))) for m in _TIMES_X.finditer(norm) if outside(m.start())]
    # "1 in the last 90 ... that's outside the 90 days": the question's window, no count.
    window = [m.start(m.lastindex) for m in _WINDOW_SAID.finditer(norm)]
    candidates = [c for c in candidates if c[0] not in window]
    # "The last one brought him to the hospital": "one" as a pronoun, no count.
    candidates = [
        c
        for c in candidates
        if not (
            c[1] == 1
            and _ONE_AS_PRONOUN.search(norm[max(0, c[0] - 12) : c[0]])
            and not re.match(r"one\s+times?\b", norm[c[0] : c[0] + 10])
        )
    ]
    candidates = sorted(c for c in candidates if 0 <= c[1] <= MAX_ER_VISITS)
    er_said = lex.tables["er_words"].find_all(norm)
    doubt = _count_doubt(norm, text, candidates, er_said)
    if doubt is not None:
        return doubt
    if len(candidates) > 1 and len({c[1] for c in candidates}) == 1:
        # "One time. October 12. Only one ER visit since September.", "Three times since the end
        # of the summer, all three since Labor Day": the same count said again; the time that
        # places it (the first that gives a count, else the first).
        placed = [_count_in_window(text, norm, today, start, count) for start, count in candidates]
        decisive = [c for c, told in zip(candidates, placed) if told.value is not None]
        candidates = (decisive or candidates)[:1]
    if er_said and len(candidates) > 1:
        # "he's 38 and has been to the ER three times": the count said nearest the ER.
        def distance(candidate: tuple[int, int]) -> int:
            return min(abs(candidate[0] - hit.start) for hit in er_said)

        candidates = sorted(candidates, key=lambda c: (distance(c), c[0]))[:1]
    zero = lex.zero_count.first(norm)
    word = _answer_word("er_visits", norm, text)
    if not candidates:
        dated = _visits_by_date(text, today)
        if dated is not None:
            return ParsedAnswer(dated, {"by_date": True})
        if word == NOT_SURE:
            return ParsedAnswer(NOT_SURE)
        if er_said and _ER_ONLY.search(norm):
            return ParsedAnswer(None)  # "no i aint ben admited just the er": visits, not how many
        opens = bool(re.match(r"\W*(?:no|none|nope|never|zero|nah|0)\b", norm))
        if (zero or word == "no") and not er_said and not opens and len(norm.split()) > _ZERO_WITHOUT_ER_WORDS:
            # "He live with me ... Never the prison, never the court.": a "never" about other things.
            return ParsedAnswer(None)
        if zero or word == "no":
            return ParsedAnswer(0)
        return ParsedAnswer(None)
    # "not once", "never" before any number mean none; a bare "no" before a number is the
    # person correcting themselves ("no, twice").
    bare_no = key(norm[zero.start : zero.end]) in ("no", "nope", "nah") if zero else False
    # "not once", "never twice", but not "never had a diagnosis but 4 ED visits".
    same_clause = (
        zero
        and not PUNCTUATION.search(text[zero.end : candidates[0][0]])
        and (len(norm[zero.end : candidates[0][0]].split()) <= 3)
    )
    if zero and zero.start < candidates[0][0] and not bare_no and same_clause:
        return ParsedAnswer(0)
    in_window = _COUNT_IN_WINDOW.search(norm)
    if in_window:
        # "Two, but only one inside 90 days: September 3rd is 91 days ago, ...": the count the
        # person gives for the 90 days themself.
        told = next((c for s, c in candidates if in_window.start() <= s < in_window.end()), None)
        if told is not None:
            return ParsedAnswer(told, {"scope": "window"})
    start, count = candidates[0]
    ranges = [r for r in find_number_ranges(norm) if outside(r[0]) and r[3] <= MAX_ER_VISITS]
    if ranges and ranges[0][0] <= start:
        return _in_range("er_visits", ranges[0][2], ranges[0][3], ranges[0][2])  # "once or twice"
    side = _count_side(norm[:start])
    if side == "more":
        return _in_range("er_visits", count + 1, count + 1, count + 1)
    if side == "less":
        return _in_range("er_visits", 0, max(count - 1, 0), max(count - 1, 0))
    if side == "at_least":
        return _in_range("er_visits", count, count + COUNT_SPREAD, count)
    if side == "at_most":
        return _fewer_in_window(count)
    within = _dated_within_window(text, today, count)
    if within is not None:
        return ParsedAnswer(within)
    stopped = _none_since(text, today)
    if stopped is not None:
        # "a few times but not since like august": the visits ended then.
        return ParsedAnswer(0, {"scope": "window"}) if -stopped.high > ER_WINDOW_DAYS else _fewer_in_window(count)
    return _count_in_window(text, norm, today, start, count)


# "not since August", "none since the summer", "haven't been since July": the visits ended then.
_NOT_SINCE = re.compile(
    r"\b(?:not|none|nothing|no more|no visits?|haven'?t been|hasn'?t been|not been|no ha ido|nada)\s+(?:\w+\s+){0,2}?"
    r"(?:(?:since|desde)\s+(?:the\s+)?)?$"
)
_SINCE_FILLER = re.compile(r"\b(since|desde)\s+(?:(?:like|about|around|maybe|como)\s+)+", re.IGNORECASE)


def _none_since(text: str, today: date) -> Optional[TimeReference]:
    """The time after which no visit was, when the message says so ("not since like august"), as a
    past reference with low and high set; None when it says none."""
    text = _SINCE_FILLER.sub(r"\1 ", text)  # "not since like august"
    for ref in find_time_references(text, today):
        said = normalize(text[ref.start : ref.end])
        before = normalize(text[max(0, ref.start - 40) : ref.start])
        if ref.kind != "past" or not _NOT_SINCE.search(before):
            continue
        if not (said.startswith(("since", "desde")) or re.search(r"\b(?:since|desde)\s+(?:the\s+)?$", before)):
            continue
        low = ref.low if ref.low is not None else ref.days
        high = ref.high if ref.high is not None else ref.days
        return TimeReference(ref.start, ref.end, ref.days, ref.kind, low, high)
    return None


# A count said for the 90 days in words: "only one inside 90 days", "just 1 of them within the
# last 3 months", "one was in the window".
_COUNT_IN_WINDOW = re.compile(
    r"\b(?:only|just|but)\s+(?:\w+)\s+(?:of (?:them|those)\s+)?(?:was\s+|were\s+|is\s+|are\s+|falls?\s+|counts?\s+)?"
    r"(?:inside|within|in)\s+(?:the\s+)?(?:last\s+|past\s+)?(?:90|ninety)(?:\s+|-)days?\b"
    r"|\b(?:only|just)\s+(?:\w+)\s+(?:of (?:them|those)\s+)?(?:was\s+|were\s+|is\s+)?(?:inside|within|in)\s+(?:the\s+)?"
    r"(?:last\s+|past\s+)?(?:3|three)\s+months\b"
)
# The ER said as where the person did go: "not admitted, just the ER", "only the emergency room".
_ER_ONLY = re.compile(r"\b(?:just|only|but)\s+(?:to\s+)?(?:the\s+)?(?:er|ed|emergency|emergency room|ers)\b")
# A "no" or "never" in an answer longer than this, with no word of the ER, is about something else.
_ZERO_WITHOUT_ER_WORDS = 8
_SINCE = re.compile(r"\b(?:since|desde|ever since|starting)\s+(?:the\s+)?$")
_SINCE_IN = re.compile(r"(?:since|desde)\b")
_RECENTLY = re.compile(
    r"\b(?:recently|lately|this month|this week|este mes|esta semana|este mês|these last weeks|the last few weeks|past few weeks|last few weeks|"
    r"this past month|since then|since that|since she got out|since he got out|since discharge|"
    r"ultimamente|últimamente|recientemente|desde entonces)\b"
)
_COUNT_CLAUSE = re.compile(r"[.!?;,\n]|\bbut\b|\bpero\b|\band\b")
_COUNT_SENTENCE = re.compile(r"[.!?;\n]")
# A time this many days past the 90 still counts as inside ("since September", "this fall").
_WINDOW_SLACK = 3
# Visits counted over a longer time, spread evenly, that still leave this many in the 90 days
# ("4 times since August"): taken; fewer ("twice since this summer") are asked back.
_SPREAD_ENOUGH = 2.5


def _span_around(pattern: re.Pattern, text: str, at: int) -> tuple[int, int]:
    cuts = [0] + [m.end() for m in pattern.finditer(text)] + [len(text)]
    return max(c for c in cuts if c <= at), min((c for c in cuts if c > at), default=len(text))


def _fewer_in_window(count: int) -> ParsedAnswer:
    """Up to `count` visits in the 90 days, maybe fewer: asked back at the rules' highest count
    boundary it spans ("2 or more, or fewer?" for "twice since this summer")."""
    return _in_range("er_visits", min(1, count) if count >= 2 else 0, count, count)


def _over_longer(count: int, days: int) -> ParsedAnswer:
    """A count over `days` (more than the 90): taken when, spread evenly, enough fall in the 90
    days; else asked back (2 or more in the 90 days?)."""
    if count * ER_WINDOW_DAYS / max(days, 1) >= _SPREAD_ENOUGH:
        return ParsedAnswer(count, {"scope": "window"})
    return _fewer_in_window(count)


def _count_in_window(text: str, norm: str, today: date, start: int, count: int) -> ParsedAnswer:
    """A count of visits read with the time said with it, against the 90 days: "3 times since
    September" (inside), "2 in June" (outside: none in the 90 days), "twice since this summer" or
    "3 in the last 6 months" (maybe fewer in the 90 days: asked back), "twice, once on October 20th
    and once on November 15th" (counted by their dates). `extra["scope"]` says how the count was
    placed: "window" (the 90 days, or a time that covers them), "part" (a time inside them:
    "once in October"), "none" (no time said)."""
    refs_all = [r for r in find_time_references(text, today) if r.kind in ("past", "window_past")]
    low_cut, high_cut = _span_around(_COUNT_CLAUSE, text, start)
    _, sentence_end = _span_around(_COUNT_SENTENCE, text, start)
    listed = [r for r in refs_all if r.kind == "past" and start < r.start < sentence_end and r.start >= high_cut]
    if count >= 2 and len(listed) == count:
        within = _dated_within_window(text[high_cut:sentence_end], today, count)
        if within is not None:
            return ParsedAnswer(within, {"scope": "window"})
    days_told = [r for r in refs_all if r.kind == "past" and r.start > start and (r.low is None or r.low == r.high)]
    visit_days = _one_day_per_visit(
        text, [r for r in days_told if not _SINCE.search(normalize(text[max(0, r.start - 20) : r.start]))]
    )
    if count >= 1 and len(visit_days) == count:
        # "One time. October 12. Only one ER visit since September.", "Two times. One is September 1, before the Labor Day, and one is November 22, the
        # Sunday": one day told per visit, in the sentences after the count: counted by them.
        return ParsedAnswer(sum(1 for r in visit_days if -r.days <= ER_WINDOW_DAYS), {"scope": "window"})
    if count == _visits_needed() and any(-r.days > ER_WINDOW_DAYS for r in days_told):
        # "Two times. One is September 1, ... and one is November 22": at the rules' line, a day
        # told for a visit outside the 90 days leaves fewer in them: asked back.
        return _fewer_in_window(count)
    refs = [r for r in refs_all if low_cut <= r.start < high_cut]
    if not refs:
        # "I went to the ER once, in October": the time in the clause just after, said alone.
        _, next_end = _span_around(_COUNT_CLAUSE, text, high_cut)
        refs = [
            r
            for r in refs_all
            if r.start >= high_cut
            and _TIME_LEAD.fullmatch(text[high_cut : r.start].lower())
            and not text[r.end : next_end].strip(" ,.;!?")
        ]
    if not refs:
        scope = "window" if _RECENTLY.search(norm[low_cut:high_cut]) else "none"
        return ParsedAnswer(count, {"scope": scope})
    ref = refs[0]
    if ref.kind == "window_past":
        if _inside(ref.days, count):
            return ParsedAnswer(count, {"scope": "window"})
        if ref.days <= ER_WINDOW_DAYS + _WINDOW_SLACK:
            return _fewer_in_window(count)
        return _over_longer(count, ref.days)  # "3 in the last 6 months"
    low, high = (ref.low, ref.high) if ref.low is not None and ref.high is not None else (ref.days, ref.days)
    if _SINCE.search(norm[max(0, ref.start - 20) : ref.start]) or _SINCE_IN.match(norm[ref.start : ref.end]):
        # "since Labor Day", "since September": from then to now.
        if _inside(-low, count):
            return ParsedAnswer(count, {"scope": "window"})
        if -low <= ER_WINDOW_DAYS + _WINDOW_SLACK:
            # "twice since September" on December 3rd: September 1st is 93 days back; 2 is the
            # rules' line, so one visit in those 3 days decides: asked back. "3 times since
            # September": spread over the days, enough are in the 90 (taken).
            return _over_longer(count, -low)
        return _over_longer(count, -ref.days)  # "since this summer", "since August"
    if -low <= ER_WINDOW_DAYS + _WINDOW_SLACK:
        if count == _visits_needed() and -low > ER_WINDOW_DAYS:
            # "twice this fall" on December 3rd: the fall began 93 days back, and at the rules'
            # line one visit in those days decides: asked back.
            return _fewer_in_window(count)
        return ParsedAnswer(count, {"scope": "part"})  # "twice in November", "this fall"
    if -high > ER_WINDOW_DAYS:
        return ParsedAnswer(0, {"scope": "window"})  # "2 in June": none in the 90 days
    return _fewer_in_window(count)  # "twice in early September"


ER_WINDOW_DAYS = 90
# What may come between a count and the time said alone after it: "ER twice, the week of halloween".
_TIME_LEAD = re.compile(
    r"[\s,]*(?:(?:the\s+)?(?:week|weekend|day|days)\s+(?:of|before|after)\s+|(?:around|about|like|on|in|at|during)\s+)?"
)


def _visits_needed() -> int:
    """The most ER visits in the 90 days any program's rule asks for (rules.yml: CSP's min 2)."""
    return max((b.cut for b in boundaries("er_visits")), default=2)


def _inside(days: int, count: int) -> bool:
    """Whether visits counted over the last `days` are all in the 90 days: a time a few days
    longer ("since September", "this fall") still counts, unless the count is the rules' line itself."""
    return days <= ER_WINDOW_DAYS or (days <= ER_WINDOW_DAYS + _WINDOW_SLACK and count > _visits_needed())


# "could be 1 could be 3", "1 or 3", "maybe 1, maybe 3": counts said as alternatives.
_ALTERNATIVE_COUNTS = re.compile(r"\b(?:could be|might be|maybe|either|or|between|somewhere)\b")
_ONE_MORE = re.compile(
    r"\b(?:maybe|might have been|possibly|could have been|could be|probably|or)\s+(?:another|one more|a second|1 more)\b"
)
# "a few?", "several, I think": a count no one counted.
_VAGUE_COUNTS = re.compile(r"\b(?:a few|few|several|some|a bunch|a lot|lots|many|muchas|varias)\b")


_OPENS_UNSURE = re.compile(r"\W*(?:not sure|no idea|idk|(?:i )?don'?t know|unknown|unsure|no s[eé]|n[aã]o sei)\b")


def _count_doubt(norm: str, text: str, candidates: list, er_said: list) -> Optional[ParsedAnswer]:
    """A count said in doubt: "honestly no idea. a few? could be 1 could be 3" is not sure; "could be
    1 could be 3" alone is asked back (more or less than 2?); None when the count is plain."""
    counts = sorted({count for _, count in candidates})
    unsure = _answer_word("er_visits", norm, text) == NOT_SURE
    if unsure and counts and _VAGUE_COUNTS.search(norm) and ("?" in text or _OPENS_UNSURE.match(norm)):
        # "Not sure. He says 'a bunch' but I can't verify counts or dates. One was in July.": the
        # one visit known is no count of them.
        return ParsedAnswer(NOT_SURE)
    if len(counts) == 1 and _ONE_MORE.search(norm):
        # "once in october for sure. maybe another time before that": one or two.
        ranged = _in_range("er_visits", counts[0], counts[0] + 1, counts[0])
        return ParsedAnswer(NOT_SURE) if unsure and ranged.extra.get("near") is not None else ranged
    if len(counts) < 2 or er_said or not _ALTERNATIVE_COUNTS.search(norm):
        return None
    ranged = _in_range("er_visits", counts[0], counts[-1], counts[0])
    if unsure and ranged.extra.get("near") is not None:
        return ParsedAnswer(NOT_SURE)  # they said they don't know: no use asking which side
    return ranged


def _dated_within_window(text: str, today: date, count: int) -> Optional[int]:
    """ "Twice: on August 30th, and last Tuesday": a count told with one past time per visit,
    counted within the 90 days (August 30th is 94 days ago); None when the times do not say
    (not one per visit, or one that may fall on either side)."""
    refs = [r for r in find_time_references(text, today) if r.kind == "past"]
    if count < 2 or len(refs) != count:
        return None
    inside = 0
    for ref in refs:
        low, high = (ref.low, ref.high) if ref.low is not None and ref.high is not None else (ref.days, ref.days)
        if -low <= ER_WINDOW_DAYS:
            inside += 1
        elif -high <= ER_WINDOW_DAYS:
            return None  # "in early September": maybe inside, maybe not
    return inside


# A time that only places another: "before the Labor Day", "after Thanksgiving" (said of a day
# already told), "November 22, the Sunday" (the same day again).
_PLACES_ANOTHER = re.compile(
    r"(?:\b(?:just |right |the day |a day |the week )?(?:before|after|around)(?: the)?|,\s*(?:the|a|which was|that was|on a|on the))\s*$"
)


def _one_day_per_visit(text: str, days: list) -> list:
    """The days told for visits, leaving out a time that only places the day before it (see
    `_PLACES_ANOTHER`); [] unless every one left is a single day."""
    kept = []
    for ref in days:
        between = text[kept[-1].end : ref.start] if kept else ""
        if kept and (_PLACES_ANOTHER.search(between.lower()) or not between.strip(" ,()")):
            continue
        kept.append(ref)
    return kept if all(r.low is None or r.low == r.high for r in kept) else []


def _visits_by_date(text: str, today: date) -> Optional[int]:
    """ "September 2nd and November 20th": visits told as their dates, counted within the 90 days;
    None unless every time said is one exact past day."""
    refs = find_time_references(text, today)
    if not refs or any(r.kind != "past" or (r.low, r.high) not in ((None, None), (r.days, r.days)) for r in refs):
        return None
    return sum(1 for r in refs if -r.days <= ER_WINDOW_DAYS)


def _count_side(before: str) -> Optional[str]:
    """ "more than" / "less than" / "at least" / "at most" said just before a count."""
    hits = lexicon().tables["count_sides"].find_all(before)
    if hits and not before[hits[-1].end :].strip():
        return hits[-1].label
    return None


_RELATIVE_HOME = re.compile(
    # "at my mom's", "I stay with my aunt", "staying w her grandma": a home with family
    r"\b(?:at|@|(?:stay|stays|staying|stayin|live|lives|living)\s+(?:with|w/?))\s+(?:my|his|her|their|our)\s+"
    r"(?:mom|mother|mum|ma|dad|father|parents|grandma|grandmother|grandpa|grandfather|grandparents|nana|"
    r"aunt|auntie|aunty|uncle|family|folks|sister|brother|cousin|cousins|relatives|in-laws|son|daughter)(?:'?s)?\b"
)


_PSH_HOME = re.compile(
    r"\b(?:supportive housing|psh|housing first|section 8|voucher)\s+(?:\w+\s+)?(?:apartment|apt|unit|place|home|room|studio)\b"
)


# "the home health nurse", "home care", "a home visit": care at home, no word of housing.
NOT_HOUSING = re.compile(
    r"\bhome\s+(?:health|care|visits?|nurse|nursing|aide|based|team|services?)\b"
    # "my son come home from Plymouth jail 2 weeks ago": a release, not where he lives
    r"|\b(?:come|came|comes|coming|got|get|gets|went|sent)\s+home\s+from\b"
    # "mass house": MassHealth as voice typing writes it, not a house
    r"|\bmass\s+house\b"
)


def _parse_housing(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    lex = lexicon()
    if NOT_HOUSING.search(norm):
        norm = NOT_HOUSING.sub(lambda m: " " * len(m.group(0)), norm)
        text = norm
    source = text if len(text) == len(norm) else norm  # punctuation kept, for telling "no, a unit"
    kinds = set()
    for hit in lex.tables["housing"].find_all(norm):
        if hit.label == "homeless_psh" and is_negated(source, hit.start, lex.tables["answer_negators"]):
            kinds.add("not_lined_up")  # "no housing lined up", "no voucher", "not a PSH unit"
        else:
            kinds.add(hit.label)
    if {"homeless_psh", "housed"} <= kinds and _PSH_HOME.search(norm):
        kinds.discard("housed")  # "a permanent supportive housing apartment": the home to come
    if not kinds and _RELATIVE_HOME.search(norm):
        kinds.add("housed")  # "at my mom's", "at my grandparents"
    if not kinds and context.get("hint") == "homeless":
        # Asked only whether housing is lined up (homeless said before): "yes" / "no" answer it.
        word = _answer_word("housing", norm, text)
        if word in ("yes", "no"):
            return ParsedAnswer("homeless_psh" if word == "yes" else "homeless")
    if "not_lined_up" in kinds:
        kinds -= {"homeless_psh", "not_lined_up"}  # "a voucher but nothing found yet"
        kinds.add("homeless")
    if "homeless" in kinds:
        return ParsedAnswer("homeless_psh" if "homeless_psh" in kinds else "homeless")
    if "housed" in kinds:
        return ParsedAnswer("housed")
    if "homeless_psh" in kinds:
        return ParsedAnswer("homeless_psh")
    if _answer_word("housing", norm, text) == NOT_SURE:
        return ParsedAnswer(NOT_SURE)
    return ParsedAnswer(None)


_NO_DATE_YET = re.compile(
    r"\b(?:no (?:move[\s-]?in )?date(?: yet)?|(?:nobody|no one|they) (?:has|have|haven'?t|hasn'?t)?\s*(?:given|told) (?:us|me|him|her|them)? ?(?:a|the|any) date(?: yet)?|"
    r"(?:haven'?t|hasn'?t|have not|has not|didn'?t|did not) (?:given|told|set) (?:us |me |him |her |them )?(?:a |the |any )?date|"
    r"(?:don'?t|doesn'?t|do not|does not) (?:know|have) (?:a |the |any )?(?:move[\s-]?in )?date|(?:could|might) be [\w\s]{1,30}? or (?:it )?(?:could|might) be)\b"
)


_MOVE_WORDS = re.compile(r"\b(?:mov\w*|move[\s-]?in|keys|lease\w*|sign\w*)\b")


def _parse_move_in(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    tables = lexicon().tables
    if tables["already_moved_in"].first(norm):
        return ParsedAnswer(None)
    if _NO_DATE_YET.search(norm):
        return ParsedAnswer(NOT_SURE)  # "nobody has given us a date yet, it could be a month or six"
    point, windows = _first_time(text, today, "future")
    if point is not None and point.days == 0 and len(norm.split()) > _SHORT_REPLY_WORDS:
        # "she just got a call today, she got a PSH apartment": the call is today, not the move.
        start, end = _span_around(_COUNT_CLAUSE, text, point.start)
        if not _MOVE_WORDS.search(text[start:end].lower()):
            point = None
    if point is not None:
        if point.days < 0:
            return ParsedAnswer(None)
        return _time_answer("move_in", point)
    future_windows = [w for w in windows if w.kind == "window_future"]
    if future_windows:
        return ParsedAnswer(future_windows[0].days)
    word = _answer_word("move_in", norm, text)
    if word == NOT_SURE:
        return ParsedAnswer(NOT_SURE)
    if tables["soon"].first(norm) or word == "yes":
        return ParsedAnswer(None)
    if find_numbers(norm):
        return ParsedAnswer(None)  # "2" to a question about when
    return ParsedAnswer(None)


def _parse_location(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    # Places are resolved by referral.directory.geo.resolve_place; only "not sure" is read here.
    return ParsedAnswer(NOT_SURE if _answer_word("location", norm, text) == NOT_SURE else None)


# Between the phrases of one list said under one "no" ("no court, jail or probation").
_LIST_GAP = re.compile(
    r"[\s,/&]*(?:(?:any|the|a|time|stuff|history|charges)[\s,/&]+)*(?:or|nor|ni|o)[\s,/&]+(?:(?:any|the|a|en|la|el)\s+)*"
)
_CLOSING_ANSWER = re.compile(
    r"[.,;!?]\s*(?:so|my answer is|the answer is|final answer|so my answer is)\s*:?\s+(no|nope|yes|yeah|yep)\s*[.!]*\s*$",
    re.IGNORECASE,
)
_NO_WITH_MODIFIERS = re.compile(
    r"\b(?:no|not|never|without)\s+(?:(?:current|currently|recent|recently|or|and|any|prior|past|active|"
    r"ongoing|open|pending|new|other|known|real|legal)\s+){1,4}$"
)
# "no never been in trouble": a "no" said again (not "she never makes it to her appointments").
_NO_TWICE = re.compile(
    r"(?:^|[\s,.;])(?:no+|nope|nah)(?:\W+never)?\W*$|^\W*never\W*$"
    r"|^\W*(?:no+|nope|nah)\b\W+(?:(?:he|she|they|i|it|we|just|really)\W+){1,2}$"  # "no he doesnt want it"
)
_OPENING_NO = re.compile(r"\s*(?:no|nope|nah|non|n[aã]o)\s*[.!]+\s+(?=\S)", re.IGNORECASE)
_OPENING_NO_OR_COMMA = re.compile(r"\s*(?:no|nope|nah|non|n[aã]o)\s*[.!,]+\s+(?=\S)", re.IGNORECASE)
_TAKEN_BACK = re.compile(
    r"\b(?:wait|actually|i mean|sorry|correction|changed (?:his|her|their|my) mind|oops)\b", re.IGNORECASE
)
# Care told as reached, every time: "I have kept every appointment since June", "never missed one".
_CARE_KEPT = re.compile(
    r"\b(?:kept|keeps|keep|made|makes|gone to|goes to|go to|been to|attended|attends|attend|get to|gets to|got to)\s+"
    r"(?:every|all|each)\s+(?:single\s+)?(?:of\s+)?(?:my|his|her|their|the)?\s*(?:appointments?|appts?|visits?|one)\b"
    r"|\b(?:never|hasn'?t|haven'?t|has not|have not|didn'?t|did not)\s+(?:once\s+)?(?:missed|miss)\s+"
    r"(?:a|an|any|one|a single)?\s*(?:appointments?|appts?|visits?|one)?\b",
    re.IGNORECASE,
)
_ASKED_THEN_TOLD = re.compile(
    r"\b(?:i|we)\s+(?:ask|asked|talked to|spoke to|explained (?:it )?to)\s+(?:him|her|them)\b[^.?!]{0,25}?"
    r"\b(?:he|she|they)\s+(?:say|says|said|told me|tell me)\s+(?:that\s+)?(no|yes|not)\b"
)
_LETTER_ANSWER = re.compile(r"\s*([yn])\s*(?:$|[-,.;:!/])", re.IGNORECASE)
_REPEATED_END = re.compile(r"([^\W\d_])\1+(?![\w'])")


# "She gets to her doctor fine on the senior van", "I get to my appointments all right": care
# reached without trouble, told as going to it and how it goes.
CARE_REACHED = re.compile(
    r"\b(?:get|gets|getting|go|goes|going|make|makes|made|keep|keeps|keeping|goes|attend|attends)\s+"
    r"(?:it\s+)?(?:up\s+with\s+)?(?:to\s+)?(?:all\s+)?(?:of\s+)?(?:my|his|her|their|the|our)?\s*"
    r"(?:appointments?|appts?|doctors?|doctor's|dr|therapist|therapy|counselor|counseling|visits?|care|clinic|"
    r"groups?|program)\b(?:\s+[\w']+){0,5}?\s*,?\s+(?:fine|ok|okay|all right|alright|no problem|"
    r"without (?:a |any )?problems?|just fine|on time|every time|every week|regularly)\b"
)


# A clause that begins with one of these words says "not" of what it names ("Never problem with
# police or court", "nunca ha estado preso ni en probatoria"); a clause ends at punctuation or
# "but" ("no jail time but he's on probation").
_CLAUSE_NEGATORS = frozenset("no never not nothing none nope nunca nada ningún ninguna ningun ni sin without".split())
_CLAUSE_START = re.compile(r"(?:[.,;:!?()\n]|\bbut\b|\bpero\b|\bexcept\b|\bexcepto\b|\bthough\b)", re.IGNORECASE)


def _clause_negated(text: str, start: int) -> bool:
    before = text[:start]
    boundaries = list(_CLAUSE_START.finditer(before))
    clause = before[boundaries[-1].end() :] if boundaries else before
    words = re.findall(r"[^\W\d_]+", clause.lower())
    return bool(words) and words[0] in _CLAUSE_NEGATORS and len(words) <= _CLAUSE_NEGATION_WORDS


_CLAUSE_NEGATION_WORDS = 8
_CONTRAST = re.compile(r"\b(?:but|pero|though|although|however|except)\b", re.IGNORECASE)


def _yes_after_contrast(text: str, norm: str, after: int, question_id: str) -> bool:
    """Whether, after a "no" phrase, a "but" is followed by a phrase that says yes, not negated."""
    contrast = _CONTRAST.search(text, after)
    if not contrast:
        return False
    own = lexicon().own_words[question_id]
    negators = lexicon().tables["answer_negators"]
    return any(
        h.label == "yes"
        and h.start >= contrast.end()
        and not is_negated(text, h.start, negators)
        and not _clause_negated(text, h.start)
        for h in own.find_all(norm)
    )


# "i get to my appointments. maria says i'm late a lot but i go": said as a clause of its own.
_CARE_REACHED_PLAIN = re.compile(
    r"\b(?:i|he|she|they)\s+(?:get|gets|go|goes|make it|makes it)\s+to\s+(?:all\s+)?(?:of\s+)?(?:my|his|her|their)\s+"
    r"(?:appointments?|appts?|doctors?|therapist|counselor|visits|clinic)\s*(?:[.!;,]|$|but\b)",
    re.IGNORECASE,
)
_CANNOT = re.compile(
    r"\b(?:can'?t|cannot|couldn'?t|never|rarely|barely|hardly|doesn'?t|don'?t|won'?t)\s+(?:\w+\s+)?$", re.IGNORECASE
)


def _care_not_reached(text: str, start: int) -> bool:
    before = text[max(0, start - 25) : start]
    return is_negated(text, start, lexicon().tables["answer_negators"]) or bool(_CANNOT.search(before))


# Justice involvement told as over: "it's done", "that was years ago", "back in 2015", "nothing now".
_JUSTICE_OVER = re.compile(
    r"\b(?:it'?s|its|that'?s|thats|it was|that was|all)\s+(?:(?:all|long|been)\s+)?(?:done|over|finished|closed|behind (?:me|him|her|them|us))\b"
    r"|\bnothing (?:now|current|currently|since|recent|open|pending)\b|\b(?:\d+|many|several|a few|ten|five|six|seven|eight|nine) (?:years|yrs) ago\b"
    r"|\b(?:back in|in|around|from) (?P<year>(?:19|20)\d\d)\b"
)
# ...and still going: "still on probation", "an open case", "court date next week".
_JUSTICE_NOW = re.compile(
    r"\b(?:still|currently|right now|now on|open case|pending|upcoming|court date|next (?:week|month)|"
    r"on (?:probation|parole|pretrial)|just|yesterday|last (?:week|month)|this (?:year|month|week)|(?:days|weeks|months) ago)\b"
)


def _justice_over(norm: str, today: date) -> bool:
    """Whether a justice answer tells only of involvement that is over (a year two or more years
    back counts as over; "got out in 2025" is recent)."""
    if _JUSTICE_NOW.search(norm):
        return False
    said = list(_JUSTICE_OVER.finditer(norm))
    if not said:
        return False
    return any(not m.group("year") or int(m.group("year")) <= today.year - 2 for m in said)


_APPOINTMENTS_NEXT = re.compile(
    r"\s*(?:up with\s+|going to\s+|track of\s+)?(?:a single\s+|my\s+|his\s+|her\s+|their\s+|the\s+)?(?:appointments?|appts?|the clinic|doctor)"
)


def keeps_appointments_said(norm: str, end: int) -> bool:
    """Whether the words after a phrase ending at `end` are appointments ("can't keep | appointments")."""
    return bool(_APPOINTMENTS_NEXT.match(norm[end:]))


# Agreement in slang, closing the message: "he said bet, hes in", "count me in", "im down".
_IN_FOR_IT = re.compile(
    r"(?:^|[\s,])(?:(?:bet|say less)\s*,?\s*)?(?:(?:he'?s|hes|she'?s|shes|i'?m|im|they'?re|theyre|we'?re)\s+(?:so\s+|all\s+)?in|"
    r"count\s+(?:me|him|her|us|them)\s+in|(?:(?:he|she|they)\s+(?:said|says|say)\s+)bet|^\s*bet|(?:i'?m|im|he'?s|hes|she'?s|shes)\s+down(?:\s+for\s+it)?)\s*$"
)


def _yes_no_parser(question_id: str):
    def parse(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
        letter = _LETTER_ANSWER.match(text)
        if letter:
            return ParsedAnswer("yes" if letter.group(1).lower() == "y" else "no")  # "y - DOC referral"
        if question_id == "access_barriers":
            opening = _OPENING_NO_OR_COMMA.match(text)
            rest = text[opening.end() :] if opening else ""
            if opening and _CARE_KEPT.search(rest) and not (_TAKEN_BACK.search(rest) or _CONTRAST.search(rest)):
                # "No. I have kept every appointment since June. My daughter drives me and the
                # pharmacy delivers.": a "no" told with how care is reached is no, whatever the
                # words of getting there ("pharmacy", "drives") may say alone.
                return ParsedAnswer("no")
            reached = CARE_REACHED.search(norm) or _CARE_REACHED_PLAIN.search(text)
            doubt = lexicon().answers[question_id].first(norm)
            if reached and doubt and doubt.label == NOT_SURE and doubt.start < reached.start():
                return ParsedAnswer(NOT_SURE)  # "I'm not sure. I think she goes to her appointments"
            if reached and not _care_not_reached(text, reached.start()):
                if not any(h.label == "yes" for h in lexicon().own_words[question_id].find_all(norm)):
                    return ParsedAnswer("no")
        closing = _CLOSING_ANSWER.search(text)
        if closing:
            # "...a court thing back in 2019 but it's over, nothing now. so no": the conclusion.
            return ParsedAnswer("no" if closing.group(1).lower().startswith("n") else "yes")
        if question_id == "justice" and _justice_over(norm, today):
            return ParsedAnswer("no")  # "no. had a court thing back in 2015, its done, nothing now"
        told = _ASKED_THEN_TOLD.search(norm) if question_id == "consent" else None
        if told and not _TAKEN_BACK.search(norm[told.end() :]):
            # "I ask him, he say no, he not want nobody come": asked already, and the answer is told.
            return ParsedAnswer("no" if told.group(1) in ("no", "not") else "yes")
        opening = _OPENING_NO.match(text)
        if opening and question_id == "consent" and not _TAKEN_BACK.search(text[opening.end() :]):
            # "No. He says he's not sick. I want it for him but he says no.": a first sentence that
            # is "no" alone decides; what the writer wants is not the person's consent. (A "Yes."
            # first is read on: "Yes. But he says he doesn't want a team" is no yes.)
            return ParsedAnswer("no")
        if question_id == "consent" and _IN_FOR_IT.search(norm):
            return ParsedAnswer("yes")  # "he said bet, hes in", "count me in"
        # The question's own phrases first ("no car", "misses appts", "declined"), unless said
        # as not so ("doesn't miss appointments"), then the yes / no / not sure words.
        lex = lexicon()
        generic = lex.answers[question_id].first(norm)
        negated = None
        negated_end = None
        for hit in lex.own_words[question_id].find_all(norm):
            if question_id == "daily_living" and keeps_appointments_said(norm, hit.end):
                continue  # "can't keep appointments" is care not reached, not daily living
            if generic and generic.label == NOT_SURE and generic.start < hit.start:
                return ParsedAnswer(NOT_SURE)  # "not sure, need to check with his PO"
            if negated_end is not None and hit.label == "yes" and _LIST_GAP.fullmatch(norm[negated_end : hit.start]):
                negated_end = hit.end  # "no court or probation stuff": the "no" holds for the list
                continue
            # "no license no car": a phrase that says "no" itself is not undone by the "no" before it.
            own_no = norm[hit.start : hit.end].split()[:1] in (["no"], ["not"], ["never"], ["without"])
            said_not = (
                is_negated(text, hit.start, lex.tables["answer_negators"])
                or bool(_NO_WITH_MODIFIERS.search(norm[: hit.start]))  # "no current or recent justice involvement"
                or (hit.label == "yes" and _clause_negated(text, hit.start))  # "never problem with police or court"
            )
            # "zero no-shows": a count of none undoes even a phrase that says "no" itself.
            zeroed = bool(re.search(r"(?:^|\s)(?:0|zero)\s+$", norm[: hit.start]))
            if hit.label in ("yes", "no") and (not own_no or zeroed) and said_not:
                if hit.label == "no" and _NO_TWICE.search(norm[: hit.start]):
                    return ParsedAnswer("no")  # said twice, not undone: "no never been in trouble"
                # "no jail time but he is on probation": a phrase said as not so, and another said;
                # "she doesn't keep her appointments" is unclear rather than guessed.
                negated = negated or ParsedAnswer("no" if hit.label == "yes" else None)
                negated_end = hit.end if hit.label == "yes" else None
                continue
            if hit.label == "no" and _yes_after_contrast(text, norm, hit.end, question_id):
                return ParsedAnswer("yes")  # "never been arrested, but he has a court date next week"
            return ParsedAnswer(hit.label)
        if negated is not None:
            return negated
        hit = _answer_hit(question_id, norm, text)
        if hit is not None and hit.label in ("yes", "no") and not _leads(norm, hit, text):
            hit = None
        word = hit.label if hit else None
        squeezed = _REPEATED_END.sub(lambda m: m.group(1), norm)
        if word is None and squeezed != norm:
            word = _answer_word(question_id, squeezed, squeezed)  # "yess", "nooo"
            word = word if word == NOT_SURE or len(squeezed.split()) <= _SHORT_REPLY_WORDS else None
        return ParsedAnswer(word)

    return parse


_PARSERS = {
    "for_whom": _parse_for_whom,
    "location": _parse_location,
    "coverage": _parse_coverage,
    "age": _parse_age,
    "diagnosis": _parse_diagnosis,
    "psych_discharge": _parse_psych_discharge,
    "er_visits": _parse_er_visits,
    "housing": _parse_housing,
    "move_in": _parse_move_in,
    **{q: _yes_no_parser(q) for q in YES_NO_QUESTIONS},
}


def says_a_command(text: str) -> bool:
    """Whether a message has the words of a command to the screening ("go back", "change my
    answer", "start over"; lexicon.yml `control_words`): without them, an open question's answer."""
    norm = _NOT_COMMANDS.sub(lambda m: " " * len(m.group(0)), normalize(text or "")).strip(" .!")
    return norm == "back" or bool(lexicon().tables["control_words"].first(norm))


# Command words in phrases that command nothing: "I'm hoping to change his mind", "a change of
# heart", "his meds were changed", "can't wait", "waiting on a bed".
_NOT_COMMANDS = re.compile(
    r"\b(?:change|changed|changing|cambiar)\s+(?:his|her|my|their|your|our|su|mi)\s+(?:mind|minds|meds|medication|medications|mente|opini[oó]n)\b"
    r"|\bchange of heart\b|\bchanged (?:his|her|my|their) mind\b|\b(?:meds?|medications?|dose|doses)\s+(?:were\s+|got\s+)?changed\b"
    r"|\b(?:med|medication|dose|life)\s+changes?\b|\bcan'?t wait\b|\bcannot wait\b"
)


def commands_only_inside_answer(question_id: str, text: str) -> bool:
    """Whether every command word of a message is inside a phrase of the question's own answers
    ("house of correction" to the justice question), so that the message commands nothing."""
    norm = normalize(text or "")
    commands = lexicon().tables["control_words"].find_all(norm)
    own = lexicon().own_words.get(question_id)
    if not commands or own is None:
        return False
    phrases = own.find_all(norm)
    return all(any(p.start <= c.start and c.end <= p.end for p in phrases) for c in commands)


STOP_COMMAND_MAX_WORDS = 4


# A plain agreement, in a closed set of words: "Yes. I want to do it.", "he says he'll do it, he's
# sitting right here and said yes". Said to the consent question it is consent, whatever a
# classifier trained on "I want to do it tonight" makes of it; one word outside the set
# ("tonight", "off", "pills") and it is not plain any more.
_AGREEMENT_WORDS = frozenset(
    "yes yeah yep yup yea ya ok okay sure definitely absolutely of course really too also and so "
    "i he she they we me him her them im hes shes it its this that the a "
    "says say said saying will would ll like to do try give shot go for join take part in on with "
    "agree agrees agreed want wants wanted program support help services team is am are here right now "
    "sitting next nodding nods told tells asked ready willing in s m re".split()
)
_AGREEMENT_CORE = frozenset("yes yeah yep yup yea ya sure agree agrees agreed want wants will willing".split())


def is_plain_agreement(text: str) -> bool:
    """Whether a message only agrees ("Yes. I want to do it.") in words of a closed set."""
    words = re.findall(r"[a-z]+", (text or "").lower())  # "he's" -> "he", "s"
    return bool(words) and all(w in _AGREEMENT_WORDS for w in words) and any(w in _AGREEMENT_CORE for w in words)


# Told just after crisis help: the person, or the one they wrote about, is safe now or with help
# ("im safe right now, my sister is here", "The ambulance took her. They say she will be all
# right."). Never with a word of harm or of not being safe in the same message.
_SAFE_NOW = re.compile(
    r"\b(?:(?:i'?m|i am|she'?s|she is|he'?s|he is|they'?re|they are|we'?re|we are|will be|gonna be|"
    r"going to be|is|are)\s+(?:safe|(?:ok|okay|all right|alright) now|stable|being (?:seen|treated|checked))\b"
    r"|will be (?:ok|okay|all right|alright)\b"
    r"|(?:ambulance|ems|paramedics|police|cops|crisis team|mobile crisis|the doctors?)\s+(?:took|came|come|is here|are here|"
    r"arrived|got here|has (?:her|him|them)|have (?:her|him|them))"
    r"|(?:at|in) the (?:hospital|er|emergency room) (?:now|with)|(?:call|called|calling) 988|help is here"
    r"|(?:is|are) (?:here )?with (?:me|her|him|them) now|estoy a salvo|est[aá] a salvo)"
)
# A word of harm, of danger, or of not being safe; "she says she's fine" (the person's own word
# for it) is no safety either.
_HARM_WORDS = re.compile(
    r"\b(?:not|no|isn'?t|aren'?t|won'?t|wont|never|unsafe|scared|afraid|kill\w*|die|dying|dead|death|hurt\w*|"
    r"pills?|gun|knife|weapon|rope|overdos\w*|od|suicid\w*|hang\w*|cut\w*|bleed\w*|end it|again|but|pero|though|touch\w*|abus\w*|"
    r"worse|no one|nobody|goodbye|plan|lithium|bottle|tylenol|fentanyl|drunk|high|took (?:a|some|something|all)|"
    r"something|weird|confused|sweating|breathing|pale|blue|unresponsive|passed out|better off|without me|"
    r"letters|affairs|just in case|fine|i think|sangr\w*|vida|baby|kids?|punch\w*|wall)\b"
    r"|\b(?:he|she) (?:says|say|said)\b"
)


def says_safe_now(text: str) -> bool:
    """Whether a message says the person is safe now or with help, with no word of harm in it."""
    norm = normalize(text or "")
    return bool(_SAFE_NOW.search(norm)) and not _HARM_WORDS.search(norm)


# A plain refusal of the consent question, in a closed set of words ("no. she told me she doesn't
# want anybody coming to her house and to stop trying. she won't agree to it"): said to that
# question it is "no", whatever a classifier makes of "stop trying"; one word outside the set
# ("live", "tonight", "pills") and it is not plain any more.
_REFUSAL_WORDS = frozenset(
    "no nope nah not don't dont doesn't doesnt won't wont will isn't isnt never really at all thanks thank you "
    "i he she they we me him her them my his their it this that the a any anybody anyone nobody people "
    "says say said told tells wants want wanted to do be in on with and or so because about right now "
    "agree agrees agreed consent take part participate interested ready willing program support help "
    "services service team worker workers coming come over home house place business stop trying asking "
    "refuses refused declines declined t s m re ll d".split()
)
_REFUSAL_CORE = frozenset(
    "no nope nah not don't dont doesn't doesnt won't wont refuses refused declines declined".split()
)


def is_plain_refusal(text: str) -> bool:
    """Whether a message only declines the consent question, in words of a closed set, and the
    consent parser reads it as "no"."""
    words = re.findall(r"[a-z]+(?:'[a-z]+)?", (text or "").lower())
    if not words or not all(w in _REFUSAL_WORDS for w in words) or not any(w in _REFUSAL_CORE for w in words):
        return False
    return parse_answer("consent", text).value == "no"


def says_resume(text: str) -> bool:
    """Whether a message asks to go on with the questions ("im ok now, can we keep going")."""
    return bool(lexicon().tables["resume_words"].first(normalize(text or "")))


def says_stop(text: str) -> bool:
    """Whether a message asks to stop the questions as a command (lexicon.yml `stop_commands`, or a
    message of a few words), rather than using the word in an answer ("now I stop drinking")."""
    norm = normalize(text or "")
    first = PUNCTUATION.split((text or "").strip(), maxsplit=1)[0]
    # "actually stop, I have to go pick him up": a stop said first, then the reason.
    short_first = 0 < len(first.split()) <= STOP_COMMAND_MAX_WORDS - 1 and "stop" in normalize(first).split()
    return (
        len(norm.split()) <= STOP_COMMAND_MAX_WORDS
        or short_first
        or bool(lexicon().tables["stop_commands"].first(norm))
    )


def has_stop_words(text: str) -> bool:
    """Whether a message has a word of stopping in it (lexicon.yml `stop_words`): "quincy" has none,
    nor "no wait sorry he's 18" (a correction's "wait" stops nothing)."""
    return bool(lexicon().tables["stop_words"].first(normalize(OPENING_CORRECTION.sub("", text or "", count=1))))


def parse_answer(
    question_id: str,
    text: str,
    today: Optional[date] = None,
    context: Optional[dict] = None,
) -> ParsedAnswer:
    """Reads a free-text answer to one screening question.

    Args:
        question_id: a question id of PRODUCT.md.
        text: what the person typed (or a button's payload).
        today: the date durations and dates are counted from (default: today).
        context: what is known already, e.g. {"state": "MA"} so that plain "medicaid" means
            MassHealth in Massachusetts and NC Medicaid in North Carolina.

    Returns:
        ParsedAnswer: `value` is an answer value of questions.yml `answers`, or None when the
        answer is unclear (ask again); `extra` holds what else was understood and is used:
        {"relation": "brother"} (for_whom), {"needs_state": True} (coverage: "Medicaid" from
        someone whose state is not known yet), {"diagnosis_text": "depression"} (diagnosis), and
        {"near": 180, "unit": "6 months"} (ask back, see below).

    Asking back near a boundary: an answer that could fall on either side of a boundary of the
    rules ("about six months ago", "maybe 5 or 6 months", "back in May", "last spring",
    "half a year ago" for a discharge within 180 days; "like 3 or 4 months" for a move-in
    within 120; "once or twice" for 2 ER visits; "17 or 18", "a teenager" for an adult of 18)
    gives value None and extra {"near": N, "unit": words}: N is the number the rule names
    (max_days 180 -> 180, min 2 -> 2, min 18 -> 18), found in the compiled rules
    (`boundaries(question_id)`), so a new program's boundary is asked back too; "unit" says it in
    words ("6 months", "4 months", "2 times", "18 years"). An answer whose range lies on one side
    of every boundary is read as a value ("2 or 3 times" -> 2, "last summer" -> days).

    The reply to the ask-back is read when the form passes context {"near": N} (the boundary it
    asked about): "less", "under that", "more recent", "sooner", "fewer", "younger", "yes less"
    give the value just below or at the boundary's inside edge, "more", "more than that",
    "a bit more", "longer ago", "later", "older", "no, more" the value just past it. For a
    max_days / max boundary N: below -> N (inside), above -> N + 1; for a min boundary N:
    below -> N - 1, above -> N. So near 180: "less" -> 180, "longer ago" -> 181; near 2: "less"
    -> 1, "more" -> 2. A reply with its own amount ("under 6 months", "once", "twice", "about
    7 months") is read as an answer as usual. A bare "yes" / "no" is read only when the form
    also passes context {"yes_means": "below"} (or "above"): the side its question put first.
    """
    if question_id not in _PARSERS:
        raise ValueError(f"unknown screening question id: {question_id!r}")
    text = text or ""
    context = context or {}
    norm = normalize(text)
    today = today or current_date()
    if question_id in _NUMBER_QUESTIONS and context.get("near") is not None and not _has_amount(text, norm, today):
        reply = _near_reply(question_id, norm, context)
        if reply is not None:
            return reply
    exact = _exact(question_id, text)
    if exact is not None:
        return ParsedAnswer(exact)
    opener = OPENING_CORRECTION.match(text)
    if opener:
        # "no wait sorry she IS on probation": the "no" opens a correction, it answers nothing;
        # "no wait" alone is a "hold on", no answer.
        text = text[opener.end() :]
        if not normalize(text).strip():
            return ParsedAnswer(None)
        norm = normalize(text)
    if _CLOSING_NOT_SURE.search(text):
        return ParsedAnswer(NOT_SURE)  # "... but I don't know if that counts. So, not sure."
    if question_id in ("psych_discharge", "move_in") and _WHICH_FORGOTTEN.search(text):
        # "late spring, end of May or the first week of June, I honestly don't remember which":
        # two times offered and neither chosen: not sure.
        return ParsedAnswer(NOT_SURE)
    doubt_first = _OPENING_NOT_SURE.match(text)
    if question_id in ("er_visits", "psych_discharge") and doubt_first:
        if _GUESSED.search(text[doubt_first.end() - 1 :]):
            # "honestly not sure. a couple? maybe more? I'd have to check MyChart": the person's
            # own doubt, then a guess: not sure (a guess is no count a "likely" can stand on).
            return ParsedAnswer(NOT_SURE)
    if question_id == "diagnosis" and doubt_first:
        # "I'm not sure. nobody has ever diagnosed him, but something is clearly wrong": the
        # person's own doubt, first; never named is not "no condition" (a clinician's call).
        told = _PARSERS[question_id](text, norm, today, context)
        return ParsedAnswer(NOT_SURE) if told.value in (None, "no") else told
    corrected = _said_again(question_id, text, today, context)
    if corrected is not None:
        return corrected
    if question_id in _SPELLED_BY_SOUND:
        repaired = repair_spelling(text)
        if repaired != text:
            # "skitsofrenia", "bipoler", "apartmint", "a permanent suportive housing apartment":
            # a word written as it sounds, read as the word it is (as the stories are read).
            told = _PARSERS[question_id](repaired, normalize(repaired), today, context)
            if told.value is not None:
                return told
    parsed = _PARSERS[question_id](text, norm, today, context)
    if parsed.value is None and "?" in text:
        # "Would I be here if I didn't? Yes.", "When? Middle of April, they said.": a question
        # back first, then the answer.
        tail = text[text.rindex("?") + 1 :].strip()
        if tail and len(tail.split()) <= _TAIL_ANSWER_WORDS:
            told = _PARSERS[question_id](tail, normalize(tail), today, context)
            if told.value is not None:
                return told
    return parsed


_TAIL_ANSWER_WORDS = 12


# A correction opening a message: "no wait, sorry, ...", "wait no", "oops", "actually,".
OPENING_CORRECTION = re.compile(
    r"^\s*(?:(?:sorry|oh|ay|um|uh|ok|okay|hmm|perd[oó]n)\W+){0,2}"
    r"(?:no+\s*,?\s*wait|wait\s*,?\s*no|no+\s*,?\s*espera|no\s*,?\s*actually|no\s*,?\s*i\s+mean[t]?|wait(?!\s*-?\s*list)|actually|oops|my bad|"
    r"my mistake|correction|scratch that)\b[\s,.:;!-]*(?:(?:sorry|oops|lol)\b[\s,.:;!-]*)*",
    re.IGNORECASE,
)


# A correction inside one answer: "1 time, no wait, it was 2 visits", "mass held I mean mass
# health", "Twice. No wait, ... only once since then".
_SELF_CORRECTION = re.compile(
    r"(?:[,.;!?]\s*|\s)(?:no+\s*,?\s*wait|wait\s*,?\s*no|no\s*,?\s*actually|actually\s*,?\s*no|i mean|i meant|"
    r"sorry\s*,?\s*(?:i meant|it was|it's)|no\s*,?\s*espera|correction|scratch that)\b[\s,.:;!-]*",
    re.IGNORECASE,
)


_OPENING_NOT_SURE = re.compile(
    r"\s*(?:(?:honestly|really|tbh|um+|uh+|well)\s*,?\s*)?(?:i'?m\s+|i am\s+)?"
    r"(?:not sure|unsure|i don'?t know|i do not know|idk|no s[eé]|não sei)\s*[.,;!:-]+\s*\S",
    re.IGNORECASE,
)
_WHICH_FORGOTTEN = re.compile(
    r"\b(?:don'?t|do not|can'?t|cannot|dont|cant)\s+(?:really\s+)?(?:remember|recall|know)\s+which\b|\bnot sure which\b",
    re.IGNORECASE,
)
# After an opening "not sure", a count or a time guessed at: "a couple? maybe more? I'd have to check".
_GUESSED = re.compile(r"\?|\bmaybe\b|\bprobably\b|\bi think\b|\bi guess\b|have to check|\bcould be\b", re.IGNORECASE)
_CLOSING_NOT_SURE = re.compile(
    r"[.,;!?]\s*(?:so|so i'?d say|so i guess|so i think)\s*,?\s*(?:i'?m\s+)?(?:not sure|unsure|i don'?t know|idk|no s[eé])"
    r"\s*[.!]*\s*$"
    # "... nobody did an evaluation. So I don't know if that counts.": the person's own doubt, last.
    r"|[.,;!?]\s*(?:so\s*,?\s*|but\s+)?(?:i\s+)?(?:don'?t|do not|dont)\s+know\s+if\s+(?:that|it|this)\s+counts\s*[.!?]*\s*$",
    re.IGNORECASE,
)
_NO_THEN_AMOUNT = re.compile(r"[.;!?]\s*no+\s*[,.!]\s*", re.IGNORECASE)


def _said_again(question_id: str, text: str, today: date, context: dict) -> Optional[ParsedAnswer]:
    """The answer said after a correction inside the message, when it gives one; else None."""
    marks = [m for m in _SELF_CORRECTION.finditer(text) if m.start() > 0 and text[: m.start()].strip()]
    if question_id in _NUMBER_QUESTIONS:
        # "once. no, maria says twice": a sentence opened by "no," after an amount.
        marks += [m for m in _NO_THEN_AMOUNT.finditer(text) if text[: m.start()].strip()]
        marks.sort(key=lambda m: m.start())
    if not marks:
        return None
    tail = text[marks[-1].end() :]
    if not tail.strip():
        return None
    parsed = _PARSERS[question_id](tail, normalize(tail), today, context)
    return parsed if parsed.value is not None else None


# Questions whose answers are read again with words spelled by sound repaired.
_SPELLED_BY_SOUND = ("diagnosis", "housing", "er_visits", "psych_discharge", "access_barriers", "justice", "move_in")
_SOUND_RULES = (
    ("sch", "sk"),
    ("ph", "f"),
    ("ck", "k"),
    ("qu", "kw"),
    ("tz", "s"),
    ("ts", "s"),
    ("z", "s"),
    ("x", "ks"),
    ("h", ""),
    ("y", "i"),
)
_MIN_REPAIR_LETTERS = 6


def _sound_key(word: str) -> str:
    """A word as it sounds, roughly: "skitsofrenia" and "schizophrenia" both give "skisofrenia"."""
    key = strip_accents(word.lower())
    key = re.sub(r"c(?=[eiy])", "s", key)
    for before, after in _SOUND_RULES:
        key = key.replace(before, after)
    key = key.replace("c", "k")
    return re.sub(r"(.)\1+", r"\1", key)


# From this many letters a word may be one letter away from the sound of a known word.
_NEAR_REPAIR_LETTERS = 9


def _words_of(value: Any) -> set:
    if isinstance(value, str):
        return set(re.findall(r"[^\W\d_]+", value.lower()))
    if isinstance(value, dict):
        return set().union(*(_words_of(v) for v in value.values()), *(_words_of(k) for k in value)) if value else set()
    if isinstance(value, list | tuple):
        return set().union(*(_words_of(v) for v in value)) if value else set()
    return set()


@lru_cache(maxsize=1)
def _sound_vocabulary() -> tuple:
    """(sound key -> word of the diagnosis, housing and ER phrases and `repair_words` of 6 letters
    or more, every word
    of the lexicon: words known as they are)."""
    raw = lexicon().raw
    targets = {
        w
        for w in _words_of([raw["diagnosis"], raw["housing"], raw["er_words"], raw["repair_words"]])
        if len(w) >= _MIN_REPAIR_LETTERS
    }
    vocabulary: dict = {}
    for word in sorted(targets):
        vocabulary.setdefault(_sound_key(word), word)
    return vocabulary, frozenset(_words_of(raw))


def repair_spelling(text: str) -> str:
    """The text with words of 6 letters or more that are no word of the lexicon but sound like a
    word of the diagnosis or housing phrases replaced by it ("skitsofrenia" -> "schizofrenia",
    "apartmint" -> "apartment"); from 9 letters, one sound apart too ("depresyon")."""
    vocabulary, known = _sound_vocabulary()

    def repair(match: re.Match) -> str:
        word = match.group(0)
        if len(word) < _MIN_REPAIR_LETTERS or word.lower() in known:
            return word
        key = _sound_key(word)
        if key in vocabulary:
            return vocabulary[key]
        if len(word) >= _NEAR_REPAIR_LETTERS:
            near = [v for k, v in vocabulary.items() if k[0] == key[0] and Levenshtein.distance(k, key) <= 1]
            if len(near) == 1:
                return near[0]
        return word

    return re.sub(r"[^\W\d_]+", repair, text or "")


_NUMBER_QUESTIONS = ("age", "er_visits", "psych_discharge", "move_in")


def _has_amount(text: str, norm: str, today: date) -> bool:
    """Whether a reply says an amount of its own ("under 6 months", "twice")."""
    return bool(find_numbers(norm) or number_words().counts.first(norm) or find_time_references(text, today))
