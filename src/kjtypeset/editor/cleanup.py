"""Import clean-up: repair the artefacts of Chinese text copied out of PDFs, Word and web pages.

Used when text is imported into an article file; the build applies the repairs of marks,
full-width letters and spaces between Han characters to what an editor pasted into an article,
with a warning for each kind (inputs/markdown.py _full_width_marks), and otherwise leaves
typed text alone (the typesetter adds Han–Latin spacing itself, as spacing).
Every repair is counted, so that an import can say what it changed.
"""

from __future__ import annotations

import re
from collections import Counter

from ..typography.chars import IDEOGRAPHS as HAN
from ..typography.chars import (
    LATIN,
    NUMBER_SUFFIXES,
    SCRIPT_DIGITS,
    SUBSCRIPT_DIGITS,
    SUPERSCRIPT_DIGITS,
    UNIT_IN_BRACKETS,
)
from ..typography.cjk import OPERATORS, RUN_IN_NUMBER_AFTER


class _Lazy:
    """A regular expression compiled when first used. Most patterns here serve the import
    only; a build imports this module for a few of them, and compiling the others (Han
    classes, the bylines) cost each build about 35 ms of CPU (issue 15)."""

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self.flags, self._compiled = pattern, flags, None

    def __getattr__(self, name: str):  # search, subn, …: the compiled pattern's
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return getattr(self._compiled, name)


# Full-width punctuation and brackets that sit against Han text.
CJK_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2014\u2026\u201c\u201d\u2018\u2019\u00b7"
_HAN_OR_PUNCT = f"[{HAN}{CJK_PUNCT}]"
_HAN_CHAR = re.compile(f"[{HAN}]")

# A space (or several) between a Han character or full-width mark and a Latin letter, digit or
# sign: PDF extraction and hand-made spacing leave these ("5 家", "2023 年", "IPO 前期").
_SPACE_AFTER_HAN = _Lazy(f"({_HAN_OR_PUNCT})[ \u00a0\t]+(?=[0-9A-Za-z%.+\\-−±])")
_SPACE_BEFORE_HAN = _Lazy(f"(?<=[0-9A-Za-z%./])[ \u00a0\t]+({_HAN_OR_PUNCT})|(?<=[0-9])[ \u00a0\t]+(?=%)")
# A space beside a full-width mark ("正文， 说明"): the mark carries its own space.
_SPACE_BY_FULL_MARK = _Lazy(f"(?<=[\u3001-\u303f\uff01-\uff0f\uff1a-\uff20“”‘’…—])[ \u00a0\t]+(?={_HAN_OR_PUNCT})"
                            f"|(?<=[{HAN}])[ \u00a0\t]+(?=[\u3001-\u303f\uff01-\uff0f\uff1a-\uff20])"
                            # "当前 ，", "（ 联盟 ）": a full-width mark needs no space inside
                            "|(?<=\\S)[ \u00a0\t]+(?=[，。、；：？！）》」』】”’])|(?<=[（《「『【“‘])[ \u00a0\t]+"
                            # "在蒙药 “珍宝丸”": nor between Han and an opening mark
                            f"|(?<=[{HAN}])[ \u00a0\t]+(?=[“‘（《「『【])")

# Half-width marks inside Chinese prose become their full-width forms (GB/T 15834).
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）", ".": "。"}
_GAP = "[ \\t\\u00a0]*"
# Round brackets with spaces outside them: "行动 (联盟)建设", "(1)加强", "人工智能 (AI) 技术".
_PARENS = re.compile(f"{_GAP}\\(([^()\\n]{{1,60}})\\){_GAP}")
# A half-width mark with the spaces typed around it: "当前 ,我市", "增长21%.全市".
_HALF_MARK = re.compile(f"{_GAP}([,.;:?!])(?!\\.){_GAP}")
# A quantity or a formula in round brackets, whose brackets are half width next to Chinese too
# (GB 3101, GB/T 15835: "(25 ± 2) ℃", "(3.5 ± 0.2) nm", "c / (2f)", "A₀e^(−λt)", "%(V/V)"):
# made only of digits, Latin and Greek letters, unit signs, sub- and superscripts and operators,
# and either holding an operator between two terms or following "^", "/", an operator or a
# number's "%". Set full width, an unseen issue printed "（25 ± 2）℃" in the very article that
# taught the rule, and the warning asked the editor to "correct" it (P12 D4). "(AI)", "(1)",
# "(2024)", "(−3.5%)" and "(PET/CT)" hold no operator between terms: Chinese brackets still.
_FORMULA_OPERATORS = "".join(sorted(OPERATORS)) + "±−·⋅~～<>"
_FORMULA_INNER = re.compile(f"[{LATIN}{SCRIPT_DIGITS}{NUMBER_SUFFIXES}{re.escape(_FORMULA_OPERATORS)}"
                            "/.,_^′″ΩμµÅ√∞\\- \u00a0\u2009\u202f]+")
_FORMULA_TERM = f"[{LATIN}{SCRIPT_DIGITS}{NUMBER_SUFFIXES}ΩμµÅ′″]"
# (an operator between terms; a slash or a hyphen only with a space each side: "P_out / P_in")
_BINARY = _Lazy(f"{_FORMULA_TERM}[ \u00a0\u2009\u202f]*[{re.escape(_FORMULA_OPERATORS)}]"
                f"[ \u00a0\u2009\u202f]*[{LATIN}{SCRIPT_DIGITS}−±.√]|{_FORMULA_TERM} [/-] ")


def latin_brackets(text: str, start: int, end: int) -> bool:
    """Whether the round brackets at ``start`` and ``end - 1`` of ``text`` are a unit's after its
    slash (UNIT_IN_BRACKETS: g/(kW·h), P10 D1) or hold a quantity or a formula (_FORMULA_INNER,
    P12 D4): half width beside Chinese too, never Chinese brackets."""
    unit = UNIT_IN_BRACKETS.match(text, start)
    return (unit is not None and unit.end() == end) or _quantity_brackets(text, start, end)


def _quantity_brackets(text: str, start: int, end: int) -> bool:
    inner = text[start + 1:end - 1]
    if not inner.strip() or not _FORMULA_INNER.fullmatch(inner):
        return False
    if _BINARY.search(inner):
        return True
    before = text[:start].rstrip(" \t\u00a0")[-1:]
    if before in ("%", "‰"):
        return text[start - 1] == before  # "%(V/V)": the number's own, written close
    return bool(before) and (before in "^/" or before in _FORMULA_OPERATORS)


_OPENING = "“‘（《「『【〔"
_CLOSING = "”’）》」』】〕、，。；：？！…—%‰"
# … or around a short Latin word set in a Chinese sentence ("他说'OK'就行", P16 F2), Han on both sides.
_STRAIGHT_SINGLE = re.compile(f"(?<![A-Za-z0-9])'([^'\\n]*[{HAN}][^'\\n]*)'(?![A-Za-z0-9])"
                              f"|(?<=[{HAN}])'([A-Za-z0-9][A-Za-z0-9 .\\-]{{0,30}})'(?=[{HAN}，。；：！？、])")
_DOTS_AFTER_HAN = re.compile(f"(?<={_HAN_OR_PUNCT})\\.{{3,}}|(?<=[{HAN}])…(?!…)")
# Full-width digits and Latin letters (０-９, Ａ-Ｚ, ａ-ｚ) are set as ordinary ones in Chinese text.
_FULLWIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
# The marks typed in full width inside numbers, with their digits: the hyphen of a telephone or
# standard number ("０４７１－４３６６６８３", three digits or more on each side: "1－10%" is a
# minus), a decimal point ("２．５"), a list number's point ("１．", "附件：１．") and a percent
# sign ("３％").
_NUMBER_HYPHEN = re.compile(r"(?<=\d{3})－(?=\d{3})")
_NUMBER_PERCENT = re.compile(r"(?<=\d)％")
# A minus typed as a hyphen (or a full-width hyphen) before a number that follows Chinese text, a
# space, an opening bracket or a line's start ("最低气温 -40℃", "（-3.5%）"): the minus sign (GB 3102),
# which the build spaces and binds as the number's own (an unseen WeChat copy kept "-40℃", P10 D13).
# Not after a digit or a letter (2024-2025, GB-1, A-3), nor before a space (a list's "- ").
_MINUS_AFTER = rf"{HAN}\s（(：:，,、；;＝="  # what a minus sign follows (a hyphen does not)
_HYPHEN_MINUS = _Lazy(rf"(?:(?<=[{_MINUS_AFTER}])|^)[-－](?=\d)", re.M)
# … and the build's share of it: a full-width hyphen so typed ("可在－20℃～60℃") printed as a
# dash before the number (P19 D9); an ASCII "-" the build leaves (Markdown's list marker).
_FULL_WIDTH_MINUS = _Lazy(rf"(?:(?<=[{_MINUS_AFTER}～~])|^)－(?=\d)", re.M)
_NUMBER_POINT = re.compile(r"(?<=\d)．")
# A full-width point inside a web address or a decimal number once its letters are narrowed
# ("ｗｗｗ．ｃｈｉｎａｔａｘ．ｇｏｖ．ｃｎ" printed "www．chinatax．gov．cn", a wrong address: P15 D7).
_LATIN_POINT = re.compile(r"(?<=[A-Za-z0-9])．(?=[A-Za-z]|\d)")


def _narrow_alnum(text: str) -> tuple[str, int]:
    """Full-width digits and letters as ordinary ones, with the percent sign after a digit
    ("１００％" → "100%") and the point inside an address or a number."""
    text, total = _FULLWIDTH_ALNUM.subn(lambda m: chr(ord(m.group()) - 0xFEE0), text)
    text, n = _NUMBER_PERCENT.subn("%", text)
    total += n
    text, n = _LATIN_POINT.subn(".", text)
    return text, total + n


def has_full_width_alnum(text: str) -> bool:
    """Whether ``text`` holds a full-width digit or letter (１, Ａ)."""
    return _FULLWIDTH_ALNUM.search(text) is not None


def narrow_alnum(text: str) -> str:
    """Full-width digits and letters as ordinary ones, with their % and points (the build)."""
    return _narrow_alnum(text)[0]


def full_width_minus(text: str) -> str:
    """A full-width hyphen typed for a minus before a number as the minus sign (the build:
    "－15.7℃" → "−15.7℃"; the import turns every such hyphen, narrow_numbers)."""
    return _FULL_WIDTH_MINUS.sub("\u2212", text)


def narrow_numbers(text: str, counts: Counter | None = None) -> str:
    """Full-width digits and letters as ordinary ones, and the marks of their numbers with them
    (import only: "0471－4366683" came in so, and 仿宋 printed it "0471 - 4366683"; "1．" was left
    beside the "1." of Word's lists). Counted as "narrow"; a hyphen typed for a minus becomes the
    minus sign, counted as "minus"."""
    text, total = _narrow_alnum(text)
    text, n = _NUMBER_HYPHEN.subn("-", text)
    total += n
    text, minus = _HYPHEN_MINUS.subn("\u2212", text)

    def point(match: re.Match) -> str:
        after = text[match.end():match.end() + 1]
        return "." if after.isdigit() or _list_number(text, match.start()) else match.group()

    narrowed = _NUMBER_POINT.sub(point, text)
    total += sum(a != b for a, b in zip(text, narrowed))
    if counts is not None:
        counts["narrow"] += total
        counts["minus"] += minus
    return narrowed


# A bibliographic reference (GB/T 7714: [J] journal, [M] book, [EB/OL] online …): its
# half-width ". , : ( )" are the standard's own, typed on purpose; a line holding one is
# left as typed (a science issue's 参考文献 printed 王建国。钙钛矿…[J]. 物理学报，2032, 71(8)).
_REFERENCE = re.compile(r"\[(?:[JMCDRNSPGZAK]|EB|DB|CP|DS|CM)(?:/(?:OL|MT|DK|CD))?\]")


def is_reference(line: str) -> bool:
    """Whether ``line`` holds a GB/T 7714 reference (its document type code)."""
    return _REFERENCE.search(line) is not None

# A paragraph is complete when it ends like a sentence; anything else was cut at a page break.
_SENTENCE_END = tuple("。！？；…”’」』）》") + (":", "：")


def has_han(text: str) -> bool:
    return bool(_HAN_CHAR.search(text))


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(_SENTENCE_END)


# "图2 智算中心…", "表 1 各旗县…": the space after a caption's number parts it from its words
# (an ideographic space, as captions are written); removed, "图2智算" was no caption any more.
_CAPTION_SPACE = re.compile(r"^(\**(?:图|表)\s*\d{1,3}(?:[-－.．]\d{1,3})?)[ \u00a0\t]+(?=[^\s\d])")


def normalise_spacing(text: str, counts: Counter | None = None) -> str:
    """Remove spaces that extraction left between Han characters and Latin letters or digits."""
    text = _CAPTION_SPACE.sub("\\1\u3000", text)
    text, n1 = _SPACE_AFTER_HAN.subn(r"\1", text)
    text, n2 = _SPACE_BEFORE_HAN.subn(r"\1", text)
    text, n3 = _SPACE_BY_FULL_MARK.subn("", text)
    if counts is not None:
        counts["spaces"] += n1 + n2 + n3
    return text


# Marks typed the way a keyboard allows, not as GB/T 15834 writes them (P15 D7, text pasted
# from Word and WeChat): "2025--2027年" (a range: the 一字线 —), "表示--各项" (the 破折号 ——),
# "APP。。。" (the 省略号 ……), "研发 。" (a space before a full-width mark, as normalise_spacing
# drops it). "！！！" stays: GB/T 15834 §5.1.5 lets 叹号 be doubled for strong feeling.
_RANGE_DASHES = re.compile(r"(?<=\d)[ \u00a0]*(?:--|－－)[ \u00a0]*(?=\d)")
# Only between Chinese on both sides: "选项--quiet" is a command-line option (P16 R1).
_DOUBLE_HYPHENS = _Lazy(f"(?<={_HAN_OR_PUNCT})[ \u00a0]*(?:-{{2,}}|－{{2,}})[ \u00a0]*(?={_HAN_OR_PUNCT})")
_FULL_STOPS = re.compile("。{3,}")


def normalise_marks(text: str, counts: Counter | None = None) -> str:
    text, total = _RANGE_DASHES.subn("—", text)
    text, n = _DOUBLE_HYPHENS.subn("——", text)
    total += n
    text, n = _FULL_STOPS.subn("……", text)
    total += n
    # (not beside an English quotation in curly quotes: 他说 “We are ready.” keeps its spaces)
    english = _english_quotes(text)
    kept = [0]

    def space(match: re.Match) -> str:
        if {match.start() - 1, match.end()} & english:
            kept[0] += 1
            return match.group()
        return ""

    text, n = _SPACE_BY_FULL_MARK.subn(space, text)
    total += n - kept[0]
    if counts is not None:
        counts["punctuation"] += total
    return text


def normalise_punctuation(text: str, counts: Counter | None = None) -> str:
    """Turn half-width marks used in Chinese context into full-width marks, dropping the
    spaces typed beside them ("当前 ,我市" → "当前，我市"); "3.5", "2,000", "8:30", web and
    e-mail addresses, "1." at the head of a list item, English text and the lines of a
    bibliographic reference (is_reference) stay as they are."""
    if is_reference(text):
        return "\n".join(line if is_reference(line) else normalise_punctuation(line, counts)
                         for line in text.split("\n"))
    total = 0
    text, n = _narrow_alnum(text)
    total += n
    text, n = _curl_double_quotes(text)
    total += n
    text, n = _STRAIGHT_SINGLE.subn(lambda m: _single_quoted(text, m), text)
    total += n
    text, n = _DOTS_AFTER_HAN.subn("……", text)
    total += n
    converted = [0]
    english = _english_quotes(text)

    def parens(match: re.Match) -> str:
        inner = match.group(1)
        before = _seen(text, match.start() - 1, english)
        after = _seen(text, match.end(), english)
        if not (has_han(inner) or _wide(before) or _wide(after)):
            return match.group()
        opening = text.index("(", match.start())
        if latin_brackets(text, opening, text.index(")", opening) + 1):
            return match.group()  # g/(kW·h), (25 ± 2) ℃, c / (2f), with the spaces typed beside them
        converted[0] += 1
        # Spaces go where a wide neighbour or an edge is; one stays between Latin words.
        lead = "" if not before or _wide(before) or match.group().startswith("(") else " "
        trail = "" if not after or _wide(after) or match.group().endswith(")") else " "
        if lead and not (before.isascii() and before.isalnum()):
            lead = ""
        if trail and not (after.isascii() and after.isalnum()):
            trail = ""
        return f"{lead}（{inner.strip()}）{trail}"

    text = _PARENS.sub(parens, text)
    english = _english_quotes(text)

    def marks(match: re.Match) -> str:
        mark = match.group(1)
        start, end = match.start(), match.end()
        before = _seen(text, start - 1, english)
        after = _seen(text, end, english)
        if not _chinese_mark(text, mark, before, after, start, match.start(1), english):
            return match.group()
        converted[0] += 1
        return _HALF_TO_FULL[mark]

    text = _HALF_MARK.sub(marks, text)
    total += converted[0]
    if counts is not None:
        counts["punctuation"] += total
    return text


def _single_quoted(text: str, match: re.Match) -> str:
    """'…' around Chinese: “…”, the first level of Chinese quotation marks, or ‘…’ inside a
    pair of “…” (GB/T 15834 §4.1; '融资难,融资贵' printed ‘融资难，融资贵’, P15 D7)."""
    before = text[:match.start()]
    inner = match.group(1) if match.group(1) is not None else match.group(2)
    return f"‘{inner}’" if before.count("“") > before.count("”") else f"“{inner}”"


def _curl_double_quotes(text: str) -> tuple[str, int]:
    """Straight double quotes of a Chinese sentence as “…”: paired in order, first with second
    (a pattern matching "…" around Chinese words paired the closing quote of ("o" with the
    opening one of "omni", turning 代表 into “代表”); a pair becomes Chinese quotes when it holds
    a Chinese character or stands beside one ("o"代表 → “o”代表), English quotations stay."""
    marks = [m.start() for m in re.finditer('"', text)]
    out, count = list(text), 0
    for a, b in zip(marks[::2], marks[1::2]):
        inner = text[a + 1:b]
        if "\n" in inner:
            continue
        before, after = text[a - 1:a], text[b + 1:b + 2]
        if has_han(inner) or (_wide(before) and before not in _CLOSING[:-2]) or (_wide(after) and after not in _OPENING):
            out[a], out[b] = "“", "”"
            count += 1
    return "".join(out), count


def _english_quotes(text: str) -> set[int]:
    """Where the curly quotation marks and apostrophes of English text are: a quotation with no
    Chinese in it and no Chinese character or full-width mark beside it, and an
    apostrophe after a Latin letter (Europe’s, the users’). Beside a half-width mark they are
    Latin, as letters are: taken for Chinese ones, "…models and workflows, “as open as
    possible…”" was set "workflows，“as" and the warning called the English comma a Chinese
    sentence's (an unseen issue). A quotation beside Chinese (他说“Hello”, 包括“AI”, “ML”等)
    stays Chinese."""
    english: set[int] = set()
    stacks: dict[str, list[int]] = {"“": [], "‘": []}
    pairs = []
    for i, char in enumerate(text):
        if char in stacks:
            stacks[char].append(i)
        elif char == "”" and stacks["“"]:
            pairs.append((stacks["“"].pop(), i))
        elif char == "’":
            latin_before = i > 0 and text[i - 1].isascii() and text[i - 1].isalpha()
            if i + 1 < len(text) and latin_before and text[i + 1].isascii() and text[i + 1].isalpha():
                english.add(i)  # an apostrophe inside a word: Europe’s
            elif stacks["‘"]:
                pairs.append((stacks["‘"].pop(), i))
            elif latin_before:
                english.add(i)  # the users’
    for a, b in pairs:
        if has_han(text[a + 1:b]) or not re.search("[A-Za-z]", text[a + 1:b]):
            continue
        if not any(_wide(side) and side not in "“”‘’" for side in (text[a - 1:a], text[b + 1:b + 2])):
            english.update((a, b))
    return english


def _seen(text: str, index: int, english: set[int]) -> str:
    """The character at ``index`` as the rules for marks see it: an English quotation mark as
    a Latin letter, nothing outside the text."""
    if not 0 <= index < len(text):
        return ""
    return "a" if index in english else text[index]


def _wide(char: str) -> bool:
    """Han or a full-width mark: the neighbours that make a mark Chinese."""
    return bool(char) and (bool(_HAN_CHAR.match(char)) or char in _OPENING or char in _CLOSING
                           or "\u3000" <= char <= "\u303f" or "\uff01" <= char <= "\uff5e")


# What ends a number as a digit does (21%，36℃，10⁻⁶，5 m²): a mark after it is the sentence's.
_NUMBER_SIGNS = frozenset(NUMBER_SUFFIXES + SUPERSCRIPT_DIGITS + "⁻" + SUBSCRIPT_DIGITS)


def _chinese_mark(text: str, mark: str, before: str, after: str, start: int, at: int,
                  english: set[int] = frozenset()) -> bool:
    """Whether a half-width ``mark`` is punctuation of the Chinese sentence around it
    (``english``: where the quotation marks of English text are, _english_quotes)."""
    opened = text.rfind("(", 0, start)
    if before == ")" and opened >= 0 and text[start - 1] == ")" and latin_brackets(text, opened, start):
        # a unit's or a quantity's closing bracket ends a number as a digit does: "298.6 g/(kW·h),比"
        # (P10 D1), "L = c / (2f),其中" (P12 D4)
        before = "0"
    han_before = _wide(before) and before not in _OPENING
    han_after = after == "" or _wide(after) and after not in _CLOSING[:-2]
    latin_before = before.isascii() and before.isalnum()
    if mark == ".":
        if before.isdigit() and after.isdigit():
            return False  # 3.5
        if after.isascii() and after.isalnum() and not _wide(before):
            return False  # www.nxkjd.cn, v2.0, No.1, e-mail addresses
        if before.isdigit() and after and _list_number(text, start):
            return False  # "1.加强…" at the head of a list item
        if latin_before and _abbreviation(text, start):
            return False  # "e.g.", "Dr.", "Inc."
        if han_before:
            return not (after.isascii() and after.isalpha() and start == at)  # ".NET", ".cn" after Han
        if latin_before and _english_sentence(text, start, english):
            return False  # "…perform tasks without explicit instructions." in a Chinese paragraph
        if before.isdigit() or before in _NUMBER_SIGNS or latin_before:
            return (han_after and after != "") or (after == "" and has_han(text))
        return False
    if mark == ":" and text.startswith("//", at + 1):
        return False  # http://
    if mark == ";" and re.search(r"&#?[A-Za-z0-9]+$", text[:start]):
        return False  # &amp;
    if han_before:
        return not (mark == ":" and before.isdigit())
    if (mark in ",;" and (latin_before or before in _NUMBER_SIGNS) and text[at + 1:at + 2] == after and after.isascii()
            and after.isalpha() and has_han(text) and not re.search(r"(?:://|www\.|@)\S*$", text[:at])):
        # "…晶体管（Multi-Bridge-Channel FET,MBCFET）", "H100,H200": no space after it, as English
        # would have, in a Chinese sentence: the sentence's comma (unbroken, "FET,MBCFET）。"
        # was one unit of five ems that left the line before it spread, an unseen issue)
        return True
    if before.isdigit() or before in _NUMBER_SIGNS:
        if mark in ",:" and after.isdigit():
            return False  # 2,000 and 8:30
        return (han_after and after != "") or (mark in "?!" and after == "" and has_han(text))
    if latin_before:
        return (han_after and after != "") or (mark in "?!" and after == "" and has_han(text))
    return False


def _english_sentence(text: str, start: int, english: set[int] = frozenset()) -> bool:
    """Whether the Latin run ending at ``start`` (back to the last Chinese character or mark,
    an English quotation's marks being Latin) is a sentence of three words or more: its full
    stop is English (…must be “as open as possible”. was set …possible”。)."""
    run = start
    while run > 0 and (run - 1 in english or not _wide(text[run - 1])):
        run -= 1
    return len(re.findall(r"[A-Za-z]+", text[run:start])) >= 3 and " " in text[run:start].strip()


def _list_number(text: str, start: int) -> bool:
    """Whether the digits ending at ``start`` are a list number: one or two digits at the
    start of the text or after a space (an indent typed as ideographic spaces too), colon,
    semicolon, comma or a sentence's end, or at the start of a bold run-in (Word's bold
    "　　1.完善收益分配机制。" was printed "1。完善…"; a note's run-in "注：1.…的净额。2.根据…"
    was printed "2。根据…", and the warning asked the editor to type it so, P13 D3)."""
    digits = start
    while digits > 0 and text[digits - 1].isdigit():
        digits -= 1
    if start - digits > 2:
        return False
    if digits >= 2 and text[digits - 1] == ":" and text[digits - 2].isdigit():
        return False  # 11:00
    while digits >= 2 and text[digits - 2:digits] in ("**", "__"):
        digits -= 2  # the emphasis that opens the run-in
    return digits == 0 or text[digits - 1] in RUN_IN_NUMBER_AFTER


_ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "prof", "no", "inc", "ltd", "co", "corp", "etc", "vs", "st", "jr",
                  "sr", "fig", "vol", "pp", "dept", "univ"}


def _abbreviation(text: str, start: int) -> bool:
    """Whether the Latin word ending at ``start`` is an abbreviation such as "e.g" or "Inc"."""
    word = re.search(r"[A-Za-z.]+$", text[:start])
    return bool(word) and (bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word.group()))  # e.g, U.S
                           or word.group().lower() in _ABBREVIATIONS)


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


# A space between two Han characters in body text ("各部门要 进一步 压实责任"): a web page's
# markup or a PDF's layout left it; printed, it is a hole in the line. (A title's space between
# two phrases is kept: clean_title.)
_SPACE_BETWEEN_HAN = _Lazy(f"(?<=[{HAN}])[ \u00a0\t]+(?=[{HAN}])")


# A run of single Han characters each after one space ("全 市 共 登 记 技 术 合 同"): text copied
# out of a PDF, where each character was placed alone. Names in a roster keep their spaces
# ("张慧敏 王建国 李 明": a two-character name spaced out is two singles, not four).
# Not a run right after a label's colon: "与会者：王 刚 李 明 张 伟" lists names (P16 R2).
_SPACED_HAN = _Lazy(f"(?<![{HAN}：:])(?<!： )(?<!: )(?<![{HAN}] )[{HAN}](?: [{HAN}]){{3,}}(?![{HAN}])")


_SENTENCE_MARK = re.compile("[，。；？！,;?!]")


def spaced_han(text: str) -> bool:
    """Whether ``text`` is prose (it has a sentence mark: a list of names has none) with a run of
    four or more single Han characters between single spaces."""
    return _SPACED_HAN.search(text) is not None and _SENTENCE_MARK.search(text) is not None


def drop_spaces_between_han(text: str, counts: Counter | None = None) -> str:
    text = byline_spaces(text)
    text, n = _SPACE_BETWEEN_HAN.subn("", text)
    if counts is not None:
        counts["spaces"] += n
    return text


def clean_paragraph(text: str, counts: Counter | None = None) -> str:
    """All in-paragraph repairs, in the order that keeps them independent."""
    text = re.sub(r"\s*\n\s*", "", text) if has_han(text) else text
    if is_reference(text):
        return text  # GB/T 7714 spaces and marks, as typed
    return normalise_spacing(normalise_marks(normalise_punctuation(narrow_numbers(text, counts), counts), counts), counts)


_SPACE_BETWEEN_WIDE = re.compile(f"(?<={_HAN_OR_PUNCT})[ \u00a0\t\u3000]+(?={_HAN_OR_PUNCT})")


def clean_title(text: str, counts: Counter | None = None) -> str:
    """A title's space between two phrases is one full-width space (南京深化……融合　畅通……);
    the spaces of a title copied word by word (内蒙古医科大学 蒙医药 研究 取得 新进展) are
    dropped, as in the body."""
    title = clean_paragraph(text.strip(), counts)
    if segmented(title):
        title, n = _SPACE_BETWEEN_WIDE.subn("", title)
        if counts is not None:
            counts["spaces"] += n
    return phrase_spaces(title)


def segmented(title: str) -> bool:
    """Whether the spaces between the Chinese characters of ``title`` part words, not phrases:
    three or more spaced pieces, one of them a word of one or two characters ("研究", "取得").
    Phrases a title's author parted are longer ("稳增长　调结构　惠民生" stays)."""
    pieces = _SPACE_BETWEEN_WIDE.split(title.strip())
    return len(pieces) >= 3 and min(len(_HAN_CHAR.findall(piece)) for piece in pieces) <= 2


def phrase_spaces(title: str) -> str:
    """The spaces typed between two Chinese characters or marks of a title as one ideographic
    space: where its author parted two phrases (the build reads titles so too)."""
    return _SPACE_BETWEEN_WIDE.sub("\u3000", title)


# -- bylines ----------------------------------------------------------------------------------

# A reporter's byline: "本报记者  陈曦", "记者 张三 通讯员 李四", "（记者 郝婷）" (role words, then names).
BYLINE_ROLE = r"(?:(?:本报|本刊|本台|本网|新华社|中新社)?(?:特约|首席|见习|实习)?记者|通讯员|实习生)"
_PERSON = f"[{HAN}]{{2,4}}(?:·[{HAN}]{{1,8}})?"
_BYLINE_GAP = "[ \u00a0\t\u3000]"
_PEOPLE = f"{_PERSON}(?:(?:{_BYLINE_GAP}+|{_BYLINE_GAP}*[、，,]{_BYLINE_GAP}*){_PERSON})*"
_REPORTERS = f"{BYLINE_ROLE}{_BYLINE_GAP}*[:：]?{_BYLINE_GAP}*{_PEOPLE}"
_BYLINE_VERB = "(?:摄影|摄|报道|采写)"  # "（记者 张三 摄）"
_REPORTER_BYLINE = _Lazy(f"{_REPORTERS}(?:{_BYLINE_GAP}+{_REPORTERS})*(?:{_BYLINE_GAP}*{_BYLINE_VERB})?")
_BRACKETED_BYLINE = _Lazy(f"(?<=[（(]){_BYLINE_GAP}*{_REPORTER_BYLINE.pattern}{_BYLINE_GAP}*(?=[)）])")


def reporter_names(text: str) -> list[str] | None:
    """The names of a reporter's byline that is the whole of ``text`` (in brackets or not),
    without the role words: "本报记者  陈曦" → ["陈曦"]; None for any other text."""
    inner = text.strip(" \t\u3000\u00a0")
    if (bracketed := re.fullmatch(r"[（(](.*)[)）]", inner)):
        inner = bracketed.group(1).strip(" \t\u3000\u00a0")
    if not _REPORTER_BYLINE.fullmatch(inner):
        return None
    names = [re.sub(f"^{BYLINE_ROLE}[:：]?", "", token) for token in re.split(r"[\s\u3000、，,:：]+", inner)]
    return [name for name in names if name and not re.fullmatch(_BYLINE_VERB, name)] or None


def byline_author(text: str) -> str | None:
    """A reporter's byline as an author: the names, 、 between them ("记者 张三 通讯员 李四" →
    "张三、李四", as README promises); None for any other text. The text, web page and Word
    imports all take it so (the web import had "记者", an unseen issue, P11 D3)."""
    names = reporter_names(text)
    return "、".join(names) if names else None


def byline_spaces(text: str) -> str:
    """The spaces typed between the role and the names of a reporter's byline ("（记者 郝婷）",
    a paragraph "记者 张三 通讯员 李四") as one ideographic space each, as a byline is written
    (“单位　姓名”): kept, where other spaces between Han characters are dropped."""
    def spaced(byline: str) -> str:
        return re.sub(f"{_BYLINE_GAP}+", "\u3000", byline.strip(" \t\u3000\u00a0"))

    if reporter_names(text) is not None and not re.match(r"\s*[（(]", text):
        return spaced(text)
    return _BRACKETED_BYLINE.sub(lambda match: spaced(match.group()), text)


# -- page furniture --------------------------------------------------------------------------

_FOLIO = (r"(?:[-—–－]\s*\d{1,4}\s*[-—–－]"       # — 3 —   - 3 -
          r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"  # 第3页 共11页
          r"|(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?)")  # Page 3 of 11
_PAGE_NUMBER = _Lazy(rf"^\s*(?:{_FOLIO}|\d{{1,4}}\s*[/／]\s*\d{{1,4}}|\d{{1,4}})\s*$", re.IGNORECASE)
# A running head or foot on one line: a short name and a folio set apart by spaces
# ("科技情报参考          第 1 页", "— 3 —    科技动态 2024年第5期"). Copied from a PDF once,
# it was kept and printed in the text ("…17.3%。科技情报参考第1页", an unseen issue, P10 D2).
# The name has no punctuation, and is short where one space sets it apart; the folio is no
# bare number or "3/11" (a table row "研发机构  368", "截止日期  3/11" is text). A sentence
# that mentions 第3页 has its punctuation, or no space before it.
_NAME = r"[^\s。，、；：！？,;:!?][^。，、；：！？,;:!?]{0,%d}?"
_GAP = r"(?:[ \t\u00a0]{2,}|[ \t\u00a0]*[\t\u3000][\s\u3000]*)"  # a run of spaces, a tab or 全角空格
_NAMED_FOLIO = _Lazy(rf"^\s*(?:{_NAME % 29}{_GAP}{_FOLIO}|{_FOLIO}{_GAP}{_NAME % 29}"
                     rf"|{_NAME % 15}\s{_FOLIO}|{_FOLIO}\s{_NAME % 15})\s*$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


def is_page_number(line: str) -> bool:
    """A folio alone ("— 3 —", "第 3 页", "3"), or with the bulletin's name beside it."""
    return bool(_PAGE_NUMBER.match(line) or _NAMED_FOLIO.match(line))


def running_lines(lines: list[str], times: int = 3) -> set[str]:
    """Short lines that recur on several pages (running heads and feet), as furniture keys:
    ``times`` times, or twice where each time a page number stands beside them (a text copied
    from three pages of a PDF has its head twice: "科技动态 2024年第5期" above "— 3 —" was
    glued into a paragraph, and once taken for an article's title)."""
    filled = [(index, line) for index, line in enumerate(lines) if line.strip()]
    counts: Counter = Counter()
    by_folio: Counter = Counter()
    for position, (_index, line) in enumerate(filled):
        if not (0 < len(line.strip()) <= 40) or ends_sentence(line) or is_page_number(line):
            continue
        key = furniture_key(line)
        counts[key] += 1
        neighbours = [filled[k][1] for k in (position - 1, position + 1) if 0 <= k < len(filled)]
        by_folio[key] += any(is_page_number(neighbour) for neighbour in neighbours)
    return {key for key, n in counts.items() if key and (n >= times or (n >= 2 and by_folio[key] == n))}


def furniture_key(line: str) -> str:
    """A page head or foot repeats with only its page number changing."""
    return _DIGITS.sub("#", re.sub(r"[\s\u3000]+", "", line))
