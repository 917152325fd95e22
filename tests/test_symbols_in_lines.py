"""URLs, signs and units in Chinese lines (P17 D2, D5, D8, D9, D12), read back from built PDFs:
a Latin word is never letter-spaced, a long URL breaks where it may rather than spread the line
before it, ± ≥ ≤ belong to their number, one glyph for every range tilde, units kept whole."""

from __future__ import annotations

import re

import pytest

from conftest import ARTICLE
from kjtypeset.build import build_issue
from pdfread import squash
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


SIGNS = "技术指标方面，新一代芯片的典型参数包括：工艺节点≥3 nm，能效比提升±15%以内，杂质≤0.5 mg/L，温度为−20 °C～+60 °C。"


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_a_sign_before_a_number_is_proportional_and_stays_with_its_number(make_issue, tmp_path, layout):
    """"能效比提升 ±15% 以内", "工艺节点≥3 nm": ± ≥ ≤ printed as the CJK faces' full-width glyphs,
    "±15%" reading "±  15%" beside a narrow "−20 °C" (P17 D8). Now from the symbols face, narrower
    than a full em, with no gap between the sign and its digit, and never at a line's end."""
    lines = build_lines(make_issue, tmp_path, SIGNS, layout)
    assert squash("".join(line["text"] for line in lines)) == squash(SIGNS)
    chars = [c for line in lines for c in line["chars"]]
    for k, c in enumerate(chars):
        if c["text"] in "±≥≤":
            digit = chars[k + 1]
            assert digit["text"].isdigit() and abs(digit["top"] - c["top"]) < c["size"]  # on its line
            assert "DejaVu" in c["fontname"] and c["width"] < 0.9 * c["size"], (c["text"], c["fontname"], c["width"])
            assert (digit["x0"] - c["x1"]) / c["size"] < 0.01
    assert not any(line["text"][-1] in "±≥≤" for line in lines)


def test_every_range_tilde_of_a_gongwen_issue_is_one_glyph(make_issue, tmp_path):
    """gongwen printed "4 800万元～12 600万元" and "−20 °C～+60 °C" with FandolFang's small "~" and
    "50%～80%", "5～7天" with the 宋体's full-width wave (P17 D5): every range tilde from one face."""
    body = "成交额在4 800万元～12 600万元之间，比例为50%～80%，温度为−20 °C～+60 °C，提前5～7天，电压1.8 V～2.1 V。"
    lines = build_lines(make_issue, tmp_path, body, "gongwen")
    tildes = [c for line in lines for c in line["chars"] if c["text"] == "～"]
    assert len(tildes) == 5
    assert len({c["fontname"] for c in tildes}) == 1, [c["fontname"] for c in tildes]
    assert "Noto-Serif-CJK" in tildes[0]["fontname"]


FILL = "按照该方法测算一台满负荷运行的服务器"


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_tonnes_of_co2_stay_whole_with_their_number(make_issue, tmp_path, layout):
    """"…年排放1.8 t / CO₂，" (P17 D9): "t CO₂" is one unit, as kW·h is, kept with its number."""
    body = "\n\n".join(FILL[:k] + "，相当于每平方米机房面积年排放1.8 t CO₂，同比增长较快。" for k in range(16))
    lines = build_lines(make_issue, tmp_path, body, layout)
    assert squash("".join(line["text"] for line in lines)) == squash(body.replace("\n\n", ""))
    assert [line["text"] for line in lines if line["text"].endswith(" t") or line["text"].startswith("CO₂")] == []


def test_a_doi_keeps_its_label_and_a_range_its_tilde(make_issue, tmp_path):
    """"（DOI：" ended a line before "10.1038/s41586-025-08712-4）" (jianbao), and "5 000万元～" one
    before "1亿元的9家" (gongwen; P17 D12): DOI keeps its number as arXiv: and ISBN do, and a line
    ends after a range's tilde only where anything else would spread it (as after 2042—)."""
    doi = ("3月12日，英国《自然》（*Nature*）杂志在线发表了题为“Accounting for the carbon footprint of "
           "research institutions”的研究论文（DOI：10.1038/s41586-025-08712-4），提出了一套适用于大学和"
           "科研院所的温室气体排放核算框架。")
    lines = build_lines(make_issue, tmp_path, doi, "jianbao")
    assert [line["text"] for line in lines if line["text"].endswith(("DOI：", "DOI"))] == []
    tilde = ("前30位企业中，生物医药和新材料领域企业各有6家，新能源领域5家；研发投入超过1亿元的有14家，"
             "5 000万元～1亿元的9家。")
    lines = build_lines(make_issue, tmp_path, tilde, "gongwen", number=4)
    assert squash("".join(line["text"] for line in lines)) == squash(tilde)
    assert [line["text"] for line in lines if line["text"].endswith("～")] == []


def test_a_sign_that_opens_an_english_run_nests_in_its_span():
    """An English run that begins with a number's sign (±15% of the population) opens two spans at
    the ±: they nest (the run's first), where the markup closed the run's span at the sign."""
    from kjtypeset.typography import cjk

    html = cjk.prepare("<p>预计增长±15% of the population。</p>", cjk.Options(latin_hyphenation=True))
    assert '<span class="kj-en" lang="en-US"><span class="kj-sign">±</span>' in html
    assert html.count("<span") == html.count("</span>")
