"""The screening's word lists (lexicon.yml) compiled into phrase tables, once per process: the
yes / no / not sure words of each question, coverage (with each served state's Medicaid from the
program registry), diagnoses, housing, who the support is for, ages."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from referral.registry import registry, us_states
from referral.screening.questions import question_ids
from referral.text.durations import time_words
from referral.text.numbers import words
from referral.text.phrases import PhraseTable

LEXICON_PATH = Path(__file__).with_name("lexicon.yml")


@dataclass
class Lexicon:
    raw: dict
    answers: dict  # question id -> PhraseTable of yes/no/not_sure phrases
    zero_count: PhraseTable
    own_words: dict = field(default_factory=dict)  # question id -> PhraseTable of its own phrases only
    fact_words: dict = field(default_factory=dict)  # question id -> its phrases in a message about other things
    tables: dict = field(default_factory=dict)


def _words_table(words: dict) -> PhraseTable:
    return PhraseTable((phrase, label) for label, phrases in words.items() for phrase in phrases)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The lexicon, compiled once per process (with the number and time words it needs)."""
    raw = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))

    answers = {}
    for question_id in question_ids():
        own = raw["question_words"].get(question_id, {})
        entries = [(p, label) for label, phrases in own.items() for p in phrases]
        entries += [
            (p, label) for label, phrases in raw.get("fact_words", {}).get(question_id, {}).items() for p in phrases
        ]
        entries += [(p, label) for label, phrases in raw["answer_words"].items() for p in phrases]
        answers[question_id] = PhraseTable(entries)

    own_words = {}
    for question_id in question_ids():
        own = raw["question_words"].get(question_id, {})
        own_words[question_id] = PhraseTable((p, label) for label, phrases in own.items() for p in phrases)

    # In a message about other things, `fact_words` (where a question has them) say what is about it.
    fact_words = dict(own_words)
    for question_id, phrases in raw.get("fact_words", {}).items():
        fact_words[question_id] = _words_table(phrases)
    # A question's own words that say nothing about it in a message about other things ("needs
    # help", "nothing since"): read only while the question itself is open.
    for question_id, skipped in raw.get("not_facts", {}).items():
        if question_id in raw.get("fact_words", {}):
            continue
        own = raw["question_words"].get(question_id, {})
        fact_words[question_id] = PhraseTable(
            (p, label) for label, phrases in own.items() for p in phrases if p not in set(skipped)
        )

    lex = Lexicon(
        raw=raw,
        answers=answers,
        own_words=own_words,
        fact_words=fact_words,
        zero_count=PhraseTable((p, 0) for p in raw["zero_count"]),
    )
    lex.tables = {
        "coverage": PhraseTable(_coverage_entries(raw)),
        "coverage_negators": PhraseTable((p, True) for p in raw["coverage_negators"]),
        "control_words": PhraseTable((p, True) for p in raw["control_words"]),
        "stop_commands": PhraseTable((p, True) for p in raw["stop_commands"]),
        "stop_words": PhraseTable((p, True) for p in raw["stop_words"]),
        "resume_words": PhraseTable((p, True) for p in raw.get("resume_words", [])),
        "coverage_ended": PhraseTable((p, True) for p in raw["coverage_ended"]),
        "coverage_unsure": PhraseTable((p, True) for p in raw["coverage_unsure"]),
        "states": _state_table(),
        "diagnosis": _words_table(raw["diagnosis"]),
        "diagnosis_negators": PhraseTable((p, True) for p in raw["diagnosis_negators"]),
        "housing": _words_table(raw["housing"]),
        "for_whom": PhraseTable(
            [(p, ("client", None)) for p in raw["for_whom"]["client"]]
            + [(p, ("other", None)) for p in raw["for_whom"]["other"]]
            + [(p, ("other", label)) for p, label in raw["relations"].items()]
            + [(p, ("self", None)) for p in raw["for_whom"]["self"]]
        ),
        "still_in_hospital": PhraseTable((p, True) for p in raw["still_in_hospital"]),
        "already_moved_in": PhraseTable((p, True) for p in raw["already_moved_in"]),
        "soon": PhraseTable((p, True) for p in raw["soon_words"]),
        "age_at_least": PhraseTable((p, True) for p in raw["age_at_least"]),
        "age_at_most": PhraseTable((p, True) for p in raw["age_at_most"]),
        "age_turning": PhraseTable((p, True) for p in raw["age_turning"]),
        "age_adult": PhraseTable((p, True) for p in raw["age_adult"]),
        "age_minor": PhraseTable((p, True) for p in raw["age_minor"]),
        "diagnosis_words": _words_table(raw["diagnosis_words"]),
        "for_whom_self_explicit": PhraseTable((p, True) for p in raw["for_whom_self_explicit"]),
        "for_whom_negators": PhraseTable((p, True) for p in raw["for_whom_negators"]),
        "answer_negators": PhraseTable((p, True) for p in raw["answer_negators"]),
        "er_words": PhraseTable((p, True) for p in raw["er_words"]),
        "age_birth": PhraseTable((p, True) for p in raw["age_birth"]),
        "coverage_kind_hints": _words_table(raw["coverage_kind_hints"]),
        "age_decades": PhraseTable(raw["age_decades"].items()),
        "age_about": PhraseTable((p, True) for p in raw["age_about"]),
        "age_ranges": PhraseTable((p, tuple(r)) for p, r in raw["age_ranges"].items()),
        "near_replies": _words_table(raw["near_replies"]),
        # "more than twice", "at least once": the sides of time_approximator_kinds (words.yml).
        "count_sides": PhraseTable(
            (p, side)
            for side, phrases in words()["time_approximator_kinds"].items()
            if side in ("more", "less", "at_least", "at_most")
            for p in phrases
        ),
    }
    time_words()  # compiled now too: the first answer about a time does not wait for it
    return lex


def _coverage_entries(raw: dict) -> list[tuple[str, Any]]:
    """Coverage phrases and their labels: each served state's Medicaid (registry.yml) as
    ("medicaid_of", state) for its names and ("kind", answer) for its kinds, then the lexicon's
    "medicaid" (state not said), "other", "none" and "not_sure"."""
    entries: list[tuple[str, Any]] = []
    for state in registry().states.values():
        entries += [(w, ("medicaid_of", state.code)) for w in state.medicaid.words]
    for state in registry().states.values():
        entries += [(w, ("kind", answer)) for answer, words in state.medicaid.kinds.items() for w in words]
    entries += [
        (p, label)
        for label in ("medicaid", "medicaid_other_state", "other", "none", "not_sure")
        for p in raw["coverage"][label]
    ]
    return entries


def _state_table() -> PhraseTable:
    """US state names and other names ("texas", "north carolina", "mass") -> state code."""
    entries = []
    for state in us_states():
        entries += [(name, state["code"]) for name in [state["name"], *state.get("other_names", [])]]
    # Two-letter codes only for the states served: "nc medicaid", "medicaid in ma".
    entries += [(code.lower(), code) for code in registry().served_states()]
    return PhraseTable(entries)
