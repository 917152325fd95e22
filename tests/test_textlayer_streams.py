"""typography/textlayer on small content streams written for the test, in a tiny CFF font made
here: which gaps are closed, which are left (and counted), and what is left alone (text in a
font that is not CID-keyed OpenType, literal strings, scaled text, other lines)."""

from __future__ import annotations

import io

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from kjtypeset.typography import textlayer
from kjtypeset.typography.textlayer import _Font, _parse, _runs, _step, close_spacing_gaps

SIZE = 10.0
HAN, TWO, ZERO, A = 1, 2, 3, 4  # glyph ids in the tiny font, and CIDs in the PDF
WIDTHS = {HAN: 1000, TWO: 500, ZERO: 500, A: 600}
TEXT = {HAN: "年", TWO: "2", ZERO: "0", A: "A"}


def tiny_font() -> bytes:
    """An OpenType font with CFF outlines: a Han glyph, two digits and a letter."""
    names = [".notdef", "han", "two", "zero", "A"]
    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({0x5E74: "han", 0x32: "two", 0x30: "zero", 0x41: "A"})
    widths = dict(zip(names, [500] + [WIDTHS[g] for g in (HAN, TWO, ZERO, A)]))
    charstrings = {}
    for name, width in widths.items():
        pen = T2CharStringPen(width, None)
        pen.moveTo((50, 0)), pen.lineTo((50, 600)), pen.lineTo((width - 50, 600)), pen.closePath()
        charstrings[name] = pen.getCharString()
    builder.setupCFF("Tiny-Regular", {"FullName": "Tiny"}, charstrings, {})
    builder.setupHorizontalMetrics({name: (width, 50) for name, width in widths.items()})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "Tiny", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


def pdf_with(content: str, program: bytes | None = None, extra_fonts: dict | None = None) -> bytes:
    """One page drawing ``content`` with /F1, a Type0 (Identity-H) font over ``program``
    (the tiny font by default), as WeasyPrint embeds its fonts."""
    writer = PdfWriter()
    page = writer.add_blank_page(200, 100)
    stream = DecodedStreamObject()
    stream.set_data((program if program is not None else tiny_font()))
    stream[NameObject("/Subtype")] = NameObject("/OpenType")
    descriptor = DictionaryObject({
        NameObject("/Type"): NameObject("/FontDescriptor"), NameObject("/FontName"): NameObject("/ABCDEF+Tiny"),
        NameObject("/Flags"): NumberObject(4), NameObject("/ItalicAngle"): NumberObject(0),
        NameObject("/FontBBox"): ArrayObject([NumberObject(v) for v in (0, -120, 1000, 880)]),
        NameObject("/Ascent"): NumberObject(880), NameObject("/Descent"): NumberObject(-120),
        NameObject("/CapHeight"): NumberObject(700), NameObject("/StemV"): NumberObject(80),
        NameObject("/FontFile3"): writer._add_object(stream)})
    cid_font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/CIDFontType0"),
        NameObject("/BaseFont"): NameObject("/ABCDEF+Tiny"),
        NameObject("/CIDSystemInfo"): DictionaryObject({
            NameObject("/Registry"): TextStringObject("Adobe"), NameObject("/Ordering"): TextStringObject("Identity"),
            NameObject("/Supplement"): NumberObject(0)}),
        NameObject("/FontDescriptor"): writer._add_object(descriptor),
        NameObject("/W"): ArrayObject([NumberObject(1), ArrayObject([FloatObject(WIDTHS[g]) for g in (1, 2, 3, 4)])])})
    to_unicode = DecodedStreamObject()
    to_unicode.set_data(textlayer._cmap(TEXT))
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type0"),
        NameObject("/BaseFont"): NameObject("/ABCDEF+Tiny"), NameObject("/Encoding"): NameObject("/Identity-H"),
        NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid_font)]),
        NameObject("/ToUnicode"): writer._add_object(to_unicode)})
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    for name, value in (extra_fonts or {}).items():
        fonts[NameObject(name)] = writer._add_object(DictionaryObject(value))
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    contents = DecodedStreamObject()
    contents.set_data(content.encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(contents)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


HELVETICA = {"/F2": {NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                     NameObject("/BaseFont"): NameObject("/Helvetica")}}


def line(*runs: tuple[float, str], font: str = "/F1", y: float = 50, size: float = SIZE) -> str:
    """A text object as WeasyPrint writes one: each run placed by its own Tm, one operation a line."""
    body = [f"{font} {size:g} Tf"] + [op for x, tj in runs for op in (f"1 0 0 -1 {x:g} {y:g} Tm", tj)]
    return "\n".join(["BT", *body, "ET"])


def glyphs(*cids: int) -> str:
    return "[<" + "".join(f"{cid:04x}" for cid in cids) + ">] TJ"


def extracted(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def page_operations(pdf: bytes) -> list[bytes]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return page["/Contents"].get_object().get_data().split(b"\n")


FONTS = {"/F1": _Font(None, {cid: float(w) for cid, w in WIDTHS.items()}, 1000.0, TEXT)}


def runs_of(content: str):
    return [(run.first, run.last, run.left, run.right) for run in _runs(_parse(content.encode()), FONTS)]


# ---- which gaps are closed ------------------------------------------------------------------

def test_a_quarter_em_after_han_goes_into_the_digit_and_before_han_into_the_digit():
    # 年 ends at 20; "20" starts 2.5 pt (0.25 em) later and ends at 32.5; 年 again 2.5 pt after.
    content = line((10, glyphs(HAN)), (22.5, glyphs(TWO, ZERO)), (35, glyphs(HAN)))
    assert runs_of(content) == [("年", "年", 0, 0), ("2", "0", 200, 200), ("年", "年", 0, 0)]


@pytest.mark.parametrize("gap_em, step", [(0.149, 0), (0.15, 100), (0.25, 200), (0.75, 700), (1.0, 1000),
                                          (1.01, 0)])
def test_gaps_are_closed_in_tenths_of_an_em_between_the_limits(gap_em, step):
    assert _step(gap_em) == step
    content = line((10, glyphs(HAN)), (20 + gap_em * SIZE, glyphs(TWO)))
    assert runs_of(content)[1][2] == step


def test_only_han_beside_latin_on_one_baseline_in_one_size_counts():
    latin_latin = line((10, glyphs(A)), (18.5, glyphs(TWO)))
    han_han = line((10, glyphs(HAN)), (20.2, glyphs(HAN)))  # 0.02 em: a Chinese gap within the cap
    other_line = line((10, glyphs(HAN))) + "\n" + line((22.5, glyphs(TWO)), y=70)
    other_size = line((10, glyphs(HAN))) + "\n" + line((22.5, glyphs(TWO)), size=12)
    scaled = "\n".join(["BT", "/F1 10 Tf", "1 0 0 -1 10 50 Tm", glyphs(HAN), "2 0 0 -1 22.5 50 Tm", glyphs(TWO), "ET"])
    for content in (latin_latin, han_han, other_line, other_size, scaled):
        assert all(left == right == 0 for _f, _l, left, right in runs_of(content)), content


def test_a_chinese_gap_past_the_cap_is_folded_into_the_glyph_before_it():
    """A line spread past the cap (linefit.SPREAD_GAP_EM, 稀排): 0.25 em between two Chinese
    letters would copy as a space; 0.2 em of it goes into the first one."""
    assert runs_of(line((10, glyphs(HAN)), (22.5, glyphs(HAN)))) == [("年", "年", 0, 200), ("年", "年", 0, 0)]


def test_graphics_between_two_text_objects_stands_them_apart():
    marked = line((10, glyphs(HAN))) + "\n/Span <</ActualText (x)>> BDC\nEMC\n" + line((22.5, glyphs(TWO)))
    assert runs_of(marked)[1][2] == 200  # marked content only: the line goes on
    drawn = line((10, glyphs(HAN))) + "\n0 0 1 rg\n10 10 5 5 re f\n" + line((22.5, glyphs(TWO)))
    assert runs_of(drawn)[1][2] == 0


# ---- what is left alone: the non-CID branch ---------------------------------------------------

def test_literal_strings_are_not_cid_text_and_pass_through_unchanged():
    content = line((10, glyphs(HAN)), (22.5, "[(20)] TJ"), (35, glyphs(TWO)))
    operations = _parse(content.encode())
    assert [op for _operands, op, _line in operations][4:6] == [b"Tm", b"Tj"]
    assert runs_of(content) == [("年", "年", 0, 0), ("2", "2", 0, 0)]  # nothing across the literal


def test_a_page_in_a_font_that_is_not_cid_keyed_opentype_comes_back_as_it_was():
    """A Type1 (or TrueType) font cannot be widened: its text is not touched, nothing is counted."""
    pdf = pdf_with(line((10, "[(2023) ] TJ"), font="/F2") + "\n" + line((10, glyphs(HAN)), y=80),
                   extra_fonts=HELVETICA)
    out, left_open = close_spacing_gaps(pdf)
    assert out is pdf and left_open == 0


def test_text_in_another_font_between_han_and_latin_is_not_a_gap():
    """年, a word in a font this cannot read (placed in what looks like a ¼ em gap), then 2: the
    gap holds text, so it is not Han–Latin spacing and nothing moves."""
    content = "\n".join(["BT", "/F1 10 Tf", "1 0 0 -1 10 50 Tm", glyphs(HAN),
                         "/F2 10 Tf", "1 0 0 -1 20.2 50 Tm", "[<0041>] TJ",
                         "/F1 10 Tf", "1 0 0 -1 22.5 50 Tm", glyphs(TWO), "ET"])
    assert runs_of(content) == [("年", "年", 0, 0), ("2", "2", 0, 0)]


# ---- whole pages: closed, and left open and counted ------------------------------------------

def test_a_closed_gap_reads_as_nothing_and_the_glyph_keeps_its_place():
    pdf = pdf_with(line((10, glyphs(HAN)), (22.5, glyphs(TWO, ZERO)), (35, glyphs(HAN))))
    assert extracted(pdf) == "年 20 年"  # what the gaps read as before
    out, left_open = close_spacing_gaps(pdf)
    assert left_open == 0
    assert extracted(out) == "年20年"
    # "2" now starts 2 pt earlier, drawn from a twin 200/1000 em wider whose outline moved right
    # by as much; "0" from another twin, wider on its right: the ink stays where it was.
    operations = page_operations(out)
    assert b"1 0 0 -1 20.5 50 Tm" in operations
    fonts = PdfReader(io.BytesIO(out)).pages[0]["/Resources"]["/Font"]
    twins = [font.get_object() for name, font in fonts.items() if str(name).startswith("/kj")]
    side_bearings = []
    for twin in twins:
        cid_font = twin["/DescendantFonts"][0].get_object()
        assert list(cid_font["/W"]) == [1, [700]]  # 500 + 200, for the one glyph it holds
        program = TTFont(io.BytesIO(cid_font["/FontDescriptor"]["/FontFile3"].get_object().get_data()))
        advance, lsb = program["hmtx"][program.getGlyphOrder()[1]]
        assert advance == 700  # the program agrees with /W (PDF/A)
        side_bearings.append(lsb)
    assert sorted(side_bearings) == [50, 250]  # the left-hand twin's outline moved right by 200


def test_gaps_whose_font_cannot_be_widened_are_left_and_counted():
    pdf = pdf_with(line((10, glyphs(HAN)), (22.5, glyphs(TWO, ZERO)), (35, glyphs(HAN))),
                   program=b"not a font program")
    out, left_open = close_spacing_gaps(pdf)
    assert left_open == 2
    assert extracted(out) == "年 20 年"
    assert not any(str(name).startswith("/kj") for name in PdfReader(io.BytesIO(out)).pages[0]["/Resources"]["/Font"])
