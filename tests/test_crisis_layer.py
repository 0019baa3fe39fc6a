"""The crisis layer's second version: unmasking, the corpus, the three answers, the answers' words
and resources fitted to the kind, the safety question and how its reply is read."""

import csv
from pathlib import Path

import pytest

from referral.crisis.answers import crisis_reply, crisis_text, read_safety_reply, safety_question
from referral.crisis.classifier import LABELS, load_corpus, read_labelled, trained_from_corpus
from referral.crisis.detector import CrisisAssessor
from referral.crisis.matcher import default_matcher
from referral.crisis.resources import all_resources, resources_for_kind
from referral.text import fold, sentences, unmask

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def layer() -> CrisisAssessor:
    return CrisisAssessor(default_matcher(), trained_from_corpus())


# --- Unmasking disguised spellings ---------------------------------------------------------------


@pytest.mark.parametrize(
    "disguised, plain",
    [
        ("su1c1dal thoughts all day", "suicidal thoughts all day"),
        ("gonna k!ll myself", "gonna kill myself"),
        ("s.u.i.c.i.d.e", "suicide"),
        ("I'm sooooo doneeeee", "i'm soo donee"),
        ("I\u2019m d\u200bone", "i'm done"),
    ],
)
def test_disguised_spellings_are_unmasked(disguised, plain):
    assert unmask(disguised) == plain


@pytest.mark.parametrize("text", ["01608", "21st of March", "3 weeks ago", "covid19", "b4 noon", "I a m"])
def test_numbers_zip_codes_and_short_letters_are_left_alone(text):
    assert unmask(text) == text.lower()


def test_fold_keeps_every_character_in_place_for_the_entity_offsets():
    text = "I\u2019m in L0well, k!ll \u200b me"
    assert len(fold(text)) == len(text) and "Lowell" in fold(text)


def test_sentences_are_split_at_ends_and_line_breaks():
    text = "I am 34. I live in Lowell!\nI took all my pills"
    assert [text[s:e] for s, e in sentences(text)] == ["I am 34.", "I live in Lowell!", "I took all my pills"]


# --- The corpus ------------------------------------------------------------------------------------


def test_the_corpus_has_several_thousand_messages_from_several_writers_in_english_and_spanish():
    rows = load_corpus(with_nlu=False)
    writers = {r["writer"] for r in rows}
    assert len(rows) >= 3000 and len(writers) >= 5
    langs = {r["lang"] for r in rows}
    assert {"en", "es"} <= langs
    for label in LABELS:
        assert sum(r["label"] == label for r in rows) >= 300
    kinds = {r["kind"] for r in rows if r["label"] != "none"}
    assert {
        "suicide",
        "self_harm",
        "overdose",
        "danger_to_others",
        "violence_home",
        "child_harm",
        "other_in_danger",
    } <= kinds


def test_a_corpus_row_with_an_unknown_label_stops_the_load(tmp_path):
    path = tmp_path / "bad.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label", "kind", "about", "lang"])
        writer.writerow(["hello", "maybe", "everyday", "self", "en"])
    with pytest.raises(ValueError, match="bad.csv, line 2: unknown label"):
        read_labelled(path)


def test_the_blind_sets_are_never_training_data():
    """No blind file is read as corpus; lines that independent writers both wrote ("hi", "01841",
    "what is CSP?") are allowed, but they must stay a small part of a blind set."""
    corpus_files = {p.resolve() for p in (ROOT / "data" / "crisis" / "corpus").glob("*.csv")}
    training = {r["text"].lower() for r in load_corpus()}
    for path in (ROOT / "tests" / "crisis" / "blind").glob("*.csv"):
        if path.name.endswith(".misses.csv"):
            continue
        assert path.resolve() not in corpus_files
        lines = [r["text"].lower() for r in read_labelled(path)]
        shared = [t for t in lines if t in training]
        assert len(shared) <= 0.1 * len(lines), shared


# --- Three answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "i'm going to kill myself tonight",
        "my daughter swallowed a whole bottle of pills and she won't wake up",
        "he's got a knife and says he'll kill me when i fall asleep",
        "quiero matarme esta noche",
    ],
)
def test_a_clear_crisis_gets_the_resources_at_once(layer, text):
    assert layer.assess(text).answer == "crisis"


@pytest.mark.parametrize(
    "text",
    [
        "I'm dying to know when the office opens",
        "I work nights at the hospital, can I still get CSP?",
        "hi",
        "I overdosed in 2019, five years clean now, just want help with appointments",
    ],
)
def test_everyday_words_and_history_that_is_over_are_not_a_crisis(layer, text):
    assert layer.assess(text).answer == "none"


def test_button_payloads_and_empty_messages_are_not_read(layer):
    assert layer.assess('/inform{"for_whom": "self"}').answer == "none"
    assert layer.assess("   ").answer == "none"


def test_a_crisis_sentence_in_a_long_screening_answer_is_found_and_only_it_is_marked(layer):
    text = (
        "My name doesn't matter. I'm 41 and I live in Brockton. I have MassHealth. "
        "I already took all of my sleeping pills about an hour ago. I was in the hospital in May."
    )
    found = layer.assess(text)
    assert found.answer == "crisis"
    marked = " ".join(text[s:e] for s, e in found.spans)
    assert "sleeping pills" in marked and "Brockton" not in marked


def test_the_assessment_carries_no_text(layer):
    payload = layer.assess("my son Jake has a gun and says he will shoot himself").payload()
    assert "Jake" not in repr(payload)
    assert payload["about"] == "other" and payload["danger_now"] and payload["relation"] == "son"


def test_spanish_is_answered_in_spanish(layer):
    found = layer.assess("mi esposo me pega y tengo miedo de que me mate esta noche")
    assert found.answer == "crisis" and found.lang == "es" and found.spanish_too


# --- Resources fitted to the kind, and the words ---------------------------------------------------


def ids(resources):
    return [r["id"] for r in resources]


def test_danger_now_puts_911_first():
    assert ids(resources_for_kind("suicide", "MA", danger_now=True))[0] == "emergency_911"
    assert ids(resources_for_kind("suicide", "MA"))[0] == "lifeline_988"


def test_an_overdose_adds_poison_help_and_violence_at_home_adds_the_hotline():
    assert "poison_help" in ids(resources_for_kind("overdose", None))
    assert "domestic_violence_hotline" in ids(resources_for_kind("violence_home", "NC"))
    assert "domestic_violence_hotline" not in ids(resources_for_kind("suicide", "NC"))


def test_the_state_line_is_the_persons_or_both_when_unknown():
    assert "nc_peer_warmline" in ids(resources_for_kind("suicide", "NC"))
    assert "ma_behavioral_health_help_line" not in ids(resources_for_kind("suicide", "NC"))
    unknown = ids(resources_for_kind("suicide", None))
    assert "nc_peer_warmline" in unknown and "ma_behavioral_health_help_line" in unknown


def test_the_resources_are_exactly_the_product_table_each_with_its_source():
    numbers = {r["id"]: r["phone"] for r in all_resources()}
    assert numbers == {
        "lifeline_988": "988",
        "emergency_911": "911",
        "ma_behavioral_health_help_line": "833-773-2445",
        "nc_peer_warmline": "1-855-733-7762",
        "poison_help": "1-800-222-1222",
        "domestic_violence_hotline": "1-800-799-7233",
    }
    for resource in all_resources():
        assert resource["id"] == "emergency_911" or resource["source"]
        assert resource["how_es"]
    hotline = next(r for r in all_resources() if r["id"] == "domestic_violence_hotline")
    assert hotline["text"] == "88788" and hotline["text_word"] == "START"


def test_about_someone_else_the_words_say_so():
    reply = crisis_reply({"kind": "other_in_danger", "about": "other", "relation": "son", "danger_now": True}, "MA")
    assert reply.opening.startswith("I'm so sorry. If your son is in danger right now, call 911.")
    assert ids(reply.resources)[0] == "emergency_911"


def test_in_spanish_the_words_and_the_988_line_are_spanish():
    reply = crisis_reply({"kind": "suicide", "about": "self", "lang": "es"}, None)
    text = crisis_text(reply, spanish=True, lang="es")
    assert "Tu seguridad es lo primero" in text and "AYUDA" in text


def test_the_safety_question_is_direct_and_has_three_buttons():
    question = safety_question({"about": "self"})
    assert "Are you thinking about killing yourself?" in question["text"]
    assert [b["title"] for b in question["buttons"]] == ["Yes", "No", "Not sure"]
    other = safety_question({"about": "other", "relation": "daughter"})
    assert "Is she in danger right now?" in other["text"] and other["about"] == "other"
    # No pronoun known: the question names the person, never "Is they".
    assert "Is your friend in danger right now?" in safety_question({"about": "other", "relation": "friend"})["text"]
    unnamed = safety_question({"about": "other"})["text"]
    assert "Is the person you're worried about in danger right now?" in unnamed


@pytest.mark.parametrize(
    "reply, intent, answer",
    [
        ("No", "deny", "no"),
        ("nope, I'm okay", "deny", "no"),
        ("/deny", "deny", "no"),
        ("yes", "affirm", "yes"),
        ("/not_sure", "not_sure", "not_sure"),
        ("idk", "not_sure", "not_sure"),
        ("what is CSP?", "faq", "not_sure"),
        ("no estoy seguro", "not_sure", "not_sure"),
    ],
)
def test_a_reply_to_the_safety_question_is_read_carefully(reply, intent, answer):
    assert read_safety_reply(reply, intent, 0.95, {}) == answer


def test_a_reply_that_is_itself_a_risk_is_at_risk_even_if_it_starts_with_no():
    assert read_safety_reply("no... i already have the rope", "deny", 0.9, {"answer": "ask"}) == "at_risk"


def test_the_fused_heads_give_the_same_probabilities_as_scikit_learn():
    classifier = trained_from_corpus()
    texts = ["i want to die", "hola, tengo MassHealth", "my son has a gun", "thanks"]
    x = classifier.features.transform([unmask(t) for t in texts])
    readings = classifier.read(texts)
    label = classifier.heads["label"]
    expected = label.predict_proba(x)
    index = list(label.classes_).index("crisis")
    for reading, row in zip(readings, expected):
        assert abs(reading.p_crisis - row[index]) < 1e-9
    about = classifier.heads["about"].predict(x)
    assert [r.about for r in readings] == list(about)


def test_about_violence_to_someone_else_the_words_name_nobody():
    """ "My stepdad hit my little brother": the first person named is the one doing harm."""
    reply = crisis_reply({"kind": "child_harm", "about": "other", "relation": "father"}, "MA")
    assert "If anyone is in danger right now, call 911." in reply.opening and "dad" not in reply.opening
    assert "domestic_violence_hotline" in ids(reply.resources) and ids(reply.resources)[0] == "emergency_911"
    question = safety_question({"kind": "violence_home", "about": "other", "relation": "father"})
    assert "Is anyone in danger right now?" in question["text"]


def test_unmasking_never_fails_on_any_character():
    import random

    rng = random.Random(7)
    ranges = [(32, 126), (0x80, 0x2FFF), (0x1F300, 0x1FAFF), (0xFF00, 0xFFEF), (0xD7FF, 0xD7FF)]
    for _ in range(20000):
        text = "".join(chr(rng.randint(*rng.choice(ranges))) for _ in range(rng.randint(1, 10)))
        assert len(fold(text)) == len(text)
        unmask(text)
    assert unmask("k9ll d9e") == "k9ll d9e", "9 is no look-alike"
