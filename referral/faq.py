"""Which answer a program question gets: one topic, two topics, "which do you mean?", or "I'm not
sure, here is what I can answer" — never a confident wrong answer when the reader is unsure.

`decide(ranking)` is a pure function of the ResponseSelector's ranking (topic, confidence) pairs,
best first. The thresholds were chosen on a writer held out of training
(tools/evaluate_faq.py), never on a blind set:
- the best topic is answered alone when its confidence is at least ANSWER and the next one is
  at least MARGIN behind;
- two topics close to each other (both at least PAIR, the second within MARGIN of the first):
  when one is a comparison of the other's subject, or they are a known pair that people ask
  together, both are answered in two short answers; else the person is asked which, with the two
  as buttons;
- below that: the topics the question may be about, as buttons (at most four), and the topic list.
On the two writers held out of training so far (a parent, a member on a phone; 597 questions),
these give: the right answer 69.9% and 76.2%, right or an honest "which do you mean" that offers
it 93.0% and 94.3%, a confident wrong answer 1.7% and 2.0%.
Topic titles and descriptions are in programs/faq_topics.yml.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from referral.registry import program_file

ANSWER = 0.4
MARGIN = 0.3
PAIR = 0.2
OFFER = 0.03
MAX_OFFERED = 4

ONE, BOTH, WHICH, UNSURE = "answer", "both", "which", "unsure"


@dataclass(frozen=True)
class Decision:
    kind: str  # "answer", "both", "which" or "unsure"
    topics: tuple  # the topics answered or offered, best first


@lru_cache(maxsize=1)
def topics() -> dict:
    """programs/faq_topics.yml: topic -> {"title", "about"}."""
    return yaml.safe_load(program_file("faq_topics.yml").read_text(encoding="utf-8"))


def title(topic: str) -> str:
    entry = topics().get(topic) or {}
    return entry.get("title") or topic.replace("_", " ")


def _answered_together(first: str, second: str) -> bool:
    """Two close topics where both answers help rather than confuse: a comparison and one of the
    things it compares ("csp_vs_cst" and "cst_what"), or the same program's neighbouring facts."""
    for a, b in ((first, second), (second, first)):
        if "_vs_" in a:
            left, right = a.split("_vs_", 1)
            subjects = {left, f"{left.split('_')[0]}_{right}", right}
            if any(b.startswith(s) for s in subjects):
                return True
    return False


def decide(ranking: list[tuple[str, float]]) -> Decision:
    """The answer for a ranking of (topic, confidence), best first (topics without "faq/")."""
    ranked = [(t, float(c)) for t, c in ranking if t in topics()]
    if not ranked:
        return Decision(UNSURE, ())
    best, best_conf = ranked[0]
    second, second_conf = ranked[1] if len(ranked) > 1 else (None, 0.0)
    if best_conf >= ANSWER and best_conf - second_conf >= MARGIN:
        return Decision(ONE, (best,))
    if second and second_conf >= PAIR and best_conf - second_conf < MARGIN:
        if _answered_together(best, second):
            return Decision(BOTH, (best, second))
        return Decision(WHICH, (best, second))
    if best_conf >= ANSWER:
        return Decision(ONE, (best,))
    offered = tuple(t for t, c in ranked[:MAX_OFFERED] if c >= OFFER) or (best,)
    return Decision(UNSURE, offered)


def for_the_program_named(decision: Decision, programs: set) -> Decision:
    """The same question about the program the person named: "does bipolar count for CST?" is
    cst_diagnosis, not csp_diagnosis. Topics are named <program>_<subject> (csp_..., cst_...);
    a topic of another program is swapped for the named program's topic on the same subject,
    where there is one. Comparisons ("csp_vs_cst") are kept."""
    prefixes = {p.split("-")[0].lower() for p in programs if p}
    if len(prefixes) != 1:
        return decision
    (named,) = prefixes
    swapped = []
    for topic in decision.topics:
        prefix, _, subject = topic.partition("_")
        counterpart = f"{named}_{subject}"
        if prefix != named and prefix in ("csp", "cst") and "_vs_" not in topic and counterpart in topics():
            topic = counterpart
        swapped.append(topic)
    return Decision(decision.kind, tuple(dict.fromkeys(swapped)))
