"""The blind screening rounds, kept as end-to-end tests once they were scored (issue 12).

Each round in tests/screening/blind/ was written by people no one on the team was, scored once
(README, "Reading screening answers"), and is a regression set from then on: run through the real
servers on the date its writers took as today, no persona may get a wrong "likely" or loop, and
every persona and conversation listed in the round's kept.json (those that went right when it was
kept) must still go right. They no longer measure understanding; the next round does.
"""

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from evaluate_screening import BLIND, run_conversation, run_persona, written_on  # noqa: E402
from stack import Stack  # noqa: E402

ROUNDS = sorted(p for p in BLIND.iterdir() if (p / "kept.json").exists())


@pytest.fixture(scope="module", params=ROUNDS, ids=[p.name for p in ROUNDS])
def kept_round(request):
    folder = request.param
    before = os.environ.get("REFERRAL_TODAY")
    os.environ["REFERRAL_TODAY"] = written_on(folder)
    stack = Stack.on_free_ports(with_web=False)
    try:
        stack.start()
        yield folder, stack
    finally:
        stack.stop()
        if before is None:
            os.environ.pop("REFERRAL_TODAY", None)
        else:
            os.environ["REFERRAL_TODAY"] = before


def test_no_wrong_likely_no_loop_and_the_kept_ones_still_go_right(kept_round):
    folder, stack = kept_round
    kept = json.loads((folder / "kept.json").read_text("utf-8"))
    personas = json.loads((folder / "personas.json").read_text("utf-8"))
    scripts = {s["id"]: s for s in json.loads((folder / "conversations.json").read_text("utf-8"))}
    people = [run_persona(stack.rasa_url, p) for p in personas]
    problems = [f"{p['id']}: wrong likely {p['wrong_likely']}" for p in people if p["wrong_likely"]]
    problems += [f"{p['id']}: the same question more than three times" for p in people if p["loop"]]
    problems += [
        f"{p['id']}: {p['result']} instead of {p['expected']}"
        for p in people
        if p["id"] in kept["personas"] and not p["right"]
    ]
    for script_id in kept["conversations"]:
        talk = run_conversation(stack.rasa_url, scripts[script_id])
        problems += [f"{script_id}: {failure}" for failure in talk["failures"]]
    assert not problems, "\n".join(problems)
