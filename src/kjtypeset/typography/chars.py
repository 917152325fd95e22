"""Character classes of Chinese text: the one definition every stage uses (W3C clreq §3).

Strings are written so that they can go both in a regular expression's character class and
in an ``in`` test; ``is_*`` functions answer for one character.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# CJK ideographs: URO, Extension A, compatibility ideographs, Extensions B–H (planes 2 and 3).
IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
KANA = "\u3040-\u30ff"
# What spacing and breaking treat as a Chinese letter: ideographs, and kana in quoted names.
CJK_LETTERS = IDEOGRAPHS + KANA
# Hangul (syllables, jamo, compatibility jamo): a Korean name in the text (삼성전자 주식회사) breaks
# only at its spaces (KLREQ, CSS word-break: keep-all), not between any two syllables as Han does.
HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"

# Full-width punctuation (GB/T 15834), by the side of the em box its ink stands on.
OPENING = "“‘（《〈「『【〔〖［｛"
CLOSING = "”’）》〉」』】〕〗］｝"
STOPS = "，。、；：？！"
# Marks whose blank half may be taken away (clreq §3.1.6): the stops, brackets and quotes.
SQUEEZABLE = OPENING + CLOSING + STOPS
# … of which the brackets and quotes give their blank half first, down to half width, before
# any stop is squeezed (JIS X 4051 §9.4: a bracket at ½ em reads as set, a stop under ¾ em
# reads cramped; issue 12's probes: “百村行” spread its line 0.084 em a gap).
BRACKETS = OPENING + CLOSING
QUOTES_OPEN = "“‘"
QUOTES_CLOSE = "”’"
# Marks that may not start a line (clreq §3.1.7), besides the closing marks and stops.
NO_LINE_START = CLOSING + STOPS + "·～%‰℃"
# Doubled marks that are one unit: never split, never stretched inside.
PAIRED_MARKS = "—―…⋯"

# Latin letters and digits as they meet Han in running text: ASCII, Latin-1 and Extended-A/B
# letters, and the super- and subscript digits of CO₂, m², 10⁻⁶; Greek letters too, which a
# science text writes as symbols (指数α, 约为Δ: they stood solid against Han beside Latin spaced
# ¼ em, an unseen issue; clreq §3.2.1 spaces Western letters, as xeCJK and Typst do).
LATIN = "0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0391-\u03a9\u03b1-\u03c9"
SCRIPT_DIGITS = "\u00b2\u00b3\u00b9\u2070-\u209f"
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"  # … the digits among them, in order
SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"
# Signs that belong to the number before them and are spaced from Han like it (21%的, 36℃时).
NUMBER_SUFFIXES = "%‰‱℃℉°"
# … and the signs before it (−5 ℃, ±0.05 mm): 达到±0.05 is spaced like 达到0.05; a currency's
# sign too (€350 million, £240 million, US$1.2 billion): "另有€350" stood solid against the Han (P13 D8).
CURRENCY_SIGNS = "$€£¥₩₹₽"
# ± ≥ ≤ written close before a number (±15%, ≥3 nm, ≤0.5 mg/L) are its sign as − is: spaced from
# Han like it, never parted from it, set from a proportional face (cjk.py: kj-sign; the CJK faces
# draw them full width, "±15%" read "±  15%", P17 D8).
NUMBER_SIGNS = "±≥≤"
NUMBER_PREFIXES = "−" + NUMBER_SIGNS + CURRENCY_SIGNS
# Numbers in a circle or brackets, or with a full stop (①–⑳, ⑴, ⒈, ❶, ㈠, ㊀): item numbers.
# (⑩–⑳ are no digits to str.isdigit: "…；⑱ | 硫化物" ended a line with one, an unseen issue, P10 D14.)
ENCLOSED_NUMBERS = "\u2460-\u249b\u24ea-\u24ff\u2776-\u2793\u3220-\u3229\u3251-\u325f\u3280-\u3289\u32b1-\u32bf"

# The zero-width characters kjtypeset.typography.cjk inserts for line breaking and spacing
# (U+200B, U+2060, U+FEFF): empty glyphs, never in the PDF's text layer.
LAYOUT_MARKS = "\u200b\u2060\ufeff"
WITHOUT_LAYOUT_MARKS = dict.fromkeys(map(ord, LAYOUT_MARKS))


_CJK_LETTER = re.compile(f"[{CJK_LETTERS}]")
_SPACED_RUN = re.compile(f"[{LATIN}{SCRIPT_DIGITS}{NUMBER_SUFFIXES}{NUMBER_PREFIXES}]")
_IDEOGRAPH = re.compile(f"[{IDEOGRAPHS}]")
_LATIN = re.compile(f"[{LATIN}]")
_ENCLOSED_NUMBER = re.compile(f"[{ENCLOSED_NUMBERS}]")
# A unit in round brackets after a slash, as GB 3102 writes a compound unit (g/(kW·h), J/(kg·K),
# 元/(kW·h)): Latin letters, digits and the signs of units inside. Its brackets are the unit's,
# half width, never Chinese ones (an unseen issue printed "298.6 g/（kW·h）", P10 D1).
UNIT_IN_BRACKETS = re.compile(r"(?<=/)\((?=[^()]*[A-Za-zμµΩÅ])[A-Za-z0-9·⋅²³¹⁰⁻⁺μµΩÅ°℃/]+\)")

# Marks that are full width in Chinese text although Unicode calls their width ambiguous.
_AMBIGUOUS_WIDE = frozenset("—―…⋯‘’“”·‧⸺⸻")


@lru_cache(maxsize=None)
def is_han(char: str) -> bool:
    """A CJK ideograph."""
    return bool(_IDEOGRAPH.match(char))


@lru_cache(maxsize=None)
def is_cjk_letter(char: str) -> bool:
    """An ideograph or kana: what Han–Latin spacing and the line-breaking rules call Han."""
    return bool(_CJK_LETTER.match(char))


def has_han(text: str) -> bool:
    return bool(_IDEOGRAPH.search(text))


@lru_cache(maxsize=None)
def is_latin(char: str) -> bool:
    """A Latin letter or a digit (the runs that are spaced from Han)."""
    return bool(_LATIN.match(char))


@lru_cache(maxsize=None)
def is_enclosed_number(char: str) -> bool:
    """An item number in a circle or brackets (①, ⑳, ⑴, ㈠): it goes with the item it numbers."""
    return bool(_ENCLOSED_NUMBER.match(char))


@lru_cache(maxsize=None)
def ends_spaced_run(char: str) -> bool:
    """A character a Latin run spaced from Han may begin or end with: a letter, a digit, a
    sub- or superscript digit (CO₂, m²), a per-cent or degree sign (21%的), a sign (达到±0.05)."""
    return bool(_SPACED_RUN.match(char))


@lru_cache(maxsize=None)
def is_wide(char: str) -> bool:
    """Full width in Chinese text (East Asian Wide or Fullwidth, or an ambiguous mark set wide
    in a Chinese face): the characters justification may space apart."""
    return char in _AMBIGUOUS_WIDE or unicodedata.east_asian_width(char) in ("W", "F")


@lru_cache(maxsize=None)
def is_invisible(char: str) -> bool:
    """A format character (U+200B, U+2060, U+FEFF, soft hyphen, joiners…) or a combining mark:
    drawn with no advance of its own and never the end of a justification gap."""
    return unicodedata.category(char) in ("Mn", "Me", "Mc", "Cf")
