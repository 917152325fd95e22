"""Codes, patent numbers and lists typed with hard breaks (P15 D3, D4), read back from built PDFs:
no line past the type area, each typed item indented as the first, a patent number whole with its
spaces as typed, the line before a long code set at its natural spacing."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from conftest import ARTICLE, MANIFEST
from kjtypeset.build import build_issue
from pdfread import HAN_RE, squash, text_lines

W3 = Path(__file__).parent / "fixtures" / "codes"  # the unseen issue w3 of P15 (2062-01)
# Two articles, so that the contents print and the article under test opens page 2 as written
# (an issue of one article starts under the masthead).
TWO = MANIFEST.replace("  - articles/a.md\n", "  - articles/a.md\n  - articles/b.md\n")
HARD_BROKEN = """\
经企业申报、旗县区推荐、专家评审，拟认定以下企业为第十批市级科技成果转化示范企业。

1．内蒙古蒙草生态环境（集团）股份有限公司　91150100701464009P  
2．内蒙古金宇保灵生物药品有限公司　91150100114128575G  
3．中环领先半导体材料有限公司　91150100MA0N6YJ31K  
4．内蒙古和林格尔新区算力产业发展有限公司　91150123MA13TQ6A8X  
5．呼和浩特市联合鼎盛固体废物处理有限公司　91150100MA0MWBQ73B

公示期间，任何单位和个人对名单有异议的，可向市科技局反映。
"""
PATENTS = ("ZL 2024 1 0195119.8", "ZL 2024 1 0173248.3", "ZL 2024 1 0554710.6", "CN 115123456 A")


def body_lines(pdf: Path) -> list[dict]:
    """The lines of the article pages in the body's size (the most common one there), each with
    its page's right edge of the type area ("edge": odd and even pages have their own margins)."""
    pages = text_lines(pdf)[1:]
    sizes = Counter(line["size"] for page in pages for line in page if HAN_RE.search(line["text"]))
    size = sizes.most_common(1)[0][0]
    lines = [dict(line, parity=number % 2) for number, page in enumerate(pages)
             for line in page if line["size"] == size]
    for parity in (0, 1):
        side = [line for line in lines if line["parity"] == parity]
        if side:
            edge = right_edge(side)
            for line in side:
                line["edge"] = edge
    return lines


def right_edge(lines: list[dict]) -> float:
    """The type area's right edge on pages of one parity: where most body lines that start at
    the left margin end (they are justified; a blockquote's are indented on both sides)."""
    left = min(line["x0"] for line in lines)
    return Counter(round(line["x1"] * 2) / 2 for line in lines
                   if abs(line["x0"] - left) < 0.5).most_common(1)[0][0]


def ink_end(line: dict) -> float:
    """Where the line's last glyph ends: a full-width closing mark's blank half may hang past the
    measure (paragraph.Planner.counts: end_mark), its ink does not."""
    return line["x1"] - (line["size"] / 2 if line["text"][-1] in "，。、；：？！）》」』】〉”’" else 0.0)


def han_gaps(line: dict) -> list[float]:
    """The extra advance between each two Chinese characters of ``line`` (em)."""
    chars = line["chars"]
    return [(b["x0"] - a["x0"]) / line["size"] - 1 for a, b in zip(chars, chars[1:])
            if HAN_RE.match(a["text"]) and HAN_RE.match(b["text"])]


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_no_line_of_a_list_of_codes_runs_past_the_type_area(tmp_path, layout):
    """"4．内蒙古和林格尔新区算力产业发展有限公司　91150123MA13TQ6A8X" ended 6.8 pt past the type
    area (P15 D4): the planner kept it whole counting on closing up its Chinese gaps, and the
    composer left a line with no mark to squeeze to WeasyPrint, which set it as it came. So did
    "11.一种羊绒纤维细度的在线检测方法，专利号ZL 2024 1 0545140.0，" (w3)."""
    issue = tmp_path / "w3"
    shutil.copytree(W3, issue)
    manifest = issue / "issue.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("layout: jianbao", f"layout: {layout}"),
                        encoding="utf-8")
    lines = body_lines(build_issue(manifest, tmp_path / "out", editions=("proof",)).pdf)
    assert [line["text"] for line in lines if ink_end(line) > line["edge"] + 0.5] == []


def test_a_list_typed_with_hard_breaks_sets_each_item_as_the_first(make_issue, tmp_path):
    """Typed "1．…　代码␣␣" line under line (P15 D4): each item starts indented as the first (lines
    2–4 were flush left), no line runs past the type area, and a line whose code goes to the next
    line is set at its natural spacing (items 4 and 5 were spread 0.17 em a gap)."""
    pdf = build_issue(make_issue(TWO, files={"articles/a.md": f"---\ntitle: 示范企业名单\n---\n\n{HARD_BROKEN}",
                                             "articles/b.md": ARTICLE}),
                      tmp_path / "out", editions=("proof",)).pdf
    lines = body_lines(pdf)
    edge = lines[0]["x1"]  # the first line of the paragraph above the list: justified
    assert all(ink_end(line) <= edge + 0.5 for line in lines), [(line["text"], line["x1"]) for line in lines]
    items = [line for line in lines if re.match(r"[1-5]．", line["text"])]
    assert [line["text"][0] for line in items] == list("12345")
    indent = lines[0]["x0"]  # the paragraph above the list
    assert all(abs(line["x0"] - indent) < 0.5 for line in items), [(line["text"], line["x0"]) for line in items]
    for line in items:
        assert max(han_gaps(line)) < 0.01, line["text"]
    text = squash("".join(line["text"] for line in lines))
    assert text.count("91150123MA13TQ6A8X") == 1 and text.count("91150100MA0MWBQ73B") == 1


def test_a_patent_number_is_one_identifier_its_spaces_never_break_nor_stretch(make_issue, tmp_path):
    """"…专利号ZL 2024 1 / 0173248.3" and "ZL␣␣␣2024 1" (the space after ZL took the line's stretch,
    up to 2 em) in an unseen gongwen issue (P15 D3): a patent number is never broken, every one of
    its spaces as wide as typed, and the line before it is not spread."""
    body = "\n".join(f"{k}. 一种{'输电线路覆冰监测' * (k % 3 + 1)}装置，专利号 {PATENTS[k % 4]}，"
                     "专利权人：内蒙古和林格尔新区算力产业发展有限公司" for k in range(1, 13))
    manifest = TWO + "layout: gongwen\n"
    pdf = build_issue(make_issue(manifest, files={"articles/a.md": f"---\ntitle: 专利\n---\n\n{body}\n",
                                                  "articles/b.md": ARTICLE}),
                      tmp_path / "out", editions=("proof",)).pdf
    lines = body_lines(pdf)
    text = "\n".join(line["text"] for line in lines)
    assert sum(squash(text).count(squash(number)) for number in PATENTS) == 12, text
    spaces = []
    for line in lines:
        chars = line["chars"]
        for number in PATENTS:
            start = squash(line["text"]).find(squash(number))
            if start >= 0:
                run = chars[start:start + len(squash(number))]
                spaces += [(b["x0"] - a["x1"]) / line["size"] for a, b in zip(run, run[1:])
                           if b["x0"] - a["x1"] > 0.05 * line["size"]]
    assert len(spaces) >= 30 and max(spaces) - min(spaces) < 0.02, spaces
    assert max(g for line in lines for g in han_gaps(line) or [0]) <= 0.06


def test_the_line_before_a_credit_code_is_set_at_natural_spacing(make_issue, tmp_path):
    """"…（内蒙古自治区农牧业科学院，统一社会信用代码" before "91150100U2NU8GBX55）" was letter-spaced
    0.40 em a gap (P15 D3, w3): an 18-character code that may not break leaves the line before it
    short at its natural spacing, as a reference list's line before a URL is, when filling it would
    spread it past linefit.CODE_GAP_EM (0.12 em)."""
    body = "\n".join(f"- 项目编号2060-KJ-00{k:02d}：一种{'高纯石英砂的酸浸' if k % 2 else '口蹄疫灭活疫苗的'}"
                     f"{'提纯' * (k % 4)}装置的中试验证（内蒙古自治区农牧业科学院，统一社会信用代码"
                     f" 91150100U2NU8GBX{k:02d}）" for k in range(1, 13))
    for layout in ("jianbao", "gongwen"):
        manifest = TWO.replace("number: 3", f"number: {4 if layout == 'gongwen' else 3}") + f"layout: {layout}\n"
        pdf = build_issue(make_issue(manifest, files={"articles/a.md": f"---\ntitle: 项目\n---\n\n{body}\n",
                                                      "articles/b.md": ARTICLE},
                                     folder=layout), tmp_path / layout, editions=("proof",)).pdf
        lines = body_lines(pdf)
        text = squash("".join(line["text"] for line in lines))
        assert all(f"91150100U2NU8GBX{k:02d}" in text for k in range(1, 13))
        worst = max((max(han_gaps(line)), line["text"]) for line in lines if han_gaps(line))
        assert worst[0] <= 0.12 + 0.005, (layout, worst)
        if layout == "jianbao":  # some lines there are left short (their fill passes 0.12 em)
            edge = max(line["x1"] for line in lines)
            assert any(line["text"].endswith("统一社会信用代码") and edge - line["x1"] > line["size"]
                       for line in lines)


def test_a_line_before_a_code_that_fills_with_gaps_a_reader_barely_sees_is_set_full(make_issue, tmp_path):
    """"…相关技术获发明专利授权（专利号" before "ZL 2023 1 1587302.X" was left 7 ems short, where the
    line could be set full at 0.044 em a gap (P16 R3): a line inside a paragraph that ends far
    short reads as the paragraph's end. Short only past linefit.CODE_GAP_EM."""
    body = ("从图1、图2可以看出，企业研发条件显著改善。全市新增国家级科技企业孵化器（含众创空间）24家，在孵企业（团队）"
            "57家；内蒙古草原英杰种业科技有限公司（统一社会信用代码91150105MA0Q8R2K7U）选育的“草原英杰1号”苜蓿新品种"
            "通过国家审定，相关技术获发明专利授权（专利号ZL 2023 1 1587302.X）。内蒙古大学牵头组建的“蒙古语智能信息处理"
            "技术国家地方联合工程研究中心”（National-Local Joint Engineering Research Center, NLJERC）新增专利授权62件。")
    manifest = TWO + "layout: gongwen\n"
    pdf = build_issue(make_issue(manifest, files={"articles/a.md": f"---\ntitle: 专利号前的短行\n---\n\n{body}\n",
                                                  "articles/b.md": ARTICLE}),
                      tmp_path / "out", editions=("proof",)).pdf
    lines = body_lines(pdf)
    lines = lines[:next(k for k, line in enumerate(lines) if line["text"].startswith("近年"))]  # not article b
    assert squash("".join(line["text"] for line in lines)) == squash(body)
    edge = max(line["x1"] for line in lines)
    assert [line["text"] for line in lines[:-1] if edge - ink_end(line) > 2] == []


def test_items_typed_with_hard_breaks_under_a_lead_in_line_are_set_as_paragraphs(make_issue, tmp_path):
    """"主要任务如下：\\" over "1．…\\" "2．…\\" "3．…" (the commonest shape in Word and WeChat text)
    printed the items flush left under an indented lead-in (P16 F1): each item is a paragraph,
    indented as the lead-in is."""
    items = ["1．加快建设高水平科技创新平台，推动重点实验室、工程技术研究中心提质增效，培育一批新型研发机构。",
             "2．强化企业科技创新主体地位，落实研发费用加计扣除政策，扩大高新技术企业和科技型中小企业规模。",
             "3．深化科技成果转化机制改革，完善技术转移服务体系，促进更多成果在本地落地转化。"]
    body = "主要任务如下：\\\n" + "\\\n".join(items) + "\n"
    pdf = build_issue(make_issue(TWO, files={"articles/a.md": f"---\ntitle: 主要任务\n---\n\n{body}",
                                             "articles/b.md": ARTICLE}),
                      tmp_path / "out", editions=("proof",)).pdf
    lines = body_lines(pdf)
    lead = next(line for line in lines if line["text"].startswith("主要任务如下"))
    starts = [line for line in lines if re.match(r"[1-3]．", line["text"])]
    assert [line["text"][0] for line in starts] == list("123")
    assert all(abs(line["x0"] - lead["x0"]) < 0.5 for line in starts), [(line["text"], line["x0"]) for line in starts]
