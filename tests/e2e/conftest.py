"""Starts the real servers once per test session: action server, Rasa with the trained model, web page.

End-to-end tests talk to Rasa over REST like a website would. Each conversation gets a fresh,
random sender id, so tests do not share state.
"""

import os
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, List, Optional

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from stack import Stack  # noqa: E402


@pytest.fixture(scope="session")
def live_assistant():
    # For a quick loop while developing: REFERRAL_RASA_URL / REFERRAL_WEB_URL point the tests at an
    # assistant that is already running (`make run`) instead of starting one.
    if os.environ.get("REFERRAL_RASA_URL"):
        yield SimpleNamespace(
            rasa_url=os.environ["REFERRAL_RASA_URL"],
            web_url=os.environ.get("REFERRAL_WEB_URL", "http://localhost:8080"),
            actions_url=os.environ.get("REFERRAL_ACTIONS_URL", "http://127.0.0.1:5055"),
        )
        return
    stack = Stack.on_free_ports()
    if not stack.model.exists():
        pytest.fail("No trained model: run `make train` (make test does it) before the end-to-end tests")
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


class Conversation:
    """One person talking to the assistant over the REST channel."""

    def __init__(self, rasa_url: str):
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender = uuid.uuid4().hex
        self.turns: List[List[Dict[str, Any]]] = []

    def say(self, text: str) -> List[Dict[str, Any]]:
        response = requests.post(self.url, json={"sender": self.sender, "message": text}, timeout=30)
        response.raise_for_status()
        messages = response.json()
        self.turns.append(messages)
        return messages

    @staticmethod
    def text(messages: List[Dict[str, Any]]) -> str:
        return "\n".join(m.get("text", "") for m in messages if m.get("text"))

    @staticmethod
    def payloads(messages: List[Dict[str, Any]], kind: Optional[str] = None) -> List[Dict[str, Any]]:
        found = [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
        return [p for p in found if kind is None or p.get("type") == kind]

    @classmethod
    def question(cls, messages: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
        questions = cls.payloads(messages, "question")
        return questions[-1] if questions else None

    @staticmethod
    def buttons(messages: List[Dict[str, Any]]) -> List[Dict[str, str]]:
        return [b for m in messages for b in m.get("buttons") or []]


@pytest.fixture
def conversation(live_assistant) -> Conversation:
    return Conversation(live_assistant.rasa_url)


@pytest.fixture
def new_conversation(live_assistant):
    return lambda: Conversation(live_assistant.rasa_url)
