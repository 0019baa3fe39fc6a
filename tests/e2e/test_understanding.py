"""People's words through the real servers: program questions (issue 13) and screening answers
(issue 12). The questions here are ours; the honest measure is the blind sets (README)."""

from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import Conversation

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
RESPONSES = yaml.safe_load((ROOT / "data" / "responses" / "faq.yml").read_text(encoding="utf-8"))["responses"]


def answer_of(topic: str) -> str:
    """The first sentence of a topic's answer, as the bot says it."""
    return RESPONSES[f"utter_faq/{topic}"][0]["text"].split(". ")[0]


@pytest.mark.parametrize(
    "question, topic",
    [
        ("which regulation covers CSP providers?", "csp_regulation"),
        ("when does CSP end, and who decides that?", "csp_ending"),
        ("someone from my MCO reached out offering CSP, how did they pick me?", "csp_plan_referral"),
        ("what age do you have to be for CST?", "cst_age"),
        ("how is CST different from seeing a counselor?", "cst_vs_therapy"),
        ("she hasn't been in the hospital, can she still qualify for csp?", "csp_without_hospital"),
        ("does the CST team work with the family too?", "cst_family"),
        ("is CSP just therapy, or something else?", "csp_vs_therapy"),
        ("does bipolar disorder count as a diagnosis for CST?", "cst_diagnosis"),
        ("will the CST team help him make a plan for when he starts getting sick?", "cst_crisis_plan"),
        ("how does the health plan decide who to refer to CSP?", "csp_plan_referral"),
    ],
)
def test_a_new_topic_gets_its_answer(new_conversation, question, topic):
    said = Conversation.text(new_conversation().say(question))
    assert answer_of(topic) in said, said


@pytest.mark.parametrize(
    "question, topic",
    [
        ("how is a recovery coach different from a certified peer specialist?", "csp_coach_vs_peer"),
        ("what's the difference between CSP and CST?", "csp_vs_cst"),
    ],
)
def test_a_comparison_gets_a_comparison(new_conversation, question, topic):
    said = Conversation.text(new_conversation().say(question))
    assert answer_of(topic) in said, said


def test_a_question_we_cannot_place_offers_topics_and_a_button_answers_it(conversation):
    # A vague question (2026-12-02 model: four topics near each other); nonsense such as "purple
    # monkey dishwasher program?" now gets the general fallback, with its "Ask about the programs".
    messages = conversation.say("what is the thing with the rules?")
    assert "not sure I got the question" in Conversation.text(messages)
    buttons = [b for b in Conversation.buttons(messages) if b["payload"].startswith("/faq")]
    assert buttons, Conversation.buttons(messages)
    topic = buttons[0]["payload"].split('"')[3]
    assert answer_of(topic) in Conversation.text(conversation.say(buttons[0]["payload"]))


def test_a_first_message_with_four_facts_is_taken_whole_and_said_back(conversation):
    messages = conversation.say("it's for my son, he is 34, we live in Charlotte NC and he has schizophrenia")
    said = Conversation.text(messages)
    assert "Got it: for your son, 34, in Charlotte, NC, with schizophrenia." in said
    question = Conversation.question(messages)
    assert question and question["id"] not in ("for_whom", "location", "age", "diagnosis")


def test_a_long_story_starts_the_screening_with_its_facts(conversation):
    messages = conversation.say(
        "My sister is 42 and lives in Lowell, MA. She has bipolar disorder and went to the ER three "
        "times since September. She has MassHealth. I'm worried about her."
    )
    said = Conversation.text(messages)
    assert "Got it: for your sister, 42, in Lowell, MA" in said and "3 ER visits" in said
    question = Conversation.question(messages)
    assert question and question["id"] not in ("for_whom", "location", "coverage", "age", "diagnosis", "er_visits")


def test_an_answer_near_a_boundary_is_asked_back_and_the_reply_is_taken(conversation):
    conversation.say("it's for me, I live in Worcester MA and I have MassHealth through my ACO")
    conversation.say("depression")
    messages = conversation.say("about six months ago")
    assert "more or less than 6 months ago" in Conversation.text(messages)
    assert Conversation.question(messages)["id"] == "psych_discharge"
    messages = conversation.say("less")
    assert Conversation.question(messages)["id"] != "psych_discharge"


def test_an_answer_and_a_program_question_in_one_message_get_both(conversation):
    conversation.say("/check_eligibility")
    conversation.say("for me")
    messages = conversation.say("we live in Worcester, does CSP cost anything?")
    # The place is taken (the next question is coverage) and the question is answered or offered.
    assert Conversation.question(messages)["id"] == "coverage"
    said = Conversation.text(messages)
    assert answer_of("csp_cost") in said or "What CSP costs" in [b["title"] for b in Conversation.buttons(messages)]


@pytest.mark.parametrize(
    "when, recent",
    [("a hundred and ninety days ago", False), ("181 days ago", False), ("a hundred and seventy nine days ago", True)],
)
def test_a_discharge_in_number_words_falls_on_the_right_side_of_180_days(conversation, when, recent):
    conversation.say("it's for me, I live in Worcester MA and I have MassHealth")
    conversation.say("depression")
    messages = conversation.say(when)
    # Within 180 days the ER visits no longer matter (the risk is shown); past it they are asked.
    assert (Conversation.question(messages)["id"] == "er_visits") is (not recent)


def test_masshealth_through_my_aco_is_read_as_a_managed_care_plan(conversation):
    conversation.say("/check_eligibility")
    conversation.say("for a client")
    conversation.say("01608")
    conversation.say("MassHealth through my ACO")
    answers = {
        "diagnosis": "mental health",
        "psych_discharge": "3 weeks ago",
        "housing": "housed",
        "justice": "no",
        "access_barriers": "yes",
        "consent": "yes",
        "er_visits": "0",
    }
    messages = conversation.say(answers["diagnosis"])
    for _ in range(10):
        if Conversation.payloads(messages, "eligibility"):
            break
        messages = conversation.say(answers[Conversation.question(messages)["id"]])
    # The outreach worker's summary lists each answer as understood.
    assert "- Coverage: masshealth managed care" in Conversation.text(messages)
