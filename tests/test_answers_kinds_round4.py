"""Kinds of misreading found by two new helper writers before blind round 4 (a dev set, not blind):
each test is the kind in our own words, not a line of their set."""

import csv
from datetime import date
from functools import lru_cache
from pathlib import Path

from referral.screening.answers import parse_answer, says_stop
from referral.screening.facts import read_facts, say_back
from tests.test_actions import WORCESTER, make_tracker, place_entities, run, texts, validate

TODAY = date(2026, 12, 2)
BASE = {"for_whom": "other", "relation": "brother", "location": WORCESTER, "coverage": "masshealth_unsure"}


def test_housing_said_as_not_lined_up_is_no_housing_lined_up():
    for text in (
        "she sleeps on a friend's couch, no housing lined up",
        "he doesnt have any housing lined up, he's couch surfing",
        "at the shelter, no voucher yet",
    ):
        assert parse_answer("housing", text).value == "homeless", text
    assert parse_answer("housing", "no, she has a unit lined up").value == "homeless_psh"


def test_living_at_a_parents_place_is_housed():
    for text in ("at my moms", "at my grandparents'", "staying at her dad's place"):
        assert parse_answer("housing", text).value == "housed", text


def test_a_no_said_twice_is_a_no():
    assert parse_answer("justice", "no never been arrested").value == "no"
    assert parse_answer("justice", "nope, not on probation").value == "no"
    assert parse_answer("justice", "no jail but she is on probation").value == "yes"


def test_giving_it_a_try_is_agreeing():
    assert parse_answer("consent", "she says she'll give it a try").value == "yes"
    assert parse_answer("consent", "he doesn't want to try it").value == "no"


def test_feelings_and_use_in_a_story_do_not_answer_the_diagnosis_question():
    facts = read_facts("I've been to the ER twice in the last month for what they called panic attacks", today=TODAY)
    assert "diagnosis" not in facts and facts["er_visits"] == 2
    assert "diagnosis" not in read_facts("my son is using again and so depressed", today=TODAY)
    # A condition a doctor names is taken; to the question itself, a feeling answers it.
    assert read_facts("my son has schizoaffective disorder", today=TODAY)["diagnosis"] == "mental_health"
    assert parse_answer("diagnosis", "panic attacks").value == "mental_health"


def test_a_hospital_in_a_story_is_a_psychiatric_stay_only_when_said_as_one():
    assert "psych_discharge" not in read_facts("she was in the hospital in october", today=TODAY)
    assert read_facts("she got out of the psych unit in october", today=TODAY)["psych_discharge"] > 0
    assert read_facts("he was in the hospital for his bipolar in october", today=TODAY)["psych_discharge"] > 0


def test_words_that_say_nothing_about_a_question_in_a_story():
    assert "daily_living" not in read_facts("my husband needs help, he lives in Fayetteville", today=TODAY)
    story = "I was in the psych hospital in 2023, got out in March that year. Nothing since."
    assert "justice" not in read_facts(story, today=TODAY)
    # To the question itself they still answer it.
    assert parse_answer("justice", "nothing since").value == "no"


def test_a_release_told_to_the_hospital_question_is_no_jail():
    facts = read_facts("ya. got out in sept", today=TODAY, context={"asked": "psych_discharge"})
    assert "justice" not in facts
    assert read_facts("he got out of jail in sept", today=TODAY)["justice"] == "yes"


def test_er_visits_told_as_their_dates_are_counted_within_90_days():
    # September 2 is 91 days before December 2: outside the window.
    assert parse_answer("er_visits", "September 2nd and November 20th", today=TODAY).value == 1
    assert parse_answer("er_visits", "november 1st and november 15th", today=TODAY).value == 2
    # In a story, a clause may hold only some of the dates: the question is asked.
    assert "er_visits" not in read_facts("I went to the ER on September 2nd and again on November 20th", today=TODAY)


def test_a_stop_said_first_then_the_reason_stops():
    assert says_stop("actually stop, i have to go pick him up")
    assert not says_stop("now I stop drinking, mostly")


def test_homeless_in_a_story_leaves_only_housing_lined_up_to_ask():
    facts = read_facts("I'm a case manager at a shelter screening a client, he's 58", today=TODAY)
    assert "housing" not in facts and facts["housing_hint"] == "homeless"
    assert say_back(facts) == "Got it: for your client, 58, homeless or about to lose housing."
    assert read_facts("I'm at a shelter but I got approved for an apartment", today=TODAY)["housing"] == "homeless_psh"
    # The question then asks only that; yes and no answer it.
    assert parse_answer("housing", "no", context={"hint": "homeless"}).value == "homeless"
    assert parse_answer("housing", "yes", context={"hint": "homeless"}).value == "homeless_psh"


def test_the_housing_question_after_homeless_in_a_story_asks_about_housing_lined_up():
    from actions.screening_form import AskScreeningQuestion_housing

    tracker = make_tracker("", {**BASE, "housing_hint": "homeless", "requested_slot": "housing"})
    messages, _ = run(AskScreeningQuestion_housing(), tracker)
    assert "permanent supportive housing" in texts(messages)
    payloads = [b["payload"] for m in messages for b in (m.get("buttons") or [])]
    assert "homeless" in payloads and "homeless with permanent supportive housing lined up" in payloads
    # Asked to change the housing answer: the whole question, with every kind of housing.
    tracker = make_tracker("", {**BASE, "housing_hint": "homeless", "requested_slot": "housing", "revisit": "housing"})
    messages, _ = run(AskScreeningQuestion_housing(), tracker)
    assert "housed" in [b["payload"] for m in messages for b in (m.get("buttons") or [])]


def test_nothing_lined_up_to_the_move_in_question_settles_the_housing():
    slots = {**BASE, "housing": "homeless_psh", "diagnosis": "mental_health"}
    messages, result = validate("move_in", "there's no move in date, nothing lined up yet", slots)
    assert result["housing"] == "homeless" and result["move_in"] is None
    assert result["requested_slot"] != "move_in"


def test_a_place_with_i_dont_know_the_zip_is_the_place():
    _, result = validate("location", "greenville. south carolina. dont know the zip", {"for_whom": "self"})
    assert result["location"]["state"] == "SC"


def test_the_same_ambiguous_town_again_is_counted_then_settled_by_the_coverage():
    slots = {"for_whom": "self"}
    _, result = validate("location", "lynn", slots)
    candidates = result["place_candidates"]
    assert result["location"] is None and candidates
    retries = 0
    for _ in range(3):
        _, result = validate(
            "location", "lynn", {**slots, "place_candidates": candidates, "screening_retries": retries}
        )
        if result.get("location") == "not_sure":
            break
        retries = result["screening_retries"]
    assert result["location"] == "not_sure", "the town question is not asked forever"
    assert result["place_candidates"], "the towns are kept"
    # Then MassHealth settles which Lynn.
    _, result = validate("coverage", "masshealth", {**slots, "location": "not_sure", "place_candidates": candidates})
    assert result["location"]["state"] == "MA"


def test_a_crisis_message_gives_no_not_sure_and_no_consent():
    from actions.screening_form import answer_outside_crisis
    from tests.test_actions import crisis_message

    text = "honestly i dont know why im doing this. i have pills saved up to take tonight"
    extra = crisis_message(text)
    extra["crisis"]["spans"] = [[text.index("i have"), len(text)]]
    for question in ("consent", "daily_living"):
        tracker = make_tracker(text, {**BASE, "requested_slot": question}, intent="crisis", extra_message=extra)
        assert answer_outside_crisis(tracker) == {}, question


def test_a_story_that_says_who_and_seeks_help_starts_the_screening():
    from actions.questions import tells_a_story

    tracker = make_tracker(
        "hi im looking for something for my brother he keeps ending up in the hospital", intent="faq", form=None
    )
    assert tells_a_story(tracker)
    assert not tells_a_story(make_tracker("what is CSP?", intent="faq", form=None))
    # A question with the facts of a story: answered, and the screening starts from the facts.
    text = "it's for me, we live in Worcester, does it cost anything?"
    place = place_entities(text, "Worcester")
    assert tells_a_story(make_tracker(text, intent="faq", form=None, entities=place))


def test_one_no_holds_for_a_list():
    for text in (
        "no court or probation stuff",
        "she has never been involved with the courts, jail or probation",
        "no jail, no probation, no parole",
    ):
        assert parse_answer("justice", text).value == "no", text
    assert parse_answer("justice", "no jail time but he is on probation").value == "yes"
    facts = read_facts("i have my own apartment, no court or probation stuff", today=TODAY)
    assert facts["justice"] == "no"


def test_a_yes_or_no_word_deep_in_a_message_is_no_answer():
    text = "EMS is here, they're taking her to the hospital. ok let's finish, she wants this done"
    assert parse_answer("justice", text).value is None
    assert parse_answer("access_barriers", "I get to my appointments ok").value == "no"
    assert parse_answer("consent", "ok").value == "yes"
    assert parse_answer("justice", "yes, she's on probation").value == "yes"


def test_consent_in_a_family_members_words():
    story = "he's 35 and has schizophrenia, lives with me, and he says he wants the help"
    assert read_facts(story, today=TODAY)["consent"] == "yes"
    assert read_facts("she does want this, she asked me to look", today=TODAY)["consent"] == "yes"
    assert "consent" not in read_facts("I want to keep going with the questions", today=TODAY)


def test_a_not_sure_is_replaced_by_a_sure_answer_said_later():
    slots = {**BASE, "coverage": "not_sure", "diagnosis": None}
    _, result = validate("diagnosis", "he has bipolar disorder, and he has masshealth now", slots)
    assert result["diagnosis"] == "mental_health"
    assert result["coverage"] == "masshealth_unsure"


def test_the_nlu_taking_a_message_for_stop_without_a_stop_said_is_no_stop():
    from actions.support import ActionStopScreening
    from tests.test_actions import run_events

    text = "I'm not going to do anything right now, my mom is home with me. can we finish this?"
    tracker = make_tracker(text, {**BASE, "requested_slot": "age"}, intent="stop_screening")
    messages, events = run_events(ActionStopScreening(), tracker)
    assert not messages, "no 'we've stopped the questions'"
    assert any(e.get("event") == "followup" and e.get("name") == "screening_form" for e in events)
    messages, events = run_events(
        ActionStopScreening(), make_tracker("actually stop, i have to go", {**BASE, "requested_slot": "age"})
    )
    assert "stopped" in texts(messages)


def test_a_question_the_nlu_was_unsure_of_is_answered_mid_screening(monkeypatch):
    import actions.screening_form as form

    answered = []
    monkeypatch.setattr(form, "answer_interruption", lambda intent, t, d: answered.append(intent) or True)
    messages, result = validate("location", "does it cost anything?", {"for_whom": "self"}, intent="nlu_fallback")
    assert answered == ["faq"]
    assert result["location"] is None


def test_no_before_a_no_phrase_of_its_own_and_a_no_said_as_a_clause():
    text = "yea no license no car, hard to get to my appointments"
    assert parse_answer("access_barriers", text).value == "yes"
    assert parse_answer("justice", "what is justice? police? no. never.").value == "no"


def test_a_coverage_said_as_not_had_or_a_job_lost_is_no_coverage():
    assert parse_answer("coverage", "Not the VA").value is None
    assert parse_answer("coverage", "I lost my job and my apartment this year").value is None
    assert parse_answer("coverage", "insurance through my job").value == "other"


def test_a_worker_who_sent_the_writer_is_not_the_writers_role():
    text = "I just got out of the hospital and the social worker gave me this. I live in Wilmington NC."
    assert parse_answer("for_whom", text).value == "self"
    assert parse_answer("for_whom", "mi case manager me dijo de este programa, necesito ayuda para mí").value == "self"
    assert parse_answer("for_whom", "I'm a case manager screening a client").value == "client"


def test_the_count_of_times_asked_comes_from_the_questions_asked_too():
    """A form resumed after a safety question may start its retry slot again; the conversation's
    own record of the question asked three times in a row still ends it ("not sure")."""
    from actions.screening_form import interruption_counted

    tracker = make_tracker("he says he'll do it", {**BASE, "requested_slot": "consent", "screening_retries": 0})
    asked = {"event": "bot", "data": {"custom": {"type": "question", "id": "consent", "step": 9, "of": 9}}}
    other = {"event": "bot", "data": {"custom": {"type": "question", "id": "justice", "step": 8, "of": 9}}}
    tracker.events[:] = [other, asked, {"event": "user"}, asked, {"event": "user"}, asked, {"event": "user"}]
    assert interruption_counted(tracker) == {"consent": "not_sure", "screening_retries": 0, "ask_back": None}
    tracker.events[:] = [other, asked, {"event": "user"}]
    assert interruption_counted(tracker) == {"screening_retries": 1}


def test_a_first_message_that_says_only_who_it_is_for_starts_the_screening():
    from actions.questions import tells_a_story

    assert tells_a_story(make_tracker("I'm asking for my husband", intent="nlu_fallback", form=None))


# ---- Kinds of blind round 4's misses (fixed after it was scored; examples in our words)


def test_a_psychiatrist_is_no_hospital_stay():
    facts = read_facts("bipolar disorder, her psychiatrist diagnosed her two years ago", today=TODAY)
    assert "psych_discharge" not in facts and facts["diagnosis"] == "mental_health"


def test_a_protective_order_is_no_justice_involvement():
    text = "no. i got a restraining order against him at the court, im not in trouble for anything"
    assert parse_answer("justice", text).value == "no"
    assert read_facts("no cops stuff, ya i want it", today=TODAY)["justice"] == "no"


def test_care_at_the_va_in_a_story_is_no_insurance():
    assert "coverage" not in read_facts("PTSD and alcohol use disorder, the VA doc said co-occurring", today=TODAY)
    assert read_facts("he has VA insurance and bipolar", today=TODAY)["coverage"] == "other"


def test_the_writers_own_consent_in_a_story_about_themself():
    story = "this is for me, I'm 33 and I have bipolar disorder. And yes, I want this help."
    assert read_facts(story, today=TODAY)["consent"] == "yes"


def test_a_correction_inside_a_place_answer_is_the_place_not_go_back():
    _, result = validate(
        "location", "Lowell. wait no, Lawrence MA, I moved in August", {"for_whom": "self"}, intent="go_back"
    )
    assert result["location"]["town"] == "Lawrence"


def test_asking_to_go_on_is_no_yes_to_the_open_question():
    slots = {**BASE, "diagnosis": "mental_health"}
    for text in ("im ok for now. my cousin is home with me. can we keep going", "ya estoy mejor, ¿podemos seguir?"):
        _, result = validate("access_barriers", text, slots, intent="resume_screening")
        assert result.get("access_barriers") is None, text


def test_a_not_sure_coverage_is_replaced_only_by_a_medicaid_named():
    slots = {**BASE, "coverage": "not_sure", "diagnosis": None}
    _, result = validate("diagnosis", "PTSD, the VA doc said so, he has VA insurance", slots)
    assert result.get("coverage", "not_sure") == "not_sure"


def test_a_place_in_an_institutions_name_is_not_where_the_person_lives():
    from actions.screening_form import said_places

    text = "im in brockton, got out of MCI Norfolk 5 weeks ago"
    entities = place_entities(text, "brockton", "Norfolk")
    assert [p["town"] for p in said_places(make_tracker(text, entities=entities, form=None))] == ["Brockton"]


def test_a_correction_after_the_results_changes_that_answer_and_keeps_the_rest():
    from actions.screening_form import ActionStartScreening

    slots = {
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
    messages, result = run(ActionStartScreening(), make_tracker("no wait, it was 2 visits", slots, intent="go_back"))
    assert result["er_visits"] == 2 and result["eligibility"] is None
    assert "for_whom" not in result, "the other answers are kept"


def test_a_closing_so_no_is_the_answer():
    text = "no. actually I had a court thing back in 2019 but it's over, nothing now. so no"
    assert parse_answer("justice", text).value == "no"
    assert (
        parse_answer("justice", "he was on probation, it ended last year but he's still on parole, so yes").value
        == "yes"
    )


# ---- Kinds of blind round 5's misses (fixed after it was scored; examples in our words)


def test_a_plain_agreement_to_the_consent_question_is_consent_not_a_crisis():
    from actions.support import ActionCrisisResponse, ActionSafetyQuestion
    from referral.screening.answers import is_plain_agreement
    from tests.test_actions import crisis_message, run_events

    assert is_plain_agreement("Yes. I want to do it.")
    assert is_plain_agreement("yes she says she'll do it, she's sitting right here and said yes")
    for risky in ("yes i want to do it tonight", "I want to end it", "he is nodding off", "i want to die"):
        assert not is_plain_agreement(risky), risky
    text = "Yes. I want to do it."
    for action in (ActionCrisisResponse(), ActionSafetyQuestion()):
        extra = crisis_message(text, source="classifier")
        tracker = make_tracker(text, {**BASE, "requested_slot": "consent"}, intent="crisis", extra_message=extra)
        messages, events = run_events(action, tracker)
        slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        assert slots.get("consent") == "yes" and not messages
    # A pattern's signal, or another open question: the crisis answer as always.
    extra = crisis_message(text, source="patterns")
    tracker = make_tracker(text, {**BASE, "requested_slot": "consent"}, intent="crisis", extra_message=extra)
    messages, _ = run_events(ActionCrisisResponse(), tracker)
    assert "988" in texts(messages)
    extra = crisis_message(text, source="classifier")
    tracker = make_tracker(text, {**BASE, "requested_slot": "justice"}, intent="crisis", extra_message=extra)
    messages, _ = run_events(ActionCrisisResponse(), tracker)
    assert "988" in texts(messages)


@lru_cache(maxsize=1)
def risk_lines() -> tuple:
    """Every risk line ("crisis" or "ask") of the crisis corpus, its blind sets and its labelled
    test set: what a reader that lets a message past the crisis answer must never let past."""
    root = Path(__file__).resolve().parents[1]
    files = list((root / "data" / "crisis" / "corpus").glob("*.csv")) + list((root / "tests" / "crisis").glob("*.csv"))
    files += [f for f in (root / "tests" / "crisis" / "blind").glob("*.csv") if "misses" not in f.name]
    lines = tuple(
        r["text"] for f in files for r in csv.DictReader(f.open(encoding="utf-8")) if r["label"] in ("crisis", "ask")
    )
    assert len(lines) > 5000
    return lines


def test_no_risk_line_of_the_crisis_sets_is_a_plain_agreement():
    from referral.screening.answers import is_plain_agreement

    assert [t for t in risk_lines() if is_plain_agreement(t)] == []


def test_another_states_medicaid_reports_every_program():
    from referral.eligibility.engine import programs_in_scope

    charlotte = {"town": "Charlotte", "state": "NC", "zip": "28202"}
    assert set(programs_in_scope({"location": charlotte, "coverage": "medicaid_other_state"})) >= {"CSP", "CST"}
    assert programs_in_scope({"location": charlotte, "coverage": "nc_medicaid"}) == ["CST"]


def test_words_that_name_insurance_only_with_an_insurance_word_in_a_story():
    assert "coverage" not in read_facts("my parents kicked me out and im sleeping at friends places", today=TODAY)
    assert read_facts("she's on her parents' insurance, my parents' plan", today=TODAY)["coverage"] == "other"


def test_a_zip_said_digit_by_digit_and_a_misspelled_town_with_its_state():
    from referral.directory.geo import resolve_place

    assert resolve_place("Worchester mass zero one six oh eight").place["zip"] == "01608"
    assert resolve_place("worchester MA by the lake").place["town"] == "Worcester"


def test_a_no_before_words_that_only_qualify_the_phrase():
    assert parse_answer("justice", "No current or recent justice involvement.").value == "no"
    assert parse_answer("justice", "current probation, no prior jail").value == "yes"
