"""The screening questions (questions.yml): ids, wording per voice, buttons, labels, and the answers
each can have (the contract the rules, the parsers and integrations share)."""

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import yaml

from referral.registry import registry

QUESTIONS_FILE = Path(__file__).with_name("questions.yml")
VOICES = ("self", "other", "client")
NOT_SURE = "not_sure"


@lru_cache(maxsize=1)
def _load() -> Dict[str, Any]:
    with QUESTIONS_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if set(data["answers"]) != set(data["questions"]):
        raise ValueError(f"{QUESTIONS_FILE}: `answers` must list exactly the questions")
    return data


def question_ids() -> List[str]:
    """Every screening question id, in the order they are asked."""
    return list(_load()["questions"])


def answer_values(question_id: str) -> tuple:
    """The named answers a question can have (not the numbers); "not_sure" is always one."""
    values = list(_load()["answers"][question_id].get("values", []))
    if question_id == "coverage":
        values = list(registry().coverage_answers()) + values
    return tuple(values)


def number_range(question_id: str) -> Optional[tuple]:
    number = _load()["answers"][question_id].get("number")
    return (number["min"], number["max"]) if number else None


def is_valid_answer(question_id: str, value: Any) -> bool:
    """Whether a value is an answer the question can have (a place dict for `location`)."""
    if value == NOT_SURE:
        return True
    if _load()["answers"][question_id].get("place"):
        return isinstance(value, dict)
    if isinstance(value, str) and value in answer_values(question_id):
        return True
    bounds = number_range(question_id)
    return bool(bounds) and isinstance(value, int) and not isinstance(value, bool) and bounds[0] <= value <= bounds[1]


def check_answer_values(question_id: str, values: Iterable[Any], where: str) -> None:
    """Raises ValueError naming `where` when a value is no answer the question can have."""
    if question_id not in _load()["answers"]:
        raise ValueError(f"{where}: unknown question id {question_id!r}")
    wrong = [v for v in values if not is_valid_answer(question_id, v)]
    if wrong:
        raise ValueError(
            f"{where}: {wrong} are not answers of {question_id!r} " f"(referral/screening/questions.yml `answers`)"
        )


def label(question_id: str) -> str:
    return _load()["labels"][question_id]


def person_phrase(relation: Optional[str]) -> str:
    """How a family member or friend is named in a question: "your brother" or "this person"."""
    return f"your {relation}" if relation else "this person"


def wording(question_id: str, voice: str, relation: Optional[str], again: bool, variant: str = "") -> str:
    """The question's text in the asker's voice; `again` gives the rephrased version; `variant`
    names another way of asking it (`ask_<variant>` in questions.yml, e.g. housing's "lined_up")."""
    question = _load()["questions"][question_id]
    asks = question.get(f"ask_{variant}") if variant else None
    if asks:
        text = asks[voice if voice in VOICES else "self"]
    else:
        text = question["again"] if again else question["ask"][voice if voice in VOICES else "self"]
    medicaid = " or ".join(s.medicaid.name for s in registry().states.values())
    return text.replace("{person}", person_phrase(relation)).replace("{medicaid}", medicaid)


def buttons(question_id: str, state: Optional[str] = None, variant: str = "") -> List[Dict[str, str]]:
    """The question's buttons. For `coverage`, the Medicaid buttons of the person's state from the
    registry (every served state's while the state is not known) before the common ones."""
    question = _load()["questions"][question_id]
    listed = question.get(f"buttons_{variant}") if variant else None
    common = [{"title": b["title"], "payload": b["payload"]} for b in (listed or question["buttons"])]
    if question_id != "coverage":
        return common
    states = registry().states
    shown = [states[state]] if state in states else list(states.values())
    return [{"title": b["title"], "payload": b["payload"]} for s in shown for b in s.buttons] + common
