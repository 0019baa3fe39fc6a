"""The trained half of the crisis layer: word and character n-grams into linear models.

Trained on the labelled corpus in `data/crisis/corpus/` (one CSV per independent writer; columns
text, label, kind, about, lang), it reads a message as four probabilities: the answer
(crisis / ask / none), the kind of crisis, who is at risk, and the language. Pure scikit-learn:
no Rasa here, so the evaluation and the tests train and score it in seconds.
"""

from __future__ import annotations

import csv
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from referral.text import unmask

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = ROOT / "data" / "crisis" / "corpus"
# The assistant's own everyday examples (greetings, screening answers, program questions) are
# everyday messages for the crisis layer too: (file, kind).
NLU_EVERYDAY = (
    (ROOT / "data" / "nlu" / "general.yml", "everyday"),
    (ROOT / "data" / "nlu" / "faq.yml", "program_question"),
    # Program questions by independent writers: worried, indirect, none of them a crisis
    # ("he's been struggling so much, does he qualify?"). No safety question for these.
    *((path, "program_question") for path in sorted((ROOT / "data" / "nlu" / "faq_writers").glob("*.yml"))),
)
LABELS = ("crisis", "ask", "none")
KINDS = ("suicide", "self_harm", "overdose", "danger_to_others", "violence_home", "child_harm", "other_in_danger")
NONE_KINDS = ("history", "idiom", "medical_or_work", "program_question", "screening_answer", "everyday")
ABOUT = ("self", "other")
LANGS = ("en", "es", "ht", "mix")


@dataclass(frozen=True)
class Reading:
    """What the classifier read in one text: probabilities and its best guesses, never the text."""

    p_crisis: float
    p_ask: float
    kind: str
    about: str
    lang: str

    @property
    def p_risk(self) -> float:
        return self.p_crisis + self.p_ask


def load_corpus(directory: Path = CORPUS_DIR, with_nlu: bool = True) -> List[Dict[str, str]]:
    """Every labelled row of every writer's file (`writer` = the file's name), and the NLU
    training examples of the other intents as everyday messages (writer `nlu_examples`)."""
    rows: List[Dict[str, str]] = []
    for path in sorted(Path(directory).glob("*.csv")):
        rows.extend(read_labelled(path, writer=path.stem))
    if not rows:
        raise FileNotFoundError(f"no labelled crisis corpus in {directory}")
    if with_nlu:
        for path, kind in NLU_EVERYDAY:
            rows.extend(
                {"text": text, "label": "none", "kind": kind, "about": "self", "lang": "en", "writer": "nlu_examples"}
                for text in nlu_examples(path)
            )
    return rows


_ANNOTATION = re.compile(r"\[([^\]]*)\]\((?:[^)]*)\)|\[([^\]]*)\]\{[^}]*\}")


def nlu_examples(path: Path) -> List[str]:
    """The example texts of a Rasa NLU file, entity annotations removed ("[Lowell](place)")."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    texts = []
    for block in data.get("nlu", []):
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                texts.append(_ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", line[2:]).strip())
    return [t for t in texts if t]


def read_labelled(path: Path, writer: str = "") -> List[Dict[str, str]]:
    """One labelled CSV file; a row with an unknown label, kind, about or lang stops the load."""
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            text = (row.get("text") or "").strip()
            if not text:
                continue
            label = (row.get("label") or "").strip()
            kind = (row.get("kind") or "").strip()
            about = (row.get("about") or "self").strip() or "self"
            lang = (row.get("lang") or "en").strip() or "en"
            allowed_kinds = KINDS if label in ("crisis", "ask") else NONE_KINDS
            problems = [
                name
                for name, value, allowed in (
                    ("label", label, LABELS),
                    ("kind", kind, allowed_kinds),
                    ("about", about, ABOUT),
                    ("lang", lang, LANGS),
                )
                if value not in allowed
            ]
            if problems:
                raise ValueError(f"{path.name}, line {line}: unknown {', '.join(problems)}")
            rows.append(
                {
                    "text": text,
                    "label": label,
                    "kind": kind,
                    "about": about,
                    "lang": lang,
                    "writer": writer or path.stem,
                }
            )
    return rows


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True, token_pattern=r"(?u)\b\w[\w'/]*\b"
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=150_000
                ),
            ),
        ]
    )


def _model(c: float) -> LogisticRegression:
    # No class balancing: with balanced weights, text unlike anything in the corpus ("is it going
    # to rain tomorrow") fell to the rarer classes' priors and read as a crisis (held-out writers:
    # 2.8% banner instead of 3.4%, and 6.1% instead of 9.6% safety questions on everyday messages).
    return LogisticRegression(C=c, max_iter=2000)


class CrisisClassifier:
    """Four linear heads over one set of n-gram features."""

    def __init__(self, features: FeatureUnion, heads: Dict[str, LogisticRegression]) -> None:
        self.features = features
        self.heads = heads
        self._classes = {name: list(head.classes_) for name, head in heads.items()}
        # The four heads as one matrix product (sklearn's per-call checks cost more than the
        # arithmetic on one short message): columns per head, softmax (or sigmoid) per head.
        blocks, self._slices, start = [], {}, 0
        for name, head in heads.items():
            blocks.append(head.coef_)
            self._slices[name] = (start, start + head.coef_.shape[0], head.intercept_)
            start += head.coef_.shape[0]
        self._weights = np.ascontiguousarray(np.vstack(blocks).T, dtype=np.float64)

    @classmethod
    def train(cls, rows: Sequence[Dict[str, str]], c: float = 8.0) -> CrisisClassifier:
        texts = [unmask(r["text"]) for r in rows]
        features = _features()
        x = features.fit_transform(texts)
        labels = np.array([r["label"] for r in rows])
        heads = {"label": _model(c).fit(x, labels)}
        risk = np.array([r["label"] != "none" for r in rows])
        heads["kind"] = _model(c).fit(x[risk], np.array([r["kind"] for r in rows])[risk])
        heads["about"] = _model(c).fit(x[risk], np.array([r["about"] for r in rows])[risk])
        heads["lang"] = _model(c).fit(x, np.array([r["lang"] for r in rows]))
        return cls(features, heads)

    def read(self, texts: Iterable[str]) -> List[Reading]:
        """One Reading per text, in one pass over the features."""
        texts = [unmask(t) for t in texts]
        if not texts:
            return []
        x = self.features.transform(texts)
        scores = np.asarray(x @ self._weights)
        probs = {name: _probabilities(scores[:, a:b] + intercept) for name, (a, b, intercept) in self._slices.items()}
        label_index = {label: i for i, label in enumerate(self._classes["label"])}
        readings = []
        for i in range(len(texts)):
            p = probs["label"][i]
            readings.append(
                Reading(
                    p_crisis=float(p[label_index["crisis"]]),
                    p_ask=float(p[label_index["ask"]]),
                    kind=self._best("kind", probs["kind"][i]),
                    about=self._best("about", probs["about"][i]),
                    lang=self._best("lang", probs["lang"][i]),
                )
            )
        return readings

    def _best(self, head: str, p: np.ndarray) -> str:
        return self._classes[head][int(np.argmax(p))]

    def save(self, path: Path) -> None:
        with open(path, "wb") as f:
            pickle.dump({"features": self.features, "heads": self.heads}, f, protocol=4)

    @classmethod
    def load(cls, path: Path) -> CrisisClassifier:
        # Only files this project wrote itself (in the trained model) are ever loaded here.
        with open(path, "rb") as f:
            data = pickle.load(f)  # noqa: S301
        return cls(data["features"], data["heads"])


def _probabilities(scores: np.ndarray) -> np.ndarray:
    """LogisticRegression.predict_proba from decision scores: sigmoid for two classes, else softmax."""
    if scores.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-scores))
        return np.hstack([1.0 - p, p])
    scores = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)


_trained: Optional[CrisisClassifier] = None


def trained_from_corpus() -> CrisisClassifier:
    """The classifier trained on the whole corpus, once per process (for tools and tests)."""
    global _trained
    if _trained is None:
        _trained = CrisisClassifier.train(load_corpus())
    return _trained
