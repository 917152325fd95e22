"""URLs, signs and units in Chinese lines (P17 D2, D5, D8, D9, D12), read back from built PDFs:
a Latin word is never letter-spaced, a long URL breaks where it may rather than spread the line
before it, ± ≥ ≤ belong to their number, one glyph for every range tilde, units kept whole."""

from __future__ import annotations

import re

import pytest

from conftest import ARTICLE, MANIFEST
from kjtypeset.build import build_issue
from pdfread import HAN_RE, squash
from test_codes import TWO, body_lines, han_gaps

URL_PARAGRAPH = ("论文的数据和代码已在GitHub公开（https://github.com/carbon-research-lab/institutional-footprint-"
                 "framework/tree/main/data/emission-factors-2024），相关问题可发送邮件至 footprint-framework."
                 "support@carbon-research-lab.example.org 咨询。")


def build_lines(make_issue, tmp_path, body: str, layout: str, number: int = 3) -> list[dict]:
    """The body lines of article a (``body``), built in ``layout``, article b left out."""
    manifest = TWO.replace("number: 3", f"number: {number}") + f"layout: {layout}\n"
    pdf = build_issue(make_issue(manifest, files={"articles/a.md": f"---\ntitle: 试排\n---\n\n{body}\n",
                                                  "articles/b.md": ARTICLE}, folder=f"{layout}-{number}"),
                      tmp_path / f"{layout}-{number}", editions=("proof",)).pdf
    lines = body_lines(pdf)
    return lines[:next(k for k, line in enumerate(lines) if line["text"].startswith("近年"))]


def latin_gaps(line: dict) -> list[float]:
    """The extra advance between each two Latin letters of ``line`` that touch as laid out (em):
    letter-spacing shows as a gap past the first glyph's width."""
    chars = line["chars"]
    return [(b["x0"] - a["x1"]) / line["size"] for a, b in zip(chars, chars[1:])
            if re.fullmatch("[A-Za-z]", a["text"]) and re.fullmatch("[A-Za-z]", b["text"])]


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_a_line_before_a_long_url_is_not_spread_and_its_latin_letters_not_spaced(make_issue, tmp_path, layout):
    """"论 文 的 数 据 和 代 码 已 在 G i t H u b 公 开（h t t p s://g i t h u b.c o m/": every Chinese gap
    0.17 em, every letter of GitHub and https 0.06 em (jianbao); gongwen spread the line before the
    e-mail address 0.17 em (P17 D2). The URL breaks where README allows it (before "-research"),
    a line of the URL's middle ends short, and no letter of a Latin word is ever spaced."""
    lines = build_lines(make_issue, tmp_path, URL_PARAGRAPH, layout)
    assert squash("".join(line["text"] for line in lines)) == squash(URL_PARAGRAPH)
    assert max(g for line in lines for g in latin_gaps(line)) < 0.01
    assert max(g for line in lines for g in han_gaps(line) or [0]) <= 0.06
    if layout == "jianbao":
        assert lines[0]["text"].endswith("https://github.com/carbon")
        assert lines[1]["text"].startswith("-research-lab/")
