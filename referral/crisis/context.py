"""The surroundings of a crisis match in one message: clauses and sentences, negation, time,
who it is about. The matcher asks; this module only reads the words and the cue spans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Tuple

from spacy.tokens import Doc

# Sentence and clause boundaries: negation and time cues do not reach across them.
SENTENCE_END = {".", "!", "?", ";", "\n", "\n\n"}
CLAUSE_END = SENTENCE_END | {",", ":", "but", "though", "although", "however", "-", "--", "…", "and", "then", "plus"}

# Tokens just before a match (or its first token) that put it in the past: "I tried to kill
# myself", "I wanted to die", "he was hospitalized for being suicidal".
PAST_FRAME = {
    "tried",
    "attempted",
    "used",
    "was",
    "were",
    "had",
    "felt",
    "thought",
    "wanted",
    "killed",
    "overdosed",
    "almost",
    "nearly",
    "after",
    "survived",
    "took",
    "did",
    "threatened",
    "hospitalized",
    "hospitalised",
    "discharged",
    "admitted",
    "sectioned",
    "treated",
    "went",
}
QUESTION_WORDS = {
    "does",
    "do",
    "can",
    "is",
    "are",
    "will",
    "would",
    "what",
    "how",
    "who",
    "should",
    "could",
    "which",
    "where",
    "when",
    "why",
}
FIRST_PERSON = {"i", "me", "my", "we", "us", "our", "myself", "mine"}
PAST_WINDOW = 3
NEAR_NOW_WINDOW = 3
# What may follow a rule marked `ends_clause` ("she's cutting again", "I want to cut.").
CLAUSE_END_FOLLOWERS = {
    "again",
    "lately",
    "and",
    "but",
    "so",
    "because",
    "too",
    "more",
    "every",
    "myself",
    "herself",
    "himself",
    "themselves",
    "right",
    "now",
    "tonight",
    "today",
    "badly",
    "please",
    "help",
    "lol",
}

Span = Tuple[int, int]  # token start, end


@dataclass(frozen=True)
class CueWords:
    """The word lists of the `cues:` section of patterns.yml that the context reads."""

    negations: frozenset  # "not", "never", "no", ...
    not_after_no: frozenset  # "no" before these is no denial ("no one", "no way")
    negation_window: int  # how many words before a match a negation still governs it
    scope_breakers: frozenset  # words that end a negation's reach
    hedges: frozenset  # after a negation, a hedge ("I don't think I...") rather than a denial
    trailing_denials: frozenset  # form-style answers after the match: "no", "none", "no thanks"
    about_self: frozenset
    about_other: frozenset


class MatchContext:
    """Where cues sit in one message, and questions asked about a match's surroundings."""

    def __init__(self, doc: Doc, cues: Mapping[str, List[Span]], words: CueWords) -> None:
        self.cue_words = words
        self.words = [t.lower_ for t in doc]
        self.cues: Dict[str, List[Span]] = dict(cues)
        # Clause and sentence ids per token.
        self.clause: List[int] = []
        self.sentence: List[int] = []
        clause = sentence = 0
        for word in self.words:
            if word in SENTENCE_END or (word.strip() == "" and "\n" in word):
                sentence += 1
                clause += 1
            elif word in CLAUSE_END:
                clause += 1
            self.clause.append(clause)
            self.sentence.append(sentence)
        # Recovery phrases contain "now" ("okay now", "now I'm in recovery"): not "happening now".
        recovery = cues.get("recovery", [])
        self.cues["now"] = [
            (s, e) for s, e in cues.get("now", []) if not any(rs - 3 <= s and s < re_ for rs, re_ in recovery)
        ]
        # "since last year", "at times": an ongoing state cancels an overlapping old-time cue.
        ongoing = cues.get("ongoing", [])
        self.cues["old_time"] = [
            (s, e) for s, e in cues.get("old_time", []) if not any(os < e and s < oe for os, oe in ongoing)
        ]

    def has(self, name: str, start: int = -1, end: int = -1) -> bool:
        """A cue anywhere in the message, outside the match itself ("at once" is not "once")."""
        return any(not (s < end and start < e) for s, e in self.cues.get(name, []))

    def in_clause(self, name: str, start: int, end: int) -> bool:
        clause = self.clause[start]
        return any(self.clause[s] == clause and not (s < end and start < e) for s, e in self.cues.get(name, []))

    def near_now(self, start: int, end: int) -> bool:
        clause = self.clause[start]
        for s, e in self.cues.get("now", []):
            if self.clause[s] != clause:
                continue
            if start - NEAR_NOW_WINDOW <= s and e <= end + NEAR_NOW_WINDOW:
                return True
        return False

    def hypothetical_before(self, start: int) -> bool:
        clause = self.clause[start]
        return any(s < start and self.clause[s] == clause for s, _ in self.cues.get("hypothetical", []))

    def generic_question(self, start: int) -> bool:
        """A question about people in general, with nobody in particular before the match."""
        clause = self.clause[start]
        generic = [s for s, _ in self.cues.get("generic", []) if s < start and self.clause[s] == clause]
        if not generic:
            return False
        asks = "?" in self.words or (self.words and self.words[0] in QUESTION_WORDS)
        personal = any(w in FIRST_PERSON for w in self.words[:start])
        return asks and not personal

    def past_frame(self, start: int) -> bool:
        clause = self.clause[start]
        for i in range(max(0, start - PAST_WINDOW), start + 1):
            if self.clause[i] == clause and self.words[i] in PAST_FRAME:
                return True
            # "she had a panic attack and couldn't breathe": "could not" tells of a time gone by.
            if self.clause[i] == clause and self.words[i] == "could" and self.words[i + 1 : i + 2] == ["not"]:
                return True
        return False

    def ends_clause(self, end: int) -> bool:
        if end >= len(self.words):
            return True
        nxt = self.words[end]
        return nxt in CLAUSE_END or nxt in CLAUSE_END_FOLLOWERS or not nxt.isalnum()

    def negation(self, start: int, end: int, own_words: frozenset = frozenset()) -> Optional[str]:
        """'denied' when a negation governs the match, 'hedged' for "I don't think I...", else None."""
        words, clause, cue = self.words, self.clause[start], self.cue_words
        # Inside the match, through a gap: "I'm not suicidal" matched as "am _ suicidal".
        for i in range(start, end):
            if words[i] in cue.negations and words[i] not in own_words:
                nxt = words[i + 1] if i + 1 < len(words) else ""
                if not (words[i] == "no" and nxt in cue.not_after_no):
                    return "denied"
        for i in range(start - 1, max(-1, start - 1 - cue.negation_window), -1):
            if self.clause[i] != clause or words[i] in cue.scope_breakers:
                break
            word = words[i]
            if word in cue.negations:
                nxt = words[i + 1] if i + 1 < len(words) else ""
                if word == "no" and nxt in cue.not_after_no:
                    continue
                if nxt in cue.hedges:
                    return "hedged"
                return "denied"
        # Form-style answer: "suicidal thoughts? no", "suicide attempts: none".
        tail = [w for w in words[end:] if w.isalnum() or w == "n/a"]
        if tail and len(tail) <= 3 and " ".join(tail) in cue.trailing_denials:
            return "denied"
        return None

    def about(self, start: int, end: int) -> str:
        """Who the message is about: the nearest person word at or before the match."""
        about_self, about_other = self.cue_words.about_self, self.cue_words.about_other
        inside = self.words[start:end]
        for i, word in enumerate(inside):
            following = inside[i + 1] if i + 1 < len(inside) else ""
            owner = word in ("my", "his", "her", "their") and following in ("life", "own")
            if word == "myself" or (owner and word == "my"):
                return "self"
            if word in ("himself", "herself", "themselves", "themself") or (owner and word != "my"):
                return "other"
        # A rule that starts with its subject ("mom collapsed", "he is not moving").
        if inside and inside[0] in about_other:
            return "other"
        if inside and inside[0] in about_self:
            return "self"
        sentence = self.sentence[start]
        for i in range(start - 1, -1, -1):
            if self.sentence[i] != sentence:
                break
            word = self.words[i]
            if word in about_other:
                return "other"
            if word in about_self:
                return "self"
        if any(w in about_self for w in self.words):
            return "self"
        if any(w in about_other for w in self.words):
            return "other"
        return "unknown"
