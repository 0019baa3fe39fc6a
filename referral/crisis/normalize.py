"""A message as the crisis patterns read it: lower case, unmasked, slang and contractions expanded
(the `normalize:` section of patterns.yml)."""

from __future__ import annotations

import re
from typing import Any, Mapping

from referral.text import fold, unmask


class Normalizer:
    """`normalizer(text)`: the shared unmasking, then this file's replacements, whole words only."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.replacements = {str(k).lower(): str(v).lower() for k, v in spec["replacements"].items()}
        # Longest first so "i am gonna" wins over "gonna"; whole words only (apostrophes and dots
        # belong to a word here: "od'd", "o.d.").
        keys = sorted(self.replacements, key=len, reverse=True)
        self._replace_re = re.compile(r"(?<![\w'$])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w'])")
        self.squeeze = bool(spec.get("squeeze_repeats", True))

    def __call__(self, text: str) -> str:
        """Lowercase, plain quotes, contractions and slang expanded, key misspellings fixed."""
        # The shared unmasking first (look-alike signs, invisible characters, spelled-out words,
        # repeated letters), then this file's slang and contractions.
        text = unmask(text) if self.squeeze else fold(text).lower()
        return self._replace_re.sub(lambda m: self.replacements[m.group(1)], text)
