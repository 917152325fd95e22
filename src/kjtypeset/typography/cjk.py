"""Stage 3b, cjk: Chinese typography in the HTML, before layout (W3C clreq, GB/T 15834).

Pango breaks lines by UAX #14, which is close to clreq but not the same, and WeasyPrint has no
text-autospace or punctuation compression. This stage marks up what the line composer in
kjtypeset.engine.justify needs, without changing a visible character: copying text from the
PDF gives back what the editor wrote.

- U+200B before an opening quote and after a closing one: Pango 1.50 treats “ ” as class QU
  and will not break beside them, which leaves a 2-em hole before a quotation.
- U+2060 WORD JOINER where a break is forbidden: before · and ～, —— and …… and a dash between
  numbers (which may not start a line), inside a number and its unit (30万元, 第3季度, −30 ℃,
  1.1 g, mg/cm²), inside a digit group (27 436.5, GB/T 15835), before the last word of a
  paragraph (no 孤字), and inside the words of a title (titles break between words, found
  by a dictionary segmenter).
- U+FEFF at every boundary between Han and a Latin word or number (clreq §3.2.1): it carries the
  Han–Latin spacing, which the line composer sets as the character's advance (¼ em, squeezed
  to ⅛ or stretched to ⅓ with the line); followed by U+200B where a line may break there.
- URLs and e-mail addresses break after / ? & =, before - and _ (an address before its @),
  after a dot of a host name, never before a dot (clreq §3.3); ligatures are off inside them.
  Inline code breaks so too (_code_breaks). A run of 25 letters and digits or more (a hash, a
  key) may break after any character.
- Quotation marks and apostrophes of English text are set in a span shaped proportional
  (``kj-pw``, the faces' pwid), and English breaks them as English does.

None of U+200B, U+2060 and U+FEFF reaches the PDF's text layer (all three are empty glyphs).
The one character this stage removes is a space typed between Han and a Latin run ("投入 30 万元"):
the Han–Latin spacing takes its place, as xeCJK does, and the import removes such spaces too.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from ..files import write_atomically
from .chars import (
    CJK_LETTERS,
    CLOSING,
    CURRENCY_SIGNS,
    HANGUL,
    LATIN,
    NO_LINE_START,
    NUMBER_PREFIXES,
    NUMBER_SIGNS,
    NUMBER_SUFFIXES,
    OPENING,
    QUOTES_CLOSE,
    QUOTES_OPEN,
    SCRIPT_DIGITS,
    STOPS,
    SUBSCRIPT_DIGITS,
    UNIT_IN_BRACKETS,
    is_cjk_letter,
    is_enclosed_number,
)

ZWSP = "\u200b"
WJ = "\u2060"
SPACING = "\ufeff"  # carries the Han–Latin spacing (a ZWNBSP: no break on either side)
OBJECT = "\ufffc"
NOTE = "\ue000"  # a footnote call, as the rules see it (never written out)

_BLOCK = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "figcaption", "blockquote",
          "div", "dt", "dd", "caption", "ul", "ol", "table", "thead", "tbody", "tfoot", "tr",
          "figure", "section", "article", "header", "footer", "nav", "main", "hr", "br"}
_RAW = {"pre", "code", "script", "style", "kbd"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Blocks whose last line ends a paragraph: no single character there (a table cell too: a
# remark set 含新设立的科技型中小企业和高新技术企 / 业 in a narrow column).
_PARAGRAPHS = {"p", "li", "dd", "blockquote", "h1", "h2", "h3", "h4", "td"}

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
# A URL, an e-mail address or a DOI (printable ASCII, not ending in punctuation). A DOI
# written without its https://doi.org/ breaks as a URL's path does: whole, "DOI: 10.1038/
# s41586-023-06927-3." left the reference line before it spread 3 ems a space (an unseen issue).
# (An address starts where its run of characters starts: tried at every character of a long
# run, the search was quadratic, 0.4 s for 20 000 digits.)
_URL = re.compile(r"(?:https?://|ftp://|www\.)[!-~]*[0-9A-Za-z/]"
                  r"|(?<![0-9A-Za-z._%+\-])[0-9A-Za-z._%+\-]+@[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)+"
                  r"|(?<![0-9A-Za-z./])10\.[0-9]{4,9}/[!-~]*[0-9A-Za-z]")
# A number: digit groups written with a space, thin space or no-break space (GB/T 15835
# 27 436.5) stay one number; a sign before it and a per-cent or degree sign after it, typed
# close or after a space (21%的 is spaced like 21的, 35 ℃之间 like 35之间), belong to it.
_GROUP_SEPARATOR = " \u2009\u202f\u00a0"
# … and the decimals, grouped in threes from the point (GB/T 15835: 0.000 04, 3.141 592 6):
# "⑭汞0.000 | 04 mg/L" broke the number (an unseen issue, P10 D6).
_DECIMAL_GROUPS = rf"\.[0-9]{{3}}(?:[{_GROUP_SEPARATOR}][0-9]{{3}}(?![0-9]))*[{_GROUP_SEPARATOR}][0-9]{{1,3}}(?![0-9])"
_NUMBER = (rf"[{NUMBER_PREFIXES}]?[0-9]+(?:[{_GROUP_SEPARATOR}][0-9]{{3}}(?![0-9]))*(?:{_DECIMAL_GROUPS}|[.,:/][0-9]+)*"
           rf"(?: ?[{NUMBER_SUFFIXES}]|°C)?")
_WORD = (rf"[{LATIN}{SCRIPT_DIGITS}](?:[{LATIN}{SCRIPT_DIGITS}]"
         rf"|[.,:/%+\-_@#&'’](?=[0-9A-Za-z]))*(?:[{NUMBER_SUFFIXES}](?![0-9A-Za-z]))?")
# A run spaced from Han as one: a URL, a number, or a Latin word (which may hold digits).
_LATIN_RUN = re.compile(f"{_URL.pattern}|(?:№ ?)?{_NUMBER}(?![{LATIN}])|{_WORD}")
_GROUP_SPACE = re.compile(rf"(?<=[0-9])[{_GROUP_SEPARATOR}](?=[0-9]{{3}}(?![0-9]))")
_DECIMAL_GROUP_SPACES = re.compile(rf"(?<=[0-9]){_DECIMAL_GROUPS}")
# (A space typed between them, "3 357.1 万元", is where the spacing goes: see _han_latin_boundaries.)
# An ordinal before a number stays with it (第3季度); in a title or a cell a rank too (前30位,
# 近3年: "研发投入前 / 30位", P17 D4), not in running text, where 目前30家, 提前3天 would be bound
# and "…排名前 / 10%的…" was set solid (P18 R1).
NUMBER_LEADS = "前近"
_NUMBER_UNIT = re.compile(rf"(?<=[0-9]) ?(?=[{CJK_LETTERS}])(?!转[0-9])"
                          rf"|(?<=[0-9][万亿千百余多])(?=[{CJK_LETTERS}])"
                          rf"|(?<=[0-9] [万亿千百余多])(?=[{CJK_LETTERS}])|(?<=第) ?(?=[0-9])"
                          # a phone number's extension (0471-4366683转8012) never leaves its 转
                          r"|(?<=[0-9]转)(?=[0-9])")
# … but in running text a line may end before the 转, at a cost (DISCOURAGED_BREAK): bound whole,
# "0471-4366683转8021" was a block of 9 ems, and the line before it was spaced 0.35 em a gap
# and still 83 pt short (an unseen gongwen issue, P10 D3). A line of contact fields (kj-fields)
# and the 版记 (white-space: nowrap) keep it whole.
PHONE_EXTENSION = re.compile(rf"(?<=[0-9]){SPACING}?(?=转[0-9])")
# Relations and binary operators of a formula in the text (not − ±, signs of numbers, nor < >,
# which text uses as brackets: <tag>).
OPERATORS = frozenset("=≠≈≡≤≥+×÷→")
# … but a short formula reads as one block (5 × 10³ m, E = mc², λ = 555 nm): SHORT_FORMULA_CHARS
# characters or fewer, spaces aside, in its run of Latin letters, digits, signs and operators.
# An unseen issue's 科普 article printed its example "5 × | 10³ m" (P12 D2). In running text a
# line ends inside one only at a cost (short_formula_breaks, paragraph.SHORT_FORMULA_COST):
# bound, the line before "“5 × 10³ m”" was spread 0.072 em a gap; in a title or a cell it is bound.
SHORT_FORMULA_CHARS = 8
_FORMULA_PART = rf"[{LATIN}{SCRIPT_DIGITS}{NUMBER_SUFFIXES}{NUMBER_PREFIXES}{''.join(sorted(OPERATORS))}./·⋅_^()′″]+"
_FORMULA_RUN = re.compile(rf"{_FORMULA_PART}(?:[ \u00a0\u2009\u202f]{_FORMULA_PART})*")


def short_formula_breaks(text: str) -> list[int]:
    """Where a line may start inside a short formula (_FORMULA_RUN): after each of its
    operators (and the space typed after it), where TeX and Pango would break."""
    found = []
    for match in _FORMULA_RUN.finditer(text):
        if sum(not char.isspace() for char in match.group()) > SHORT_FORMULA_CHARS:
            continue
        for i in range(match.start(), match.end() - 1):
            if text[i] in OPERATORS:
                found.append(i + 2 if text[i + 1] in _GROUP_SEPARATOR else i + 1)
    return found


def long_formula_breaks(text: str) -> list[int]:
    """Where a line may start inside a longer formula written without spaces (_FORMULA_RUN of
    more than SHORT_FORMULA_CHARS characters: P=380 V×25 A≈9.5 kW): after each relation or
    binary operator, as TeX breaks inline math (relpenalty, binoppenalty), never at its ends,
    nor inside a product of two numbers (1×10⁻⁶, 1920×1080: one number, one size). Pango breaks
    neither after = nor after ×: whole, such a formula was a block of 9 ems and the first line
    before it was set 4 ems short (flush 0.93 on a number-dense issue). Written with spaces
    (P = 380 V × 25 A) it breaks after them already."""
    found = []
    for match in _FORMULA_RUN.finditer(text):
        if sum(not char.isspace() for char in match.group()) <= SHORT_FORMULA_CHARS:
            continue
        for i in range(match.start() + 1, match.end() - 1):
            before, after = text[i - 1], text[i + 1]
            if (text[i] in OPERATORS and not after.isspace() and not before.isspace()
                    and not (text[i] in "×÷" and before.isdigit() and after.isdigit())):
                found.append(i + 1)
    return found


# A quantity: a number and its unit symbol, with or without a space typed between them
# (1.2 GW, 0.2 mg/cm², 4.2kW/L, −30 ℃: GB 3101's style). A compound unit never breaks after
# its slash (mg/ | cm²), nor a sign after the space (−30 | ℃, as 30% never does); the space
# before a unit of letters may break, as xeCJK lets it: bound, "0.2 mg/cm²" is a unit of four
# or five ems, and a line that cannot take it could only be filled by widening a word space
# inside a phrase to one or two ems (the lead's gongwen issues: "0.45    tCO₂/万元"), which a
# reader sees where a line end between a number and its unit he does not. SI symbols with
# their prefixes, compounds joined by / or ·, and the signs of NUMBER_SUFFIXES; a symbol ends
# its word (1.2 GWh, but not "2024 AI").
# (and units in use beside SI: oersted, bar, ampere-hour, FLOPS, dalton; peta and exa prefixes;
# the normal cubic metre of gas, Nm³, which an unseen issue broke "kWh/ | Nm³", P12 D2)
_UNIT_SYMBOL = (r"(?:[pnμµmcdkMGTPE]?(?:mol|cd|Hz|Pa|Wh|Wb|eV|dB|bit|lm|lx|Gy|Sv|Bq|Oe|bar|Ah|FLOPS|Flops|Da|Ω|Nm"
                r"|[mgsAKNJWCVFSTHLlthdB])"
                r"|[\u00c5\u212b]"  # the ångström, both ways it is written (2.01 Å: "Å" started a line)
                rf"|min|ha|°C|[{NUMBER_SUFFIXES}])[²³¹⁰⁻0-9]*")
# … but a short unit (g, kg, MW, μm, m³) stays with its number: a break there costs its line
# at most two ems, and a lone "g" starting a line reads as a stray (科技期刊编排规范: 数值与
# 单位不拆开转行).
SHORT_UNIT_CHARS = 3
# (A unit in brackets is part of it, g/(kW·h): a long unit, its space may break; bound as a
# short "g", "298.6 g/(kW·h)，" was a block of 7 ems and spread the line before it 0.22 em a gap.)
_QUANTITY = re.compile(rf"(?<![0-9A-Za-z.,])[0-9]++(?:[.,][0-9]++)*+([ \u00a0\u2009\u202f]?)"
                       rf"{_UNIT_SYMBOL}(?:[/·⋅]{_UNIT_SYMBOL})*(?:/{UNIT_IN_BRACKETS.pattern})?(?![A-Za-z0-9])")
# Tonnes of CO₂ (1.8 t CO₂, 5 Mt CO₂e, 0.45 tCO₂): written as two symbols, one unit; a line broke
# "年排放1.8 t / CO₂[1]。" (P17 D9), as it never breaks kW·h.
_CARBON_UNIT = re.compile(r"(?<=[0-9])[ \u00a0\u2009\u202f]?[kMG]?t( )CO₂e?(?![A-Za-z0-9])")
# A dash or a tilde inside a range (2023—2025年, 60%～70%): it may not start a line.
_RANGE_MARK = re.compile(rf"(?<=[0-9{NUMBER_SUFFIXES}])[—–\-～〜](?=[0-9])")
# A range's tilde between two quantities, a unit's letters or a Chinese unit before it and a
# sign after it too (4 800万元～12 600万元, 1.8 V～2.1 V, −20 °C～+60 °C): one glyph for all
# (_wraps: kj-dot; gongwen printed FandolFang's small "~" after a Chinese unit or before a
# sign, Noto's wave in 45%～50%, P17 D5), and in running text a line ends after it only at a
# cost (DISCOURAGED_BREAK: "5 000万元～ / 1亿元" read as two figures, P17 D12), in a title or a
# cell never. (U+FEFF: the Han–Latin spacing, as the line composer reads the text.)
RANGE_TILDE = re.compile(rf"(?:(?<=[{LATIN}{NUMBER_SUFFIXES}²³])|(?<=[0-9][{CJK_LETTERS}])"
                         rf"|(?<=[0-9][{CJK_LETTERS}]{{2}})|(?<=[0-9]\ufeff[{CJK_LETTERS}])"
                         rf"|(?<=[0-9]\ufeff[{CJK_LETTERS}]{{2}}))[～〜](?=[0-9+−\-{NUMBER_SIGNS}])")
# A hyphen inside a Latin word with fewer than three letters or digits on one side (RISC-V,
# Wi-Fi, e-mail): no break after it, which would leave "V" alone at a line start (TeX keeps
# three letters after a break in a word: \righthyphenmin).
_SHORT_COMPOUND = re.compile(r"(?<![0-9A-Za-z-])[0-9A-Za-z]{1,2}-(?=[0-9A-Za-z])"
                             r"|(?<=[0-9A-Za-z])-(?=[0-9A-Za-z]{1,2}(?![0-9A-Za-z-]))")
# A name written with | or & between its words (Science|Business, AT&T, R&D) is one word:
# the 来源 line broke "Science| / Business" (an unseen issue).
_JOINED_NAME = re.compile(r"(?<=[0-9A-Za-z])[|&](?=[0-9A-Za-z])")
# The numero sign and its number are one (№ 2039-001): "评估证书编号自№ / 2039-001" (an unseen
# issue); it is spaced from Han as the number is (自 № 2039-001).
_NUMERO = re.compile(r"№ ?(?=[0-9])")
# A standard's code and its number are one name (GB 5749—2022, GB/T 7714, ISO 9001, IEC 62443):
# no break at the space between them ("（GB / 5749—2022）", an unseen issue). The codes of
# national, local (DB15/T), trade and international standards only: not any acronym before
# a number ("TPS 1%" may break).
_STANDARDS = ("GB", "GBJ", "DB", "HJ", "JGJ", "CJJ", "YY", "YD", "WS", "NY", "SJ", "JB", "QC", "HG", "SH", "SY",
              "DL", "NB", "JT", "TB", "GA", "AQ", "MH", "QB", "FZ", "SL", "JJG", "JJF", "T(?=/)",
              "ISO", "IEC", "IEEE", "ITU", "EN", "ASTM", "DIN", "JIS", "ANSI", "BS", "UL")
# (DOI too, with a full-width colon as Chinese text writes it: "（DOI： / 10.1038/…" split, P17 D12.)
_CODE_NUMBER = re.compile(r"(?<![A-Za-z0-9])(?:arXiv|PMID|ISBN|ISSN|CN|DOI|doi)[:：]? ?(?=[0-9])")
# … and with its year it is one name too (GB/T 22080—2016, GB 50016-2014, ISO/IEC 27001:2022,
# T/CESA 1234—2022): a line broke "GB/T 22080— / 2016" and could "ISO/ / IEC 27001" (an unseen
# issue, P11 D6). No break after a slash of its code, at its space, before the dash or beside a
# hyphen or colon; after the dash before its year, in running text, only at a high cost
# (name_breaks): bound, "…国家标准写作" before "“GB/T 22080—2016”" opened its paragraph
# spread 0.43 em a gap in gongwen.
_STANDARD_NUMBER = re.compile(rf"(?<![A-Za-z0-9/])(?:{'|'.join(_STANDARDS)})(?:[0-9]{{2}})?(?:/[A-Z]{{1,5}})* "
                              r"[0-9]+(?:[.\-][0-9]+)*(?:[—–\-:][0-9]{4}(?![0-9]))?")
# A Chinese patent number is one name (CNIPA: ZL, the year, the kind, the serial number and its
# check digit after the point, ZL 2023 1 0123456.7, ZL 02 1 23456.7 before 2003), and so is a
# publication number with its kind code (CN 115123456 A): a table cell was set "ZL 2023 1 /
# 0123456.7" while the column beside it had room (an unseen issue, P11 D6): bound there, the
# column's least width is the whole number's. In running text too (P15 D3: "…专利号ZL 2024 1 /
# 0173248.3" read as two numbers): its spaces never break and never stretch (code_spaces), and a
# line it leaves short before it is set at natural spacing (LONG_CODE).
_PATENT_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:(?:ZL|CN) ?(?:[0-9]{4} ?[0-9] ?[0-9]{7}|[0-9]{2} ?[0-9] ?[0-9]{5})"
                            r" ?\.[0-9X]|CN ?[0-9]{7,9} ?[ABCUSY][0-9]?)(?![0-9A-Za-z])")
# An identifier that may not break and is long enough to leave the line before it short (P15 D3):
# a patent number, a 统一社会信用代码 (18 letters and digits, 91150100U2NU8GBX55), a serial of
# 10 to 24 capitals and digits (from 25 on, _TOKEN breaks it anywhere). A line ending before one
# may be set at its natural spacing, short, rather than spread (engine/justify.py), as a
# reference list's line before a URL is: "…（内蒙古自治区农牧业科学院，统一社会信用代码" was
# letter-spaced 0.40 em a gap.
LONG_CODE = re.compile(rf"{_PATENT_NUMBER.pattern}"
                       r"|(?<![0-9A-Za-z])(?=[A-Z]{0,23}[0-9])[0-9A-Z]{10,24}(?![0-9A-Za-z])")


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL, e-mail address and DOI in ``text``: a line ending before one or
    inside one may be set short at its natural spacing (engine/justify.py), as before a long
    code: "论文的数据和代码已在GitHub公开（https://github.com/" was spread 0.17 em a gap and
    its Latin letters 0.06 em (P17 D2)."""
    return [match.span() for match in _URL.finditer(text)]


def code_spaces(text: str) -> list[int]:
    """Where the spaces inside a patent number are (ZL 2024 1 0195119.8, CN 115123456 A): no
    break (prepare) and no stretch or shrink (engine/justify.py), as digit groups'."""
    if " " not in text:
        return []
    return [i for match in _PATENT_NUMBER.finditer(text)
            for i in range(match.start(), match.end()) if text[i] == " "]


# A telephone number written in groups (a mobile's 139 4710 2635, a hotline's 400 810 8888) is
# one number: "…转8012、139 / 4710 2635" (an unseen issue) read as two.
_PHONE_GROUPS = re.compile(r"(?<![0-9.,])(?:1[3-9][0-9] [0-9]{4} [0-9]{4}|[48]00 [0-9]{3} [0-9]{4})(?![0-9])")
# A slash with fewer than three letters or digits on a side (Nm³/h, kW/L, TCP/IP, and/or) is no
# break: UAX #14 lets a line end at "Nm³/" and start with "h。" (an unseen issue), as a hyphen's
# short side (_SHORT_COMPOUND). Longer parts (PD-1/VEGF) may break there, as English does; a
# subscript is part of its word (kgCO₂e/kgH₂: its "e" read as a one-letter part, the slash
# was bound, and a footnote's line before the unit was letter-spaced 0.12 em, P12 D7).
_SHORT_SLASH = re.compile(r"(?<![0-9A-Za-z²³¹⁰⁻₀-₉/.\-])[0-9A-Za-z²³¹⁰⁻]{1,2}/(?=[0-9A-Za-z])"
                          # (and after a subscript: tCO₂/ | MW·h broke a table note, P10 D6; and before
                          # one: the half-life T₁/₂ was set "T₁/ | ₂ = 109.8 min", P12 D2)
                          r"|(?<=[0-9A-Za-z²³¹⁰₀-₉])/(?=[0-9A-Za-z²³¹⁰⁻₀-₉]{1,2}(?![0-9A-Za-z²³¹⁰⁻₀-₉/.\-]))")
# … nor the slash of a unit whose numerator is a Chinese word, before a unit symbol (1 200个/L,
# 3次/min, 0.18元/kW·h: "1 200个/ | L" printed, an unseen issue, P10 D6), nor one before a unit
# in brackets (GB 3102's g/(kW·h), 元/(kW·h): "298.6 g/ | (kW·h)" printed, P10 D1), nor inside
# those brackets. Nor the slash between two unit symbols written without a number, whatever
# their length (单位kWh/Nm³, kW·h/m³: "4.6 kWh/ | Nm³" printed, an unseen issue, P12 D2).
_UNIT_SLASH = re.compile(rf"(?:(?:(?<=[0-9][{CJK_LETTERS}])|(?<=[0-9][万亿千百][{CJK_LETTERS}]))"
                         rf"|(?<![A-Za-z]){_UNIT_SYMBOL}(?:[·⋅]{_UNIT_SYMBOL})*)/"
                         rf"(?={_UNIT_SYMBOL}(?![A-Za-z]))")
# A number and the English word for its magnitude read as one (US$3.7 billion): in running
# text the line composer breaks at the space between them only at a cost (engine/justify.py:
# bound, the unit left the line before it 6 ems short); in a title or a cell it is bound. The
# word may still hyphenate (bil- / lion), as any English word, with the number kept on the
# line: kept whole as well, a paragraph's first line "据The Information报道，OpenAI 2024年营收约为
# US$3.7" was spread 0.17 em a gap, where "…US$3.7 bil-" is 0.108 (an unseen issue).
_MAGNITUDES = ("hundred", "thousand", "million", "billion", "trillion")
MAGNITUDE_SPACE = re.compile(rf"(?<=[0-9]) (?=(?:{'|'.join(_MAGNITUDES)})(?![A-Za-z]))")
# A currency's sign or code and the amount typed after it with a space (US$ 1.2 billion,
# HK$ 3.5 billion, CHF 15 billion, € 350): no break at that space, "…获得US$ / 1.2 billion" left
# the sign alone at a line end (P13 D8). (Written close, €350 and US$1.2 never break.)
_CURRENCY_CODES = ("USD", "EUR", "GBP", "JPY", "CHF", "CNY", "RMB", "HKD", "AUD", "CAD", "SGD", "KRW", "INR")
_CURRENCY_SPACE = re.compile(rf"(?:(?<![A-Za-z0-9])(?:{'|'.join(_CURRENCY_CODES)})|[{CURRENCY_SIGNS}]) (?=[0-9])")
# What a run-in list number ("注：1.…的净额。2.根据…") follows: the text's start, a space, a colon,
# a semicolon, a comma, an opening bracket or a sentence's end (editor/cleanup.py keeps its point
# half width there). Its point never ends a line: "…承诺额。注：1.…。2. / 欧元、港元…" printed (P14 D6).
RUN_IN_NUMBER_AFTER = " \t\u3000\u00a0：:；;，,（(。！？"
_RUN_IN_NUMBER = re.compile(rf"(?:^|(?<=[{RUN_IN_NUMBER_AFTER}]))[0-9]{{1,2}}\.(?=[{CJK_LETTERS}])")
# … and so after the dash of a range of years (框架计划2042— / 2044年工作方案 read as two figures,
# an unseen issue; house styles keep it whole): bound, a paragraph dense with them spread a line
# 0.27 em a gap before "2019—2023年" (a generated one). The composer plans a paragraph whose
# greedy lines end at either (engine/justify.py), and its planner takes them only at a cost.
YEAR_RANGE_DASH = re.compile(r"(?<![0-9])[0-9]{4}[—–\-～〜](?=[0-9]{4}(?![0-9]))")
DISCOURAGED_BREAK = re.compile(f"{MAGNITUDE_SPACE.pattern}|{YEAR_RANGE_DASH.pattern}|{PHONE_EXTENSION.pattern}"
                               f"|{RANGE_TILDE.pattern}")


def name_breaks(text: str) -> list[int]:
    """Where a line may end inside a name that reads as cut there, which the planner takes at a
    higher cost than DISCOURAGED_BREAK's (paragraph.NAME_COST): after the dash before a
    standard's year (GB/T 22080— / 2016), inside a Korean word (삼성 / 전자). (Not a short e-mail
    address: its break before "@" is the usual one, Chicago 6.17; kept whole at this cost, a
    notice's line before it was spread 0.106 em a gap, an unseen gongwen issue. Nor a patent
    number's space: bound, code_spaces.)"""
    found = [i for match in _STANDARD_NUMBER.finditer(text) for i in range(match.start() + 1, match.end())
             if text[i - 1] in "—–"]
    return found + _korean_breaks(text)


# A single Latin letter beside a Chinese letter is part of a Chinese word (X射线, B超, 维生素C).
_LONE_LETTER = re.compile(rf"(?<![0-9A-Za-z.\-&'’_/+@#])[A-Za-z](?![0-9A-Za-z.\-&'’_/+@#{SCRIPT_DIGITS}])"
                          rf"(?:(?=[{CJK_LETTERS}])|(?<=[{CJK_LETTERS}][A-Za-z]))")
# A run of letters and digits too long to be a word (a hash, a key, a serial number): it may
# break after any of its characters, without a hyphen, rather than leave the line before it
# half empty and run past the measure (no dictionary word in running text comes near it).
_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{25,}(?![0-9A-Za-z])")
# A chemical formula long enough to leave the line before it half empty (FA₀.₈Cs₀.₂Pb(I₀.₆Br₀.₄)₃,
# an unseen issue's line stood 7 ems short, spaced out): it may break before a bracketed group
# that follows an element, Pb | (I₀.₆Br₀.₄)₃, as chemistry setting does, and before an element
# that follows a two-letter one without a count, AlCo | Cr | FeNi₂.₁ (the line before one without
# brackets was spread, another unseen issue); never inside an element symbol (nor between two
# capitals: FA, CO may be one symbol), nor after a count (a line ending in ₆ reads as a cut
# number, and a checker reading a line's last digits as a page number failed on it), so
# LiNi₀.₈₈Co₀.₀₉Mn₀.₀₃O₂ stays whole.
FORMULA_CHARS = 12
_FORMULA = re.compile(r"(?<![0-9A-Za-z])[A-Z(\[][A-Za-z0-9₀-₉.·()\[\]⁺⁻⁰-⁹]{%d,}" % (FORMULA_CHARS - 1))
# A Korean word: its syllables and the Latin letters or digits written close to them (CJ제일제당),
# broken at its spaces only (keep-all, KLREQ): "（삼성 / 전자 주식회사）" cut 삼성전자 (an unseen
# issue, P11 D13). Bound in a title or a table cell; in running text a line may end inside it at
# a name's cost (name_breaks): bound, "엘지화학" spread a gongwen line before it 0.14 em a gap.
_KOREAN_WORD = re.compile(rf"(?<![0-9A-Za-z])(?:[0-9A-Za-z]*+[{HANGUL}])+[0-9A-Za-z]*")
_HANGUL = re.compile(f"[{HANGUL}]")


def _korean_breaks(text: str) -> list[int]:
    """Where Pango would break inside a Korean word: beside each of its syllables."""
    return [i for match in _KOREAN_WORD.finditer(text) for i in range(match.start() + 1, match.end())
            if _HANGUL.match(text[i - 1]) or _HANGUL.match(text[i])]  # (Latin pairs never break)
# A quotation in a title short enough to be kept on one line.
_SHORT_QUOTE = re.compile(r"[“‘《「『【][^“”‘’《》「」『』【】]{1,14}[”’》」』】]")


@dataclass(frozen=True)
class Options:
    """The layout's typography switches (layout.yaml `typography:`) that the markup serves."""

    han_latin_spacing: bool = True
    latin_hyphenation: bool = False


STYLESHEET = """
span.kj-en { hyphens: auto; hyphenate-character: "-"; }  /* U+2010 is full width in SC faces */
span.kj-en { hyphenate-limit-chars: 6 3 3; }  /* three letters each side: not Se- / cure */
.kj-url, code, kbd { font-variant-ligatures: none; }
.kj-pw { font-feature-settings: "pwid"; }  /* a quotation mark of English text: proportional */
.kj-sign { font-family: var(--font-symbols); line-height: 0; }  /* ± ≥ ≤ of a number: proportional (0: its face's taller ascent does not raise a line) */
td.kj-prose, th.kj-prose { text-align: justify !important; text-align-last: start; }  /* (over a column's alignment) */
td.kj-prose, th.kj-prose { --kj-unfilled: ragged; }  /* engine/justify.py: no 稀排 in a narrow cell */
"""
# A quotation mark or an apostrophe of English text (Singapore’s, the “Innovation Corridor”
# linking): the CJK faces draw ’ “ ” full width, a quarter of a line of white inside a word
# ("Singapore’ s"); their proportional forms (pwid) are the Latin ones. An apostrophe between
# letters, an opening mark after a space or a Latin character and before one, a closing mark
# after a Latin character and before a space, Latin punctuation or the end. Quotation marks
# beside Chinese stay full width (他说“Hello”。): clreq sets them so.
_LATIN_QUOTE = re.compile(r"(?<=[A-Za-z])’(?=[A-Za-z])"
                          r"|(?:(?<=[\sA-Za-z0-9(\[])|^)[“‘](?=[A-Za-z0-9])"
                          r"|(?<=[A-Za-z0-9.,!?%])[”’](?=[\s.,;:!?)\]]|$)")


def is_han(char: str) -> bool:
    """Han as the spacing rules see it (an ideograph or kana): kept for the text layer."""
    return is_cjk_letter(char)


@dataclass
class _Run:
    """The text of one line-breaking context (a paragraph, a cell, a footnote) and its tags."""

    tag: str  # the block that holds it
    # str: text (unescaped); ("tag", markup): markup; ("obj", markup): markup that stands for
    # an object in the text (code, an image), seen by the rules as U+FFFC.
    pieces: list = field(default_factory=list)
    opening: str = ""  # a footnote's own start tag, written with it
    words: bool = False  # breaks between words, as a title does (an attribution, an attachment's title)
    names: bool = False  # a list of names (a 纪要's 出席、列席…: kj-roster): each name kept whole
    fields: bool = False  # a line of contact fields (kj-fields): a phone number kept whole

    def text(self) -> str:
        placeholder = {"obj": OBJECT, "note": NOTE}
        return "".join(p if isinstance(p, str) else placeholder.get(p[0], "") for p in self.pieces)


def prepare(fragment: str, options: Options = Options()) -> str:
    """Apply the clreq markup to an HTML fragment (the output of the markdown stage)."""
    out: list[str] = []
    stack: list[_Run] = [_Run("body")]
    raw_depth = 0
    raw_name = ""  # the outermost raw element open (code, pre…)
    footnote_depth: list[int] = []  # span depth at which each open footnote started
    span_depth = 0
    position = 0

    cell_at = None  # where the open table cell's start tag is in ``out``

    def flush(run: _Run) -> None:
        # Table cells are labels in narrow columns: they break between words, as titles do
        # (排名 was set 排 / 名 in a column of numbers, 和林格尔县 和林格 / 尔县 before its row
        # of figures). Every cell, not only a row's first: a column's narrowest width is its
        # longest word, so the table's widths go where the words are (a column of place names
        # beside one of company names was set 鄂尔 / 多 / 斯市, 煤 / 制油). So do captions,
        # centred and balanced as titles are (表2　2024—2026年科技创新 / 券兑付情况).
        # So does a quotation's attribution (——某某在……的发言), set flush right: a name
        # was set 委员伊 / 利亚娜·伊万诺娃 (an unseen issue).
        # A cell of prose (sentences: a policy's old and new wording side by side) is set as
        # a paragraph is, justified and broken between any two characters: set between words
        # its lines were ragged by a quarter and its column starved the next (an unseen issue).
        label = run.tag in ("th", "td", "caption", "figcaption") or run.words
        if run.tag in ("td", "th") and cell_at is not None and _is_prose(run.text()):
            label = False
            out[cell_at] = _with_class(out[cell_at], PROSE_CELL)
        out.append(_render(run, options, words=label))
        run.pieces.clear()

    for match in _TAG.finditer(fragment):
        if match.start() > position:
            text = html.unescape(fragment[position:match.start()])
            if raw_depth:
                if raw_name in ("code", "kbd"):
                    text = _code_breaks(text)
                stack[-1].pieces.append(("tag", html.escape(text, quote=False)))
            else:
                stack[-1].pieces.append(text)
        position = match.end()
        closing, name, attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
        markup = match.group(0)
        if name in _RAW:
            raw_depth += -1 if closing else 1
            opens_object = not closing and raw_depth == 1
            if opens_object:
                raw_name = name
            stack[-1].pieces.append(("obj" if opens_object else "tag", markup))
        elif name == "img":
            stack[-1].pieces.append(("obj", markup))
        elif name == "span":
            # A page footnote is a flow of its own inside the paragraph.
            if not closing:
                span_depth += 1
                if 'class="footnote"' in attrs:
                    footnote_depth.append(span_depth)
                    stack.append(_Run("footnote", opening=markup))
                    continue
                stack[-1].pieces.append(("tag", markup))
            else:
                if footnote_depth and footnote_depth[-1] == span_depth:
                    footnote_depth.pop()
                    inner = stack.pop()
                    # The call stands in the paragraph's text as an object.
                    stack[-1].pieces.append(("note", inner.opening + _render(inner, options) + markup))
                else:
                    stack[-1].pieces.append(("tag", markup))
                span_depth -= 1
        elif name in _BLOCK:
            flush(stack[-1])
            cell_at = len(out) if name in ("td", "th") and not closing else None
            out.append(markup)
            stack[-1].tag = name if not closing else "body"
            stack[-1].words = not closing and ("kj-attribution" in attrs or "kj-attachment-title" in attrs)
            stack[-1].names = not closing and ROSTER in attrs
            stack[-1].fields = not closing and FIELDS in attrs
        else:
            stack[-1].pieces.append(("tag", markup))
    if position < len(fragment):
        stack[-1].pieces.append(html.unescape(fragment[position:]))
    while len(stack) > 1:  # unbalanced footnote markup: never lose text
        inner = stack.pop()
        stack[-1].pieces.append(("tag", inner.opening + _render(inner, options)))
    flush(stack[0])
    return "".join(out)


PROSE_CELL = "kj-prose"  # the class of a table cell set as prose (the layouts justify it)
_SENTENCE_MARKS = "，。；！？"
PROSE_CELL_CHARS = 16  # … with a sentence mark; without one, half as long again (a name is shorter)


def _is_prose(text: str) -> bool:
    """Whether a table cell holds a sentence rather than a label: long, with a sentence mark
    or a part between 、 longer than a name (内蒙古某能源科技有限公司、内蒙古工业大学 is two names)."""
    letters = sum(1 for char in text if not char.isspace())
    if letters >= PROSE_CELL_CHARS and any(mark in text for mark in _SENTENCE_MARKS):
        return True
    return letters >= PROSE_CELL_CHARS * 3 // 2 and max(len(part.strip()) for part in text.split("、")) > PROSE_CELL_CHARS


def _with_class(tag: str, name: str) -> str:
    """A start tag with ``name`` added to its classes."""
    match = re.search(r'\bclass="([^"]*)"', tag)
    if match:
        return f"{tag[:match.start(1)]}{match.group(1)} {name}{tag[match.end(1):]}"
    return f'{tag[:-1].rstrip("/").rstrip()} class="{name}">'


def prepare_text(text: str, options: Options = Options(), paragraph: bool = True) -> Markup:
    """The same for a plain string of the templates (titles, names): safe markup.

    Such strings are headings and names, set centred or in the contents: they break between
    words, never inside one or inside a short quotation (issue 12), so each word is bound.
    """
    return Markup(_render(_Run("p" if paragraph else "span", [text]), options, words=True))


def _render(run: _Run, options: Options, words: bool = False) -> str:
    text = run.text()
    if not text.strip():
        return "".join(html.escape(p, quote=False) if isinstance(p, str) else p[1]
                       for p in run.pieces)
    # {position: whether a typed space is there}: the Han–Latin spacing goes in, the space out
    boundaries = dict(_han_latin_boundaries(text)) if options.han_latin_spacing else {}
    if options.han_latin_spacing:
        boundaries.update(_code_boundaries(run.pieces, text))
    urls = list(_URL.finditer(text))
    quotes = [match.start() for match in _LATIN_QUOTE.finditer(text)]
    inserts = _insertions(text, run.tag in _PARAGRAPHS, options, words, boundaries, urls, quotes,
                          run.names, run.fields)
    # A heading or a label is never hyphenated: it breaks between words, as titles do
    # (an English title was set "…Innovation and Enter- / prise Plan 2030").
    wraps = _wraps(text, options, urls, quotes, hyphenate=not words and run.tag not in _HEADINGS)
    return _weave(run.pieces, inserts, wraps, {index for index, typed in boundaries.items() if typed})


def _insertions(text: str, paragraph: bool, options: Options, words: bool,
                boundaries: dict[int, bool], urls: list, quotes: list[int],
                names: bool = False, fields: bool = False) -> dict[int, str]:
    """Zero-width characters to insert, by position in the run's text (``boundaries``: where
    the Han–Latin spacing goes; ``names``: the text is a list of names)."""
    inserts: dict[int, str] = {}

    def add(index: int, char: str) -> None:
        if 0 < index < len(text) and char not in inserts.get(index, ""):
            inserts[index] = inserts.get(index, "") + char

    latin_quotes = set(quotes)  # English breaks them
    for i, char in enumerate(text):
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if i in latin_quotes:
            pass
        elif char in QUOTES_OPEN and before and before not in OPENING and not before.isspace():
            add(i, ZWSP)
        elif char in QUOTES_CLOSE and after and after not in NO_LINE_START + NOTE and not after.isspace():
            add(i + 1, ZWSP)
        elif char in "·～〜" and before and not before.isspace():
            add(i, WJ)
        elif text[i:i + 2] in ("——", "……") and before and before not in "—…" and not before.isspace():
            # A dash or an ellipsis never starts a line: it goes with the word before it (GB/T
            # 15834 only forbids splitting it; house styles, and linecheck, keep it off line starts).
            # In a title a dash before more text starts its subtitle (…落地生根”——访市科技局…,
            # …赋能千行百业——2025年…综述): the title may break there, and prefers to.
            add(i, ZWSP if words and char == "—" and text[i + 2:].strip() else WJ)
        if (char in OPERATORS and before and not is_cjk_letter(before) and before not in OPENING
                and not any(url.start() <= i < url.end() for url in urls)):
            # In a formula written in the text (C = 42 × 15 ÷ 12.5, SO₂ + CaCO₃) an operator
            # never starts a line: it stays with what it follows, the line may end after it
            # (TeX breaks inline math after a relation or a binary operator, never before).
            add(i, WJ)
        if char in NUMBER_SIGNS and after.isdigit():
            # ±15%, ≥3 nm: the sign is the number's, never parted from it (P17 D8). Like −20 ℃ it
            # may start a line: bound to the Chinese word before it as well, a paragraph's first
            # line "…工艺节 / 点≥3 nm" was spread 0.15 em a gap, where "…工艺节点 / ≥3 nm" is 0.10.
            add(i + 1, WJ)
        if char in NO_LINE_START and before in (OBJECT, NOTE):
            # WeasyPrint may break between an inline object (a footnote call, an image, code)
            # and the text after it: a mark that may not start a line stays with the object.
            add(i, WJ)
        if char == NOTE and before and not before.isspace():
            add(i, WJ)  # a footnote call never starts a line: it belongs to the word before
        if before in (OBJECT, NOTE) and i >= 2 and text[i - 2] in OPENING and not char.isspace():
            add(i, WJ)  # "《¹" may not end a line either: after an opening mark it binds forward
    for pattern in (_NUMBER_UNIT, _RANGE_MARK):
        for match in pattern.finditer(text):
            if pattern is _NUMBER_UNIT or not any(url.start() <= match.start() < url.end() for url in urls):
                add(match.start(), WJ)
    if words:
        # In a title or a table cell, set between words, a range is one word: a column of
        # periods was set "2033— / 2035年" while the column beside it had room (an unseen issue).
        for match in _RANGE_MARK.finditer(text):
            add(match.end(), WJ)
        for match in RANGE_TILDE.finditer(text):
            add(match.end(), WJ)
    for index in digit_group_spaces(text):
        add(index + 1, WJ)  # "27 436.5", "0.000 04" are one number: no break after a group space
    for match in _CURRENCY_SPACE.finditer(text):
        add(match.end(), WJ)  # "US$ 1.2": no break after the sign
    for match in _RUN_IN_NUMBER.finditer(text):
        add(match.end(), WJ)  # "2.欧元": no break after a run-in number's point
    if words:
        for match in MAGNITUDE_SPACE.finditer(text):
            add(match.end(), WJ)  # no "1.2 / billion" in a title or a cell
    for match in _NUMERO.finditer(text):
        add(match.start() + 1, WJ)
        add(match.end(), WJ)
    for match in _JOINED_NAME.finditer(text):
        if not any(url.start() <= match.start() < url.end() for url in urls):
            add(match.start(), WJ)
            add(match.end(), WJ)
    for match in _QUANTITY.finditer(text):
        if match.group(1) and (text[match.end(1)] in NUMBER_SUFFIXES  # ℃, %, and the ° of °C
                               or match.end() - match.end(1) <= SHORT_UNIT_CHARS):
            add(match.end(1), WJ)  # "−30 ℃", "1.1 g": no break before the sign or a short unit
        for i in range(match.end(1), match.end()):
            if text[i] == "/":
                add(i + 1, WJ)  # nor inside mg/cm²
    for match in _LONE_LETTER.finditer(text):
        # X射线, B超, A股 (the word it starts), 维生素C (the word it ends): never alone on a line
        after = match.end() < len(text) and is_cjk_letter(text[match.end()])
        add(match.end() if after else match.start(), WJ)
    for match in _CODE_NUMBER.finditer(text):
        add(match.end(), WJ)
    for match in _CARBON_UNIT.finditer(text):
        add(match.end(1), WJ)  # "1.8 t CO₂": the unit of GHG accounting is one (P17 D9)
    for match in _STANDARD_NUMBER.finditer(text):
        for i in range(match.start() + 1, match.end()):
            if text[i - 1] in "/ -:" or text[i] in "—–":
                add(i, WJ)  # (after the dash: name_breaks)
    for match in _PHONE_GROUPS.finditer(text):
        for i in range(match.start(), match.end()):
            if text[i] == " ":
                add(i + 1, WJ)
    for i in code_spaces(text):
        add(i + 1, WJ)
    if words:  # (in running text: name_breaks, short_formula_breaks)
        for i in _korean_breaks(text):
            add(i, WJ)
        for i in short_formula_breaks(text):
            add(i, WJ)
            if text[i - 1] in _GROUP_SEPARATOR:
                add(i - 1, WJ)
    for match in _SHORT_SLASH.finditer(text):
        slash = match.start() + match.group(0).index("/")
        if not any(url.start() <= slash < url.end() for url in urls):
            add(slash + 1, WJ)
    if fields:
        for match in PHONE_EXTENSION.finditer(text):
            add(match.end(), WJ)
    for match in _UNIT_SLASH.finditer(text):
        if not any(url.start() <= match.start() < url.end() for url in urls):
            add(match.end(), WJ)
    for match in UNIT_IN_BRACKETS.finditer(text):
        for i in range(match.start(), match.end()):
            add(i, WJ)
    for match in _SHORT_COMPOUND.finditer(text):
        hyphen = match.start() + match.group(0).index("-")
        if not any(url.start() <= hyphen < url.end() for url in urls):
            add(hyphen + 1, WJ)
    for match in urls:
        _url_breaks(match, add)
    for i, char in enumerate(text[:-1]):
        if (char.isdigit() and not char.isascii() or is_enclosed_number(char)) and not is_cjk_letter(char):
            # No line ends with a sub- or superscript digit or a circled number (CO₂, m², ①, ⑱):
            # at a line end it reads as a cut number, and read back its digit is no number
            # (a checker taking a line ending in ₂ for a contents entry failed on it).
            add(i + 1, WJ)
            if text[i + 1] == " ":
                add(i + 2, WJ)
    for match in _FORMULA.finditer(text):
        formula, start = match.group(), match.start()
        if not any(char in SUBSCRIPT_DIGITS for char in formula):
            continue
        for k in range(3, len(formula) - 2):
            if formula[k] in "([" and formula[k - 1].isalpha():
                add(start + k, ZWSP)
            elif formula[k].isupper() and formula[k - 1].islower():
                add(start + k, ZWSP)  # before an element that follows a two-letter symbol without a count
    for match in _TOKEN.finditer(text):  # in a URL's path too (a host has dots or hyphens)
        for i in range(match.start() + 1, match.end()):
            add(i, ZWSP)
    if words or names:
        _bind_words(text, add)
    if names:
        _bind_names(text, add)
    if words:
        _bind_leading_dash(text, add)
        for match in _MONTH_DAY.finditer(text):
            add(match.start() + match.group().index("月") + 1, WJ)
    if paragraph:
        _bind_last_word(text, add)
    if not words:  # (at a cost: paragraph.SHORT_FORMULA_COST, as inside a short formula)
        for i in long_formula_breaks(text):
            if WJ not in inserts.get(i, "") and not any(url.start() <= i < url.end() for url in urls):
                add(i, ZWSP)
    for index in boundaries:
        marks = inserts.get(index, "")
        # The spacing character binds on both sides; where a line may break, the break
        # comes after it, so a line ends with the spacing (removed there) and the next
        # one starts with the word itself.
        inserts[index] = SPACING + ("" if WJ in marks else ZWSP)
    return inserts


def digit_group_spaces(text: str) -> list[int]:
    """Where the spaces between digit groups are (GB/T 15835: 27 436.5, and the decimals 0.000 04):
    one definition for the breaks here and the width engine/justify.py gives them."""
    found = {match.start() for match in _GROUP_SPACE.finditer(text)}
    for match in _DECIMAL_GROUP_SPACES.finditer(text):
        found.update(i for i in range(match.start(), match.end()) if text[i] in _GROUP_SEPARATOR)
    return sorted(found)


def _han_latin_boundaries(text: str):
    """(position, typed) between a Chinese letter and a Latin run (clreq §3.2.1, Han–Latin
    spacing). ``typed``: a space was typed there ("增加 3 357.1 万元", "使用 Python 编写"); the
    spacing takes its place, as in xeCJK, so such text is set as if written without it (the
    import removes these spaces too) — not as a word space that stretches, nor a break between
    a number and its unit."""
    for match in _LATIN_RUN.finditer(text):
        start, end = match.span()
        # A half-width bracket (and a sign) opening or closing the run is the run's: a quantity's
        # or a formula's brackets stay half width beside Chinese, "厚度为 (3.5 ± 0.2) nm", "按
        # A₀e^(−λt) 计算" (set solid, the bracket stood against the Han, an unseen issue, P12 D4).
        while start > 0 and (text[start - 1] == "(" or text[start - 1] in NUMBER_PREFIXES
                             and text[start:start + 1] == "("):
            start -= 1
        while end < len(text) and text[end] == ")":
            end += 1
        if start > 0 and is_cjk_letter(text[start - 1]):
            yield start, False
        elif start > 1 and text[start - 1] == " " and is_cjk_letter(text[start - 2]):
            yield start - 1, True
        if end < len(text) and is_cjk_letter(text[end]):
            yield end, False
        elif end + 1 < len(text) and text[end] == " " and is_cjk_letter(text[end + 1]):
            yield end, True


def _code_boundaries(pieces: list, text: str):
    """(position, typed) between a Chinese letter and inline code (`xtrack.Line.track()`,
    `requests==2.32.3`): code is Latin text and takes the Han–Latin spacing a Latin word takes
    (clreq §3.2.1); it printed "核心模块xtrack.Line.track()支持" solid (an unseen issue)."""
    offset = 0
    for piece in pieces:
        if isinstance(piece, str):
            offset += len(piece)
            continue
        if piece[0] == "obj" and re.match(r"<(?:code|kbd)\b", piece[1], re.I):
            i = offset
            if i > 0 and is_cjk_letter(text[i - 1]):
                yield i, False
            elif i > 1 and text[i - 1] == " " and is_cjk_letter(text[i - 2]):
                yield i - 1, True
            if i + 1 < len(text) and is_cjk_letter(text[i + 1]):
                yield i + 1, False
            elif i + 2 < len(text) and text[i + 1] == " " and is_cjk_letter(text[i + 2]):
                yield i + 1, True
        if piece[0] in ("obj", "note"):
            offset += 1


def _url_breaks(match: re.Match, add) -> None:
    """Where a URL or an e-mail address may break: after // / ? & =, before a - or _ (never
    after: a line ending in a hyphen reads as a word hyphenated, Chicago 6.17), and after a dot
    of a URL's host name but the last (gov.cn stays whole) and a first one after www or one
    letter; elsewhere Pango's own breaks are blocked. Whole, a host such as
    etax.neimenggu.chinatax.gov.cn left a 10-em hole at the end of the line before it
    (（https:// / etax…), and ec.europa.eu, two dots, spread the line before it 0.19 em a gap.
    After the dot, not before it as Chicago has it: a line starting with "." breaks Chinese
    kinsoku, as pdfcheck counts it. No break leaves fewer than three characters after it."""
    url, offset = match.group(0), match.start()
    email = "@" in url and "/" not in url
    if email:  # an e-mail address: before the @, and before a - or _ of the name before it
        # (whole, "xmgl-support@…" left "…电话0471-4366699，邮 / 箱xmgl-support@…" 3 ems short)
        add(offset + url.index("@"), ZWSP)
        host_start, host_end = url.index("@") + 1, len(url)
    else:
        scheme = url.find("://")
        host_start = scheme + 3 if scheme >= 0 else 0
        slash = url.find("/", host_start)
        host_end = slash if slash >= 0 else len(url)
        if scheme >= 0:
            add(offset + host_start, ZWSP)
            add(offset + scheme + 1, ZWSP)  # … or after its colon (Chicago 6.17: https: / //ec.…)
    first_dot = url.find(".", host_start, host_end)
    first_label = url[host_start:first_dot].lower()
    for i, char in enumerate(url[:-1]):
        if host_start <= i < host_end:
            if char == "-":
                add(offset + i + 1, WJ)  # Pango would break after a hyphen of the host
            elif (char == "." and not email and url.find(".", i + 1, host_end) > 0
                  and (i > first_dot or (len(first_label) > 1 and first_label != "www"))):
                add(offset + i + 1, ZWSP)
            continue
        if char == "-":
            add(offset + i + 1, WJ)
        if char in "-_":
            if i >= 2 and url[i - 1].isalnum() and url[i - 2].isalnum() and len(url) - i > 3:
                add(offset + i, ZWSP)
        # … with three characters or more after it ("10.1038/s41586-023-06927- / 3." read as cut)
        elif char in "/?&=" and url[i + 1] not in "/?&=-_." and len(url) - i > 3:
            add(offset + i + 1, ZWSP)


CODE_DOT_TAIL = 5  # characters after a dot a break in inline code leaves at least (not issue. / yaml)


def _code_breaks(code: str) -> str:
    """Inline code with its break chances: at its spaces, after / and = and after a dot
    between letters, before a - or _ that follows a letter or digit, each with two characters
    before it and three after it in its word (a dot five: not "issue. / yaml"), never inside a
    number (2.32.3, 2024-02) nor after a hyphen (`--strict` was set "--" / "strict"). Broken at
    its spaces only, `scorecard --repo=github.com/ossf/scorecard --format=json` spread the
    lines of its paragraph 0.16 em a gap in gongwen (an unseen issue)."""
    out = []
    for match in re.finditer(r"\S+|\s+", code):
        word = match.group()
        if word[0].isspace():
            out.append(word)
            continue
        last = len(word)
        for i, char in enumerate(word):
            before = word[i - 1] if i else ""
            after = word[i + 1] if i + 1 < last else ""
            if char in "-_" and i >= 2 and (before.isalnum() and word[i - 2].isalnum()) \
                    and not (before.isdigit() and after.isdigit()) and last - i > 3:
                out.append(ZWSP)
            out.append(char)
            if char == "-" and after:
                out.append(WJ)
            elif char in "/=" and i >= 1 and after and after not in "/=" and last - i > 3:
                out.append(ZWSP)
            elif (char == "." and i >= 2 and before.isalpha() and after.isalpha()
                  and last - i > CODE_DOT_TAIL):
                out.append(ZWSP)
    return "".join(out)


@lru_cache(maxsize=1024)
def segment(text: str) -> tuple[str, ...]:
    """A run of Han text cut into words: jieba's dictionary with the bulletins' own (words.txt).
    Titles break, and imported articles' file names are cut, between these words."""
    known = _segmented()
    words = known.get(text)
    if words is None:
        words = known[text] = list(_segmenter().cut(text))
        with contextlib.suppress(OSError):  # a read-only home only costs the next build time
            write_atomically(_segmented_file(), json.dumps(known, ensure_ascii=False))
    return tuple(words)


@lru_cache(maxsize=1)
def _segmenter():
    import rjieba  # a dictionary segmenter (jieba-rs): 0.14 s to load, so only when needed

    for word in _own_words():
        rjieba.add_word(word, None, None)
    return rjieba


@lru_cache(maxsize=1)
def _own_words() -> tuple[str, ...]:
    """The bulletins' words jieba's dictionary splits (words.txt)."""
    text = (Path(__file__).parent / "words.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


_SEGMENTED_LIMIT = 20000  # titles and header cells remembered on this machine


@lru_cache(maxsize=1)
def _segmented() -> dict[str, list[str]]:
    """The segmentations this machine has made with this rjieba (issue 15: a build whose titles
    were all set before does not load the dictionary; the same words, so the same PDF)."""
    with contextlib.suppress(OSError, ValueError):
        known = json.loads(_segmented_file().read_text(encoding="utf-8"))
        if isinstance(known, dict) and len(known) < _SEGMENTED_LIMIT:
            return known
    return {}


@lru_cache(maxsize=1)
def _segmented_file():
    import importlib.util

    from ..project import user_cache

    origin = Path(importlib.util.find_spec("rjieba").origin).parent  # the installed extension
    stamp = ",".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(origin.iterdir())
                     if p.is_file())
    stamp += "|" + "\n".join(_own_words())  # the same words, so the same segmentation
    return user_cache() / f"words-{hashlib.sha1(stamp.encode()).hexdigest()[:16]}.json"


def title_tail(title: str, least: int = 4) -> int:
    """Where a contents entry's unbreakable tail starts (its last ``least`` characters, kept
    with the leader and the page number: style.css .title-end), moved back to the start of
    the word or short quotation they begin inside. Cut at ``least`` alone, the entry broke
    inside a word at the cut (…优惠政 / 策的公告, “全分 / 子”时代)."""
    start = max(0, len(title) - least)
    joined: set[int] = set()
    _bind_words(title, lambda index, _char: joined.add(index))
    while start > 0 and (start in joined or _inside_latin_word(title, start)):
        start -= 1
    # Nor between Chinese and Latin (the two parts are set apart, so the spacing between them
    # was lost: 端侧AI能力对比 printed "AI能" solid) or a number and its unit (降至100 / 美元以下？),
    # a space typed there counting as part of the boundary, unless that takes in most of a
    # long title (an English one would never break).
    wider = start
    while wider > 0 and (wider in joined or _inside_latin_word(title, wider) or _script_change(title, wider)):
        wider -= 1
    return wider if len(title) - wider <= MAX_TITLE_TAIL else start


MAX_TITLE_TAIL = 16  # characters a contents entry's tail takes at most to avoid a bad cut


def _script_change(text: str, index: int) -> bool:
    """Whether a cut before text[index] lies between Chinese and Latin (or digits), or at a
    space typed between them."""
    if text[index - 1].isspace() or text[index].isspace():
        return True
    a, b = text[index - 1], text[index]
    return (_is_latin(a) and is_cjk_letter(b)) or (is_cjk_letter(a) and _is_latin(b))


def _inside_latin_word(text: str, index: int) -> bool:
    """Whether text[index - 1] and text[index] are letters or digits of one Latin word."""
    return _is_latin(text[index - 1]) and _is_latin(text[index])


def _is_latin(char: str) -> bool:
    """A letter or digit that is not a Chinese one."""
    return char.isalnum() and not is_cjk_letter(char)


# A one-character word after a longer one is most often its suffix, which the segmenter's
# dictionary lacks as one word (科技创新 | 券, 兑付 | 额, 转化 | 率): it stays with that word,
# unless it is a word that leads what follows (与, 和, 在…: a line may start with it).
LEADING_WORDS = frozenset("与和及并或而对为从向把被将以于在由按同跟让使给比")
# … and one that is a prefix the dictionary did not join to the word after it (自治区 | 新 | 材料,
# 双 | 特异性 | 抗体; 市 | 数据局, 省 | 科技厅): it stays with that word ("…自治区新 / 材料…" broke a
# title, "市科技局、市 / 数据局" a table's column of units: unseen issues).
_PREFIX_WORDS = frozenset("新双多超非反准副微半市省县区旗")
# A date's month and day in a title or a table cell: one word (a column of deadlines was set
# "2037年2月 / 28日前"); it may break after the year ("2037年 / 12月31日前"): bound whole, the
# dates widened their column by three ems and an unseen issue's task table grew by a page.
_MONTH_DAY = re.compile(r"(?<![0-9])[0-9]{1,2}月[0-9]{1,2}日")


def _bind_words(text: str, add) -> None:
    """A WORD JOINER inside each word and each short quotation: a title breaks between words."""
    for match in re.finditer(f"[{CJK_LETTERS}]{{2,}}", text):
        position, before = match.start(), ""
        words = segment(match.group(0))
        first = not text[:match.start()].strip(" \u3000" + OPENING)  # the run opens the text
        for index, word in enumerate(words):
            if word in NUMBER_LEADS and text[position + 1:position + 2].isdigit():
                add(position + 1, WJ)  # a rank with its number: 前30位
            elif len(word) == 1 and index + 1 < len(words) and (word in _PREFIX_WORDS or (first and not index)):
                # (a one-character word that opens a cell or a title has no word before it to
                # go with: table headers broke "比 / 上年增长", "占 / 全市比重", an unseen issue)
                add(position + 1, WJ)
            elif len(word) == 1 and len(before) >= 2 and word not in LEADING_WORDS:
                add(position, WJ)
            for k in range(1, len(word)):
                add(position + k, WJ)
            position, before = position + len(word), word
    for match in _SHORT_QUOTE.finditer(text):
        for k in range(match.start() + 1, match.end()):
            add(k, WJ)


ROSTER = "kj-roster"  # the class of a list of names (inputs/markdown.py _rosters)
FIELDS = "kj-fields"  # the class of a line of contact fields (inputs/markdown.py _contact_fields)
# … and of a paragraph that reads as a sub-head ("一、修订的必要性"; inputs/markdown.py
# _heading_like_paragraphs), beside kj-keep-next, which lead-ins and table titles have too: the
# makeup spreads a page at its sub-heads (拉行), never after a notice's "…通知如下：" (an unseen
# notice took two lines of white there, P14 D7).
HEADING_LINE = "kj-heading-line"
_NAME_PART = re.compile(f"[{CJK_LETTERS}·]+")
NAME_CHARS = 5  # a person's name: 其木格, 阿拉坦仓, 乌云其其格; a longer part is a unit's name with its person's


def _bind_names(text: str, add) -> None:
    """A WORD JOINER inside each person's name of a list of names (a 纪要's 出席：王立群　其木格):
    the list breaks between names only (it was set "其木 / 格", an unseen 纪要), as the 版记's
    lists do. A longer part is a unit and its person (市委办公室李建国, 内蒙古农业大学曹其其格):
    it breaks between words (_bind_words) but not in its last NAME_CHARS - 1 characters, where
    the person's name is (jieba took 志强 of 市市场监管局秦志强 for a word: "秦 / 志强", an unseen
    纪要). A two-character name written with a full-width space to line it up with the
    three-character ones ("高　娃") is one name (name_spans)."""
    for start, end in name_spans(text):
        for i in range(start + 1 if end - start <= NAME_CHARS else end - NAME_CHARS + 1, end):
            add(i, WJ)


def name_spans(text: str) -> list[tuple[int, int]]:
    """The names of a list of names, as (start, end) in ``text``: runs of Chinese letters and
    ·, a two-character name written with one full-width space to line it up with the
    three-character ones ("高　娃") one name. (Also inputs/markdown.py: a paragraph of names.)"""
    parts = [(m.start(), m.end()) for m in _NAME_PART.finditer(text)]
    spans, k = [], 0
    while k < len(parts):
        start, end = parts[k]
        if (end - start == 1 and k + 1 < len(parts) and parts[k + 1][1] - parts[k + 1][0] == 1
                and text[end:parts[k + 1][0]] == "\u3000"):
            k += 1
            end = parts[k][1]
        spans.append((start, end))
        k += 1
    return spans


def _bind_leading_dash(text: str, add) -> None:
    """A 副题 or an attribution that starts with a dash ("——记内蒙古……", "——访市科技局……",
    "——乌云其其格在……"): no break after the dash, nor after a one-character word that follows
    it (记, 访), so no line holds "——" or "——记" alone."""
    letters = re.match(f"[{CJK_LETTERS}]+", text[2:]) if text.startswith("——") else None
    if letters is None:
        return
    add(2, WJ)
    if len(letters.group(0)) > 1 and len(segment(letters.group(0))[0]) == 1:
        add(3, WJ)


def _bind_last_word(text: str, add) -> None:
    """A WORD JOINER before the paragraph's last word: its last line has at least two."""
    end = len(text.rstrip())
    while end and (text[end - 1] in CLOSING + STOPS + "…—.!?" or text[end - 1] in (ZWSP, WJ, NOTE)):
        end -= 1
    if not end:
        return
    start = end - 1
    if not is_cjk_letter(text[start]):
        latin = [m for m in _LATIN_RUN.finditer(text, 0, end) if m.end() == end]
        if not latin:
            return
        start = latin[-1].start()
    if start > 0 and not text[start - 1].isspace():
        add(start, WJ)


# A word English hyphenation may break: six letters or more, lower case after a capital (not
# an acronym or a product name such as ChatGPT, RISC-V, which must stay whole).
_LONG_WORD = re.compile(r"(?<![A-Za-z])[A-Z]?[a-z]{5,}(?![A-Za-z])")


# A name or an identifier: a compound joined by hyphens, underscores, | or & (Dangerous-Workflow,
# Science|Business, megawatt-hours) or written in CamelCase (OpenSSF): never hyphenated, as TeX never hyphenates a
# word with a hyphen of its own ("“Pinned-Dependen- / cies”", an unseen issue); the composer's
# hyphenation points skip such words too (engine/justify.py _hyphenations).
_IDENTIFIER = re.compile(r"(?=.*(?:[0-9A-Za-z\u00c0-\u024f][-_|&][0-9A-Za-z\u00c0-\u024f]|[a-z][A-Z])).+", re.S)
_COMPOUND = re.compile(r"[0-9A-Za-z\u00c0-\u024f_|&-]")


def _compound(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the compound (letters, digits, hyphens, underscores) around text[start:end]."""
    while start > 0 and _COMPOUND.match(text[start - 1]):
        start -= 1
    while end < len(text) and _COMPOUND.match(text[end]):
        end += 1
    return start, end


def _wraps(text: str, options: Options, urls: list, quotes: list[int],
           hyphenate: bool = True) -> list[tuple[int, int, str]]:
    """Spans to wrap around ranges of the run's text: (start, end, attributes). ``urls``: the
    run's URL matches; ``quotes``: where its English quotation marks are."""
    wraps = [(i, i + 1, 'class="kj-pw"') for i in quotes]
    for match in urls:
        wraps.append((*match.span(), 'class="kj-url"'))  # no ligatures inside a URL
    # A 间隔号 in a name (埃隆·马斯克, 约瑟夫·J·芬斯) or a dot in a unit (kW·h, N·m): a layout whose
    # body face draws it full width sets it from a face that draws it narrow (gongwen.css
    # .kj-dot: FandolFang spaced the name out, "埃隆 · 马斯克", and the unit, "kW · h", where
    # titles and jianbao set them tight).
    wraps += [(i, i + 1, 'class="kj-dot"') for i in range(1, len(text) - 1)
              if text[i] in "·・" and text[i - 1].isalnum() and text[i + 1].isalnum()]
    # … and so is a range's tilde (10%～15%, 80～90 ℃, 1.8 V～2.1 V, 0.05 m～200 m: FandolFang's is a
    # small mark between gaps; after a unit's letter it came from FandolFang, after a digit from
    # the 宋体, two glyphs for one mark in a paragraph, an unseen issue, P12 D9).
    # (RANGE_TILDE: after a Chinese unit and before a sign too, P17 D5.)
    wraps += [(*match.span(), 'class="kj-dot"') for match in RANGE_TILDE.finditer(text)]
    # A sign of a number (±15%, ≥3 nm): the CJK faces have only a full-width ± ≥ ≤ (no pwid form),
    # "±15%" read "±  15%" beside "−20 °C" (P17 D8): from the symbols face, proportional.
    wraps += [(i, i + 1, 'class="kj-sign"') for i in range(len(text) - 1)
              if text[i] in NUMBER_SIGNS and text[i + 1].isdigit()]
    # … and a trade mark's ™ or ℠ after its name (FandolFang draws a tiny mark in a full-width
    # cell: "Meiji™" printed an em of white before its mark, an unseen issue, P11 D5).
    wraps += [(i, i + 1, 'class="kj-dot"') for i in range(1, len(text))
              if text[i] in "™℠" and text[i - 1].isalnum()]
    if options.latin_hyphenation and hyphenate:
        # A long English word may be hyphenated rather than leave a spaced-out line before
        # it (Pango knows no Chinese-English mix; the span tells WeasyPrint to use pyphen).
        # One span for a run of words with their spaces (Anthropic Claude 3 Opus): WeasyPrint
        # does not break at a space that follows a span, so a span per word set the line
        # "…Gemini 1.5 Pro、Anthropic" 4 ems short, where "Claude" fitted (an unseen issue).
        for start, end in _english_runs(text):
            if any(not _IDENTIFIER.fullmatch(text, *_compound(text, *word.span()))
                   for word in _LONG_WORD.finditer(text, start, end)):
                # American patterns: pyphen's "en" is British, act-ive, radi-at-ive (an unseen issue).
                wraps.append((start, end, 'class="kj-en" lang="en-US"'))
    return sorted(wraps)


def _english_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of Latin words and numbers parted by spaces only, URLs apart."""
    runs: list[tuple[int, int]] = []
    for match in _LATIN_RUN.finditer(text):
        if _URL.fullmatch(match.group()):
            continue
        start, end = match.span()
        if runs and text[runs[-1][1]:start].strip(" ") == "" and runs[-1][1] < start:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return runs


def _weave(pieces: list, inserts: dict[int, str], wraps: list[tuple[int, int, str]],
           dropped: set[int] = frozenset()) -> str:
    """Put the run back together with the insertions and spans, escaping its text, without the
    characters at ``dropped`` (typed spaces the Han–Latin spacing replaces).

    A span is only drawn where its range lies within one text piece: across a tag (a bold
    run-in ending mid-word, say) the markup would nest wrongly, and the spacing is dropped.
    """
    out: list[str] = []
    offset = 0
    for piece in pieces:
        if not isinstance(piece, str):
            if piece[0] in ("obj", "note"):
                out.append(inserts.get(offset, ""))
                offset += 1
            out.append(piece[1])
            continue
        start, end = offset, offset + len(piece)
        # Spans that start together open the longer first, so they nest: an English run may
        # begin with a number's sign (kj-en around "±15% of the population", kj-sign around ±).
        opens: dict[int, list[str]] = {}
        closes: dict[int, int] = {}
        for a, b, cls in sorted(wraps, key=lambda wrap: (wrap[0], -wrap[1])):
            if start <= a and b <= end:
                opens.setdefault(a, []).append(f"<span {cls}>")
                closes[b] = closes.get(b, 0) + 1
        for i in range(start, end):
            out.append("</span>" * closes.get(i, 0))
            if i in inserts:
                out.append(inserts[i])
            out.extend(opens.get(i, ()))
            if i not in dropped:
                out.append(html.escape(piece[i - start], quote=False))
        out.append("</span>" * closes.get(end, 0))
        offset = end
    return "".join(out)
