"""Import clean-up: repair the artefacts of Chinese text copied out of PDFs and web pages.

Used only when text is imported into an article file. Text an editor typed into an article
is never changed by the build (the typesetter adds Han–Latin spacing itself, as spacing).
"""

from __future__ import annotations

import re

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Full-width punctuation and brackets that sit against Han text.
CJK_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2014\u2026\u201c\u201d\u2018\u2019\u00b7"
_HAN_OR_PUNCT = f"[{HAN}{CJK_PUNCT}]"

# A space (or several) between a Han character or full-width mark and a Latin letter, digit or
# sign: PDF extraction and hand-made spacing leave these ("5 家", "2023 年", "IPO 前期").
_SPACE_AFTER_HAN = re.compile(f"({_HAN_OR_PUNCT})[ \u00a0\t]+(?=[0-9A-Za-z%.+\\-])")
_SPACE_BEFORE_HAN = re.compile(f"(?<=[0-9A-Za-z%.])[ \u00a0\t]+({_HAN_OR_PUNCT})")

# Half-width marks inside Chinese prose become their full-width forms (GB/T 15834).
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_PAREN_IN_HAN = re.compile(f"(?<=[{HAN}])\\(([^()\\n]{{1,40}})\\)")
_PUNCT_AFTER_HAN = re.compile(f"(?<=[{HAN}])([,;:?!])(?![0-9A-Za-z/])")

# A paragraph is complete when it ends like a sentence; anything else was cut at a page break.
_SENTENCE_END = tuple("。！？；…”’」』）》") + (":", "：")


def normalise_spacing(text: str) -> str:
    """Remove spaces that extraction left between Han characters and Latin letters or digits."""
    text = _SPACE_AFTER_HAN.sub(r"\1", text)
    text = _SPACE_BEFORE_HAN.sub(r"\1", text)
    return text


def normalise_punctuation(text: str) -> str:
    """Turn half-width marks used in Chinese context into full-width marks."""
    text = _PAREN_IN_HAN.sub(r"（\1）", text)
    return _PUNCT_AFTER_HAN.sub(lambda m: _HALF_TO_FULL[m.group(1)], text)


def rejoin_paragraphs(paragraphs: list[str]) -> list[str]:
    """Join paragraphs that a page break split: a piece not ending like a sentence continues."""
    out: list[str] = []
    carry = ""
    for piece in paragraphs:
        piece = piece.strip()
        if not piece:
            continue
        piece = carry + piece
        if piece.endswith(_SENTENCE_END):
            out.append(piece)
            carry = ""
        else:
            carry = piece
    if carry:
        out.append(carry)
    return out


def clean_paragraph(text: str) -> str:
    """All in-paragraph repairs, in the order that keeps them independent."""
    text = re.sub(r"\s*\n\s*", "", text) if re.search(f"[{HAN}]", text) else text
    return normalise_spacing(normalise_punctuation(text))
