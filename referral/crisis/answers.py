"""What the assistant says for a crisis or a risk signal, from answers.yml and resources.yml.

Pure functions of the crisis layer's payload (kind, about, language, danger now, relation) and the
person's state: the words, the resources in their order, the safety question and how a reply to
it is read. The action server speaks them; nothing here reads or keeps the message text beyond
the reply being read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from referral.crisis.resources import answers_data, resources_for_kind
from referral.text import unmask

# Kinds where the first person a message names may be the one doing harm ("my stepdad hit my
# brother"): the words then name nobody ("If anyone is in danger right now, call 911.").
VIOLENCE_KINDS = ("violence_home", "child_harm", "danger_to_others")


@dataclass(frozen=True)
class CrisisReply:
    opening: str
    resources: List[Dict[str, Any]]
    extra: List[str]


def words_for(lang: Optional[str]) -> Dict[str, Any]:
    """The words of answers.yml in the person's language (Spanish or English)."""
    return answers_data()["words"]["es" if lang == "es" else "en"]


def buttons_for(buttons: List[Dict[str, str]], lang: Optional[str]) -> List[Dict[str, str]]:
    """The same buttons with their titles in the person's language, where answers.yml has them."""
    titles = words_for(lang).get("buttons") or {}
    return [{**b, "title": titles.get(b["payload"], b["title"])} for b in buttons]


def who(signal: Dict[str, Any]) -> str:
    """ "your son", "tu hija", or a neutral phrase when the relation is not known."""
    names = words_for(signal.get("lang"))["who"]
    return names.get(signal.get("relation") or "", names[""])


def they(signal: Dict[str, Any]) -> str:
    pronouns = words_for(signal.get("lang"))["they"]
    return pronouns.get(signal.get("relation") or "", pronouns[""])


def resource_line(resource: Dict[str, Any], spanish: bool = False, lang: str = "en") -> str:
    """One crisis or help line as a plain text line: how to call, text or chat (in Spanish for "es";
    `spanish` adds the Spanish ways to reach 988 to an English line)."""
    if lang == "es" and resource.get("how_es"):
        return f"- {resource['name']}: {resource['how_es']}"
    how = resource.get("how")
    if not how:
        ways = [f"call {resource['phone']}"] if resource.get("phone") else []
        ways += [f"text {resource['text']}"] if resource.get("text") else []
        ways += [f"chat at {resource['url']}"] if resource.get("url") else []
        how = ", ".join(ways)
    line = f"- {resource['name']}: {how}"
    return f"{line} {resource['spanish']}" if resource.get("spanish") and spanish else line


def crisis_reply(signal: Dict[str, Any], state: Optional[str], opening_key: Optional[str] = None) -> CrisisReply:
    """The opening words, the resources fitted to the kind, and any extra line (Poison Help now)."""
    words = words_for(signal.get("lang"))
    kind = signal.get("kind") or "suicide"
    about_other = signal.get("about") == "other"
    danger_now = bool(signal.get("danger_now"))
    if opening_key is None:
        if kind == "child_harm" or (about_other and kind in VIOLENCE_KINDS):
            # A child being hurt, or violence about someone else: words that name nobody, since the
            # first person named may be the one doing harm (and the writer may be a child too).
            opening_key = "other_violence"
        elif about_other:
            opening_key = "other" if danger_now or kind in ("other_in_danger", "overdose") else "other_not_now"
        else:
            opening_key = "self_danger_now" if danger_now else "self"
    template = words["opening"].get(opening_key) or words.get(opening_key) or words["opening"]["self"]
    opening = template.format(who=who(signal))
    extra = [words["overdose_self"]] if kind == "overdose" and not about_other else []
    return CrisisReply(opening, resources_for_kind(kind, state, danger_now), extra)


def crisis_text(reply: CrisisReply, spanish: bool, lang: str = "en") -> str:
    lines = [reply.opening] + [resource_line(r, spanish, lang) for r in reply.resources] + reply.extra
    return "\n".join(lines)


def safety_question(signal: Dict[str, Any]) -> Dict[str, Any]:
    """The safety question's text and its Yes / No / Not sure buttons."""
    words = words_for(signal.get("lang"))
    about = "other" if signal.get("about") == "other" else "self"
    pronoun = they(signal)
    they_who = pronoun if pronoun else who(signal)
    key = "other_violence" if about == "other" and signal.get("kind") in VIOLENCE_KINDS else about
    text = words["safety_question"][key].format(who=who(signal), they_who=they_who)
    yes, no, unsure = words["safety_buttons"]
    buttons = [
        {"title": yes, "payload": "/affirm"},
        {"title": no, "payload": "/deny"},
        {"title": unsure, "payload": "/not_sure"},
    ]
    return {"text": text, "buttons": buttons, "about": about}


def read_safety_reply(text: str, intent: Optional[str], confidence: float, crisis: Dict[str, Any]) -> str:
    """A reply to the safety question: "yes", "no", "not_sure" or "at_risk".

    A reply that is itself a crisis or a risk signal is "at_risk". Only a plain "no" in people's
    words (or the No button) is "no"; anything unclear is "not_sure", so help is shown.
    """
    if crisis.get("answer") in ("crisis", "ask"):
        return "at_risk"
    replies = answers_data()["safety_replies"]
    said = re.sub(r"[^\w'/ ]+", " ", unmask(text or "")).strip()
    said = re.sub(r"\s+", " ", said)
    for answer in ("not_sure", "no", "yes"):
        if said in {re.sub(r"[^\w'/ ]+", " ", p.lower()).strip() for p in replies[answer]}:
            return answer
    if intent == "deny" and confidence >= 0.8 and len(said.split()) <= 6:
        return "no"
    if intent == "affirm" and confidence >= 0.6:
        return "yes"
    return "not_sure"
