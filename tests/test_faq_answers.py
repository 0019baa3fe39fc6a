"""Which answer a program question gets (referral/faq.py) and what the action says for each."""

import pytest

from actions.questions import ActionAnswerQuestion
from referral import faq
from tests.test_actions import make_tracker, run


def selector(*ranking):
    """The ResponseSelector's part of a parsed message for a ranking of (topic, confidence)."""
    return {
        "response_selector": {
            "faq": {
                "response": {"intent_response_key": f"faq/{ranking[0][0]}", "confidence": ranking[0][1]},
                "ranking": [{"intent_response_key": f"faq/{t}", "confidence": c} for t, c in ranking],
            }
        }
    }


def test_a_clear_best_topic_is_answered_alone():
    assert faq.decide([("csp_duration", 0.9), ("csp_ending", 0.05)]) == faq.Decision(faq.ONE, ("csp_duration",))


def test_two_close_topics_of_a_comparison_and_its_subject_are_both_answered():
    decision = faq.decide([("csp_vs_cst", 0.45), ("cst_what", 0.4)])
    assert decision == faq.Decision(faq.BOTH, ("csp_vs_cst", "cst_what"))


def test_two_close_unrelated_topics_ask_which():
    decision = faq.decide([("csp_apply", 0.46), ("csp_referral", 0.41), ("csp_cost", 0.05)])
    assert decision == faq.Decision(faq.WHICH, ("csp_apply", "csp_referral"))


def test_a_low_confidence_offers_what_can_be_answered_never_a_guess():
    decision = faq.decide([("csp_cost", 0.3), ("cst_coverage", 0.09), ("csp_age", 0.05), ("cst_age", 0.01)])
    assert decision.kind == faq.UNSURE and decision.topics == ("csp_cost", "cst_coverage", "csp_age")


def test_unknown_topics_are_never_answered():
    assert faq.decide([("no_such_topic", 0.99)]).kind == faq.UNSURE


def test_every_topic_has_a_short_button_title():
    for topic, entry in faq.topics().items():
        assert entry["title"] and len(entry["title"]) <= 42, topic


def texts(messages):
    return " ".join(m.get("text") or "" for m in messages)


def test_the_action_answers_with_the_topic_response():
    tracker = make_tracker(
        "how long does csp last",
        intent="faq",
        form=None,
        extra_message=selector(("csp_duration", 0.92), ("csp_ending", 0.03)),
    )
    messages, _ = run(ActionAnswerQuestion(), tracker)
    assert [m.get("response") for m in messages] == ["utter_faq/csp_duration"]


def test_the_action_asks_which_with_a_button_for_each():
    tracker = make_tracker(
        "how do i get referred",
        intent="faq",
        form=None,
        extra_message=selector(("csp_apply", 0.46), ("csp_referral", 0.41)),
    )
    messages, _ = run(ActionAnswerQuestion(), tracker)
    assert "Do you mean how to get into csp, or who can refer someone to csp?" in texts(messages)
    payloads = [b["payload"] for m in messages for b in m.get("buttons") or []]
    assert payloads == ['/faq{"faq_topic": "csp_apply"}', '/faq{"faq_topic": "csp_referral"}']


@pytest.mark.parametrize("topic", ["csp_regulation", "cst_age"])
def test_a_topic_chosen_with_a_button_is_answered(topic):
    tracker = make_tracker(
        f'/faq{{"faq_topic": "{topic}"}}', intent="faq", form=None, entities=[{"entity": "faq_topic", "value": topic}]
    )
    messages, _ = run(ActionAnswerQuestion(), tracker)
    assert [m.get("response") for m in messages] == [f"utter_faq/{topic}"]


def test_with_nothing_ranked_the_action_shows_the_help():
    messages, _ = run(ActionAnswerQuestion(), make_tracker("hmm", intent="faq", form=None))
    assert [m.get("response") for m in messages] == ["utter_help"]


def test_a_topic_of_the_other_program_is_swapped_for_the_program_named():
    decision = faq.Decision(faq.ONE, ("csp_diagnosis",))
    assert faq.for_the_program_named(decision, {"CST"}).topics == ("cst_diagnosis",)
    assert faq.for_the_program_named(decision, {"CSP-HI"}).topics == ("csp_diagnosis",)
    assert faq.for_the_program_named(decision, {"CSP", "CST"}).topics == ("csp_diagnosis",)  # both named
    assert faq.for_the_program_named(faq.Decision(faq.ONE, ("csp_vs_cst",)), {"CST"}).topics == ("csp_vs_cst",)
