"""Reference data the directory checks records and requests against: programs and languages.

Programs come from the program registry (programs/registry.yml, with the words import files use
for each), languages from data/languages.json, so that adding either needs no code change.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from referral.registry import registry
from referral.text.normalize import fold_key

DATA_DIR = Path(__file__).parent / "data"


def _fold(text: str) -> str:
    """A name as a lookup key ('Español' -> 'espanol', 'CSP-HI' -> 'csp hi'): the shared normalizer's."""
    return fold_key(text)


@lru_cache(maxsize=1)
def _languages() -> list[dict]:
    return json.loads((DATA_DIR / "languages.json").read_text(encoding="utf-8"))["languages"]


@lru_cache(maxsize=1)
def _language_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for lang in _languages():
        for word in [lang["name"], *lang["aliases"]]:
            names[_fold(word)] = lang["name"]
    return names


def program_ids() -> tuple[str, ...]:
    """The program ids a directory may use: those of the program registry."""
    return registry().program_ids()


def program_states(program_id: str) -> tuple[str, ...]:
    """The states where a program is delivered (from the program registry)."""
    return (registry().programs[program_id].state,)


def program_name(program_id: str) -> str:
    return registry().programs[program_id].official_name


@lru_cache(maxsize=1)
def _program_words() -> dict[str, str]:
    words = {}
    for p in registry().programs.values():
        for word in [p.id, p.short_name, p.official_name, *p.directory_words]:
            words[_fold(word)] = p.id
    return words


def programs_in_text(text: str) -> list[str] | None:
    """Program ids in a cell of an imported list ("CSP; CSP-HI", or a program's name or directory words).

    Returns None when a part is not recognised, so the import can stop with the row's line.
    """
    ids: list[str] = []
    for part in re.split(r"[;,/|\n]+|\band\b", text):
        key = _fold(part)
        if not key:
            continue
        program = _program_words().get(key)
        if program is None:
            return None
        if program not in ids:
            ids.append(program)
    return ids


def language_name(text: str) -> str | None:
    """The language a directory file means by exactly this name or other word, else None."""
    return _language_names().get(_fold(text))


def canonical_language(text: str) -> str | None:
    """'espanol' -> 'Spanish', 'haitian' -> 'Haitian Creole'; None when not a known language."""
    key = _fold(text)
    names = _language_names()
    if key in names:
        return names[key]
    # "someone who speaks Spanish", "in spanish please": look for a known language word.
    words = key.split()
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i : i + n])
            if phrase in names:
                return names[phrase]
    return None


def languages_matching(language: str) -> tuple[str, ...]:
    """The provider languages that satisfy a request: 'Chinese' -> Chinese, Mandarin, Cantonese."""
    for lang in _languages():
        if lang["name"] == language:
            return (language, *lang.get("includes", ()))
    return (language,)


def known_languages() -> list[str]:
    return sorted(set(_language_names().values()))
