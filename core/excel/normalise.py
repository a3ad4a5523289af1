"""Normalising what people type into Excel: full-width characters, stray and invisible spaces.

These are never errors: ``１２３`` is 123, ``" 张三 "`` is 张三, and a header ``身份证号　`` is 身份证号.
"""

import unicodedata

# Spaces Excel users paste in: ordinary, full-width (U+3000), no-break, and the zero-width ones.
_SPACES = " \t\r\n\u3000\u00a0\u2002\u2003\u2009\u200b\u200c\u200d\ufeff"
_DROP_SPACES = {ord(c): None for c in _SPACES}
# Full-width ASCII (U+FF01–U+FF5E) to ASCII; the ideographic space to nothing.
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)}


def strip(value: str) -> str:
    """Trim spaces of every kind from both ends."""
    return value.strip(_SPACES)


def compact(value: str) -> str:
    """Half-width, and no spaces anywhere: for numbers, ID numbers, codes and phone numbers."""
    return value.translate(_HALF_WIDTH).translate(_DROP_SPACES)


def key(value: str) -> str:
    """A comparison key for headers and enumeration labels: NFKC (full-width → half-width), no spaces.

    Both sides are keyed, so ``乡(镇)内务工`` matches the label ``乡（镇）内务工``.
    """
    return unicodedata.normalize("NFKC", str(value)).translate(_DROP_SPACES)  # str(): a lazy label too
