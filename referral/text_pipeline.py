"""The one spaCy pipeline of the process: blank English, only its tokenizer and vocabulary.

The crisis matcher and the entity extractor tokenize with it, so the process loads one vocabulary.
Nobody adds pipes to it or changes its tokenizer: each user keeps its own matchers.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language


@lru_cache(maxsize=1)
def blank_english() -> Language:
    """The shared blank English pipeline (created on the first call)."""
    return spacy.blank("en")
