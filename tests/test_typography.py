"""Chinese typography read back from the PDF: flush justification, a clean text layer, clreq
line breaking, punctuation compression, Han–Latin spacing, widows, orphans and headings.

Measured on the sample, on the stress issue in tests/stress/ (long quotations, dense
punctuation, numbers with units, Latin words, URLs, tables, footnotes), and on generated
paragraphs rendered at several widths.
"""

from __future__ import annotations

import io
import os
import re
from html import unescape
from pathlib import Path

import pdfplumber
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from conftest import SAMPLE
from kjtypeset.build import build_issue
from kjtypeset.engine.layout import load_layout
from kjtypeset.engine.typeset import typeset, write_pdf
from kjtypeset.inputs.manifest import load_manifest
from kjtypeset.inputs.markdown import render_markdown
from kjtypeset.typography import cjk
from kjtypeset.typography.textlayer import close_spacing_gaps
from pdfread import HAN_RE, flush_report, line_break_violations, paragraphs_of, squash, text_lines

STRESS = Path(__file__).parent / "stress" / "2024-99" / "issue.yaml"
MM = 72 / 25.4
BODY = 4.875 * MM  # the jianbao body size
# The text block's right edge on odd (recto) and even (verso) pages: mirrored margins.
RIGHT_EDGES = ((210 - 26) * MM, (210 - 28) * MM)
MAX_STRETCH = 0.17  # em: the jianbao layout's typography.max_stretch (the default)
HAN_SPACE = re.compile(r"[\u4e00-\u9fff][ \u00a0][\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def stress(tmp_path_factory):
    return build_issue(STRESS, tmp_path_factory.mktemp("stress"), editions=("proof",)).pdf


@pytest.fixture(scope="module", params=["sample", "stress"])
def issue_pdf(request, sample_build, stress):
    return sample_build.pdf if request.param == "sample" else stress


def test_justified_lines_end_flush(issue_pdf):
    report = flush_report(issue_pdf, BODY, RIGHT_EDGES)
    assert report["lines"] > 50
    assert report["ratio"] >= 0.99, report["ragged"]


def test_no_line_breaking_violations(issue_pdf):
    assert line_break_violations(issue_pdf, BODY) == []


def test_text_layer_has_no_spaces_between_chinese_characters(issue_pdf):
    # Body paragraphs, as pdfplumber groups them (it reads a gap over 3 pt as a space).
    for lines in text_lines(issue_pdf):
        for para in paragraphs_of(lines, BODY):
            for line in para:
                assert not HAN_SPACE.search(line["text"]), line["text"]
    # And pypdf over the whole text, table cells aside (a cell boundary is a real space).
    text = "".join(page.extract_text() for page in PdfReader(issue_pdf).pages)
    spaced = [text[m.start() - 6:m.end() + 6] for m in HAN_SPACE.finditer(text)]
    assert all(" 增速" in s or "2022" in s or "2023" in s for s in spaced), spaced
    assert "\u200b" not in text and "\u2060" not in text


def test_chrome_pdf_viewer_copies_han_text_without_spaces(issue_pdf):
    """PDFium (Chrome's viewer) reads a gap over half a space width (0.128 em) as a space,
    below the stretch justification may need: such boxes carry their text as ActualText."""
    import pypdfium2

    document = pypdfium2.PdfDocument(issue_pdf)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    spaced = [text[m.start() - 6:m.end() + 6] for m in HAN_SPACE.finditer(text)]
    assert all(" 增速" in s for s in spaced), spaced  # a table cell boundary is a real space
    assert "\u200b" not in text and "\u2060" not in text
    document.close()


def test_actual_text_says_what_the_glyphs_say(sample_build):
    """The sample's most stretched line (0.16 em between characters) copies unchanged."""
    import pypdfium2

    document = pypdfium2.PdfDocument(sample_build.pdf)
    text = "".join(page.get_textpage().get_text_range() for page in document).replace("\r\n", "")
    document.close()
    assert "年均开展创新创业活动场次" in text
    assert "，覆盖人次达" in text and "，在孵企业" in text


def test_the_text_layer_reads_back_the_source(sample_build):
    # Without the folios, which stand between the pages' texts.
    pages = (page.extract_text().strip() for page in PdfReader(sample_build.pdf).pages)
    text = squash("".join(re.sub(r"—\s*\d+\s*—$", "", page) for page in pages))
    for words in ("全市建有省级孵化器5家、国家级众创空间4家", "“宁科贷”运行以来，余额从6.2亿元增长至560亿元",
                  "科威尔技术股份有限公司、恒烁（合肥）半导体股份有限公司", "中科美络科技股份有限公司作为新型研发机构上市后备企业代表分享IPO前期筹备经验"):
        assert words in text


def is_indented(line: dict, lines: list[dict]) -> bool:
    return line["x0"] - min(other["x0"] for other in lines) > BODY * 1.5


def test_no_heading_ends_a_page_and_no_lone_line_at_a_page_edge(stress, sample_build):
    for pdf in (stress, sample_build.pdf):
        pages = text_lines(pdf)
        for number, lines in enumerate(pages[:-1], start=1):
            body = [line for line in lines if not re.fullmatch(r"—\s*\d+\s*—", line["text"])]
            last = body[-1]
            heading = last["size"] > BODY + 0.5 or all("Sans" in c["fontname"] for c in last["chars"])
            assert not heading, f"page {number} ends with a heading: {last['text']}"
            here, there = paragraphs_of(lines, BODY), paragraphs_of(pages[number], BODY)
            if not here or not there:
                continue
            # Indented: against every line of the page (a page whose paragraphs all begin on
            # it has no unindented first line to compare with).
            continues = not is_indented(there[0][0], pages[number])
            # Orphan: a paragraph's first line alone at the foot of a page.
            orphan = len(here[-1]) == 1 and is_indented(here[-1][0], lines) and continues
            # Widow: a paragraph's last line alone at the top of the next page.
            widow = continues and len(there[0]) == 1 and len(there) > 1
            assert not orphan, (number, here[-1][0]["text"])
            assert not widow, (number + 1, there[0][0]["text"])


def chars_of(pdf, page=0):
    with pdfplumber.open(pdf) as doc:
        return [c for c in doc.pages[page].chars if c["text"].strip()]


def render_body(body_html: str, width_pt: float | None = None) -> Path:
    """A fragment set like an article body of the jianbao layout, optionally narrower."""
    manifest = load_manifest(SAMPLE)
    layout = load_layout(manifest)
    style = f' style="width: {width_pt}pt"' if width_pt else ""
    html = f'<html lang="zh-CN"><body><div class="body"{style}>{body_html}</div></body></html>'
    return write_pdf(typeset(html, layout, manifest.folder, manifest.path), manifest.path)


def prepared(markdown: str) -> str:
    return cjk.prepare(render_markdown(markdown, SAMPLE, 1, SAMPLE.parent))


def set_alone(tmp_path, markdown: str) -> tuple[str, dict[str, float]]:
    """The text of ``markdown`` set as a body paragraph, read back, and the white between each
    two characters side by side, by the pair (pt)."""
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(render_body(prepared(markdown)))
    chars = chars_of(pdf)
    return "".join(c["text"] for c in chars), {a["text"] + b["text"]: b["x0"] - a["x1"] for a, b in zip(chars, chars[1:])}


def test_han_latin_spacing_is_a_quarter_em_and_not_a_character(tmp_path):
    text, gaps = set_alone(tmp_path, "在2023年发布IPO。\n")
    assert text == "在2023年发布IPO。"
    for pair in ("在2", "3年", "布I"):
        assert abs(gaps[pair] - BODY / 4) < 0.3, (pair, gaps[pair])
    assert abs(gaps["O。"]) < 0.3  # none next to full-width punctuation
    assert abs(gaps["20"]) < 0.3  # none inside a number


def test_greek_letters_are_spaced_from_han_as_latin_ones(tmp_path):
    """A science text writes Greek letters as symbols (指数α, 约为Δ): they stood solid against
    the Han beside them, where a Latin letter stood a quarter em off (an unseen issue)."""
    text, gaps = set_alone(tmp_path, "幂律指数α为常数，变化约为ΔT。\n")
    assert text == "幂律指数α为常数，变化约为ΔT。"
    for pair in ("数α", "α为", "为Δ"):
        assert abs(gaps[pair] - BODY / 4) < 0.3, (pair, gaps[pair])
    assert abs(gaps["ΔT"]) < 0.3  # none inside the symbol


def test_a_space_typed_beside_han_is_set_as_the_han_latin_spacing(tmp_path):
    """"投入 30 万元" is set like "投入30万元" (xeCJK does the same): a quarter em, not a word
    space, and no break between the number and its unit even at the end of a line."""
    text, gaps = set_alone(tmp_path, "在 2023 年发布 IPO。\n")
    assert text == "在2023年发布IPO。"
    for pair in ("在2", "3年", "布I"):
        assert abs(gaps[pair] - BODY / 4) < 0.3, (pair, gaps[pair])
    # In 19 em, "…增加 3 357.1" fits and "万元" does not: the typed space is no break.
    body = prepared("一二三四五六七八九十较上年增加 3 357.1 万元，增长较快，全年完成。\n")
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(render_body(body.replace("<p>", '<p style="text-indent: 0">'), width_pt=19 * BODY))
    lines = [line["text"] for line in text_lines(pdf.read_bytes())[0]]
    assert lines == ["一二三四五六七八九十较上年增加", "3357.1万元，增长较快，全年完成。"]


def test_no_han_latin_spacing_at_a_line_start(tmp_path):
    pdf = tmp_path / "a.pdf"
    # Each paragraph is one character too long for a 10-em measure: the number starts line 2.
    body = prepared("一二三四五六七八九十2024年。\n\n一二三四五六七八九十IPO上市。\n")
    pdf.write_bytes(render_body(body.replace("<p>", '<p style="text-indent: 0">'), width_pt=10 * BODY))
    lines = text_lines(pdf.read_bytes())[0]
    left = min(line["x0"] for line in lines)
    starts = [line for line in lines if line["text"][0] in "2I"]
    assert len(starts) == 2
    assert all(abs(line["x0"] - left) < 0.3 for line in starts), [(l["text"], l["x0"] - left) for l in starts]


def test_adjacent_punctuation_takes_one_and_a_half_em(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(render_body(prepared("他说：“好。”（完）。书《报告》、《通知》。\n")))
    chars = chars_of(pdf)
    advance = {}
    for a, b in zip(chars, chars[1:]):
        advance.setdefault(a["text"] + b["text"], b["x0"] - a["x0"])
    for pair in ("：“", "。”", "”（", "）。", "》、", "、《"):
        assert abs(advance[pair] - BODY / 2) < 0.3, (pair, advance[pair] / BODY)
    assert abs(advance["说："] - BODY) < 0.3  # a single mark keeps its full width


def test_a_quotation_may_start_a_line(tmp_path):
    """Pango 1.50 will not break before “ by itself: the line before would end 1 em short."""
    pdf = tmp_path / "a.pdf"
    body = cjk.prepare("<p>一二三四五六七八九“十一”二三四五六七八九十。</p>")
    pdf.write_bytes(render_body(body.replace("<p>", '<p style="text-indent: 0">'), width_pt=10 * BODY))
    lines = text_lines(pdf.read_bytes())[0]
    assert lines[0]["text"] == "一二三四五六七八九"
    assert lines[1]["text"].startswith("“十一”")


def test_rare_characters_and_text_layer_in_a_narrow_measure(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(render_body(prepared("生僻字䶮、𠮷、𬭚都应正常显示，不能变成方框。\n"), width_pt=8 * BODY))
    text = squash("".join(page.extract_text() for page in PdfReader(pdf).pages))
    assert "生僻字䶮、𠮷、𬭚都应正常显示，不能变成方框。" in text


# ---- generated paragraphs at several widths -------------------------------------------------

WORDS = list("科技情报工作推进国产化替代完善机制创新平台企业孵化") * 3
PIECES = st.one_of(
    st.sampled_from(WORDS), st.sampled_from(WORDS), st.sampled_from(WORDS),
    st.sampled_from(list("，。、；：？！") + ["“", "”", "（", "）", "《", "》", "——", "……"]),
    st.sampled_from(["2023年", "3.5%", "30万元", "第3季度", "1.2亿台", "5家", "900余家"]),
    st.sampled_from(["IPO", "ChatGPT", "RISC-V", "AI", "Nature", "GPU"]),
    st.sampled_from(["**重点**", "**一是加强统筹。**", "[链接](https://example.com/)", "[^1]"]),
)


def note_mark(number: int) -> str:
    """A footnote call as the layouts print it: [1], [2] …"""
    return f"[{number}]"


def markdown_paragraph(pieces: list[str]) -> str:
    return "".join(pieces).strip("*")


@pytest.mark.slow
# Rendering is slow: a few examples in `make test`, many in `make fuzz`.
@settings(max_examples=int(os.environ.get("KJ_RENDER_EXAMPLES", "8")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(PIECES, min_size=30, max_size=90), min_size=1, max_size=3))
def test_generated_paragraphs_at_three_widths(tmp_path_factory, paragraphs):
    sources = [markdown_paragraph(p) for p in paragraphs]
    markdown = "\n\n".join(s for s in sources if HAN_RE.search(s)) + "\n\n[^1]: 脚注。\n"
    fragment = prepared(markdown)
    for width in (26, 32, 37):  # characters per line
        # Through the text-layer finishing too: it must lose, add and move nothing.
        pdf, left_open = close_spacing_gaps(render_body(fragment, width_pt=width * BODY))
        assert left_open == 0
        pages = text_lines(pdf)
        for number, lines in enumerate(pages, start=1):
            # Flush: every non-final line ends at the block's right edge (mirrored pages).
            edge = (28 if number % 2 else 26) * MM + width * BODY
            for para in paragraphs_of(lines, BODY):
                for line in para[:-1]:
                    slack = edge - line["x1"]
                    flush = abs(slack) <= 1 or line["text"][-1] in "，。、；：？！）》”’" and -BODY - 1 <= slack <= 1
                    # A line may end short only when stretching it further would make text
                    # extractors read its gaps as spaces: every gap between Han is at the cap.
                    han = [(a, b) for a, b in zip(line["chars"], line["chars"][1:])
                           if HAN_RE.match(a["text"]) and HAN_RE.match(b["text"])]
                    capped = han and min(b["x0"] - a["x1"] for a, b in han) >= MAX_STRETCH * BODY - 0.1
                    assert flush or capped, (width, round(slack, 1), line["text"])
        assert line_break_violations(pdf, BODY) == []
        # The text layer gives the words back: no characters lost, none added between Han.
        raw = [page.extract_text().strip() for page in PdfReader(io.BytesIO(pdf)).pages]
        spaced = [page[m.start() - 8:m.end() + 8] for page in raw for m in HAN_SPACE.finditer(page)]
        assert not spaced
    text = squash("".join(re.sub(r"—\s*\d+\s*—$", "", page) for page in raw))
    # What the reader should see: the Markdown's text, each footnote replaced by its call.
    html = render_markdown(markdown, SAMPLE, 1, SAMPLE.parent)
    calls = iter(range(1, 1000))
    html = re.sub(r'<span class="footnote">.*?</span>', lambda m: note_mark(next(calls)), html)
    for paragraph in re.findall(r"<p>(.*?)</p>", html, re.S):
        visible = squash(unescape(re.sub(r"<[^>]+>", "", paragraph)))
        assert visible in text


def test_check_reads_the_stress_issue_contents(stress):
    """A section heading followed by a title that starts with a number ("【数据观察】" then
    "2023年……") is not a contents entry whose page number is 2023."""
    from kjtypeset.pdf.preflight import preflight_file

    report = preflight_file(stress)
    assert not report.failures, [f.message for f in report.failures]
    assert len(report.facts["contents"]) == 3
