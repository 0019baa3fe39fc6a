"""The screening questions (actions/screening/questions.yml): wording per voice, buttons, labels."""

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

QUESTIONS_FILE = Path(__file__).with_name("questions.yml")
VOICES = ("self", "other", "client")


@lru_cache(maxsize=1)
def _load() -> Dict[str, Any]:
    with QUESTIONS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def question_ids() -> List[str]:
    """Every screening question id, in the order they are asked."""
    return list(_load()["questions"])


def label(question_id: str) -> str:
    return _load()["labels"][question_id]


def person_phrase(relation: Optional[str]) -> str:
    """How a family member or friend is named in a question: "your brother" or "this person"."""
    return f"your {relation}" if relation else "this person"


def wording(question_id: str, voice: str, relation: Optional[str], again: bool) -> str:
    """The question's text in the asker's voice; `again` gives the rephrased version."""
    question = _load()["questions"][question_id]
    text = question["again"] if again else question["ask"][voice if voice in VOICES else "self"]
    return text.replace("{person}", person_phrase(relation))


def buttons(question_id: str, state: Optional[str] = None) -> List[Dict[str, str]]:
    """The question's buttons; those marked `only_in` another state are left out."""
    return [
        {"title": b["title"], "payload": b["payload"]}
        for b in _load()["questions"][question_id]["buttons"]
        if state not in ("MA", "NC") or b.get("only_in", state) == state
    ]
