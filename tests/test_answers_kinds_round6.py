"""Kinds of misreading found before blind round 6: in blind round 5's conversations (already
scored and reported) and in a development set by three new helper writers (people who tell
everything or ask back, people who spell by sound or write Spanish, Portuguese or Creole, people
in North Carolina counties). Each test is the kind in our own words, not a line of their sets."""

from datetime import date

import pytest

from referral.directory.geo import resolve_place
from referral.screening.answers import parse_answer, repair_spelling, says_safe_now
from referral.screening.facts import clauses, is_correction, read_facts
from tests.test_actions import WORCESTER, crisis_message, make_tracker, run, run_events, texts, validate

TODAY = date(2026, 12, 2)  # a Wednesday
BASE = {"for_whom": "other", "relation": "brother", "location": WORCESTER, "coverage": "masshealth_unsure"}
FINISHED = {
    **BASE,
    "age": 44,
    "diagnosis": "mental_health",
    "psych_discharge": "no",
    "er_visits": 1,
    "housing": "housed",
    "justice": "no",
    "access_barriers": "no",
    "consent": "yes",
    "eligibility": {"programs": []},
}


def test_not_for_me_but_for_a_relative_is_for_the_relative():
    assert parse_answer("for_whom", "no, it's not for me, it's for my wife").value == "other"
    assert parse_answer("for_whom", "para mi nieta").extra == {"relation": "granddaughter"}
    assert parse_answer("for_whom", "pou manman mwen").extra == {"relation": "mother"}
    assert parse_answer("for_whom", "it's for me").value == "self"
    # "he" to the question says someone else; in a story "he" says nothing of who is writing.
    assert parse_answer("for_whom", "sorry I am confused, he turned 19 in May").value == "other"
    assert "for_whom" not in read_facts("he showed me the letter, he is 40", today=TODAY)


def test_care_reached_without_trouble_is_no_barrier():
    for text in (
        "she gets to the doctor fine with the van",
        "I make it to my appointments ok",
        "he keeps up with his appointments fine",
    ):
        assert parse_answer("access_barriers", text).value == "no", text
        assert read_facts(f"He has MassHealth. {text}.", today=TODAY)["access_barriers"] == "no", text
    assert parse_answer("access_barriers", "she gets to her appointments fine but runs out of meds").value != "no"


def test_a_stay_then_its_end_in_the_next_clause_and_the_length_of_a_stay():
    facts = read_facts("She was on the psych unit at Baystate and came home on November 12th.", today=TODAY)
    assert facts["psych_discharge"] == 20
    # "for 9 days" is how long the stay was, not when it ended.
    assert parse_answer("psych_discharge", "he was inpatient for 9 days and got out nov 12", today=TODAY).value == 20
    assert read_facts("Estuvo internado tres semanas y salió hace un mes.", today=TODAY)["psych_discharge"] == 30


def test_an_age_anywhere_in_a_run_on_story():
    facts = read_facts("this is for my brother he lives in lowell he is thirty one he has bipolar", today=TODAY)
    assert facts["age"] == 31
    assert read_facts("My mother has 67 years. She has depression.", today=TODAY)["age"] == 67
    assert "age" not in read_facts("the date is 3/5/27", today=TODAY)


def test_a_no_that_opens_a_clause_holds_for_its_list():
    for text in (
        "Never trouble with police or courts.",
        "no, nothing with courts or parole",
        "no, nada de corte ni probatoria",
        "Nunca ha tenido problemas con la ley.",
    ):
        assert parse_answer("justice", text).value == "no", text
    assert parse_answer("justice", "never been locked up, but she has a court date in January").value == "yes"
    assert parse_answer("justice", "no prison but he's on parole").value == "yes"


def test_answers_in_spanish_for_housing_consent_daily_living_and_access():
    assert parse_answer("housing", "está viviendo con su abuela").value == "housed"
    assert parse_answer("housing", "rents a room, she's not homeless").value == "housed"
    assert parse_answer("consent", "sí, ella quiere, me dijo que sí").value == "yes"
    assert parse_answer("daily_living", "no puede vivir sola").value == "yes"
    assert parse_answer("access_barriers", "no tenemos carro para llevarla").value == "yes"


def test_words_spelled_by_sound():
    assert parse_answer("diagnosis", "skitsofrenia").value == "mental_health"
    assert parse_answer("housing", "i got a apartmint").value == "housed"
    assert parse_answer("coverage", "mass helth").value == "masshealth_unsure"
    assert parse_answer("coverage", "nc medicade").value == "nc_medicaid"
    assert parse_answer("er_visits", "just wunce").value == 1
    # Ordinary words are left alone.
    assert repair_spelling("he was checking the visits") == "he was checking the visits"


def test_another_insurance_named_in_doubt_is_not_sure():
    assert parse_answer("coverage", "i dont know. medicare. maybe the other one").value == "not_sure"
    assert parse_answer("coverage", "medicare").value == "other"


def test_a_correction_inside_one_answer():
    assert parse_answer("er_visits", "once, no wait, 3 times").value == 3
    assert parse_answer("er_visits", "3 visits, no actually 2").value == 2
    assert parse_answer("coverage", "blue cross I mean masshealth").value == "masshealth_unsure"
    assert parse_answer("consent", "Yes. Actually no. Maybe. My answer is no.").value == "no"


def test_a_count_told_with_a_date_per_visit_counts_within_90_days():
    # August 29th is 95 days before December 2nd.
    assert parse_answer("er_visits", "twice, on August 29th and on November 20th", today=TODAY).value == 1
    assert parse_answer("er_visits", "twice, on October 29th and on November 20th", today=TODAY).value == 2


def test_a_weekday_and_a_date_are_one_time_and_a_lease_to_come_is_no_home():
    assert clauses("move-in is Friday, April 2nd") == ["move-in is Friday April 2nd"]
    facts = read_facts("he showed me the lease and move-in is Friday, April 2nd.", today=TODAY)
    assert facts["move_in"] == 121 and "housing" not in facts


def test_corrections_in_other_words():
    for text in ("Sorry, correction: it was 3", "ay perdón, he is 18", "no espera, fueron 2", "my mistake, 19"):
        assert is_correction(text), text
    assert not is_correction("it's for me")


def test_after_the_results_a_fact_said_differently_changes_that_answer():
    from actions.screening_form import ActionStartScreening

    messages, result = run(ActionStartScreening(), make_tracker("he turned 18 on November 28", FINISHED))
    assert result["age"] == 18 and result["eligibility"] is None and "for_whom" not in result
    assert "changed" in texts(messages)
    # Nothing new about who it is for: the same screening, its answers kept.
    _, result = run(ActionStartScreening(), make_tracker("before all that he told me he agrees", FINISHED))
    assert result.get("eligibility", "kept") is None and "for_whom" not in result
    # Someone else: a new screening, with what this message says of her.
    _, result = run(ActionStartScreening(), make_tracker("now my sister, she is 30", FINISHED))
    assert result["age"] == 30 and result["relation"] == "sister" and result["coverage"] is None


def test_changing_an_answer_not_given_yet_asks_it_now():
    slots = {**BASE, "requested_slot": "location"}
    tracker = make_tracker(
        "change my answer about the ER visits",
        slots,
        intent="change_answer",
        entities=[{"entity": "question", "value": "er_visits"}],
        filled_now={"location": "change my answer about the ER visits"},
        confidence=0.99,
    )
    from actions.screening_form import ValidateScreeningForm

    _, result = run(ValidateScreeningForm(), tracker)
    assert result.get("revisit") == "er_visits"


def test_a_place_alone_with_its_state_corrects_the_place_taken_before():
    _, result = validate("coverage", "Springfield, Missouri 65806", {**BASE, "coverage": None})
    assert result["location"]["state"] == "MO"
    _, result = validate("coverage", "home", {**BASE, "coverage": None})
    assert result.get("location") in (None, WORCESTER), "a word that is also a town elsewhere is no place"


def test_a_question_about_the_question_is_no_answer_but_its_answer_after_is():
    _, result = validate("justice", "what does that mean? like do i have a PO?", BASE)
    assert result.get("justice") is None
    _, result = validate("access_barriers", "what kind of trouble do you mean? I have no car. So yes.", BASE)
    assert result["access_barriers"] == "yes"


def test_a_county_is_a_place():
    match = resolve_place("out in Ashe County NC, not in a town")
    assert match.status == "found" and (match.place["state"], match.place["county"]) == ("NC", "Ashe County")
    assert resolve_place("Franklin County").status == "ambiguous"  # in both states


def test_a_place_told_as_home_in_words_the_nlu_missed():
    from actions.screening_form import place_told

    assert [p["town"] for p in place_told("I live in Worchester mass zero one six oh five")] == ["Worcester"]
    assert place_told("he is at home") == [] and place_told("we live in the woods") == []


def test_no_command_in_a_word_of_an_answer():
    from referral.screening.answers import commands_only_inside_answer

    assert commands_only_inside_answer("justice", "got out of the house of correction in may")
    assert not commands_only_inside_answer("justice", "wait go back")


def test_a_question_asked_six_times_without_an_answer_is_not_sure():
    from actions.screening_form import MAX_ASKS_UNANSWERED

    tracker = make_tracker("purple", {**BASE, "requested_slot": "justice"}, filled_now={"justice": "purple"})
    asked = {"event": "bot", "data": {"custom": {"type": "question", "id": "justice"}}}
    other = {"event": "bot", "data": {"custom": {"type": "question", "id": "move_in"}}}
    tracker.events = [e for _ in range(MAX_ASKS_UNANSWERED) for e in (asked, other)] + tracker.events
    from actions.screening_form import ValidateScreeningForm

    _, result = run(ValidateScreeningForm(), tracker)
    assert result["justice"] == "not_sure"


# ---- just after crisis help: safety said is no new crisis


def _after_help(text: str, source: str = "classifier", helped: bool = True):
    slots = {**BASE, "requested_slot": "consent"}
    tracker = make_tracker(text, slots, intent="crisis", extra_message=crisis_message(text, source=source))
    earlier = [{"event": "user", "text": "(a crisis message)"}]
    if helped:
        earlier.append({"event": "action", "name": "action_crisis_response"})
    tracker.events = earlier + tracker.events
    return tracker


def test_safety_said_just_after_crisis_help_goes_back_to_the_question():
    from actions.support import ActionCrisisResponse, ActionSafetyQuestion

    text = "the ambulance came and took her, they say she will be all right. can we go on?"
    assert says_safe_now(text)
    for action in (ActionCrisisResponse(), ActionSafetyQuestion()):
        messages, events = run_events(action, _after_help(text))
        assert "988" in texts(messages) and "911:" not in texts(messages), "thanks, no new crisis help"
        assert any(e.get("event") == "followup" and e.get("name") == "screening_form" for e in events)
    # Not just after help, or a pattern's signal: the crisis answer as always.
    messages, _ = run_events(ActionCrisisResponse(), _after_help(text, helped=False))
    assert "911" in texts(messages) or "Lifeline" in texts(messages)
    messages, _ = run_events(ActionCrisisResponse(), _after_help(text, source="patterns"))
    assert "Lifeline" in texts(messages) or "911" in texts(messages)


@pytest.mark.parametrize(
    "text",
    ["im safe now but i still have the pills", "she says she's fine", "im not safe", "he is ok now, he took a bottle"],
)
def test_safety_said_with_a_word_of_harm_is_not_safety(text):
    assert not says_safe_now(text)


@pytest.mark.parametrize("reader", ["says_safe_now", "is_plain_refusal"])
def test_no_risk_line_of_the_crisis_sets_passes_the_readers_that_let_a_message_past_crisis_help(reader):
    from referral.screening import answers
    from tests.test_answers_kinds_round4 import risk_lines

    assert [t for t in risk_lines() if getattr(answers, reader)(t)] == []


def test_a_day_said_in_ordinal_words():
    assert parse_answer("move_in", "the move in date is march thirty first", today=TODAY).value == 119
    assert parse_answer("psych_discharge", "got out november tenth", today=TODAY).value == 22


def test_a_student_of_mine_is_a_client_and_can_t_take_care_of_himself_is_a_yes():
    assert parse_answer("for_whom", "a student of mine").value == "client"
    assert parse_answer("daily_living", "yes, can't work or take care of himself").value == "yes"


def test_after_the_results_a_correction_naming_no_question_is_the_last_question_answered():
    from actions.screening_form import ActionStartScreening

    asked = [{"event": "bot", "data": {"custom": {"type": "question", "id": "er_visits"}}}]
    tracker = make_tracker("no espera, fueron 2 veces", FINISHED, intent="change_answer")
    tracker.events = asked + [{"event": "slot", "name": "er_visits", "value": 1}] + tracker.events
    _, result = run(ActionStartScreening(), tracker)
    assert result["er_visits"] == 2 and result["eligibility"] is None
    # "no he doesn't want it" to the daily-living question answered consent: changing "my answer
    # about wanting the help" (no question named) is consent, not the question asked last.
    asked = [{"event": "bot", "data": {"custom": {"type": "question", "id": "daily_living"}}}]
    tracker = make_tracker("wait, I want to change my answer about wanting the help", FINISHED, intent="change_answer")
    tracker.events = asked + [{"event": "slot", "name": "consent", "value": "no"}] + tracker.events
    _, result = run(ActionStartScreening(), tracker)
    assert result["revisit"] == "consent"


def test_asking_to_change_a_yes_or_no_answer_asks_it_again():
    from actions.screening_form import ActionStartScreening

    tracker = make_tracker(
        "wait, I want to change my answer about wanting the help",
        {**FINISHED, "consent": "no"},
        intent="change_answer",
        entities=[{"entity": "question", "value": "consent"}],
    )
    _, result = run(ActionStartScreening(), tracker)
    assert result["consent"] is None and result["revisit"] == "consent", "its 'I want' is no answer"


def test_safety_said_with_an_ok_is_no_answer_to_the_open_question():
    from actions.support import ActionCrisisResponse

    _, events = run_events(ActionCrisisResponse(), _after_help("ok. my sister is with me now and im safe"))
    assert not any(e.get("event") == "slot" and e.get("name") == "consent" for e in events)
    _, events = run_events(ActionCrisisResponse(), _after_help("im safe now, my sister is here. i agree to take part"))
    assert any(e.get("event") == "slot" and e.get("name") == "consent" and e.get("value") == "yes" for e in events)


def test_who_it_is_for_said_again_to_another_question():
    _, result = validate("location", "is for my brother", {"for_whom": "self"})
    assert result.get("for_whom") == "other" and result.get("relation") == "brother"


# ---- Kinds of blind round 6's misses (fixed after it was scored; examples in our words)


def test_an_amount_said_again_after_a_no():
    assert parse_answer("er_visits", "once. no, my husband says three times").value == 3
    assert parse_answer("age", "17. no, 18").value == 18


def test_care_reached_said_plainly_and_not_reached():
    assert parse_answer("access_barriers", "he gets to his appointments. he's slow but he goes").value == "no"
    assert parse_answer("access_barriers", "she can't get to her appointments, no bus").value == "yes"
    assert parse_answer("access_barriers", "he never makes it to his appointments").value != "no"


def test_a_doubt_said_as_not_so_is_no_doubt():
    # Moved to North Carolina with MassHealth, nothing applied for there: MassHealth, so CST (an
    # NC Medicaid service) is not met, rather than "not sure".
    assert (
        parse_answer("coverage", "still on masshealth, haven't applied for anything here").value == "masshealth_unsure"
    )
    assert parse_answer("coverage", "masshealth, applied for it last week").value == "not_sure"


def test_a_supportive_housing_apartment_is_housing_lined_up():
    text = "he got matched with a permanent supportive housing apartment, move in is march 31"
    assert read_facts(text, today=TODAY)["housing"] == "homeless_psh"


def test_short_answers_to_the_first_questions_with_no_question_open_start_the_screening():
    from actions.questions import tells_a_story

    assert tells_a_story(make_tracker("es para mí", form=None))
    assert not tells_a_story(make_tracker("is it for me?", form=None))


def test_who_and_where_taken_for_a_provider_search_start_the_screening():
    from actions.providers import ActionPrepareProviderSearch

    text = "for my daughter, we're in Springfield"
    entities = [{"entity": "place", "value": "Springfield", "start": text.index("Springfield"), "end": len(text)}]
    tracker = make_tracker(text, {}, intent="find_providers", entities=entities, form=None)
    messages, events = run_events(ActionPrepareProviderSearch(), tracker)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots.get("relation") == "daughter"
    assert {c["state"] for c in slots.get("place_candidates") or []} >= {"MA", "MO"}, "which Springfield"
    assert any(e.get("event") == "followup" and e.get("name") == "screening_form" for e in events)
    # Asked as a search, it is one.
    tracker = make_tracker("providers near Springfield MA for my daughter", {}, intent="find_providers", form=None)
    _, events = run_events(ActionPrepareProviderSearch(), tracker)
    assert not any(e.get("event") == "followup" for e in events)


# ---- Kinds of blind round 7's misses (fixed after it was scored; examples in our words)


def test_a_plain_refusal_to_the_consent_question_is_no_not_a_crisis():
    from actions.support import ActionCrisisResponse
    from referral.screening.answers import is_plain_refusal

    text = "no. he told me he doesn't want anybody coming to the house, stop asking. he won't agree to it"
    assert is_plain_refusal(text)
    assert not is_plain_refusal("no i dont want to live anymore")
    tracker = make_tracker(
        text,
        {**BASE, "requested_slot": "consent"},
        intent="crisis",
        extra_message=crisis_message(text, source="classifier"),
    )
    messages, events = run_events(ActionCrisisResponse(), tracker)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots.get("consent") == "no" and not messages


def test_an_everyday_idiom_is_no_town():
    from actions.screening_form import said_places

    text = "I'm a social work intern, sorry in advance, I live in Lowell MA"
    entities = [
        {"entity": "place", "value": "Advance", "start": text.index("advance"), "end": text.index("advance") + 7},
        {"entity": "place", "value": "Lowell, MA", "start": text.index("Lowell"), "end": text.index("Lowell") + 9},
    ]
    assert [p["town"] for p in said_places(make_tracker(text, entities=entities, form=None))] == ["Lowell"]


def test_dates_written_with_dots():
    assert parse_answer("psych_discharge", "came home on 06.04.26", today=TODAY).value == 181
    assert parse_answer("psych_discharge", "came home on 06.06.2026", today=TODAY).value == 179


def test_an_answer_not_asked_as_a_question_gets_no_program_answer():
    ranking = {"response_selector": {"faq": {"ranking": [{"intent_response_key": "faq/csp_cost", "confidence": 0.95}]}}}
    messages, result = validate(
        "psych_discharge", "he came home from the unit on the 4th", BASE, intent="faq", extra_message=ranking
    )
    assert result.get("psych_discharge") is None and "csp_cost" not in str(messages)
    messages, _ = validate("psych_discharge", "does it cost anything?", BASE, intent="faq", extra_message=ranking)
    assert "csp_cost" in str(messages), "asked as a question, it is answered"


def test_a_no_then_a_no_phrase_is_no():
    assert parse_answer("consent", "no he doesnt want it").value == "no"


def test_a_closing_not_sure_is_the_answer():
    text = "He was in a crisis unit in October, I don't know if that counts as a hospital. So, not sure."
    assert parse_answer("psych_discharge", text, today=TODAY).value == "not_sure"
