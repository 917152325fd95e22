"""Import clean-up: repair the artefacts of Chinese text copied out of PDFs, Word and web pages.

Used only when text is imported into an article file. Text an editor typed into an article
is never changed by the build (the typesetter adds Han–Latin spacing itself, as spacing).
Every repair is counted, so that an import can say what it changed.
"""

from __future__ import annotations

import re
from collections import Counter

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Full-width punctuation and brackets that sit against Han text.
CJK_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2014\u2026\u201c\u201d\u2018\u2019\u00b7"
_HAN_OR_PUNCT = f"[{HAN}{CJK_PUNCT}]"
_HAN_CHAR = re.compile(f"[{HAN}]")

# A space (or several) between a Han character or full-width mark and a Latin letter, digit or
# sign: PDF extraction and hand-made spacing leave these ("5 家", "2023 年", "IPO 前期").
_SPACE_AFTER_HAN = re.compile(f"({_HAN_OR_PUNCT})[ \u00a0\t]+(?=[0-9A-Za-z%.+\\-])")
_SPACE_BEFORE_HAN = re.compile(f"(?<=[0-9A-Za-z%.])[ \u00a0\t]+({_HAN_OR_PUNCT})")
# A space beside a full-width mark ("正文， 说明"): the mark carries its own space.
_SPACE_BY_FULL_MARK = re.compile(f"(?<=[\u3001-\u303f\uff01-\uff0f\uff1a-\uff20“”‘’…—])[ \u00a0\t]+(?={_HAN_OR_PUNCT})"
                                 f"|(?<=[{HAN}])[ \u00a0\t]+(?=[\u3001-\u303f\uff01-\uff0f\uff1a-\uff20])")

# Half-width marks inside Chinese prose become their full-width forms (GB/T 15834).
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_PAREN_IN_HAN = re.compile(f"(?<=[{HAN}])\\(([^()\\n]{{1,40}})\\)|\\(([^()\\n]{{1,40}})\\)(?=[{HAN}])")
# After Han or a full-width mark ("年,", "”,“"): the mark belongs to the Chinese sentence. Not
# before "//" (a web address) nor between digits (a thousands separator needs a digit before).
_PUNCT_AFTER_HAN = re.compile(f"(?<={_HAN_OR_PUNCT})([,;:?!])(?!//)")
# Before Han or an opening full-width mark, after a digit or sign ("16.87%,服务", "100,同比").
_PUNCT_BEFORE_HAN = re.compile(f"(?<=[0-9%)])([,;:?!])(?=[{HAN}“‘（《「『【])")
_STRAIGHT_QUOTES = re.compile(f'"([^"\\n]*[{HAN}][^"\\n]*)"')
_DOTS_AFTER_HAN = re.compile(f"(?<={_HAN_OR_PUNCT})(?:\\.{{3,}}|。{{3,}})|(?<=[{HAN}])…(?!…)")
# Full-width digits and Latin letters (０-９, Ａ-Ｚ, ａ-ｚ) are set as ordinary ones in Chinese text.
_FULLWIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")

# A paragraph is complete when it ends like a sentence; anything else was cut at a page break.
_SENTENCE_END = tuple("。！？；…”’」』）》") + (":", "：")


def has_han(text: str) -> bool:
    return bool(_HAN_CHAR.search(text))


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(_SENTENCE_END)


def normalise_spacing(text: str, counts: Counter | None = None) -> str:
    """Remove spaces that extraction left between Han characters and Latin letters or digits."""
    text, n1 = _SPACE_AFTER_HAN.subn(r"\1", text)
    text, n2 = _SPACE_BEFORE_HAN.subn(r"\1", text)
    text, n3 = _SPACE_BY_FULL_MARK.subn("", text)
    if counts is not None:
        counts["spaces"] += n1 + n2 + n3
    return text


def normalise_punctuation(text: str, counts: Counter | None = None) -> str:
    """Turn half-width marks used in Chinese context into full-width marks."""
    total = 0
    text, n = _FULLWIDTH_ALNUM.subn(lambda m: chr(ord(m.group()) - 0xFEE0), text)
    total += n
    text, n = _PAREN_IN_HAN.subn(lambda m: f"（{m.group(1) or m.group(2)}）", text)
    total += n
    text, n = _STRAIGHT_QUOTES.subn(r"“\1”", text)
    total += n
    text, n = _DOTS_AFTER_HAN.subn("……", text)
    total += n
    for pattern in (_PUNCT_AFTER_HAN, _PUNCT_BEFORE_HAN):
        text, n = pattern.subn(lambda m: _HALF_TO_FULL[m.group(1)], text)
        total += n
    if counts is not None:
        counts["punctuation"] += total
    return text


def join_lines(before: str, after: str) -> str:
    """Join two pieces of one paragraph: no space unless Latin words meet."""
    if before[-1:].isascii() and before[-1:].isalnum() and after[:1].isascii() and after[:1].isalnum():
        return f"{before} {after}"
    return before + after


def rejoin_paragraphs(paragraphs: list[str], counts: Counter | None = None) -> list[str]:
    """Join paragraphs that a page break split: a piece not ending like a sentence continues."""
    out: list[str] = []
    carry = ""
    for piece in paragraphs:
        piece = piece.strip()
        if not piece:
            continue
        if carry:
            piece = join_lines(carry, piece)
            if counts is not None:
                counts["rejoined"] += 1
        if piece.endswith(_SENTENCE_END):
            out.append(piece)
            carry = ""
        else:
            carry = piece
    if carry:
        out.append(carry)
    return out


def clean_paragraph(text: str, counts: Counter | None = None) -> str:
    """All in-paragraph repairs, in the order that keeps them independent."""
    text = re.sub(r"\s*\n\s*", "", text) if has_han(text) else text
    return normalise_spacing(normalise_punctuation(text, counts), counts)


_SPACE_BETWEEN_WIDE = re.compile(f"(?<={_HAN_OR_PUNCT})[ \u00a0\t\u3000]+(?={_HAN_OR_PUNCT})")


def clean_title(text: str, counts: Counter | None = None) -> str:
    """A title's space between two phrases is one full-width space (南京深化……融合　畅通……)."""
    text = clean_paragraph(text.strip(), counts)
    return _SPACE_BETWEEN_WIDE.sub("\u3000", text)


# -- page furniture --------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]"       # — 3 —   - 3 -
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"  # 第3页 共11页
    r"|\d{1,4}\s*[/／]\s*\d{1,4}"               # 3/11
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?"  # Page 3 of 11
    r"|\d{1,4})\s*$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line))


def running_lines(lines: list[str], times: int = 3) -> set[str]:
    """Short lines that recur on several pages (running heads and feet), as furniture keys."""
    counts = Counter(furniture_key(line) for line in lines if 0 < len(line.strip()) <= 40
                     and not ends_sentence(line))
    return {key for key, n in counts.items() if n >= times and key}


def furniture_key(line: str) -> str:
    """A page head or foot repeats with only its page number changing."""
    return _DIGITS.sub("#", re.sub(r"[\s\u3000]+", "", line))
