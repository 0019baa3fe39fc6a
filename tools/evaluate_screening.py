"""Screenings by people no one on the team wrote, through the real servers: the honest measure.

Two kinds of set in tests/screening/blind/<round>/ (written after the code was frozen, scored once):
- personas.json: people with a voice, a first message and an answer in their own words for every
  question the bot might ask, and the outcome a careful reader of the program rules expects per
  program. The driver says the first message, then answers each question the bot asks with the
  persona's answer (the same answer again if the same question is asked again); it records the
  outcome, the questions asked and whether any question came more than three times in a row.
- conversations.json: scripted conversations (interruptions, corrections, stop and continue, a
  crisis mid-screening, a program question inside an answer), each turn with what must happen:
  `asks` (the question id asked next), `not_asks`, `result` ({program: status}), `says` (words the
  reply must contain), `no_result` (not finished yet).

Figures: personas with the right outcome for every program, with no loop, and no dead end (a
reply with neither a question, a result nor a safety question); conversations with every
expectation met. A safety question ("Is he in danger right now?") on a persona's ordinary answer is
answered "no", as the person would, and counted apart: personas who met one. (Rounds 1 and 2 were
scored once with a driver that stopped there and counted it as a dead end.) The misses
file keeps each miss's transcript (what was said and what the bot replied), for reading the kinds.

Each round's round.json names the date its writers took as today; the servers count dates from
it (REFERRAL_TODAY).

Usage: python tools/evaluate_screening.py [--round NAME] [--write-misses FILE] [--write-kept]
(starts the servers on free ports with the trained model, like the end-to-end tests).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
BLIND = ROOT / "tests" / "screening" / "blind"
MAX_TURNS = 30
LOOP = 3  # a question asked more than this many times in a row (or twice as many in all) is a loop


class Talk:
    def __init__(self, rasa_url: str):
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender = uuid.uuid4().hex

        self.transcript: list[dict] = []

    def say(self, text: str) -> list[dict]:
        response = requests.post(self.url, json={"sender": self.sender, "message": text}, timeout=60)
        response.raise_for_status()
        messages = response.json()
        self.transcript.append({"said": text, "bot": text_of(messages)})
        return messages


def payloads(messages: list[dict], kind: str) -> list[dict]:
    return [m["custom"] for m in messages if isinstance(m.get("custom"), dict) and m["custom"].get("type") == kind]


def text_of(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def run_persona(rasa_url: str, persona: dict) -> dict:
    talk = Talk(rasa_url)
    messages = talk.say(persona.get("first_message") or "/check_eligibility")
    safety = 0
    if payloads(messages, "crisis_check"):
        safety += 1  # the safety question on a first message: "no", as the person would (counted)
        messages = talk.say("no")
    if not payloads(messages, "question") and not payloads(messages, "eligibility"):
        messages = talk.say("/check_eligibility")  # a first message the bot took as a greeting
    asked, streak, loop, dead_end, result = [], 0, False, False, None
    for _ in range(MAX_TURNS):
        found = payloads(messages, "eligibility")
        if found:
            result = {p["id"]: p["status"] for p in found[-1]["programs"]}
            break
        question = payloads(messages, "question")
        if not question and payloads(messages, "crisis_check") and safety < LOOP:
            # The safety question on an ordinary answer: the person, not at risk, says no; counted.
            safety += 1
            messages = talk.say("no")
            continue
        if not question:
            dead_end = True
            break
        qid = question[-1]["id"]
        streak = streak + 1 if asked and asked[-1] == qid else 1
        asked.append(qid)
        if streak > LOOP or asked.count(qid) > 2 * LOOP:
            # More than three times in a row, or questions taking turns with no end (location,
            # coverage, location, coverage...): a loop either way.
            loop = True
            break
        messages = talk.say(persona["answers"].get(qid, "not sure"))
    expected = persona["expected"]
    right = result is not None and all(result.get(p) == s for p, s in expected.items()) and set(result) == set(expected)
    # A wrong "likely" sends a person to a provider who will turn them away: counted apart.
    wrong_likely = [p for p, s in (result or {}).items() if s == "likely" and expected.get(p) != "likely"]
    return {
        "wrong_likely": wrong_likely,
        "id": persona["id"],
        "right": right,
        "loop": loop,
        "dead_end": dead_end,
        "result": result,
        "expected": expected,
        "asked": asked,
        "safety_questions": safety,
        "transcript": talk.transcript,
    }


def run_conversation(rasa_url: str, script: dict) -> dict:
    talk = Talk(rasa_url)
    failures = []
    for number, turn in enumerate(script["turns"], 1):
        messages = talk.say(turn["say"])
        expect = turn.get("expect") or {}
        question = payloads(messages, "question")
        asked = question[-1]["id"] if question else None
        found = payloads(messages, "eligibility")
        result = {p["id"]: p["status"] for p in found[-1]["programs"]} if found else None
        said = text_of(messages).lower()
        if "asks" in expect and asked != expect["asks"]:
            failures.append(f"turn {number}: asked {asked}, expected {expect['asks']}")
        if "not_asks" in expect and asked == expect["not_asks"]:
            failures.append(f"turn {number}: asked {asked} again")
        if "result" in expect and (result is None or any(result.get(p) != s for p, s in expect["result"].items())):
            failures.append(f"turn {number}: result {result}, expected {expect['result']}")
        if expect.get("no_result") and result is not None:
            failures.append(f"turn {number}: finished early with {result}")
        for words in expect.get("says", []):
            if words.lower() not in said:
                failures.append(f"turn {number}: the reply does not say {words!r}")
    return {"id": script["id"], "right": not failures, "failures": failures, "transcript": talk.transcript}


def written_on(folder: Path) -> str:
    """The date the round's writers took as today (round.json), so that "June 4" counts the days it
    counted for them; the servers get it as REFERRAL_TODAY."""
    meta = folder / "round.json"
    return json.loads(meta.read_text("utf-8"))["today"] if meta.exists() else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--round", help="a folder of tests/screening/blind (default: every round)")
    parser.add_argument("--write-misses", type=Path)
    parser.add_argument(
        "--write-kept",
        action="store_true",
        help="write each round's kept.json: the personas and conversations that go right now, "
        "which tests/e2e/test_blind_rounds.py then keeps right",
    )
    args = parser.parse_args()
    rounds = [BLIND / args.round] if args.round else sorted(p for p in BLIND.iterdir() if p.is_dir())
    from stack import Stack

    misses = []
    for folder in rounds:
        personas = (
            json.loads((folder / "personas.json").read_text("utf-8")) if (folder / "personas.json").exists() else []
        )
        scripts = (
            json.loads((folder / "conversations.json").read_text("utf-8"))
            if (folder / "conversations.json").exists()
            else []
        )
        os.environ["REFERRAL_TODAY"] = written_on(folder)
        stack = Stack.on_free_ports(with_web=False)
        stack.start()
        try:
            people = [run_persona(stack.rasa_url, p) for p in personas]
            talks = [run_conversation(stack.rasa_url, s) for s in scripts]
        finally:
            stack.stop()
        n = len(people) or 1
        print(
            f"{folder.name} (today {os.environ['REFERRAL_TODAY'] or 'as the clock says'}): personas "
            f"{sum(p['right'] for p in people)}/{len(people)} right outcome "
            f"({sum(p['right'] for p in people) / n:.0%}), loops {sum(p['loop'] for p in people)}, "
            f"dead ends {sum(p['dead_end'] for p in people)}, safety question on an ordinary answer "
            f"{sum(bool(p['safety_questions']) for p in people)}, wrong likely "
            f"{sum(bool(p['wrong_likely']) for p in people)}; conversations "
            f"{sum(t['right'] for t in talks)}/{len(talks)} as they should go"
        )
        if args.write_kept:
            kept = {
                "personas": [p["id"] for p in people if p["right"]],
                "conversations": [t["id"] for t in talks if t["right"]],
            }
            (folder / "kept.json").write_text(json.dumps(kept, indent=1) + "\n", encoding="utf-8")
        misses += [dict(p, round=folder.name) for p in people if not p["right"]]
        misses += [dict(t, round=folder.name) for t in talks if not t["right"]]
    if args.write_misses:
        args.write_misses.write_text(json.dumps(misses, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
