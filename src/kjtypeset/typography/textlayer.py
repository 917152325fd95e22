"""Finishing: Han–Latin spacing that text extractors do not read as a space.

The ¼ em between Han and a Latin word or number (cjk.py) is a gap between two text runs, and
extractors infer a space from a gap: pypdf from about 0.13 em, PDFium (Chrome) from 0.18 em,
pdfminer/pdfplumber from 3 pt. "2023年" would copy as "2023 年", the very artefact the importer
removes from sources. Here, in the master PDF, the gap is folded into the Latin glyph beside it:
that glyph is drawn from a twin of its font in which it is wider by the gap (on the Han side;
on its left, the outline moves right by as much and the run starts that much earlier). The
width is changed in the font dictionary's /W and in the embedded program alike, as PDF/A
requires; the page looks the same, and no gap is left for an extractor to read as a space.

A gap is closed only between two runs of one size on one baseline, with nothing but marked
content between them, between a Han character and a Latin letter or digit, MIN_EM to MAX_EM
wide, in steps of STEP_EM (what is left, under STEP_EM, is below every extractor's threshold).
Inside a run, a gap between two Chinese letters wider than SPREAD_MIN_EM is closed too: a line
the composer had to spread past its cap (linefit.SPREAD_GAP_EM, 稀排) has such gaps.
Only streams as WeasyPrint writes them are read (one operation a line, CID text in TJ arrays);
whatever else is met is left as it is, and a font that cannot be widened keeps its gaps. A twin holds only the glyphs it
widens, numbered 1, 2, … (HarfBuzz cuts them from the embedded font; fontTools widens them).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import math
import re
from dataclasses import dataclass, field

import uharfbuzz
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject, NumberObject

from .chars import ends_spaced_run
from .cjk import is_han  # the characters cjk.py spaces from Latin are the ones closed here

LOGGER = logging.getLogger("kjtypeset.typography.textlayer")
MIN_EM, MAX_EM, STEP_EM = 0.15, 1.0, 0.1  # a justified line may widen ¼ em to ¾
SPREAD_MIN_EM = 0.18  # a gap between Chinese letters wider than the layouts' cap (0.17 em)


@dataclass
class _Font:
    """A Type0 font as the content stream uses it: widths and text of each CID."""

    ref: object
    widths: dict[int, float]
    default: float
    text: dict[int, str]
    foldable: bool = True  # its program can be cut into twins (CFF); else its gaps close on the Han side

    def width(self, cid: int) -> float:
        return self.widths.get(cid, self.default)


@dataclass
class _Run:
    """One TJ: where it starts and ends, and what its first and last glyphs say."""

    op: int
    tm: int | None  # index of the Tm that placed it, if it was placed absolutely
    font: str
    size: float
    x: float  # where its first glyph starts (after any leading adjustment)
    y: float
    end: float  # where its last glyph ends (before any trailing adjustment)
    first: str
    last: str
    left: int = 0  # thousandths of an em to fold into the first glyph (a gap before it)
    right: int = 0  # … into the last glyph (a gap after it)
    closed_before: bool = False  # a gap before it is closed: leading adjustments go
    closed_after: bool = False  # a gap after it is closed: trailing adjustments go
    tokens: list = field(default_factory=list)  # its TJ array, gaps inside it already folded
    foldable: bool = True  # its font can be cut into twins
    changed: bool = False  # its adjustments were rewritten (a gap at its end was folded)
    partners: list = field(default_factory=list)  # runs whose adjustments changed with its own
    inner: dict = field(default_factory=dict)  # token index → [left, right] folded inside it

    @property
    def edited(self) -> bool:
        return bool(self.left or self.right or self.closed_before or self.closed_after
                    or self.inner or self.changed)

    def widened(self) -> dict[int, tuple[int, int]]:
        """Token index of each glyph drawn from a twin → (left, right) thousandths."""
        glyphs = [i for i, (kind, _) in enumerate(self.tokens) if kind == "g"]
        out = {i: list(v) for i, v in self.inner.items()}
        if self.left:
            out.setdefault(glyphs[0], [0, 0])[0] += self.left
        if self.right:
            out.setdefault(glyphs[-1], [0, 0])[1] += self.right
        return {i: (left, right) for i, (left, right) in out.items() if left or right}


def close_spacing_gaps(pdf: bytes) -> tuple[bytes, int]:
    """The PDF with its Han–Latin gaps folded into the Latin glyphs (unchanged if none), and
    how many gaps it found but left open (their font could not be widened): each copies as a space."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = reader.pdf_header
    changed, left_open = close_gaps(writer)
    if not changed:
        return pdf, 0
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), left_open


def close_gaps(writer: PdfWriter) -> tuple[bool, int]:
    """close_spacing_gaps on a PDF being written: whether it changed anything, and how many
    gaps it left open. For a caller that edits the same writer further (the preview's pages:
    one pypdf parse and write instead of two)."""
    pages = []
    wanted: dict[tuple[int, int, int], set[int]] = {}  # (font object, left, right) → CIDs
    fonts_by_id: dict[int, _Font | None] = {}  # pages share their fonts: read each once
    for page in writer.pages:
        stream = page.get("/Contents")
        stream = stream.get_object() if stream is not None else None
        if stream is None or isinstance(stream, ArrayObject):
            continue  # WeasyPrint writes one content stream a page
        fonts = {}
        for name, ref in page["/Resources"].get_object().get("/Font", {}).items():
            if ref.idnum not in fonts_by_id:
                fonts_by_id[ref.idnum] = _read_font(ref)
            if fonts_by_id[ref.idnum]:
                fonts[str(name)] = fonts_by_id[ref.idnum]
        try:
            operations = _parse(stream.get_data())
        except ValueError:  # not the content WeasyPrint writes: leave the page as it is
            continue
        runs = [run for run in _runs(operations, fonts) if run.edited]
        for run in runs:
            font = fonts[run.font]
            for cid, left, right in _edited_glyphs(operations[run.op][0][0], run):
                wanted.setdefault((font.ref.idnum, left, right), set()).add(cid)
        if runs:
            pages.append((page, stream, operations, fonts, runs))
    if not wanted:
        return False, 0
    twins = {}
    for key, cids in wanted.items():
        try:
            twins[key] = _twin_font(writer, fonts_by_id[key[0]], key, cids)
        except Exception as exc:  # a font program this cannot widen: its gaps stay (and read as spaces)
            LOGGER.debug("no twin for %s: %s", key, exc)
    left_open = 0
    for _page, _stream, operations, fonts, runs in pages:
        for run in runs:
            font_id = fonts[run.font].ref.idnum
            if any((font_id, left, right) not in twins
                   for _cid, left, right in _edited_glyphs(operations[run.op][0][0], run)):
                left_open += bool(run.left) + bool(run.right)
                run.left = run.right = 0  # the adjustments beside it still go: nothing moves
                for kept in [run, *run.partners]:  # a gap folded across two TJs stays open in both
                    left_open += sum((left > 0) + (right > 0) for left, right in kept.inner.values())
                    kept.tokens, kept.inner, kept.changed = _Tokens(operations[kept.op][0][0]), {}, False
    for page, stream, operations, fonts, runs in pages:
        names = page["/Resources"].get_object()["/Font"].get_object()
        for name, ref, _renumbered in twins.values():
            names[NameObject(name)] = ref
        stream.set_data(_serialise(_rewrite(operations, runs, fonts, twins)))
    return True, left_open


_twins_kept = None  # {(font program, glyph ids, left, right): _widened's result}, see twins_kept
_twins_used = set()  # the keys looked up since twins_kept was entered


@contextlib.contextmanager
def twins_kept(store: dict):
    """Within: a font program's twin for the same glyphs and widening is taken from ``store``
    (a dict its caller keeps between writes) instead of being cut and widened again with
    HarfBuzz and fontTools (~30 ms a write of one page of the sample). The preview keeps one:
    its font subsets are reused between writes (engine/fontload.py SubsetReuse), so a page
    painted again embeds the same programs. On leaving, the store keeps only this write's."""
    global _twins_kept
    outer, _twins_kept = _twins_kept, store
    _twins_used.clear()
    try:
        yield store
    finally:
        for key in [key for key in store if key not in _twins_used]:
            del store[key]
        _twins_used.clear()
        _twins_kept = outer


def _widened_kept(program: bytes, gids: list[int], left: int, right: int) -> tuple[bytes, dict[int, int]]:
    if _twins_kept is None:
        return _widened(program, gids, left, right)
    key = (program, tuple(gids), left, right)
    _twins_used.add(key)
    if key not in _twins_kept:
        _twins_kept[key] = _widened(program, gids, left, right)
    return _twins_kept[key]


# ---- reading ------------------------------------------------------------------------------

def _read_font(ref) -> _Font | None:
    font = ref.get_object()
    if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H" \
            or "/ToUnicode" not in font:
        return None
    cid_font = font["/DescendantFonts"][0].get_object()
    program = cid_font["/FontDescriptor"].get_object().get("/FontFile3")
    foldable = program is not None and program.get_object().get("/Subtype") == "/OpenType"
    widths: dict[int, float] = {}
    w, i = list(cid_font.get("/W", [])), 0
    while i < len(w):
        if isinstance(w[i + 1], list):
            widths.update((int(w[i]) + k, float(v)) for k, v in enumerate(w[i + 1]))
            i += 2
        else:
            widths.update((cid, float(w[i + 2])) for cid in range(int(w[i]), int(w[i + 1]) + 1))
            i += 3
    return _Font(ref, widths, float(cid_font.get("/DW", 1000)),
                 _to_unicode(font["/ToUnicode"].get_object().get_data()), foldable)


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """The bfchar and bfrange entries of a ToUnicode CMap."""
    text: dict[int, str] = {}
    data = cmap.decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, value in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            text[int(code, 16)] = bytes.fromhex(value).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, value in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            text.update((code, chr(int(value, 16) + k))
                        for k, code in enumerate(range(int(low, 16), int(high, 16) + 1)))
    return text


_TJ = re.compile(rb"\[(.*)\]\s*TJ")
_TJ_ITEM = re.compile(rb"<([0-9a-fA-F]*)>|([-+]?[0-9]*\.?[0-9]+)")
_TEXT_STATE = {b"BT", b"ET", b"Tm", b"Tf", b"TJ", b"Tj", b"'", b'"', b"Td", b"TD", b"T*", b"Tc",
               b"Tw", b"Tz", b"TL", b"Ts", b"BDC", b"BMC", b"EMC"}


def _parse(data: bytes) -> list[tuple[list, bytes, bytes | None]]:
    """A WeasyPrint content stream, one operation a line: (operands, operator, the line).

    Only what the gap folding reads is decoded: Tm and Tf operands and TJ arrays (as tokens,
    see _tokens). A line that holds operands only (a marked-content tag or its properties)
    has operator b""; an operator this module does not know is b"?" (graphics).
    """
    operations = []
    for line in data.split(b"\n"):
        words = line.split()
        if not words:
            continue
        operator = words[-1]
        operands: list = []
        if operator == b"TJ":
            match = _TJ.fullmatch(line.strip())
            if match is None or b"(" in match.group(1):
                operator = b"Tj"  # a literal string: not WeasyPrint's CID text, left alone
            else:
                tokens: list[tuple[str, object]] = []
                for hexa, number in _TJ_ITEM.findall(match.group(1)):
                    if number:
                        tokens.append(("n", float(number)))
                    else:
                        tokens += [("g", int(hexa[k:k + 4], 16)) for k in range(0, len(hexa) - 3, 4)]
                operands = [tokens]
        elif operator == b"Tm":
            operands = [float(v) for v in words[:6]]
        elif operator == b"Tf":
            operands = [words[0].decode("latin-1"), float(words[1])]
        elif operator not in _TEXT_STATE:
            operator = b"" if words[0][:1] in b"/<[(" else b"?"
        operations.append((operands, operator, line))
    return operations


def _serialise(operations) -> bytes:
    lines = []
    for operands, operator, line in operations:
        if line is not None:
            lines.append(line)
        elif operator == b"TJ":
            lines.append(b"[" + _array(operands[0]) + b"] TJ")
        elif operator == b"Tm":
            lines.append(b" ".join(_number(v) for v in operands) + b" Tm")
        elif operator == b"Tf":
            lines.append(operands[0].encode("latin-1") + b" " + _number(operands[1]) + b" Tf")
    return b"\n".join(lines)


def _number(value: float) -> bytes:
    return (f"{value:.6f}".rstrip("0").rstrip(".") or "0").encode()


def _runs(operations, fonts: dict[str, _Font]) -> list[_Run]:
    """Every TJ in a font we can read, with the gaps to close at its ends."""
    runs: list[_Run] = []
    font = size = None
    x = y = 0.0
    tm = None
    previous: _Run | None = None
    in_text = False
    for index, (operands, operator, _line) in enumerate(operations):
        if not in_text and operator not in (b"BT", b"BDC", b"BMC", b"EMC", b""):
            previous = None  # graphics between two text objects: the next one stands apart
        if operator in (b"BT", b"ET"):
            # A text object that follows another with nothing but marked content between
            # (WeasyPrint's ActualText spans) continues its line: runs are placed by Tm.
            in_text, x, y, tm = operator == b"BT", 0.0, 0.0, None
        elif operator == b"Tf":
            font, size = operands
        elif operator == b"Tm":
            a, b, c, d, x, y = operands
            tm = index
            if (a, b, c, abs(d)) != (1, 0, 0, 1):
                previous, tm = None, None  # scaled or rotated text is left alone
        elif operator == b"TJ" and font in fonts and size:
            tokens = operands[0]  # glyphs ("g", CID) and adjustments ("n", number)
            glyphs = [value for kind, value in tokens if kind == "g"]
            text = "".join(fonts[font].text.get(cid, "") for cid in glyphs)
            if not text:
                previous, tm = None, None
                continue
            kinds = [k for k, _ in tokens]
            first, last = kinds.index("g"), len(kinds) - 1 - kinds[::-1].index("g")
            advance = [(fonts[font].width(v) if k == "g" else -v) / 1000 * size for k, v in tokens]
            start = x + sum(advance[:first])
            end = start + sum(advance[first:last + 1])
            foldable = fonts[font].foldable
            run = _Run(index, tm, font, size, start, y, end, text[0], text[-1],
                       tokens=_fold_inside(tokens, fonts[font]) if foldable else _Tokens(tokens),
                       foldable=foldable)
            run.inner = run.tokens.inner
            if previous and previous.y == y and previous.size == size and tm is None \
                    and index == previous.op + 2 and operations[index - 1][1] == b"Tf":
                _fold_between(previous, run)  # one text box changing font: no Tm between
            elif previous and previous.y == y and previous.size == size and tm is not None:
                gap = _step((start - previous.end) / size)
                han_latin = is_han(previous.last) and ends_spaced_run(run.first)
                latin_han = ends_spaced_run(previous.last) and is_han(run.first)
                han_han = (is_han(previous.last) and is_han(run.first)  # spread past the cap
                           and (start - previous.end) / size > SPREAD_MIN_EM)
                # Folded into the Latin glyph when its font can be widened, else into the Han one.
                if gap and ((han_latin and run.foldable) or (latin_han and not previous.foldable
                                                           and run.foldable)):
                    run.left = gap
                elif gap and (han_latin or latin_han or han_han) and previous.foldable:
                    previous.right = gap
                else:
                    gap = 0
                if gap:
                    previous.closed_after = run.closed_before = True
            runs.append(run)
            previous, x, tm = run, start + sum(advance[first:]), None
        elif operator == b"TJ":  # text in a font this cannot read (TrueType, Type1): no gap across it
            previous, tm = None, None
        elif operator in (b"Tj", b"'", b'"', b"Td", b"TD", b"T*", b"Tc", b"Tw", b"Tz", b"TL", b"Ts"):
            previous, tm = None, None  # WeasyPrint writes none of these: leave such text alone
    return runs


class _Tokens(list):
    """A TJ array's tokens, and the glyphs (by token index) a gap inside it was folded into."""

    inner: dict = {}


def _fold_inside(tokens, font: _Font) -> _Tokens:
    """The tokens with each Han–Latin gap between two of its glyphs folded into the Latin one:
    the adjustments between them become what is left of the gap under STEP_EM (the spacing
    the line composer sets lies inside one text box, so inside one TJ)."""
    out = _Tokens()
    out.inner = {}
    previous = None  # (index in out, text) of the last glyph
    pending: list[float] = []
    for kind, value in tokens:
        if kind == "n":
            pending.append(value)
            continue
        text = font.text.get(value, "")
        widen = None  # (token index, side) of the glyph that takes the gap
        if previous is not None and pending:
            gap = -sum(pending) / 1000
            fold = _step(gap)
            before, after = previous[1][-1:], text[:1]
            spaced = (is_han(before) and ends_spaced_run(after)
                      or ends_spaced_run(before) and is_han(after))
            # Between two Chinese letters, past the cap: a line spread so that it is not left
            # short (linefit.SPREAD_GAP_EM, 稀排), folded into the glyph before the gap.
            spread = not spaced and gap > SPREAD_MIN_EM and is_han(before) and is_han(after)
            if fold and (spaced or spread):
                rest = gap * 1000 - fold
                pending = [-rest] if abs(rest) > 1e-6 else []
                if spread or not is_han(before):
                    widen = (previous[0], 1)
                else:  # into the Latin glyph after the Han one
                    widen = (len(out) + len(pending), 0)
                out.inner.setdefault(widen[0], [0, 0])[widen[1]] += fold
        out.extend(("n", v) for v in pending)
        pending = []
        previous = (len(out), text)
        out.append((kind, value))
    out.extend(("n", v) for v in pending)
    return out


def _fold_between(previous: _Run, run: _Run) -> None:
    """Fold a Han–Latin gap between two TJs of one text box (a font change between them, the
    text position flowing on): the adjustments at their meeting become what is left of the
    gap, and a glyph of whichever font can be widened takes the rest (the Latin one first)."""
    before, after = previous.tokens, run.tokens
    tail = len(before)
    while tail and before[tail - 1][0] == "n":
        tail -= 1
    head = 0
    while head < len(after) and after[head][0] == "n":
        head += 1
    if not tail or head == len(after):
        return
    gap = -(sum(v for _k, v in before[tail:]) + sum(v for _k, v in after[:head])) / 1000
    fold = _step(gap)
    han_latin = is_han(previous.last) and ends_spaced_run(run.first)
    latin_han = ends_spaced_run(previous.last) and is_han(run.first)
    han_han = is_han(previous.last) and is_han(run.first) and gap > SPREAD_MIN_EM
    if not fold or not (han_latin or latin_han or han_han) or not (previous.foldable or run.foldable):
        return
    rest = gap * 1000 - fold
    remainder = [("n", -rest)] if abs(rest) > 1e-6 else []
    into_run = run.foldable and (han_latin or not previous.foldable)
    previous.tokens = _Tokens(before[:tail])
    previous.tokens.inner = {i: v for i, v in before.inner.items() if i < tail}
    run.tokens = _Tokens(remainder + list(after[head:]))
    run.tokens.inner = {i - head + len(remainder): v for i, v in after.inner.items()}
    if into_run:
        run.tokens.inner.setdefault(len(remainder), [0, 0])[0] += fold
    else:
        previous.tokens.inner.setdefault(tail - 1, [0, 0])[1] += fold
    previous.inner, run.inner = previous.tokens.inner, run.tokens.inner
    previous.changed = run.changed = True
    previous.partners.append(run)
    run.partners.append(previous)


def _step(gap_em: float) -> int:
    """The part of a gap to fold into a glyph, in thousandths of an em (0: leave it)."""
    if not MIN_EM <= gap_em <= MAX_EM:
        return 0
    return int(math.floor(gap_em / STEP_EM + 1e-6) * STEP_EM * 1000 + 0.5)


def _edited_glyphs(array, run: _Run) -> list[tuple[int, int, int]]:
    """(CID, left, right) of the glyphs of ``run`` drawn from a twin."""
    return [(run.tokens[i][1], left, right) for i, (left, right) in run.widened().items()]


# ---- writing ------------------------------------------------------------------------------

def _rewrite(operations, runs: list[_Run], fonts: dict[str, _Font], twins) -> list:
    """The operations with each edited run's folded glyphs drawn from their twin fonts."""
    by_op = {run.op: run for run in runs}
    by_tm = {run.tm: run for run in runs if run.closed_before}
    out = []
    current_font = None
    for index, (operands, operator, line) in enumerate(operations):
        if operator == b"Tf":
            current_font = operands
        if index in by_tm:  # placed at its first glyph, earlier by what that glyph now holds
            run = by_tm[index]
            out.append(([*operands[:4], run.x - run.left / 1000 * run.size, operands[5]], b"Tm", None))
            continue
        if index not in by_op:
            out.append((operands, operator, line))
            continue
        run = by_op[index]
        font_id = fonts[run.font].ref.idnum
        tokens = run.tokens
        widened = run.widened()
        positions = [i for i, (kind, _) in enumerate(tokens) if kind == "g"]
        # Adjustments beside a closed gap were part of it: a reader would see them as one.
        start = positions[0] if run.closed_before else 0
        stop = positions[-1] + 1 if run.closed_after else len(tokens)
        segment: list = []
        for i in range(start, stop):
            kind, value = tokens[i]
            if kind == "g" and i in widened:
                if segment:
                    out.append(([segment], b"TJ", None))
                    segment = []
                key = (font_id, *widened[i])
                out.append(([twins[key][0], run.size], b"Tf", None))
                out.append(([[("g", twins[key][2][value])]], b"TJ", None))
                out.append((current_font, b"Tf", None))
            else:
                segment.append((kind, value))
        if segment:
            out.append(([segment], b"TJ", None))
    return out


def _array(tokens) -> bytes:
    """Tokens back into a TJ array's content: runs of glyphs as one string, then numbers."""
    out, glyphs = [], []
    for kind, value in tokens:
        if kind == "g":
            glyphs.append(f"{value:04x}")
            continue
        if glyphs:
            out.append("<" + "".join(glyphs) + ">")
            glyphs = []
        out.append(_number(value).decode())
    if glyphs:
        out.append("<" + "".join(glyphs) + ">")
    return " ".join(out).encode()


def _twin_font(writer: PdfWriter, base: _Font, key: tuple[int, int, int], cids: set[int]):
    """(resource name, reference, CID in ``base`` → CID in the twin) of a small font holding
    ``cids``, each wider by left + right thousandths of an em, its outline moved right by left."""
    _font_id, left, right = key
    font = base.ref.get_object()
    cid_font = font["/DescendantFonts"][0].get_object()
    descriptor = cid_font["/FontDescriptor"].get_object()
    digest = hashlib.md5(f"{key}{sorted(cids)}".encode()).digest()
    tag = "".join(chr(65 + byte % 26) for byte in digest[:6])  # a subset tag of its own
    name = f"/{tag}+{str(font['/BaseFont']).split('+', 1)[-1]}"
    data, renumbered = _widened_kept(descriptor["/FontFile3"].get_object().get_data(), sorted(cids), left, right)

    program = DecodedStreamObject()
    program.set_data(data)
    program[NameObject("/Subtype")] = NameObject("/OpenType")
    new_descriptor = DictionaryObject(descriptor)
    new_descriptor[NameObject("/FontName")] = NameObject(name)
    new_descriptor[NameObject("/FontFile3")] = writer._add_object(program.flate_encode())
    new_descriptor.pop(NameObject("/CIDSet"), None)  # optional since PDF/A-2

    widths = ArrayObject()
    for cid in sorted(cids):
        widths += [NumberObject(renumbered[cid]), ArrayObject([FloatObject(base.width(cid) + left + right)])]
    new_cid_font = DictionaryObject(cid_font)
    new_cid_font[NameObject("/BaseFont")] = NameObject(name)
    new_cid_font[NameObject("/FontDescriptor")] = writer._add_object(new_descriptor)
    new_cid_font[NameObject("/W")] = widths

    to_unicode = DecodedStreamObject()
    to_unicode.set_data(_cmap({renumbered[cid]: base.text.get(cid, "") for cid in cids}))
    new_font = DictionaryObject(font)
    new_font[NameObject("/BaseFont")] = NameObject(name)
    new_font[NameObject("/DescendantFonts")] = ArrayObject([writer._add_object(new_cid_font)])
    new_font[NameObject("/ToUnicode")] = writer._add_object(to_unicode.flate_encode())
    return f"/kj{key[0]}l{left}r{right}", writer._add_object(new_font), renumbered


def _cmap(text: dict[int, str]) -> bytes:
    """A ToUnicode CMap for two-byte codes."""
    entries = "\n".join(f"<{code:04x}> <{value.encode('utf-16-be').hex()}>" for code, value in sorted(text.items()))
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n"
            f"{len(text)} beginbfchar\n{entries}\nendbfchar\n"
            "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode()


def _widened(program: bytes, gids: list[int], left: int, right: int) -> tuple[bytes, dict[int, int]]:
    """The font program cut to ``gids``, numbered 1, 2, … in their order (CID = glyph id, as
    in the font it comes from), each wider by left + right units of a 1000-unit em, its outline
    moved right by ``left``: hmtx and CFF widths agree. Also: old glyph id → new."""
    face = uharfbuzz.Face(uharfbuzz.Blob(program))
    cut = uharfbuzz.SubsetInput()
    for gid in gids:
        cut.glyph_set.add(gid)
    cut.flags = uharfbuzz.SubsetFlags.DESUBROUTINIZE
    dropped = cut.sets(uharfbuzz.SubsetInputSets.DROP_TABLE_TAG)
    for tag in ("vhea", "vmtx", "VORG", "GSUB", "GPOS", "GDEF", "BASE"):  # horizontal text only
        dropped.add(int.from_bytes(tag.encode(), "big"))
    font = TTFont(io.BytesIO(uharfbuzz.subset(face, cut).blob.data), recalcBBoxes=False,
                   recalcTimestamp=False)  # builds repeat exactly
    order = font.getGlyphOrder()
    if len(order) != len(gids) + 1:
        raise ValueError(f"subset kept {len(order)} glyphs for {len(gids)}")
    top = font["CFF "].cff.topDictIndex[0]
    charstrings = top.CharStrings  # loaded now: it is keyed by the names in the charset
    if hasattr(top, "ROS"):  # CID-keyed: a glyph's name is its CID; make CID = glyph id
        names = [order[0]] + [f"cid{i:05d}" for i in range(1, len(order))]
        rename = dict(zip(order, names))
        top.charset = names
        charstrings.charStrings = {rename[n]: i for n, i in charstrings.charStrings.items()}
        font["hmtx"].metrics = {rename[n]: m for n, m in font["hmtx"].metrics.items()}
        for table in font["cmap"].tables if "cmap" in font else ():
            table.cmap = {code: rename[n] for code, n in table.cmap.items()}
        font.setGlyphOrder(names)
        order = names
    scale = font["head"].unitsPerEm / 1000
    left, extra = round(left * scale), round((left + right) * scale)
    for name in order[1:]:
        advance, lsb = font["hmtx"][name]
        font["hmtx"][name] = (advance + extra, lsb + left)
        charstring, selector = charstrings.getItemAndSelector(name)
        private = top.FDArray[selector].Private if hasattr(top, "FDArray") else top.Private
        # A charstring holds its width less the private dict's nominalWidthX.
        pen = T2CharStringPen(advance + extra - private.nominalWidthX, None)
        charstring.draw(TransformPen(pen, (1, 0, 0, 1, left, 0)))
        charstrings[name] = pen.getCharString(private, charstring.globalSubrs)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), {gid: i for i, gid in enumerate(gids, start=1)}
