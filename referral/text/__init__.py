"""Text tools shared by every reader of a message: the one normalizer (normalize.py), phrase
tables (phrases.py), numbers (numbers.py) and times (durations.py), with their words in words.yml."""

from referral.text.normalize import fold, normalize, sentences, strip_accents, unmask

__all__ = ["fold", "normalize", "sentences", "strip_accents", "unmask"]
