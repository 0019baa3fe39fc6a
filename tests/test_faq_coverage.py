"""Every sentence of the two program documents is answered by some FAQ topic, or says why not
(programs/faq_coverage.yml); every topic named there, in the answers and in the NLU data is one
topic of programs/faq_topics.yml."""

import re
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_FILES = ["000_64bab67042ce395a", "004_2e3af48f3e60ef90"]
COVERAGE = ROOT / "programs" / "faq_coverage.yml"
TOPICS = ROOT / "programs" / "faq_topics.yml"
RESPONSES = ROOT / "data" / "responses" / "faq.yml"
NLU = ROOT / "data" / "nlu" / "faq.yml"

BULLET = re.compile(r"^[-•*]\s+")
# A sentence ends at . ! or ? followed by a space and a capital, a digit, a quote or a bracket.
# "Corp., and" and "461.000." do not split; "Yes. Participation" does.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")


def split_sentences(text: str) -> List[str]:
    """The sentences of a program document: each line (a heading, a list item, a table row) is
    split into its sentences; bullets and blank lines are dropped."""
    sentences = []
    for line in text.splitlines():
        line = BULLET.sub("", line.strip()).strip()
        if line:
            sentences.extend(part.strip() for part in SENTENCE_END.split(line) if part.strip())
    return sentences


def seed_sentences(name: str) -> List[str]:
    return split_sentences((SEEDS / f"{name}.txt").read_text(encoding="utf-8"))


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def coverage_rows() -> List[Dict]:
    return load(COVERAGE)


def response_topics() -> set:
    return {key.split("/", 1)[1] for key in load(RESPONSES)["responses"] if key.startswith("utter_faq/")}


def listed_topics() -> set:
    return set(load(TOPICS))


def nlu_topics() -> set:
    return {
        block["intent"].split("/", 1)[1]
        for block in load(NLU)["nlu"]
        if str(block.get("intent", "")).startswith("faq/")
    }


needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="the program documents (../shared/seeds) are not here")


@needs_seeds
@pytest.mark.parametrize("name", SEED_FILES)
def test_every_sentence_of_the_program_document_is_in_the_coverage_table(name):
    in_table = {row["sentence"] for row in coverage_rows() if row["file"] == name}
    missing = [s for s in seed_sentences(name) if s not in in_table]
    assert not missing, f"{name}: sentences not in {COVERAGE.name}:\n" + "\n".join(missing)


@needs_seeds
def test_the_coverage_table_names_only_sentences_of_the_documents():
    known = {(name, s) for name in SEED_FILES for s in seed_sentences(name)}
    stale = [row["sentence"] for row in coverage_rows() if (row["file"], row["sentence"]) not in known]
    assert not stale, "rows whose sentence is no longer in the document:\n" + "\n".join(stale)


def test_every_sentence_has_a_topic_or_a_reason_for_none():
    unanswered = [
        row["sentence"] for row in coverage_rows() if not row.get("topics") and not str(row.get("none") or "").strip()
    ]
    assert not unanswered, "sentences with no topic and no reason:\n" + "\n".join(unanswered)


def test_a_sentence_with_topics_gives_no_reason_for_none():
    both = [row["sentence"] for row in coverage_rows() if row.get("topics") and row.get("none")]
    assert not both, "\n".join(both)


def test_every_topic_of_the_coverage_table_has_an_answer_and_a_description():
    named = {topic for row in coverage_rows() for topic in row.get("topics") or []}
    assert not named - response_topics(), "no utter_faq/<topic> for: " + ", ".join(sorted(named - response_topics()))
    assert not named - listed_topics(), "not in faq_topics.yml: " + ", ".join(sorted(named - listed_topics()))


def test_every_answer_is_described_in_the_topic_list_and_the_list_names_only_answers():
    assert response_topics() == listed_topics(), (
        f"answers without a description: {sorted(response_topics() - listed_topics())}; "
        f"descriptions without an answer: {sorted(listed_topics() - response_topics())}"
    )


def test_every_topic_has_a_title_and_a_one_line_description():
    bad = [
        topic
        for topic, entry in load(TOPICS).items()
        if not isinstance(entry, dict)
        or not entry.get("title")
        or not isinstance(entry.get("about"), str)
        or "\n" in entry["about"].strip()
    ]
    assert not bad, bad


def test_every_faq_intent_of_the_nlu_data_has_an_answer():
    assert not nlu_topics() - response_topics(), sorted(nlu_topics() - response_topics())


def test_every_answer_is_used_by_some_sentence_or_is_about_what_the_documents_do_not_say():
    # Topics that answer what the documents leave out (no age, no price, no length for CST) rest
    # on the absence of a sentence; every other answer rests on at least one sentence.
    about_a_gap = {"csp_age", "csp_cost", "cst_duration"}
    named = {topic for row in coverage_rows() for topic in row.get("topics") or []}
    assert not response_topics() - named - about_a_gap, sorted(response_topics() - named - about_a_gap)
