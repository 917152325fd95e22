"""The justification seam (kjtypeset.engine.justify) on its own: HTML → WeasyPrint → PDF, read back.

Flush right edges within 1 pt, a text layer that reads back exactly, no stretch inside Latin
words, numbers, —— or ……, and a guard that refuses any WeasyPrint but the pinned one.
"""

import functools
import html as htmlmod
import io
import re

import pdfplumber
import pytest
import weasyprint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from conftest import FONTS
from kjtypeset.engine import justify

FONT_CSS = "".join(
    f"@font-face {{ font-family: {family}; src: url('{(FONTS / name).as_uri()}'); "
    f"font-weight: {weight}; }}\n"
    for family, name, weight in (
        ("NotoSerifSC", "NotoSerifCJKsc-Regular.otf", 400), ("NotoSerifSC", "NotoSerifCJKsc-Bold.otf", 700),
        ("NotoSansSC", "NotoSansCJKsc-Regular.otf", 400), ("NotoSansSC", "NotoSansCJKsc-Bold.otf", 700)))
MARGIN_LEFT = 20 / 25.4 * 72  # @page margin in html_doc
TOL = 1.0  # pt, as pdfcheck's justify figure
# Widest gap between two glyphs (pt, 14 pt type) that pypdf and pdfplumber
# still read without a space, for a gap written as two TJ halves.
SAFE_GAP = 2.5


def html_doc(body, width_pt=434, size_pt=14, extra_css=""):
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>
{FONT_CSS}
@page {{ size: A4; margin: 30mm 20mm; }}
body {{ font-family: NotoSerifSC; font-size: {size_pt}pt; line-height: 1.8; margin: 0; }}
.col {{ width: {width_pt}pt; }}
p {{ text-align: justify; text-indent: 2em; margin: 0; }}
{extra_css}
</style></head><body><div class="col">{body}</div></body></html>"""


def capture_style(text="中文"):
    """Lay out a tiny document and return (style, context) of its first TextBox."""
    from weasyprint.layout import inline
    captured = {}
    original = inline.split_text_box

    def spy(context, box, *args, **kwargs):
        captured.setdefault("v", (box.style, context))
        return original(context, box, *args, **kwargs)
    inline.split_text_box = spy
    try:
        weasyprint.HTML(string=html_doc(f"<p>{text}</p>")).render()
    finally:
        inline.split_text_box = original
    return captured["v"]


@pytest.fixture
def on():
    justify.install()
    yield
    justify.uninstall()


@pytest.fixture(autouse=True)
def clean_state():
    justify.uninstall()
    yield
    justify.uninstall()


def render(body, width=434, size=14, css=""):
    return weasyprint.HTML(string=html_doc(body, width_pt=width, size_pt=size, extra_css=css)).write_pdf()


def plain(fragment):
    """Text content of an HTML fragment, as it should read back."""
    return htmlmod.unescape(re.sub(r"<[^>]+>", "", fragment)).replace("\u00a0", " ")


def read_lines(pdf):
    """[(text, x0, x1)] of every text line, all pages, top to bottom."""
    out = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            for line in page.extract_text_lines(return_chars=True):
                chars = [c for c in line["chars"] if c["text"].strip()]
                out.append((line["text"], min(c["x0"] for c in chars), max(c["x1"] for c in chars)))
    return out


def ragged_lines(pdf, paragraphs, width, size=14):
    """Non-final lines of the given paragraphs not flush with the right edge. A line ending in
    a full-width closing mark or stop may have set it half width (squeezed first, clreq
    3.1.6.3): its ink is flush, its glyph box overhangs by up to half an em."""
    right = MARGIN_LEFT + width
    lines = read_lines(pdf)
    bad, k = [], 0
    for para in paragraphs:
        target = re.sub(r"\s+", "", plain(para))
        acc = ""
        while True:
            text, _, x1 = lines[k]
            k += 1
            acc += re.sub(r"\s+", "", text)
            if acc == target:
                break  # final line: may be short
            assert target.startswith(acc), (acc, target)
            hang = size / 2 if text.rstrip()[-1:] in "，。、；：？！）》」』】〕”’" else 0
            if not -hang - TOL <= right - x1 <= TOL:
                bad.append((round(x1 - right, 2), text))
    return bad


def extracted(pdf):
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        plumber = "".join(p.extract_text() for p in doc.pages)
    pypdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return plumber.replace("\n", ""), pypdf_text.replace("\n", "")


# Long enough for many lines; punctuation, numbers, Latin, quotes, dashes.
PURE = ("我们要加强科技情报工作，推进国产化替代，完善科技成果转化机制；同时要“揭榜挂帅”，"
        "把关键核心技术攻关放在突出位置。各地区、各部门要切实增强责任感和紧迫感，"
        "抓紧制定实施方案——这是一项长期任务……必须久久为功！") * 4
MIXED = ('<strong>一是加强统筹。</strong>2023年营收同比增长3.5%，IPO募资30万元，'
         '其中ChatGPT与RISC-V相关业务增长迅速——详见www.gov.cn和《报告》（下同）。'
         '据<a href="https://example.com/">国家知识产权局</a>统计，U.S. Patent 11,234,567 B2 已获授权；'
         '<em>专精特新</em>企业达到1.2万家，平均响应时间缩短至0.35秒……'
         '<span style="background:#ddd">重点项目</span>进展顺利。') * 3


# --------------------------------------------------------------------------
# Version guard
# --------------------------------------------------------------------------

def test_internals_match_pinned_version():
    assert justify.check_internals() == []


def test_install_refuses_unknown_version(monkeypatch):
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(RuntimeError, match="71.0"):
        justify.install()
    assert not justify.installed()


def test_install_refuses_changed_signature(monkeypatch):
    from weasyprint.layout import inline
    monkeypatch.setattr(inline, "justify_line", lambda context, line: None)
    with pytest.raises(RuntimeError, match="justify_line"):
        justify.install()


def test_install_refuses_when_hook_is_bypassed(monkeypatch):
    from weasyprint.layout import inline

    def text_align(context, line, available_width, last):  # no justify_line call
        return 0
    monkeypatch.setattr(inline, "text_align", text_align)
    with pytest.raises(RuntimeError, match="text_align"):
        justify.install()


def test_install_refuses_changed_layout_api(monkeypatch):
    from weasyprint.text.line_break import Layout
    monkeypatch.delattr(Layout, "reactivate")
    with pytest.raises(RuntimeError, match="reactivate"):
        justify.install()


def test_uninstall_restores_weasyprint():
    baseline = render(f"<p>{PURE}</p>")
    justify.install()
    assert render(f"<p>{PURE}</p>") != baseline
    justify.uninstall()
    assert render(f"<p>{PURE}</p>") == baseline


# --------------------------------------------------------------------------
# Flush right edges and a clean text layer
# --------------------------------------------------------------------------

@pytest.mark.parametrize("width", [300, 392, 434, 480])
def test_pure_chinese_is_ragged_without_and_flush_with(width):
    paras = [PURE]
    assert ragged_lines(render(f"<p>{PURE}</p>", width), paras, width), \
        "baseline should be ragged, or this test proves nothing"
    justify.install()
    assert ragged_lines(render(f"<p>{PURE}</p>", width), paras, width) == []


@pytest.mark.parametrize("width", [300, 434])
def test_mixed_text_flush(on, width):
    assert ragged_lines(render(f"<p>{MIXED}</p>", width), [MIXED], width) == []


@pytest.mark.parametrize("body", [PURE, MIXED])
def test_text_layer_reads_back_exactly(on, body):
    # Line breaks are dropped; a space that stood at a line break is lost to
    # the newline by both extractors (as without justification), so compare
    # without whitespace and check separately that no space was added.
    plumber, pypdf_text = extracted(render(f"<p>{body}</p>"))
    source = plain(body)
    for text in (plumber, pypdf_text):
        assert re.sub(r"\s", "", text) == re.sub(r"\s", "", source)
        assert text.count(" ") <= source.count(" "), [
            text[max(0, m.start() - 8):m.end() + 8] for m in re.finditer(" ", text)]
        assert "\u200b" not in text and "\u2060" not in text


def test_same_pdf_when_written_twice(on):
    # Drawing re-applies the plan on a fresh PangoLayout; a second write
    # must neither miss nor double it.
    doc = weasyprint.HTML(string=html_doc(f"<p>{MIXED}</p>")).render()
    assert doc.write_pdf() == doc.write_pdf()


def char_positions(pdf):
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [(c["text"], c["x0"], c["x1"], round(c["top"])) for p in doc.pages
                for c in p.chars]


@pytest.mark.parametrize("token", ["IPO", "ChatGPT", "RISC-V", "2023", "3.5%", "0.35",
                                   "11,234,567", "www.gov.cn"])
def test_no_space_inside_latin_words_and_numbers(token):
    """Inside a Latin word or a number the glyphs keep their own advances, however the line
    around them is squeezed or stretched."""
    def advances(pdf, expected=None):
        # One char per glyph: expand ligatures ("——" is one glyph) so that string indices and
        # char indices agree.
        chars = [c for c in char_positions(pdf) for _ in c[0]]
        text = "".join(c[0][0] for c in chars)
        out = []
        for m in re.finditer(re.escape(token), text):
            seg = chars[m.start():m.end()]
            if len({c[3] for c in seg}) == 1:  # not broken across lines
                out.append([round(b[1] - a[1], 2) for a, b in zip(seg, seg[1:])])
        return out
    justify.install()
    # Set ragged, in the same paragraph: the token's glyphs shaped as in the justified one.
    natural = advances(render(f'<p style="text-align: left">{MIXED}</p>'))[0]
    found = advances(render(f"<p>{MIXED}</p>"))
    assert found
    for got in found:
        assert max(abs(p - q) for p, q in zip(got, natural)) < 0.03, (got, natural)


def gaps_between(pdf, pair):
    """Distances x0(next) - x1(prev) wherever ``pair`` occurs on one line."""
    chars = char_positions(pdf)
    out = []
    for a, b in zip(chars, chars[1:]):
        if a[0] + b[0] == pair and a[3] == b[3]:
            out.append(round(b[1] - a[2], 2))
    return out


@pytest.mark.parametrize("pair", ["……", "“揭", "帅”", "作，", "置。"])
def test_no_stretch_inside_marks(on, pair):
    # "……" must stay joined; no space after an opening mark or before a
    # closing one (quotes, comma, full stop).
    gaps = gaps_between(render(f"<p>{PURE}</p>", 300), pair)
    assert gaps and all(abs(g) < 0.05 for g in gaps), gaps


def test_dash_pair_not_split(on):
    # Noto CJK sets "——" as one 2 em ligature glyph; it must stay 2 em.
    pdf = render(f"<p>{PURE}</p>", 300)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        dashes = [c for p in doc.pages for c in p.chars if "—" in c["text"]]
    assert dashes and all(abs(c["x1"] - c["x0"] - 28) < 0.01 for c in dashes)


def test_stretch_goes_between_han(on):
    pdf = render(f"<p>{PURE}</p>", 300)
    chars = char_positions(pdf)
    han = re.compile("[\u4e00-\u9fff]")
    gaps = [round(b[1] - a[2], 2) for a, b in zip(chars, chars[1:])
            if a[3] == b[3] and han.match(a[0]) and han.match(b[0])]
    assert gaps and sum(g > 0.05 for g in gaps) > len(gaps) / 2


def test_bold_run_in_boundary_is_an_opportunity(on):
    # "。" (end of the bold run-in) then normal text: the gap between the two
    # inline boxes is stretched like any other.
    body = "<p><strong>一是加强统筹。</strong>" + "各地区各部门要切实增强责任感" * 8 + "</p>"
    pdf = render(body, 300)
    assert ragged_lines(pdf, [body[3:-4]], 300) == []
    gap = gaps_between(pdf, "。各")
    inner = gaps_between(pdf, "加强")
    assert gap and inner and abs(gap[0] - inner[0]) < 0.05


def test_atomic_inline_and_nested_spans(on):
    body = ('科技情报<span style="display:inline-block;width:20pt;height:8pt;'
            'background:#000"></span>工作<b>要<i>加强</i></b>统筹，' * 10)
    pdf = render(f"<p>{body}</p>", 392)
    assert ragged_lines(pdf, [body], 392) == []


WESTERN = ("The Horizon Europe programme is the EU's key funding programme for research and "
           "innovation with a budget of 95.5 billion euros. It tackles climate change, helps to "
           "achieve the Sustainable Development Goals and boosts competitiveness and growth. The "
           "programme facilitates collaboration and strengthens the impact of research and "
           "innovation in developing, supporting and implementing policies while tackling global "
           "challenges, and it supports the creation and diffusion of excellent knowledge.")


def widest_space(pdf, size=14):
    """The widest word space (em) on any line but a paragraph's last, read back from the PDF."""
    widest = 0.0
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        rows = {}
        for c in doc.pages[0].chars:
            rows.setdefault(round(c["top"]), []).append(c)
    lines = [sorted(row, key=lambda c: c["x0"]) for _top, row in sorted(rows.items())]
    for chars in lines[:-1]:
        words = [c for c in chars if c["text"].strip()]
        for a, b in zip(words, words[1:]):
            widest = max(widest, (b["x0"] - a["x1"]) / size)
    return widest


def test_a_western_paragraph_is_set_as_a_whole_and_no_looser():
    """English in a justified paragraph (a quotation, an abstract): its breaks are planned
    for the paragraph as a whole (TeX's total fit), so its widest word space is narrower
    than WeasyPrint's line-by-line breaking gives; the text and the flush edge stay."""
    body = f'<p lang="en" style="hyphens: auto">{WESTERN}</p>'  # as kjtypeset marks up English
    for width in (360, 434):
        justify.uninstall()
        base = render(body, width)
        justify.install()
        ours = render(body, width)
        lines = read_lines(ours)
        assert all(abs(MARGIN_LEFT + width - x1) <= TOL for _text, _x0, x1 in lines[:-1]), lines
        drawn = "".join(text for text, _x0, _x1 in lines)
        assert re.sub(r"[\s\u2010-]", "", drawn) == re.sub(r"[\s-]", "", WESTERN)
        assert widest_space(ours) < widest_space(base) - 0.1, (width, widest_space(ours), widest_space(base))


def test_small_and_large_sizes(on):
    for size, width in ((9, 300), (10.5, 434), (16, 434)):
        assert ragged_lines(render(f"<p>{PURE}</p>", width, size), [PURE], width, size) == [], size


def test_letter_spacing_and_indent(on):
    css = "p { letter-spacing: 0.05em; text-indent: 2em }"
    assert ragged_lines(render(f"<p>{PURE}</p>", 434, css=css), [PURE], 434) == []


@pytest.mark.slow
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(
    list("科技情报工作推进国产化替代完善机制") * 6 + list("，。、；：？！（）《》“”") +
    ["——", "……", "2023年", "3.5%", "IPO", "ChatGPT", " ", "Nature Energy", "30万元",
     "<b>重点</b>", "<b>一是。</b>"]), min_size=40, max_size=160))
def test_random_mixed_text(on, pieces):
    body = re.sub(" +", " ", "".join(pieces)).strip()
    if not plain(body).strip():
        return
    pdf = render(f"<p>{body}</p>", 300)
    assert ragged_lines(pdf, [body], 300) == []
    plumber, pypdf_text = extracted(pdf)
    han_gap = re.compile(r"[\u4e00-\u9fff] (?=[\u4e00-\u9fff])")
    chars = char_positions(pdf)
    widest = max((b[1] - a[2] for a, b in zip(chars, chars[1:]) if a[3] == b[3]), default=0)
    for text in (plumber, pypdf_text):
        assert re.sub(r"\s", "", text) == re.sub(r"\s", "", plain(body))
        if widest > SAFE_GAP:
            continue  # a line stretched past what extractors take for no space

        assert len(han_gap.findall(text)) <= len(han_gap.findall(plain(body))), text


def test_plan_applies_once_per_line(on):
    # get_first_line may be called again on a cached PangoLayoutLine: the
    # glyphs must not be widened twice (a glyph between two gaps gets two
    # edits, which the canary check must add up).
    from weasyprint.text.line_break import Layout
    style, _ = capture_style()
    layout = Layout(style)
    layout.set_text("中文测试")
    layout._kj_plan = justify._Plan("中文测试", {3: (100, 100), 6: (50, 50)}, [3, 6])

    def widths():
        line, _ = layout.get_first_line()
        return [line.runs.data.glyphs.glyphs[i].geometry.width for i in range(4)]
    plain_layout = Layout(style)
    plain_layout.set_text("中文测试")
    line, _ = plain_layout.get_first_line()
    natural = [line.runs.data.glyphs.glyphs[i].geometry.width for i in range(4)]
    first = widths()
    assert widths() == first
    assert [w - n for w, n in zip(first, natural)] == [100, 150, 50, 0]


def test_gap_cap_leaves_line_short():
    # A line before a long unbreakable word: flush without a cap, short when the stretch
    # between Chinese characters is capped (the default, for a clean text layer).
    body = "科技情报工作推进国产化替代" + "Pneumonoultramicroscopic" + "科技" * 20
    justify.install(max_gap_em=None)
    assert ragged_lines(render(f"<p>{body}</p>", 300), [body], 300) == []
    justify.install(max_gap_em=0.17)
    pdf = render(f"<p>{body}</p>", 300)
    assert ragged_lines(pdf, [body], 300)
    chars = char_positions(pdf)
    assert max(b[1] - a[2] for a, b in zip(chars, chars[1:]) if a[3] == b[3]) < 0.17 * 14 + 0.1


def test_measure_false_gives_the_same_pdf():
    # The fast path (no layout-time reshaping) must draw exactly the same.
    justify.install()
    measured = render(f"<p>{MIXED}</p>", 300)
    justify.install(measure=False)
    assert render(f"<p>{MIXED}</p>", 300) == measured


def test_guard_sees_through_declared_wrappers(monkeypatch):
    # The product will hook Layout.set_text too (allow_breaks, halt).  A hook
    # made with functools.wraps is looked through; an opaque one is refused.
    from weasyprint.text.line_break import Layout
    original = Layout.set_text

    @functools.wraps(original)
    def declared(self, text, justify=False):
        return original(self, text, justify)
    monkeypatch.setattr(Layout, "set_text", declared)
    justify.install()
    justify.uninstall()

    def opaque(self, text, justify=False):
        return original(self, text, justify)
    monkeypatch.setattr(Layout, "set_text", opaque)
    with pytest.raises(RuntimeError, match="set_text"):
        justify.install()


def test_halfwidth_line_end_marks_hang_their_blank_half():
    """install(halfwidth_line_end=True): a full-width mark ending a line is set half width,
    its blank half past the edge and its ink flush (clreq 3.1.6.3)."""
    body = "<p style='text-indent: 0'>一二三四五六七八九，十一二三四五六七八九。</p>"
    right = MARGIN_LEFT + 10 * 14
    justify.install()
    plain_line = read_lines(render(body, width=10 * 14))[0]
    justify.install(halfwidth_line_end=True)
    pdf = render(body, width=10 * 14)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = [c for c in doc.pages[0].chars if c["text"].strip()]
    comma = next(c for c in chars if c["text"] == "，")
    assert abs(plain_line[2] - right) < 0.5  # without it: the comma's whole em inside the measure
    assert abs(comma["x0"] - (right - 7)) < 0.5  # with it: half an em of ink before the edge
    nine = next(c for c in chars if c["text"] == "九")
    assert nine["x0"] - chars[0]["x0"] > 8 * 14 + 1  # the freed half em went into the gaps


def test_every_mark_of_a_long_layout_is_half_width(on):
    """Pango 1.50 shapes an item with at most 32 OpenType features and drops the first ones:
    with one ``halt`` attribute a mark, a paragraph measured on one line (_measure_paragraph)
    had its first marks full width once it held more than about 30."""
    from weasyprint.text.line_break import create_layout, line_size

    style, context = capture_style("中文")
    em = style["font_size"]
    for count in (10, 40, 90):
        layout = create_layout("中文，" * count + "（中文）。“中”、文", style, context, None, 0)
        width, _height = line_size(layout.get_first_line()[0], style)
        assert width == pytest.approx((2.5 * count + 7) * em, abs=0.01 * em), count


def pull_readback(pdf, size=14):
    """(lines, the narrowest advance of a stop inside a line, the least gap between two Han
    characters) of a paragraph read back, in em."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = [c for c in doc.pages[0].chars if c["text"].strip()]
    rows = {}
    for c in chars:
        rows.setdefault(round(c["top"]), []).append(c)
    stops, gaps = [], []
    for row in rows.values():
        row.sort(key=lambda c: c["x0"])
        for a, b in zip(row, row[1:]):
            if a["text"] in "，。":
                stops.append((b["x0"] - a["x0"]) / size)
            elif "\u4e00" <= a["text"] <= "\u9fff" and "\u4e00" <= b["text"] <= "\u9fff":
                gaps.append((b["x0"] - a["x0"]) / size - 1)
    return len(rows), min(stops), min(gaps)


@pytest.mark.parametrize(("every", "count", "pulled"), [(5, 93, True), (8, 64, False)])
def test_a_paragraph_asked_to_set_a_line_shorter_keeps_its_stops_and_han_gaps(on, every, count, pulled):
    """缩行 (issue 13): page makeup marks a paragraph ``--kj-pull-line`` to set it a line
    shorter. It is, when its stops squeezed to ¾ em (and its brackets to ½ em, as in any
    line) take in its last line: a comma every five characters does. A comma every eight
    does not: the paragraph keeps its lines rather than read as a solid block, every stop
    at ½ em and the glyphs touching (P16 R4: 2081-01 p5, Han gaps −0.03 em; before, this
    one was set in two lines, stops at ½ em, gaps −0.02 em). The text reads back exactly."""
    han = "科技情报参考资料汇编工作报告管理"
    text = "".join("，" if k % (every + 1) == every else han[k % len(han)] for k in range(count)) + "。"
    body = f"<p>{text}</p>"
    plain_lines, _stop, _gap = pull_readback(render(body))
    pdf = render(body, css="p { --kj-pull-line: 1; }")
    lines, stop, gap = pull_readback(pdf)
    assert lines == plain_lines - pulled
    assert stop >= 0.75 - 0.002 and gap >= -0.002, (stop, gap)
    assert ragged_lines(pdf, [body], 434) == []
    assert all(t == text for t in extracted(pdf))
