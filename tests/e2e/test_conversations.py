"""End-to-end conversations over REST against the real servers and the trained model."""

import re
from typing import Dict, List, Optional

import pytest

from tests.e2e.conftest import Conversation

pytestmark = pytest.mark.e2e


def answer_screening(conv: Conversation, first: str, answers: Dict[str, str], max_turns: int = 25):
    """Says `first`, then answers each question by its id until the eligibility payload arrives.

    Returns (eligibility payload, ids of the questions asked in order, every message).
    """
    messages = conv.say(first)
    asked: List[str] = []
    everything = list(messages)
    for _ in range(max_turns):
        results = Conversation.payloads(messages, "eligibility")
        if results:
            return results[-1], asked, everything
        question = Conversation.question(messages)
        assert question, f"no question and no result; the bot said: {Conversation.text(messages)!r}"
        asked.append(question["id"])
        assert question["id"] in answers, f"unexpected question {question['id']}; asked so far {asked}"
        messages = conv.say(answers[question["id"]])
        everything += messages
    pytest.fail(f"the screening did not finish; asked {asked}")


def status_of(eligibility: dict) -> Dict[str, str]:
    return {program["id"]: program["status"] for program in eligibility["programs"]}


MA_MEMBER_TYPED = {
    "for_whom": "it's for me",
    "location": "worcester ma",
    "coverage": "MassHealth through my ACO",
    "diagnosis": "I have depression",
    "psych_discharge": "about 3 weeks ago",
    "er_visits": "three times",
    "housing": "I have an apartment",
    "justice": "nope",
    "access_barriers": "yep",
    "consent": "yes I want help",
}


# --- Issue 3: the assistant knows the programs ---------------------------------------------


def test_prior_authorization_question_says_none_is_needed(conversation):
    messages = conversation.say("do I need prior authorization for CSP?")
    text = Conversation.text(messages).lower()
    assert re.search(r"no prior authori[sz]ation|(not|n't) need (a )?prior authori[sz]ation", text), text
    titles = " ".join(b["title"].lower() for b in Conversation.buttons(messages))
    assert "provider" in titles and ("fit" in titles or "eligib" in titles)


@pytest.mark.parametrize(
    "question, expected",
    [
        ("how long does CSP last", r"3\s*(to|-|–)\s*6 months"),
        ("can i say no to csp and keep my masshealth", r"voluntary"),
        ("what is the housing track CSP-HI", r"120 days"),
        ("who can refer someone to CSP-JI", r"probation|parole|correction"),
        ("what's the difference between CSP and community partners", r"community partners"),
        ("who is on the community support team", r"team leader|licensed clinician"),
        ("how do i sign up for CST for my mom", r"self.?referral|family|intake"),
        ("is csp done by telehealth", r"telehealth"),
        ("who are the peer specialists", r"lived (with|experience)"),
    ],
)
def test_program_questions_get_the_fact_and_an_offer_to_go_on(new_conversation, question, expected):
    messages = new_conversation().say(question)
    assert re.search(expected, Conversation.text(messages), re.IGNORECASE), Conversation.text(messages)
    assert Conversation.buttons(messages), "every answer ends with something to do next"


def test_greeting_says_what_it_can_and_cannot_do(conversation):
    messages = conversation.say("hi")
    text = Conversation.text(messages).lower()
    assert "diagnose" in text and "provider" in text
    assert len(Conversation.buttons(messages)) >= 3


@pytest.mark.parametrize("message", ["asdkjh qwe", "what's the weather tomorrow", "can u order me a pizza"])
def test_nonsense_or_out_of_scope_never_dead_ends(new_conversation, message):
    messages = new_conversation().say(message)
    assert Conversation.text(messages)
    assert Conversation.buttons(messages)


def test_talk_to_a_person_gives_the_help_line(conversation):
    messages = conversation.say("can I talk to a real person")
    assert "833-773-2445" in Conversation.text(messages)


# --- Issue 4: screening and eligibility ----------------------------------------------------


def test_typed_screening_in_massachusetts_is_likely_for_csp(conversation):
    eligibility, asked, messages = answer_screening(conversation, "can I get CSP?", MA_MEMBER_TYPED)
    statuses = status_of(eligibility)
    assert statuses["CSP"] == "likely"
    assert "CST" not in statuses and "age" not in asked and "daily_living" not in asked
    assert "move_in" not in asked
    assert len(asked) == len(set(asked)), "each question is asked once"
    text = Conversation.text(messages).lower()
    assert "provider makes the final decision" in text
    assert any("provider" in b["title"].lower() for b in Conversation.buttons(messages[-3:]))


def test_question_payload_counts_steps(conversation):
    messages = conversation.say("I want to check if I qualify")
    question = Conversation.question(messages)
    assert question and question["step"] == 1 and question["of"] >= 5


def test_screening_by_buttons_only(conversation):
    preferred = ["Me", "MassHealth, with a health plan (ACO/MCO)", "Mental health", "Yes", "2", "Have a place to live"]
    messages = conversation.say("/check_eligibility")
    for _ in range(20):
        if Conversation.payloads(messages, "eligibility"):
            break
        question = Conversation.question(messages)
        if question["id"] == "location":
            messages = conversation.say("01608")
            continue
        if question["id"] == "justice":
            messages = conversation.say("no")
            continue
        buttons = Conversation.buttons(messages)
        chosen = next((b for title in preferred for b in buttons if b["title"] == title), buttons[0])
        messages = conversation.say(chosen["payload"])
    eligibility = Conversation.payloads(messages, "eligibility")
    assert eligibility and status_of(eligibility[-1])["CSP"] == "likely"


def test_question_mid_screening_is_answered_and_the_same_question_comes_back(conversation):
    conversation.say("can I get CSP?")
    conversation.say("for me")
    messages = conversation.say("01608")
    assert Conversation.question(messages)["id"] == "coverage"
    messages = conversation.say("wait, what is CSP-JI?")
    assert re.search(r"justice", Conversation.text(messages), re.IGNORECASE)
    assert Conversation.question(messages)["id"] == "coverage"


def test_change_an_earlier_answer_then_continue(conversation):
    answers = dict(MA_MEMBER_TYPED, psych_discharge="no, never")
    conversation.say("check eligibility")
    for question_id in ("for_whom", "location", "coverage", "diagnosis", "psych_discharge"):
        messages = conversation.say(answers[question_id])
    assert Conversation.question(messages)["id"] == "er_visits"
    conversation.say("twice")
    messages = conversation.say("change my answer about the ER visits")
    assert Conversation.question(messages)["id"] == "er_visits"
    messages = conversation.say("none")
    assert Conversation.question(messages)["id"] == "housing"


def test_recent_discharge_makes_the_er_question_unnecessary(conversation):
    conversation.say("check eligibility")
    for question_id in ("for_whom", "location", "coverage", "diagnosis"):
        conversation.say(MA_MEMBER_TYPED[question_id])
    messages = conversation.say("about 3 weeks ago")
    assert Conversation.question(messages)["id"] == "housing"


def test_go_back_returns_to_the_previous_question(conversation):
    conversation.say("check eligibility")
    conversation.say("for me")
    messages = conversation.say("go back")
    assert Conversation.question(messages)["id"] == "for_whom"


def test_unclear_answer_is_asked_again_twice_then_taken_as_not_sure(conversation):
    conversation.say("check eligibility")
    conversation.say("me")
    conversation.say("01608")
    conversation.say("masshealth")
    messages = conversation.say("purple")
    assert Conversation.question(messages)["id"] == "diagnosis"
    messages = conversation.say("banana")
    assert Conversation.question(messages)["id"] == "diagnosis"
    messages = conversation.say("potato")
    assert Conversation.question(messages)["id"] != "diagnosis"
    assert "not sure" in Conversation.text(messages).lower()


def test_family_member_wording_uses_the_relation(conversation):
    messages = conversation.say("my brother keeps ending up in the ER because of his drinking, can he get help?")
    question = Conversation.question(messages)
    assert question
    if question["id"] == "for_whom":
        messages = conversation.say("my brother")
    assert "your brother" in Conversation.text(messages).lower()


def test_outreach_worker_gets_a_copyable_summary(conversation):
    answers = dict(MA_MEMBER_TYPED, for_whom="a client of mine", justice="yes, on probation")
    eligibility, asked, messages = answer_screening(
        conversation, "I'm a re-entry case manager screening a client", answers
    )
    text = Conversation.text(messages)
    assert "Screening summary" in text and "Next steps" in text
    assert status_of(eligibility)["CSP-JI"] == "likely"


def test_north_carolina_adult_is_likely_for_cst(conversation):
    answers = {
        "for_whom": "me",
        "location": "Raleigh, NC",
        "coverage": "NC Medicaid",
        "age": "34",
        "diagnosis": "bipolar",
        "psych_discharge": "2 months ago",
        "er_visits": "2",
        "access_barriers": "yes",
        "daily_living": "yes",
        "consent": "yes",
    }
    eligibility, asked, _ = answer_screening(conversation, "check eligibility", answers)
    assert status_of(eligibility) == {"CST": "likely"}
    assert "housing" not in asked and "justice" not in asked


def test_no_coverage_stops_early_with_next_steps(conversation):
    answers = {"for_whom": "me", "location": "Brockton", "coverage": "no insurance"}
    eligibility, asked, messages = answer_screening(conversation, "check eligibility", answers)
    assert asked == ["for_whom", "location", "coverage"]
    assert all(p["status"] == "unlikely" for p in eligibility["programs"])
    assert "masshealth" in Conversation.text(messages).lower()


def test_place_outside_the_two_states_gets_988_and_no_likely_program(conversation):
    answers = {"for_whom": "me", "location": "Austin, Texas"}
    eligibility, asked, messages = answer_screening(conversation, "check eligibility", answers)
    assert all(p["status"] == "unlikely" for p in eligibility["programs"])
    assert "988" in Conversation.text(messages)


def test_town_in_both_states_asks_which(conversation):
    conversation.say("check eligibility")
    conversation.say("me")
    messages = conversation.say("Franklin")
    titles = [b["title"] for b in Conversation.buttons(messages)]
    assert "Franklin, MA" in titles and "Franklin, NC" in titles
    messages = conversation.say("Franklin, MA")
    assert Conversation.question(messages)["id"] == "coverage"


# --- Issue 5: providers ---------------------------------------------------------------------


def test_providers_near_a_zip_are_nearest_first(conversation):
    messages = conversation.say("providers near 01608")
    found = Conversation.payloads(messages, "providers")
    assert found, Conversation.text(messages)
    payload = found[-1]
    assert payload["near"]["zip"] == "01608" and payload["near"]["state"] == "MA"
    distances = [item["distance_miles"] for item in payload["items"]]
    assert distances == sorted(distances) and len(distances) >= 3
    for field in (
        "id",
        "name",
        "programs",
        "address",
        "town",
        "state",
        "zip",
        "phone",
        "website",
        "telehealth",
        "languages",
    ):
        assert field in payload["items"][0]
    text = Conversation.text(messages)
    assert payload["items"][0]["name"] in text


def test_providers_after_screening_use_the_screening_place(conversation):
    answer_screening(conversation, "can I get CSP?", MA_MEMBER_TYPED)
    messages = conversation.say("/find_providers")
    payload = Conversation.payloads(messages, "providers")[-1]
    assert payload["near"]["town"] == "Worcester"
    assert all(set(item["programs"]) & {"CSP", "CSP-HI", "CSP-JI"} for item in payload["items"])


def test_yes_to_the_offer_of_providers_after_the_results_shows_them(conversation):
    eligibility, _, _ = answer_screening(conversation, "can I get CSP?", MA_MEMBER_TYPED)
    assert status_of(eligibility)["CSP"] == "likely"
    messages = conversation.say("yes please")
    payload = Conversation.payloads(messages, "providers")[-1]
    assert payload["near"]["town"] == "Worcester" and payload["items"]


def test_no_to_the_offer_of_providers_is_answered_kindly(conversation):
    answer_screening(conversation, "can I get CSP?", MA_MEMBER_TYPED)
    messages = conversation.say("no thanks")
    assert "Okay" in Conversation.text(messages) and Conversation.buttons(messages)
    assert not Conversation.payloads(messages, "providers")


def test_show_more_gives_the_next_providers(conversation):
    first = Conversation.payloads(conversation.say("find CSP providers near Boston"), "providers")[-1]
    more = Conversation.payloads(conversation.say('/find_providers{"page": "next"}'), "providers")
    assert more and more[-1]["items"][0]["id"] != first["items"][0]["id"]


def test_language_filter_in_words(conversation):
    messages = conversation.say("someone who speaks Spanish near Worcester")
    payload = Conversation.payloads(messages, "providers")[-1]
    assert all("Spanish" in item["languages"] for item in payload["items"])


# --- Issue 6: crisis at every turn ----------------------------------------------------------


def crisis_payload(messages) -> Optional[dict]:
    found = Conversation.payloads(messages, "crisis")
    return found[-1] if found else None


def test_crisis_in_a_fresh_conversation_comes_first(conversation):
    messages = conversation.say("I want to kill myself")
    payload = crisis_payload(messages)
    assert payload and any("988" in r["phone"] for r in payload["resources"])
    assert "988" in Conversation.text(messages[:1])


@pytest.mark.parametrize("message", ["i feel like giving up, whats the point", "my son feels like giving up"])
def test_hopelessness_gets_the_safety_question_or_the_resources(new_conversation, message):
    messages = new_conversation().say(message)
    assert crisis_payload(messages) or Conversation.payloads(messages, "crisis_check")


def test_crisis_mid_screening_keeps_the_place_and_the_answers(conversation):
    conversation.say("can I get CSP?")
    conversation.say(MA_MEMBER_TYPED["for_whom"])
    conversation.say(MA_MEMBER_TYPED["location"])
    before = conversation.say(MA_MEMBER_TYPED["coverage"])
    assert Conversation.question(before)["id"] == "diagnosis"
    messages = conversation.say("honestly i dont want to be here anymore")
    if Conversation.payloads(messages, "crisis_check"):  # an unclear risk signal: the safety question
        messages = conversation.say("not sure")
    assert crisis_payload(messages)
    assert any("833-773-2445" in r["phone"] for r in crisis_payload(messages)["resources"])
    again = Conversation.question(messages)
    assert again == Conversation.question(before)
    answers = {k: v for k, v in MA_MEMBER_TYPED.items() if k not in ("for_whom", "location", "coverage")}
    eligibility, asked, _ = answer_screening(conversation, answers["diagnosis"], answers)
    assert "location" not in asked and status_of(eligibility)["CSP"] == "likely"


def test_crisis_about_someone_else_after_the_result(conversation):
    answer_screening(conversation, "can I get CSP?", MA_MEMBER_TYPED)
    messages = conversation.say("my son took a bunch of pills and isn't waking up")
    assert crisis_payload(messages)
    assert "911" in Conversation.text(messages)


@pytest.mark.parametrize("message", ["I'm dying to know what CSP is", "we went to the ER for his knee last month"])
def test_everyday_words_do_not_raise_the_alarm(new_conversation, message):
    assert crisis_payload(new_conversation().say(message)) is None


def test_fifty_replies_that_answer_nothing_never_hold_a_question_more_than_three_times(conversation):
    """A loop with no exit (issue 12): program questions and unclear replies to one question, over
    and over. The same question comes back at most three times in a row, then "not sure"."""
    messages = conversation.say("can I get CSP?")
    conversation.say("it's for me")
    messages = conversation.say("worcester ma")
    replies = ["what is CSP?", "hmm", "how long does CSP last?", "whatever", "is it voluntary?"]
    in_a_row, last, seen_result = 0, None, False
    for turn in range(50):
        question = Conversation.question(messages)
        if Conversation.payloads(messages, "eligibility"):
            seen_result = True
            break
        if question:
            in_a_row = in_a_row + 1 if question["id"] == last else 1
            last = question["id"]
            assert in_a_row <= 3, f"{last} asked {in_a_row} times in a row"
        messages = conversation.say(replies[turn % len(replies)])
    assert seen_result, "the screening reaches a result or a clear next step"


def test_check_eligibility_while_the_provider_search_asks_where_starts_the_screening(conversation):
    """Blind round 17 (OZ06): a story the NLU took for a provider search, then the "check if a
    program may fit" button while it asked where: "I couldn't find that place" before, a dead end."""
    messages = conversation.say("find providers near me")
    assert "where should i look" in Conversation.text(messages).lower()
    messages = conversation.say("/check_eligibility")
    text = Conversation.text(messages).lower()
    assert "couldn't find that place" not in text
    assert "let's see which programs may fit" in text and Conversation.question(messages)
