"""The crisis layer's one decision per message: `crisis`, `ask` (the safety question) or `none`.

Two readers, one decision:
- the patterns (`matcher.py`, `patterns.yml`): explicit words, negations, history and idioms,
  fast and explainable; an urgent match is a crisis, a gentle one a risk signal;
- the trained classifier (`classifier.py`), run on the whole message and on each of its
  sentences, so a crisis sentence inside a long screening answer is read on its own.
A message the classifier reads as risky only as a whole (two sentences or more, no pattern, none
of its sentences reaching the safety question's threshold on its own) gets the safety question,
not the resources; nothing when every sentence reads below SCATTERED_FLOOR. (During a screening,
actions/support.py asks the safety question, not the resources, for a classifier-only crisis on a
message that answers the open question.)
Thresholds come from the component's configuration (config.yml). The result carries the kind, who
is at risk, the language, danger now, the relation ("son") and the character spans of the
sentences that carry the risk (so the rest of the message can still be read as an answer). It never
carries or logs the text itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from referral.crisis.classifier import CrisisClassifier, Reading
from referral.crisis.matcher import CrisisMatcher, CrisisSignal
from referral.crisis.resources import answers_data
from referral.text import sentences, unmask

MAX_CHARS = 2000  # the channel limit; a longer text is read up to here
MAX_SENTENCES = 40
# A message read as risky only as a whole, each of its sentences below this on its own: no risk.
SCATTERED_FLOOR = 0.35
# config.yml sets them for the model. `cleared_margin`: added to both when the patterns found
# crisis words and their context cleared them (a denial, history that is over, an idiom).
# `sentence_gate`: a sentence is read on its own only where the whole message reaches it.
DEFAULT_THRESHOLDS = {"crisis": 0.6, "ask": 0.5, "cleared_margin": 0.3, "sentence_gate": 0.2}

# The patterns' categories in the kinds of answers.yml.
MATCHER_KINDS = {
    "suicide": "suicide",
    "self_harm": "self_harm",
    "overdose_emergency": "overdose",
    "danger_to_others": "danger_to_others",
    "unsafe": "violence_home",
}


@dataclass(frozen=True)
class CrisisAssessment:
    answer: str  # crisis | ask | none
    kind: str = ""
    about: str = "self"  # self | other
    lang: str = "en"  # en | es (the language the answer is given in)
    spanish_too: bool = False  # Spanish or mixed: the Spanish ways to reach 988 are named
    danger_now: bool = False
    relation: str = ""
    source: str = ""  # patterns | classifier | both
    spans: Tuple[Tuple[int, int], ...] = field(default_factory=tuple)
    p_crisis: float = 0.0
    p_risk: float = 0.0

    def payload(self) -> Dict[str, Any]:
        """What goes into the parse data (and so the tracker): the kind of crisis, never text."""
        return {
            "answer": self.answer,
            "kind": self.kind,
            "about": self.about,
            "lang": self.lang,
            "spanish_too": self.spanish_too,
            "danger_now": self.danger_now,
            "relation": self.relation,
            "source": self.source,
            "spans": [list(s) for s in self.spans],
        }


NONE = CrisisAssessment("none")


class CrisisAssessor:
    """Patterns plus classifier, with the two thresholds."""

    def __init__(
        self,
        matcher: CrisisMatcher,
        classifier: Optional[CrisisClassifier],
        thresholds: Optional[Dict[str, float]] = None,
    ) -> None:
        self.matcher = matcher
        self.classifier = classifier
        self.thresholds = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
        data = answers_data()
        self._danger_now = _phrase_regex(data["danger_now"]["en"] + data["danger_now"]["es"])
        self._relations: List[Tuple[re.Pattern, str]] = []
        for lang in ("en", "es"):
            for relation, words in data["relations"][lang].items():
                self._relations.append((_phrase_regex(words), relation))

    def assess(self, text: str) -> CrisisAssessment:
        if not text or not text.strip() or text.lstrip().startswith("/"):
            return NONE
        text = text[:MAX_CHARS]
        signal, matched = self.matcher.detect_traced(text)
        spans = sentences(text)[:MAX_SENTENCES] or [(0, len(text))]
        units = [(0, len(text))] + (spans if len(spans) > 1 else [])
        readings = self.classifier.read([text[s:e] for s, e in units]) if self.classifier else []

        # A sentence counts on its own where the whole message reads at least a little risky:
        # "I tried to end my life in 2016." alone reads as a crisis, the whole story as history.
        whole = readings[0] if readings else None
        counted = [r for r in readings[1:] if whole and whole.p_risk >= self.thresholds["sentence_gate"]]
        counted = ([whole] if whole else []) + counted
        p_crisis = max((r.p_crisis for r in counted), default=0.0)
        p_risk = max((r.p_risk for r in counted), default=0.0)
        # Crisis words that the patterns' context cleared: the classifier must be surer
        # (held-out writers: crisis banner on everyday messages 2.8% -> 2.1%, recall unchanged).
        margin = self.thresholds["cleared_margin"] if matched and signal is None else 0.0
        crisis_at, ask_at = self.thresholds["crisis"] + margin, self.thresholds["ask"] + margin
        urgent = signal is not None and signal.level == "urgent"
        # A long message the classifier reads as a crisis though none of its sentences is risky on
        # its own, and no pattern found crisis words ("I'm writing about my father. He's 74, a
        # veteran. He has Medicaid and Medicare."): unclear, so the safety question, not the resources.
        scattered = (
            signal is None and len(readings) > 2 and max(r.p_risk for r in readings[1:]) < self.thresholds["ask"]
        )
        quiet = scattered and max(r.p_risk for r in readings[1:]) < SCATTERED_FLOOR
        if urgent or (p_crisis >= crisis_at and not scattered):
            answer = "crisis"
        elif signal is not None or (p_risk >= ask_at and not quiet):
            answer = "ask"
        else:
            return CrisisAssessment("none", p_crisis=p_crisis, p_risk=p_risk)

        by_classifier = p_crisis >= crisis_at or p_risk >= ask_at
        source = "both" if signal and by_classifier else ("patterns" if signal else "classifier")
        # The sentences that carry the risk: those near the riskiest one ("I'm 41, in Brockton." next
        # to "I took all my pills" reads a little risky on its own, as writers put them together).
        top = max((r.p_risk for u, r in zip(units, readings) if u != (0, len(text))), default=0.0)
        cut = max(self.thresholds["ask"], top - 0.3)
        risky = [u for u, r in zip(units, readings) if r.p_risk >= cut]
        # The sentences that carry the risk; the whole message when no single sentence does.
        risk_spans = [u for u in risky if u != (0, len(text))] or [(0, len(text))]
        best = max(readings, key=lambda r: r.p_risk) if readings else None
        kind = self._kind(signal, best)
        about = self._about(signal, best, text)
        lang = readings[0].lang if readings else "en"
        risk_text = unmask(" ".join(text[s:e] for s, e in risk_spans))
        danger_now = kind == "other_in_danger" or bool(self._danger_now.search(risk_text))
        return CrisisAssessment(
            answer=answer,
            kind=kind,
            about=about,
            lang="es" if lang == "es" else "en",
            spanish_too=lang in ("es", "mix"),
            danger_now=danger_now,
            relation=self._relation(text) if about == "other" else "",
            source=source,
            spans=tuple(risk_spans),
            p_crisis=p_crisis,
            p_risk=p_risk,
        )

    @staticmethod
    def _kind(signal: Optional[CrisisSignal], best: Optional[Reading]) -> str:
        if signal is not None:
            kind = MATCHER_KINDS.get(signal.category, "suicide")
            if kind == "overdose" and signal.about == "other":
                return "other_in_danger"
            return kind
        return best.kind if best else "suicide"

    @staticmethod
    def _about(signal: Optional[CrisisSignal], best: Optional[Reading], text: str) -> str:
        if signal is not None and signal.about in ("self", "other"):
            return signal.about
        return best.about if best else "self"

    def _relation(self, text: str) -> str:
        low = unmask(text)
        found = [(m.start(), relation) for regex, relation in self._relations for m in [regex.search(low)] if m]
        return min(found)[1] if found else ""


def _phrase_regex(phrases: List[str]) -> re.Pattern:
    """Whole words or phrases, case-insensitive."""
    parts = sorted({p.lower() for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(p) for p in parts) + r")(?![\w])", re.IGNORECASE)
