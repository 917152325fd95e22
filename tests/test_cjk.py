"""The cjk stage: golden fixtures in tests/fixtures/cjk.md (Markdown in, HTML out)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.utils import read_fixture_file

from kjtypeset.inputs.markdown import render_markdown
from kjtypeset.typography import cjk

FIXTURES = Path(__file__).parent / "fixtures" / "cjk.md"
VISIBLE = {"\u200b": "{ZWSP}", "\u2060": "{WJ}", "\ufeff": "{SP}"}


def show(html: str) -> str:
    for char, name in VISIBLE.items():
        html = html.replace(char, name)
    return html


@pytest.mark.parametrize("line, title, markdown, expected", read_fixture_file(FIXTURES),
                         ids=[f"{case[0] + 1}-{case[1][:40]}" for case in read_fixture_file(FIXTURES)])
def test_fixture(line, title, markdown, expected):
    html = cjk.prepare(render_markdown(markdown, FIXTURES, 1, FIXTURES.parent))
    assert show(html) == expected


def test_visible_text_is_unchanged():
    fragment = render_markdown("他说：“2023年IPO，增长3.5%。”详见www.gov.cn。\n", FIXTURES, 1, FIXTURES.parent)
    html = cjk.prepare(fragment)
    import re

    def text(markup: str) -> str:
        return re.sub(r"<[^>]+>", "", markup).translate(dict.fromkeys(map(ord, "\u200b\u2060\ufeff")))
    assert text(html) == text(fragment)


def test_switches_turn_the_markup_off():
    off = cjk.Options(han_latin_spacing=False)
    html = cjk.prepare("<p>他说：“2023年IPO。”</p>", off)
    assert "\ufeff" not in html  # no Han–Latin spacing
    assert "\u200b" in html  # line breaking stays correct whatever the layout wants


def test_titles_break_between_words_never_inside_a_word_or_a_short_quotation():
    """Template strings (titles, names) are segmented (rjieba): a word and a quotation of up to
    14 characters are bound, so a title breaks as 推动科技型中小企业 / 高质量发展, never 高 / 质量."""
    assert show(cjk.prepare_text("推动科技型中小企业高质量发展")) == \
        "推{WJ}动科{WJ}技{WJ}型中{WJ}小{WJ}企{WJ}业高{WJ}质{WJ}量发{WJ}展"
    assert show(cjk.prepare_text("宁波启动“领航者计划”")) == \
        "宁{WJ}波启{WJ}动{ZWSP}“{WJ}领{WJ}航{WJ}者{WJ}计{WJ}划{WJ}”"


def test_titles_through_the_template_filter():
    assert show(cjk.prepare_text("南京着力打造“123”体系")) == \
        "南{WJ}京着{WJ}力打{WJ}造{ZWSP}“{WJ}1{WJ}2{WJ}3{WJ}”{ZWSP}体{WJ}系"
    assert show(cjk.prepare_text("A & B <i>", paragraph=False)) == "A &amp; B &lt;i&gt;"


@settings(max_examples=60, deadline=None)
@given(year=st.integers(1985, 2049), kind=st.sampled_from("12389"), serial=st.integers(0, 9_999_999),
       check=st.sampled_from("0123456789X"), name=st.sampled_from(["风电机组叶片结冰监测方法", "装置"]))
def test_a_patent_numbers_spaces_never_break_in_a_table_cell_nor_in_the_text(year, kind, serial, check, name):
    """A table cell's least width (min-content) is its longest unbreakable run: a patent number
    there is bound whole, "ZL 2023 1 / 0123456.7" never (P11 D6); in running text too, one
    identifier (P15 D3: "…专利号ZL 2024 1 / 0173248.3" read as two numbers), no name break."""
    number = f"ZL {year} {kind} {serial:07d}.{check}"
    cell = cjk.prepare(f"<table><tr><td>{number}</td><td>{name}</td></tr></table>")
    inside = cell[cell.index("ZL"):cell.index("</td>")]
    assert inside.count(" ") == 3 and inside.count(" \u2060") == 3, show(inside)
    text = f"专利号{number}获奖"
    paragraph = cjk.prepare(f"<p>{text}</p>")
    inside = paragraph[paragraph.index("ZL"):paragraph.index("获")]
    assert inside.count(" ") == 3 and inside.count(" \u2060") == 3, show(inside)
    assert cjk.name_breaks(text) == [] and cjk.code_spaces(text) == [i for i, c in enumerate(text) if c == " "]


def test_a_korean_word_is_bound_in_a_table_cell_and_a_name_break_in_the_text():
    """Korean breaks at its spaces (keep-all, P11 D13): bound in a cell or a title, in running text
    each break inside a word (syllables, CJ제일제당's letters and syllables) costs a name's."""
    cell = cjk.prepare("<table><tr><td>삼성전자 주식회사</td><td>CJ제일제당</td></tr></table>")
    assert "삼{WJ}성{WJ}전{WJ}자 주{WJ}식{WJ}회{WJ}사" in show(cell) and "CJ{WJ}제{WJ}일{WJ}제{WJ}당" in show(cell)
    text = "三星电子（삼성전자 주식회사）、CJ제일제당"
    assert "\u2060" not in cjk.prepare(f"<p>{text[:-6]}</p>")
    assert [text[i - 1:i + 1] for i in cjk.name_breaks(text)] == [
        "삼성", "성전", "전자", "주식", "식회", "회사", "J제", "제일", "일제", "제당"]


def test_a_longer_formula_may_break_after_its_operators_but_not_inside_a_product_of_numbers():
    """P=380 V×25 A≈9.5 kW: a line may end after =, × and ≈ (TeX's inline math); never at the
    formula's ends, nor in 1×10⁻⁶ or 1920×1080, a number and a size."""
    text = "功率P=380 V×25 A≈9.5 kW，分辨率1920×1080的屏幕，精度为5.2×10⁻⁶m/s²的仪器。"
    breaks = cjk.long_formula_breaks(text)
    assert [text[:i][-4:] for i in breaks] == ["功率P=", "0 V×", "5 A≈"]
    html = cjk.prepare(f"<p>{text}</p>").replace("\u2060", "")  # (joiners aside)
    assert "=\u200b380" in html and "×\u200b25" in html and "1920×1080" in html and "5.2×10⁻⁶" in html
