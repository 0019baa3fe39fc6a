"""The program registry (programs/registry.yml): programs, the states served, their coverage.

Every program name and state comes from here. The folder of program data (registry.yml,
rules.yml, resources.yml, providers/) is `programs/` of the repository, or the folder the
REFERRAL_PROGRAMS_DIR environment variable names (a deployment's own programs, or a test's copy).
The registry is checked when it loads: a program's state must be served, its coverage must be
answers of that state's Medicaid, its help lines must be in resources.yml and its questions must
be screening questions. A mistake stops the start with the file and the reason.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS_PATH = ROOT / "referral" / "screening" / "questions.yml"


class RegistryError(ValueError):
    """A program data file that does not hold together; the message names the file."""


def programs_dir() -> Path:
    """The folder of program data: REFERRAL_PROGRAMS_DIR, or programs/ of the repository."""
    return Path(os.environ.get("REFERRAL_PROGRAMS_DIR") or ROOT / "programs")


def program_file(name: str) -> Path:
    return programs_dir() / name


@dataclass(frozen=True)
class Medicaid:
    """A state's Medicaid: its name, its coverage answers and the words people write for each."""

    name: str
    default: str
    words: tuple[str, ...]
    kinds: dict  # coverage answer -> words that say this kind
    spelling: Optional[str]

    @property
    def answers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.kinds, self.default]))


@dataclass(frozen=True)
class State:
    code: str
    medicaid: Medicaid
    buttons: tuple[dict, ...]


@dataclass(frozen=True)
class Program:
    id: str
    short_name: str
    name: str
    official_name: str
    state: str
    coverage: tuple[str, ...]
    where: str
    questions: tuple[str, ...]
    help_lines: tuple[str, ...]
    after_outcome: str
    how_to_apply: str
    official_list: str
    directory_words: tuple[str, ...]
    source: str
    fixture: bool = False


@dataclass(frozen=True)
class Registry:
    states: dict  # code -> State, in file order
    programs: dict  # id -> Program, in the order of the results

    def served_states(self) -> tuple[str, ...]:
        return tuple(self.states)

    def program_ids(self) -> tuple[str, ...]:
        return tuple(self.programs)

    def programs_in(self, state: Optional[str]) -> tuple[str, ...]:
        return tuple(p.id for p in self.programs.values() if p.state == state)

    def name(self, program_id: str) -> str:
        return self.programs[program_id].name

    def names(self) -> dict[str, str]:
        return {p.id: p.name for p in self.programs.values()}

    def coverage_answers(self) -> tuple[str, ...]:
        """Every state's Medicaid answers ("masshealth_ffs", "nc_medicaid", ...)."""
        return tuple(a for s in self.states.values() for a in s.medicaid.answers)

    def state_of_coverage(self, coverage: Optional[str]) -> Optional[str]:
        """The state whose Medicaid a coverage answer is ("masshealth_ffs" -> "MA")."""
        return next((s.code for s in self.states.values() if coverage in s.medicaid.answers), None)

    def medicaid_default(self, state: Optional[str]) -> Optional[str]:
        """What a plain "Medicaid" means for someone in `state` (None outside the states served)."""
        entry = self.states.get(state) if state else None
        return entry.medicaid.default if entry else None

    def help_lines(self, state: Optional[str]) -> tuple[str, ...]:
        """Resource ids of a state's own lines; every served state's when the state is not served."""
        states = [state] if state in self.states else list(self.states)
        return tuple(dict.fromkeys(line for p in self.programs.values() if p.state in states for line in p.help_lines))

    def states_of(self, program_ids) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.programs[p].state for p in program_ids if p in self.programs))

    def to_payload(self) -> dict:
        """What the web chat needs: names and states, by program id."""
        return {
            "programs": [
                {"id": p.id, "short_name": p.short_name, "name": p.name, "state": p.state}
                for p in self.programs.values()
            ],
            "states": list(self.states),
        }


def _tuple(value) -> tuple:
    return tuple(value or ())


def _fail(reason: str) -> RegistryError:
    return RegistryError(f"{program_file('registry.yml')}: {reason}")


def _state(code: str, raw: dict) -> State:
    medicaid = raw.get("medicaid") or {}
    for key in ("name", "default", "words"):
        if not medicaid.get(key):
            raise _fail(f"state {code}: medicaid.{key} is missing")
    return State(
        code=code,
        medicaid=Medicaid(
            name=medicaid["name"],
            default=medicaid["default"],
            words=_tuple(medicaid["words"]),
            kinds={k: _tuple(v) for k, v in (medicaid.get("kinds") or {}).items()},
            spelling=medicaid.get("spelling"),
        ),
        buttons=tuple(dict(b) for b in raw.get("buttons") or ()),
    )


def _program(program_id: str, raw: dict) -> Program:
    required = ("short_name", "name", "official_name", "state", "coverage", "where", "questions", "how_to_apply")
    missing = [key for key in required if not raw.get(key)]
    if missing:
        raise _fail(f"program {program_id}: missing {', '.join(missing)}")
    return Program(
        id=program_id,
        short_name=raw["short_name"],
        name=raw["name"],
        official_name=raw["official_name"],
        state=raw["state"],
        coverage=_tuple(raw["coverage"]),
        where=raw["where"],
        questions=_tuple(raw["questions"]),
        help_lines=_tuple(raw.get("help_lines")),
        after_outcome=raw.get("after_outcome") or "",
        how_to_apply=raw["how_to_apply"],
        official_list=raw.get("official_list") or "",
        directory_words=_tuple(raw.get("directory_words")),
        source=raw.get("source") or "",
        fixture=bool(raw.get("test_fixture")),
    )


def _check(reg: Registry) -> None:
    us_states = {s["code"] for s in _us_states()}
    resource_ids = {r["id"] for r in yaml.safe_load(program_file("resources.yml").read_text("utf-8"))["resources"]}
    # The question ids of referral/screening/questions.yml, read as data (that module reads the registry).
    questions = set(yaml.safe_load(QUESTIONS_PATH.read_text(encoding="utf-8"))["questions"])
    for state in reg.states.values():
        if state.code not in us_states:
            raise _fail(f"state {state.code} is not a US state code of us_states.json")
    owners: dict[str, str] = {}
    for state in reg.states.values():
        for answer in state.medicaid.answers:
            if answer in owners:
                raise _fail(f"coverage answer '{answer}' belongs to both {owners[answer]} and {state.code}")
            owners[answer] = state.code
    for program in reg.programs.values():
        where = f"program {program.id}"
        if program.state not in reg.states:
            raise _fail(f"{where}: state {program.state} is not under `states`")
        for answer in program.coverage:
            if owners.get(answer) != program.state:
                raise _fail(f"{where}: coverage '{answer}' is not an answer of {program.state}'s Medicaid")
        for line in program.help_lines:
            if line not in resource_ids:
                raise _fail(f"{where}: help line '{line}' is not in resources.yml")
        for question in program.questions:
            if question not in questions:
                raise _fail(f"{where}: '{question}' is not a screening question id")


US_STATES_PATH = ROOT / "referral" / "directory" / "data" / "us_states.json"


@lru_cache(maxsize=1)
def _us_states() -> list[dict]:
    """US states, DC and territories: one list for the whole project (the directory's)."""
    return json.loads(US_STATES_PATH.read_text(encoding="utf-8"))["states"]


def us_states() -> list[dict]:
    return _us_states()


def us_state_names() -> dict[str, str]:
    """Two-letter code -> name ("MA" -> "Massachusetts")."""
    return {s["code"]: s["name"] for s in _us_states()}


@lru_cache(maxsize=1)
def registry() -> Registry:
    """The registry of the programs folder, loaded and checked once per process."""
    path = program_file("registry.yml")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise RegistryError(f"{path}: {error}") from error
    reg = Registry(
        states={code: _state(code, entry or {}) for code, entry in (raw.get("states") or {}).items()},
        programs={pid: _program(pid, entry or {}) for pid, entry in (raw.get("programs") or {}).items()},
    )
    if not reg.programs:
        raise _fail("no programs")
    _check(reg)
    return reg
