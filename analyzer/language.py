"""Offline language detection for comments.

The reason model is trained on English; a Spanish or German comment would get English reasons by
accident of shared character n-grams. Comments that are clearly another language are marked and left
without reasons. Detection uses py3langid, whose model ships inside the package (nothing is fetched).

Most comments are plainly English, and running the detector on a million of them would cost minutes,
so a cheap test comes first: enough common English function words settles it.
"""

from __future__ import annotations

import functools
import re

import pandas as pd

ENGLISH_HINTS = frozenset(
    "the a an and but or to of in on for with is was are were be been it its this that i my me we our "
    "you your they them he she not no very so too have has had do did does just can could would will "
    "get got been there their what when why how because as at by from all any good great bad service "
    "ok okay thanks thank".split())
WORD = re.compile(r"[^\W\d_]+")
MIN_LETTERS = 15
CONFIDENCE = 0.9


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def language_of(text: str) -> str:
    """ISO 639-1 code, ``"und"`` when too short to tell, ``""`` for an empty comment."""
    text = text.strip()
    if not text:
        return ""
    words = WORD.findall(text.lower())
    letters = sum(len(w) for w in words)
    if words and sum(w in ENGLISH_HINTS for w in words) / len(words) >= 0.2:
        return "en"
    if letters < MIN_LETTERS:
        return "und"
    code, prob = _identifier().classify(text[:2000])
    if code == "en" or prob < CONFIDENCE:
        return "en"
    return code


def detect_languages(texts: pd.Series) -> pd.Series:
    """Vectorised :func:`language_of`; short or uncertain comments count as English."""
    codes = texts.map(language_of)
    return codes.where(codes != "und", "en")
