"""The one normalizer: undoing disguised spellings, lower case with positions kept, sentences.

People write "su1c1de", "k!ll", "s.u.i.c.i.d.e", "sooo doneeee", curly quotes and zero-width
characters. `fold` undoes the character-level disguises without moving any character (the entity
extractor reports offsets into the original text); `unmask` also squeezes repeated letters and
joins spelled-out words, for readers that need no offsets (the crisis layer).
"""

from __future__ import annotations

import re
import unicodedata
from typing import List, Tuple

# Digits and signs that stand for letters, only *between two letters* ("su1c1de", "k!ll",
# "unal1ve"): "21st", "3 weeks", "covid19", "b4" and ZIP codes are left as they are.
_LOOKALIKE = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"}
_LOOKALIKE_RE = re.compile(r"(?<=[^\W\d_])([" + re.escape("".join(_LOOKALIKE)) + r"])(?=[^\W\d_])")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u201c": '"', "\u201d": '"'})
# Zero-width and other invisible format characters, used to break words past filters.
_INVISIBLE_RE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# "s.u.i.c.i.d.e", "k-i-l-l", "d i e": single letters joined by one separator, four or more
# (three would join "i a m" and "u s a").
_SPELLED_RE = re.compile(r"\b(?:[^\W\d_][.\-_* ]){3,}[^\W\d_]\b")
_REPEATS_RE = re.compile(r"([^\W\d_])\1{2,}")
# "self-harm" and "s/h" style abbreviations are words of their own; sentence ends are . ! ? ; and
# line breaks (a "." between digits or inside an abbreviation such as "a.m." is not one).
_SENTENCE_RE = re.compile(r"[^.!?;\n]+(?:[.!?;]+|\n+|$)")


def fold(text: str) -> str:
    """Same length as `text`: plain quotes, no invisible characters, look-alike signs as letters."""
    text = text.translate(_QUOTES)
    text = _INVISIBLE_RE.sub(" ", text)
    text = _CONTROL_RE.sub(" ", text)
    return _LOOKALIKE_RE.sub(lambda m: _LOOKALIKE[m.group(1)], text)


def unmask(text: str) -> str:
    """Lower case, folded, spelled-out words joined, letters repeated 3+ times cut to two."""
    text = unicodedata.normalize("NFKC", _INVISIBLE_RE.sub("", text))
    text = fold(text).lower()
    text = _SPELLED_RE.sub(lambda m: re.sub(r"[.\-_* ]", "", m.group(0)), text)
    text = _REPEATS_RE.sub(r"\1\1", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def sentences(text: str) -> List[Tuple[int, int]]:
    """(start, end) character spans of the sentences of `text`, blank ones left out."""
    spans = []
    for match in _SENTENCE_RE.finditer(text):
        start, end = match.span()
        chunk = text[start:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            spans.append((start + lead, end))
    return spans


def normalize(text: str) -> str:
    """Lower case with punctuation blanked out, keeping every character's position.

    Positions are kept so that what is found in the normalized text can be pointed at in the
    original (the entity extractor reports character offsets). Kept: letters, digits, and `/ . -`
    inside numbers or words, apostrophes inside words.
    """

    chars = []
    for ch in fold(text):  # the shared unmasking that keeps every position ("L0well", curly quotes)
        low = ch.lower()
        chars.append(low if len(low) == 1 else ch)
    s = "".join(chars).replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    s = re.sub(r"[^\w'/.\-+ ]|_", " ", s)
    s = re.sub(r"(?<!\d)[./]|[./](?!\d)", " ", s)
    s = re.sub(r"(?<![^\W\d_])'|'(?![^\W\d_])", " ", s)
    return s


def strip_accents(text: str) -> str:
    """'sé' -> 'se': people often type Spanish without accents."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def fold_key(text: str) -> str:
    """A name as a lookup key: lower case, no accents, words of letters and digits only
    ('Español' -> 'espanol', 'CSP-HI' -> 'csp hi')."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
