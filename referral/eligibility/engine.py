"""The eligibility engine: applies the program rules (programs/rules.yml) to the screening answers.

`evaluate(answers)` gives the outcome per program; `questions_that_matter(answers)` says which
screening questions are still worth asking. Both are pure functions of the answers (the rules are
read from YAML once per process).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

import yaml

from referral.registry import program_file, registry, us_state_names
from referral.screening.questions import check_answer_values, question_ids

LIKELY, POSSIBLE, UNLIKELY = "likely", "possible", "unlikely"
MET, NOT_MET, UNKNOWN, JUDGEMENT = "met", "not_met", "unknown", "judgement"
NOT_SURE = "not_sure"

_CONDITION_KEYS = {"in", "min", "max", "max_days", "judgement", "any_of", "all_of"}
_BOUNDS = ("min", "max", "max_days")
# Reasons are listed with what was not met first, then what needs checking, then what was met.
_REASON_ORDER = (NOT_MET, JUDGEMENT, UNKNOWN, MET)


@dataclass
class ProgramResult:
    """The outcome of the screening for one program.

    status: "likely" (every required criterion met), "possible" (none not met, but some unknown or
    for a clinician to judge), "unlikely" (a required criterion not met, or not offered there).
    reasons: plain sentences, what was not met first, then what needs checking (not for
    "unlikely"), then what was met.
    unmet / unknown / needs_judgement: criterion ids of rules.yml ("offered_in" when the program
    is not offered in the person's state).
    """

    id: str
    status: str
    reasons: list[str]
    next_steps: list[str]
    unmet: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    needs_judgement: list[str] = field(default_factory=list)
    name: str = ""

    def to_payload(self) -> dict:
        """The program's entry in the `eligibility` custom payload (fields are only ever added)."""
        return {
            "id": self.id,
            "status": self.status,
            "reasons": list(self.reasons),
            "next_steps": list(self.next_steps),
            "name": self.name,
            "unmet": list(self.unmet),
            "unknown": list(self.unknown + self.needs_judgement),
        }


@dataclass(frozen=True)
class Criterion:
    id: str
    reads: tuple
    condition: dict
    required: bool
    source: dict
    reasons: dict
    what_else_helps: Optional[str]


@dataclass(frozen=True)
class Program:
    id: str
    name: str
    state: str
    coverage: tuple
    where: str
    criteria: tuple  # Criterion, the included program's first

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)


@dataclass(frozen=True)
class Rules:
    programs: dict  # id -> Program, in result order
    next_steps: dict
    alternatives: dict  # id -> text
    what_else_helps: dict  # key -> [alternative ids]
    not_offered_reason: str
    not_offered_id: str
    question_order: tuple
    always_first: tuple
    samples: dict
    ask_only_when: dict
    state_names: dict


# ----------------------------------------------------------------------------- loading the rules


def _criterion(raw: dict) -> Criterion:
    unknown_keys = set(raw["condition"]) - _CONDITION_KEYS
    judgement = raw["condition"].get("judgement", {})
    unknown_keys |= set(judgement) - (_CONDITION_KEYS - {"judgement", "any_of", "all_of"})
    if unknown_keys:
        raise ValueError(f"criterion {raw['id']}: unknown condition keys {sorted(unknown_keys)}")
    for status in (MET, NOT_MET, UNKNOWN):
        if not raw.get("reasons", {}).get(status):
            raise ValueError(f"criterion {raw['id']}: no reason for {status}")
    if judgement and not raw["reasons"].get(JUDGEMENT):
        raise ValueError(f"criterion {raw['id']}: a judgement condition needs a judgement reason")
    return Criterion(
        id=raw["id"],
        reads=tuple(raw["reads"]),
        condition=dict(raw["condition"]),
        required=bool(raw["required"]),
        source=dict(raw["source"]),
        reasons=dict(raw["reasons"]),
        what_else_helps=raw.get("what_else_helps"),
    )


def _alternative_text(alt: dict) -> str:
    """An alternative's sentence; a help line is named by its id in resources.yml, whose name and
    way to reach it are used (no number is written twice)."""
    if alt.get("help_line"):
        from referral.crisis.resources import resource_by_id

        line = resource_by_id(alt["help_line"])
        return f"{line['name']}: {line['how']}".strip()
    return alt["text"]


def _texts(steps: list) -> list[str]:
    return [step["text"] for step in steps or []]


@lru_cache(maxsize=1)
def rules() -> Rules:
    """The rules of rules.yml, checked and compiled once per process."""
    path = program_file("rules.yml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    listed = registry().programs
    unlisted = set(raw["programs"]) - set(listed)
    if unlisted:
        raise ValueError(f"{path}: programs {sorted(unlisted)} are not in registry.yml")
    programs: dict[str, Program] = {}
    for program_id, entry in listed.items():
        if program_id not in raw["programs"]:
            raise ValueError(f"{path}: no criteria for program {program_id} of registry.yml")
        spec = raw["programs"][program_id]
        criteria = [_criterion(c) for c in spec["criteria"]]
        if spec.get("includes"):
            criteria = list(programs[spec["includes"]].criteria) + criteria
        ids = [c.id for c in criteria]
        if len(ids) != len(set(ids)):
            raise ValueError(f"program {program_id}: criterion ids repeat")
        for c in criteria:
            for combinator in ("any_of", "all_of"):
                missing = set(c.condition.get(combinator, [])) - set(ids)
                if missing:
                    raise ValueError(f"{program_id}/{c.id}: {combinator} names unknown criteria {sorted(missing)}")
            if c.what_else_helps and c.what_else_helps not in raw["what_else_helps"]:
                raise ValueError(f"{program_id}/{c.id}: unknown what_else_helps {c.what_else_helps!r}")
            if c.source["file"] not in raw["sources"]:
                raise ValueError(f"{program_id}/{c.id}: unknown source {c.source['file']!r}")
            unasked = set(c.reads) - set(entry.questions)
            if unasked:
                raise ValueError(
                    f"{program_id}/{c.id}: reads {sorted(unasked)}, not among the "
                    f"program's questions in registry.yml"
                )
            for condition in (c.condition, c.condition.get("judgement") or {}):
                if "in" in condition:
                    check_answer_values(c.reads[0], condition["in"], f"{path}: {program_id}/{c.id}")
        programs[program_id] = Program(
            id=program_id,
            name=entry.name,
            state=entry.state,
            coverage=entry.coverage,
            where=entry.where,
            criteria=tuple(criteria),
        )

    alternatives = {key: _alternative_text(alt) for key, alt in raw["alternatives"].items()}
    for key, alt_ids in raw["what_else_helps"].items():
        missing = set(alt_ids) - set(alternatives)
        if missing:
            raise ValueError(f"what_else_helps {key}: unknown alternatives {sorted(missing)}")

    steps = raw["next_steps"]
    next_steps = {
        "status": {status: _texts(s) for status, s in steps["status"].items()},
        "programs": {
            program_id: {status: _texts(s) for status, s in by_status.items()}
            for program_id, by_status in steps["programs"].items()
        },
        "out_of_area": [alternatives[key] for key in steps["out_of_area"]],
    }
    questions = raw["questions"]
    return Rules(
        programs=programs,
        next_steps=next_steps,
        alternatives=alternatives,
        what_else_helps=raw["what_else_helps"],
        not_offered_reason=raw["not_offered_reason"],
        not_offered_id=raw["not_offered_id"],
        # The order questions are asked in is the order of referral/screening/questions.yml.
        question_order=tuple(question_ids()),
        always_first=tuple(questions["always_first"]),
        samples=questions["samples"],
        ask_only_when=questions.get("ask_only_when", {}),
        state_names=us_state_names(),
    )


# ----------------------------------------------------------------------------- criteria


def _answer(answers: dict, question_id: str) -> Any:
    """The answer as the rules compare it: None when missing or "not sure"; whole numbers as int
    (slots may hold 3.0, integrations may send "3")."""
    value = answers.get(question_id)
    if value is None or value == NOT_SURE:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _holds(condition: dict, value: Any) -> bool:
    if value in condition.get("in", ()):
        return True
    bounds = [key for key in _BOUNDS if key in condition]
    if not bounds or not isinstance(value, int) or isinstance(value, bool):
        return False
    return (
        ("min" not in condition or value >= condition["min"])
        and ("max" not in condition or value <= condition["max"])
        and ("max_days" not in condition or 0 <= value <= condition["max_days"])
    )


def criterion_states(program: Program, answers: dict) -> dict[str, str]:
    """Each criterion of a program: "met", "not_met", "unknown" or "judgement"."""
    states: dict[str, str] = {}

    def state_of(criterion: Criterion) -> str:
        if criterion.id in states:
            return states[criterion.id]
        condition = criterion.condition
        if "any_of" in condition:
            parts = [state_of(program.criterion(cid)) for cid in condition["any_of"]]
            state = next((s for s in (MET, JUDGEMENT, UNKNOWN) if s in parts), NOT_MET)
        elif "all_of" in condition:
            # Met when every part is; a part not met makes it not met; else unknown, else judgement.
            parts = [state_of(program.criterion(cid)) for cid in condition["all_of"]]
            state = next((s for s in (NOT_MET, UNKNOWN, JUDGEMENT) if s in parts), MET)
        else:
            value = _answer(answers, criterion.reads[0])
            if value is None:
                state = UNKNOWN
            elif _holds(condition, value):
                state = MET
            elif "judgement" in condition and _holds(condition["judgement"], value):
                state = JUDGEMENT
            else:
                state = NOT_MET
        states[criterion.id] = state
        return state

    for criterion in program.criteria:
        state_of(criterion)
    return states


def _required_states(program: Program, answers: dict) -> dict[str, str]:
    states = criterion_states(program, answers)
    return {c.id: states[c.id] for c in program.criteria if c.required}


# ----------------------------------------------------------------------------- programs


def _state_code(location: Any) -> Optional[str]:
    if isinstance(location, dict) and location.get("state"):
        return str(location["state"]).upper()
    return None


def programs_in_scope(answers: dict) -> list[str]:
    """The programs a screening is about, in result order.

    A place in Massachusetts or North Carolina: that state's programs only (the other state's are
    left out of the results, not reported as unlikely), unless the coverage is another state's
    Medicaid (then every program, as for a place elsewhere). A place elsewhere: every program (each
    then "unlikely": not offered there). No place known: the programs of the state the coverage
    points to (MassHealth -> the CSP programs, NC Medicaid -> CST), else every program.
    """
    programs = rules().programs.values()
    state = _state_code(answers.get("location"))
    if _other_states_medicaid(answers):
        # Another state's Medicaid ("South Carolina Medicaid" from "right outside Charlotte"): the
        # person's state is that one; every program is reported (each "unlikely").
        return [p.id for p in programs]
    if state:
        here = [p.id for p in programs if p.state == state]
        return here or [p.id for p in programs]
    coverage = answers.get("coverage")
    by_coverage = [p.id for p in programs if coverage in p.coverage]
    return by_coverage or [p.id for p in programs]


def _other_states_medicaid(answers: dict) -> bool:
    return answers.get("coverage") == "medicaid_other_state"


def _reasons(program: Program, states: dict[str, str], status: str) -> list[str]:
    """What was not met, what needs checking, what was met. For an "unlikely" program only what
    was not met and what was met: its open questions were not asked (or cannot change it)."""
    shown = (NOT_MET, MET) if status == UNLIKELY else _REASON_ORDER
    by_state: dict[str, list[str]] = {s: [] for s in _REASON_ORDER}
    for criterion in program.criteria:
        if not criterion.required:
            continue
        state = states[criterion.id]
        parts = criterion.condition.get("any_of")
        if parts and state in (MET, JUDGEMENT):
            # Say which sign was seen, not just that one was.
            shown_parts = [p for p in parts if states[p] == state]
            both = [p for p in shown_parts if "all_of" in program.criterion(p).condition]
            if state == JUDGEMENT and both:
                shown_parts = both  # "a stay long ago, and one ER visit" says the two in one line
            texts = [program.criterion(p).reasons[state] for p in shown_parts]
        elif state == JUDGEMENT:
            texts = [criterion.reasons.get(JUDGEMENT, criterion.reasons[UNKNOWN])]
        else:
            texts = [criterion.reasons[state]]
        by_state[state] += texts
    return list(dict.fromkeys(text for state in shown for text in by_state[state]))


def _next_steps(program: Program, status: str, unmet: list[str]) -> list[str]:
    r = rules()
    steps = list(r.next_steps["programs"].get(program.id, {}).get(status, []))
    if status == UNLIKELY:
        for criterion_id in unmet:
            key = program.criterion(criterion_id).what_else_helps
            steps += [r.alternatives[alt] for alt in r.what_else_helps.get(key, [])]
    steps += r.next_steps["status"].get(status, [])
    return list(dict.fromkeys(steps))


def _evaluate_program(program: Program, answers: dict) -> ProgramResult:
    states = criterion_states(program, answers)
    required = [c.id for c in program.criteria if c.required]
    unmet = [cid for cid in required if states[cid] == NOT_MET]
    unknown = [cid for cid in required if states[cid] == UNKNOWN]
    judgement = [cid for cid in required if states[cid] == JUDGEMENT]
    status = UNLIKELY if unmet else POSSIBLE if (unknown or judgement) else LIKELY
    return ProgramResult(
        id=program.id,
        status=status,
        reasons=_reasons(program, states, status),
        next_steps=_next_steps(program, status, unmet),
        unmet=unmet,
        unknown=unknown,
        needs_judgement=judgement,
        name=program.name,
    )


def _not_offered(program: Program, state: str) -> ProgramResult:
    r = rules()
    reason = r.not_offered_reason.format(state=r.state_names.get(state, state), where=program.where)
    return ProgramResult(
        id=program.id,
        status=UNLIKELY,
        reasons=[reason],
        next_steps=list(r.next_steps["out_of_area"]),
        unmet=[r.not_offered_id],
        name=program.name,
    )


def evaluate(answers: dict) -> list[ProgramResult]:
    """The outcome per program for the screening answers given so far.

    `answers` maps question ids to the answer values of referral/screening/questions.yml; a question not asked
    (missing or None) counts like "not_sure": unknown. Which programs are reported follows
    `programs_in_scope`; a place outside every program's state makes each program "unlikely",
    with "Not offered in <state>" and, as next steps, FindTreatment.gov and 988.
    """
    r = rules()
    state = _state_code(answers.get("location"))
    results = []
    for program_id in programs_in_scope(answers):
        program = r.programs[program_id]
        if state and state != program.state:
            results.append(_not_offered(program, state))
        else:
            results.append(_evaluate_program(program, answers))
    return results


# ----------------------------------------------------------------------------- questions


def _asked(answers: dict, question_id: str) -> bool:
    return answers.get(question_id) is not None


def _may_ask(question_id: str, answers: dict) -> bool:
    needs = rules().ask_only_when.get(question_id, {})
    return all(answers.get(q) in values for q, values in needs.items())


def _can_change_outcome(question_id: str, answers: dict, live: list[Program]) -> bool:
    """Whether some answer to the question would change a required criterion of a live program."""
    samples = rules().samples.get(question_id, [])
    baseline = {p.id: _required_states(p, answers) for p in live}
    for sample in samples:
        trial = {**answers, question_id: sample}
        if any(_required_states(p, trial) != baseline[p.id] for p in live):
            return True
    return False


def questions_that_matter(answers: dict) -> list[str]:
    """The screening questions worth asking, in order, given the answers so far.

    A pure function of the answers, worked out once per set of answers (the action server asks
    it two or three times per turn; a new list is returned each time).

    The list holds the questions already answered (any value, "not_sure" too) and the ones still
    worth asking, in the order of referral/screening/questions.yml (for_whom, location, coverage,
    age, diagnosis, psych_discharge, er_visits, housing, move_in, justice, access_barriers,
    daily_living, consent).
    The form asks the first id in the list that has no answer; when every id has one, the
    screening is over. So:

    - `for_whom`, `location` and `coverage` are always in the list, first.
    - Another question is in it only where some answer to it could still change a required
      criterion of a program that is in scope and not already "unlikely": `age` and
      `daily_living` only while CST is in play (North Carolina, or place and coverage unknown);
      `housing` and `justice` only while the CSP tracks are; `er_visits` not when a psychiatric
      discharge within 180 days (or "yes") already shows the risk for CSP and the high-acuity use
      for CST; `access_barriers` only while CSP's risk is not shown yet or CSP-JI is in play.
    - `move_in` only once `housing` is "homeless_psh" (rules.yml `ask_only_when`).
    - Early stop: when every program in scope is already "unlikely" (no coverage or other
      insurance, no diagnosis, a place outside MA and NC, under 18 in NC, no consent ...) the
      list holds only the questions already answered, so nothing more is asked; but `location`
      while it is not told and the results would hold programs of more than one state.
    """
    try:
        key = json.dumps(answers, sort_keys=True)
    except TypeError:  # not plain JSON values (never from a tracker): work it out directly
        return _plan(answers)
    return list(_questions_that_matter(key))


@lru_cache(maxsize=2048)
def _questions_that_matter(answers_json: str) -> tuple[str, ...]:
    return tuple(_plan(json.loads(answers_json)))


def _plan(answers: dict) -> list[str]:
    r = rules()
    results = evaluate(answers)
    if all(result.status == UNLIKELY for result in results):
        # Nothing more can change an outcome; but with no place told and programs of more than one
        # state in the results ("my MassHealth got cut off"), the place is asked: it says whose
        # results, help lines and providers are the person's.
        states = {r.programs[result.id].state for result in results}
        # Another state's Medicaid says where already (none of these programs is theirs).
        place_needed = not _asked(answers, "location") and len(states) > 1 and not _other_states_medicaid(answers)
        return [q for q in r.question_order if _asked(answers, q) or (q == "location" and place_needed)]
    live = [r.programs[result.id] for result in results if result.status != UNLIKELY]
    plan = []
    for question_id in r.question_order:
        if _asked(answers, question_id) or question_id in r.always_first:
            plan.append(question_id)
        elif _may_ask(question_id, answers) and _can_change_outcome(question_id, answers, live):
            plan.append(question_id)
    return plan
