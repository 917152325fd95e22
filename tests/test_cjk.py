"""The cjk stage: golden fixtures in tests/fixtures/cjk.md (Markdown in, HTML out)."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from kjtypeset.typography import cjk
from kjtypeset.inputs.markdown import render_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "cjk.md"
VISIBLE = {"\u200b": "{ZWSP}", "\u2060": "{WJ}"}


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
        return re.sub(r"<[^>]+>", "", markup).replace("\u200b", "").replace("\u2060", "")
    assert text(html) == text(fragment)


def test_switches_turn_the_markup_off():
    off = cjk.Options(han_latin_spacing=False, punctuation_compression=False)
    html = cjk.prepare("<p>他说：“2023年IPO。”</p>", off)
    assert "kj-sp" not in html and "kj-halt" not in html
    assert "\u200b" in html  # line breaking stays correct whatever the layout wants


def test_titles_through_the_template_filter():
    assert show(cjk.prepare_text("南京着力打造“123”体系")) == "南京着力打造{ZWSP}“123”{ZWSP}体{WJ}系"
    assert show(cjk.prepare_text("A & B <i>", paragraph=False)) == "A &amp; B &lt;i&gt;"
