"""Layouts (issue 17), read back from the PDF: the sample built in both shipped layouts (contents
numbers, flush lines, line breaking, holes, the baseline grid), gongwen's GB/T 9704 page
(22 lines × 28 characters, folios, a face per role), layout inheritance (a bulletin folder's
layout extending a built-in one: settings, variables, one template block, stylesheets), fonts
by role (a character a role's chain lacks, unicode-range), the Debian packages a layout needs,
and the layout settings' one-line errors."""

from __future__ import annotations

import io
import re
import shutil
import textwrap
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader
from pypdf.generic import StreamObject

from conftest import ARTICLE, MANIFEST, ROOT, SAMPLE, fails
from kjtypeset import project
from kjtypeset.build import build_issue
from kjtypeset.cli import main
from kjtypeset.engine import fonts
from kjtypeset.engine.layout import missing_packages, read_layout
from kjtypeset.errors import display_path
from kjtypeset.pdf.colour import screen_rgb
from pdfread import (
    NOTE_MARK,
    contents_numbers,
    flush_report,
    folios,
    line_break_violations,
    note_calls,
    note_number,
    page_texts,
    squash,
    title_pages,
)

MM = 72 / 25.4
TOP, BOTTOM = 37 * MM, (297 - 35) * MM  # the type area, from the page top (both layouts)
RIGHT_EDGES = ((210 - 26) * MM, (210 - 28) * MM)  # odd (recto) and even pages: mirrored margins
LEFT_EDGES = (28 * MM, 26 * MM)
# Each layout's grid: characters a line in the 156 mm measure, lines in the 225 mm type area.
GRID = {"jianbao": (32, 26), "gongwen": (28, 22)}


def size_of(layout: str) -> float:
    return 156 / GRID[layout][0] * MM


def pitch_of(layout: str) -> float:
    return 225 / GRID[layout][1] * MM


def with_layout(folder: Path, layout: str) -> Path:
    """The manifest in ``folder`` set to ``layout`` (whatever it named before)."""
    manifest = folder / "issue.yaml"
    lines = [line for line in manifest.read_text(encoding="utf-8").splitlines() if not line.startswith("layout:")]
    manifest.write_text("\n".join(lines).replace("articles:", f"layout: {layout}\narticles:") + "\n", encoding="utf-8")
    return manifest


@pytest.fixture(scope="module")
def gongwen_sample(tmp_path_factory):
    """The real 2024-02 issue in the gongwen layout, all three editions."""
    folder = tmp_path_factory.mktemp("gongwen") / "2024-02"
    shutil.copytree(SAMPLE.parent, folder)
    return build_issue(with_layout(folder, "gongwen"), folder.parent / "out")


@pytest.fixture(params=["jianbao", "gongwen"])
def built(request, sample_build, gongwen_sample):
    return request.param, (sample_build if request.param == "jianbao" else gongwen_sample)


def masthead_foot(page) -> float:
    """Where the masthead ends (its rule), on page 1; 0 on the other pages. gongwen sets the
    masthead's issue line at the body size, and one article follows the masthead on page 1."""
    if not any(c["size"] > 30 for c in page.chars):  # the bulletin's name
        return 0
    # WeasyPrint draws the rule (a bottom border) as the masthead's box, clipped.
    return max((r["bottom"] for r in page.rects if r["width"] > 400 and r["top"] < page.height / 3), default=0)


def body_lines(page, layout: str) -> list[dict]:
    """The body lines of a page (text at the body size within the type area, under the
    masthead), top down, with their baselines."""
    foot = masthead_foot(page)
    rows: dict[int, list] = {}
    for c in page.chars:
        if c["text"].strip() and abs(c["size"] - size_of(layout)) < 0.05:
            rows.setdefault(round((page.height - c["matrix"][5]) * 4), []).append(c)
    out = []
    for key in sorted(rows):
        chars = sorted(rows[key], key=lambda c: c["x0"])
        base = key / 4
        if max(TOP, foot) < base < BOTTOM:
            out.append({"base": base, "text": "".join(c["text"] for c in chars), "chars": chars})
    return out


# ---- the sample in both layouts: what the jianbao bars demand ------------------------------

def test_contents_numbers_are_the_pages_the_articles_start_on(built):
    _layout, result = built
    texts = page_texts(result.pdf)
    titles = [entry.title for entry in result.contents]
    assert len(titles) == 8
    assert contents_numbers(texts, titles) == title_pages(texts, titles) == \
        {entry.title: entry.page for entry in result.contents}


def test_every_contents_entry_has_its_leader_and_ends_its_number_on_the_measure(built):
    """The ★ hangs in the margin of its entry: each entry's last line carries dots and the page
    number ends where the body's lines end (a hanging text-indent once left a one-line entry's
    number 1.25 em short, and an entry that filled its line without dots)."""
    _layout, result = built
    with pdfplumber.open(result.pdf) as pdf:
        page = pdf.pages[0]
        numbers = [w for w in page.extract_words() if re.search(r"\.{3,}\d+$", w["text"])]
    assert len(numbers) == len(result.contents)
    for word in numbers:
        assert word["x1"] == pytest.approx(RIGHT_EDGES[0], abs=0.5), word["text"]


def test_justified_lines_end_flush_and_break_by_the_rules(built):
    layout, result = built
    report = flush_report(result.pdf, size_of(layout), RIGHT_EDGES)
    assert report["lines"] > 150 and report["ragged"] == []
    assert line_break_violations(result.pdf, size_of(layout)) == []


def test_no_page_is_left_with_a_hole(built):
    """Every page but the contents page and the last two (the last article's end, the 版记)
    is filled to within a quarter of the type area's foot (what pagecheck.py checks)."""
    _layout, result = built
    with pdfplumber.open(result.pdf) as pdf:
        pages = pdf.pages[1:-2]
        assert pages
        for page in pages:
            bottoms = [c["bottom"] for c in page.chars if c["text"].strip() and c["bottom"] < BOTTOM + 2]
            bottoms += [image["bottom"] for image in page.images]
            bottoms += [rule["bottom"] for rule in page.rects + page.lines  # tables
                        if max(rule["width"], rule["height"]) > 20 and rule["bottom"] < BOTTOM + 2]
            assert max(bottoms) > BOTTOM - (BOTTOM - TOP) / 4, page.page_number


def test_body_lines_sit_on_the_layouts_grid_and_fill_full_pages(built):
    """Every body line's baseline is on one grid counted from the type area's top, the same on
    every page (so facing pages register), no page holds more lines than the grid, and a page
    of running text holds exactly that many (22 in gongwen, 26 in jianbao)."""
    layout, result = built
    pitch, lines_a_page = pitch_of(layout), GRID[layout][1]
    with pdfplumber.open(result.pdf) as pdf:
        pages = [body_lines(page, layout) for page in pdf.pages[1:]]
    phases = [(line["base"] - TOP) % pitch for page in pages for line in page]
    assert len(phases) > 150
    first = min(phases)
    assert all(min(p - first, pitch - (p - first)) < 0.3 for p in phases)
    slots = [round((line["base"] - TOP - first) / pitch) for page in pages for line in page]
    assert min(slots) == 0 and max(slots) == lines_a_page - 1
    counts = [len(page) for page in pages]
    assert max(counts) == lines_a_page, counts


def test_a_line_of_plain_han_holds_the_layouts_characters(make_issue, tmp_path):
    """Plain Han with no punctuation: every full line holds exactly the measure's characters,
    at the size that makes 156 mm (gongwen: 28 of 15.79 pt, 3号 as GB/T 9704 sets it)."""
    han = "科技创新平台建设成效显著企业研发投入持续增长成果转化加快推进人才队伍不断壮大区域协同发展" * 6
    for layout, (chars, _lines) in GRID.items():
        manifest = make_issue(MANIFEST, files={"articles/a.md": f"---\ntitle: 整行测试\n---\n\n{han}\n"},
                              folder=f"2024-{chars}")
        result = build_issue(with_layout(manifest.parent, layout), tmp_path / layout, editions=("proof",))
        with pdfplumber.open(result.pdf) as pdf:
            lines = [line for page in pdf.pages for line in body_lines(page, layout)]
        assert [len(line["text"]) for line in lines[1:-1]] == [chars] * (len(lines) - 2), layout
        assert len(lines[0]["text"]) == chars - 2  # the first line's 2 em indent
        for line in lines[1:-1]:  # 156 mm, the measure
            assert abs(line["chars"][-1]["x1"] - line["chars"][0]["x0"] - 156 * MM) < 0.5


# ---- gongwen: GB/T 9704's page ---------------------------------------------------------------

def masthead_issue(make_issue, tmp_path, layout: str, **fields) -> Path:
    """The proof of the test issue in ``layout`` with its manifest's ``fields`` replaced; two
    articles, so that the contents follow the masthead (one article's text would)."""
    manifest = MANIFEST + "  - articles/b.md\n"
    for key, value in fields.items():
        manifest = re.sub(rf"(?m)^{key}: .*$", f"{key}: {value}", manifest)
    if layout == "gongwen":
        manifest += "layout: gongwen\n"
    return build_issue(make_issue(manifest, files={"articles/a.md": ARTICLE, "articles/b.md": ARTICLE}),
                       tmp_path / "out", editions=("proof",)).pdf


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_a_long_publisher_name_wraps_and_the_date_stays_whole(make_issue, tmp_path, layout):
    """A 编印单位 of 22 characters does not fit the masthead's line beside the date: it wraps
    between its words, flush left, and the date keeps one line, level with the name's last
    line (it was set 2024年 / 3月29日 on two lines)."""
    name = "内蒙古自治区呼和浩特市科学技术局综合保障中心"
    pdf = masthead_issue(make_issue, tmp_path, layout, publisher=name)
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        rows: dict[int, str] = {}
        for char in sorted(page.chars, key=lambda c: c["x0"]):
            if abs(char["size"] - 16) < 0.3:  # the issue's and the publisher's lines (3号)
                rows[round(char["top"])] = rows.get(round(char["top"]), "") + char["text"]
        left = min(c["x0"] for c in page.chars if c["text"] == name[0])
        body_left = min(c["x0"] for c in page.chars if c["text"] == "★") if layout == "jianbao" else left
    lines = [text for text in rows.values() if "期" not in text and "录" not in text]
    assert any(text.endswith("2024年3月29日") for text in lines), lines
    assert "".join(lines).replace("2024年3月29日", "") == name + "编"
    assert left <= body_left + 0.5


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_the_masthead_never_sets_bian_on_a_line_of_its_own(make_issue, tmp_path, layout):
    """A name ending in a closing bracket: 编 was set alone on the line under it."""
    name = "内蒙古自治区能源局节能与科技装备处（自治区碳达峰碳中和工作领导小组办公室）"
    pdf = masthead_issue(make_issue, tmp_path, layout, publisher=name)
    with pdfplumber.open(pdf) as doc:
        lines = doc.pages[0].extract_text().splitlines()
    line = next(line for line in lines if "编" in line and "日" in line)
    assert line.split("编")[0].endswith("办公室）"), lines


def test_a_publisher_name_longer_than_the_end_block_line_wraps_inside_it(make_issue, tmp_path):
    name = "呼和浩特市科学技术局综合保障中心暨科技情报研究所暨生产力促进中心暨科技成果转化服务中心"
    pdf = masthead_issue(make_issue, tmp_path, "jianbao", publisher=name)
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[-1]
        rules = [r for r in page.rects + page.lines if r["width"] > 200]  # the 版记's rules span the measure
        small = [c for c in page.chars if abs(c["size"] - 12) < 0.2]
        assert rules and max(c["x1"] for c in small) <= max(r["x1"] for r in rules) + 0.5
        assert name in "".join(c["text"] for c in small)
        # its next line starts under the name's first character, not under 编印：
        label = next(c for c in small if c["text"] == "编")
        first = next(c for c in small if c["text"] == name[0] and abs(c["top"] - label["top"]) < 1)
        below = min(c["top"] for c in small if c["top"] > label["top"] + 1)
        assert min(c["x0"] for c in small if abs(c["top"] - below) < 1) == pytest.approx(first["x0"], abs=0.5)


@pytest.mark.parametrize(("layout", "size"), [("jianbao", 12), ("gongwen", 14)])
def test_the_end_block_is_set_one_step_below_the_body(make_issue, tmp_path, layout, size):
    """GB/T 9704 §10 sets the 版记 in 4号 under a 3号 body: gongwen printed jianbao's 小四
    (12 pt), jianbao (a 13.8 pt body) keeps 小四."""
    pdf = masthead_issue(make_issue, tmp_path, layout)
    with pdfplumber.open(pdf) as doc:
        lines = doc.pages[-1].extract_text_lines(return_chars=True)
    row = next(line for line in lines if line["text"].startswith("编印："))
    assert {round(c["size"], 1) for c in row["chars"] if c["text"].strip()} == {size}, row["text"]


def test_every_contents_leader_shows_dots_however_long_the_title(make_issue, tmp_path):
    """Titles of every length up to two lines: one whose last line ends an em short of its
    page number takes its last characters to the next line rather than be joined to the
    number by a dot or two (page makeup tries the issue again with that break)."""
    base = "关于加快推进科技创新驱动高质量发展的若干政策措施实施细则与配套文件解读汇编材料"
    files = {f"articles/{n}.md": f"---\ntitle: {base[:n]}\n---\n\n正文。\n" for n in range(26, 39)}
    manifest = MANIFEST.replace("  - articles/a.md\n", "".join(f"  - {name}\n" for name in files))
    pdf = build_issue(make_issue(manifest, files=files), tmp_path / "out", editions=("proof",)).pdf
    with pdfplumber.open(pdf) as doc:
        lines = [line for page in doc.pages[:2] for line in page.extract_text().splitlines()]
    leaders = [re.search(r"(\.+)\s*\d+$", line) for line in lines if re.search(r"\.\s*\d+$", line)]
    assert len(leaders) == len(files)
    assert min(len(found.group(1)) for found in leaders) >= 3, lines


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_a_contents_entry_of_two_lines_breaks_between_words(make_issue, tmp_path, layout):
    """The entry's last characters stay with its leader and page number; cut at the fourth
    from the end they split a word there (…所得税优惠政 / 策的公告, 迈向“全分 / 子”时代)."""
    titles = ["财政部　税务总局关于延续实施小微企业和个体工商户所得税优惠政策的公告",
              "AlphaFold 3开放学术使用　蛋白质结构预测迈向“全分子”时代",
              "自治区税务局关于2026年度企业所得税汇算清缴有关事项的通知"]
    files = {f"articles/{n}.md": f"---\ntitle: {title}\n---\n\n正文。\n" for n, title in enumerate(titles)}
    manifest = MANIFEST.replace("  - articles/a.md\n", "".join(f"  - {name}\n" for name in files))
    manifest += "layout: gongwen\n" if layout == "gongwen" else ""
    pdf = build_issue(make_issue(manifest, files=files), tmp_path / "out", editions=("proof",)).pdf
    with pdfplumber.open(pdf) as doc:
        lines = [re.sub(r"[\s.]+\d+$", "", line) for line in doc.pages[0].extract_text().splitlines()]
    wrapped = [(a, b) for a, b in zip(lines, lines[1:]) if a.lstrip("★ ") and (a + b).lstrip("★ ") in
               [t.replace("　", " ") for t in titles]]
    assert wrapped, lines  # at least one entry takes two lines at this measure
    for first, second in wrapped:
        assert not first.endswith(("政", "全分", "事")) and not second.startswith(("策", "子", "项")), (first, second)


def test_a_contents_entry_keeps_its_han_latin_spacing_and_its_numbers_units(make_issue, tmp_path):
    """The entry's tail was cut where Chinese meets Latin: set apart, "端侧AI能力对比" lost the
    spacing after AI (printed "AI能" solid), and "…降至100 / 美元以下？" broke between a number
    and its unit."""
    titles = ["iPhone 16 Pro与国产旗舰手机的影像和端侧AI能力对比",
              "直接空气捕集（DAC）技术进展：每吨二氧化碳捕集成本能否降至100美元以下？"]
    files = {f"articles/{n}.md": f"---\ntitle: {title}\n---\n\n正文。\n" for n, title in enumerate(titles)}
    manifest = MANIFEST.replace("  - articles/a.md\n", "".join(f"  - {name}\n" for name in files))
    pdf = build_issue(make_issue(manifest, files=files), tmp_path / "out", editions=("proof",)).pdf
    with pdfplumber.open(pdf) as doc:
        chars = [c for c in doc.pages[0].chars if c["text"].strip()]
        text = "".join(c["text"] for c in chars)
        lines = doc.pages[0].extract_text().splitlines()
    at = text.index("AI能")
    before, letter, han = chars[at - 1], chars[at + 1], chars[at + 2]  # 侧 A … I 能
    # (The text layer folds the spacing into the letters' advances: what is left between the
    # boxes is the same on both sides of AI, and nothing where the spacing was lost.)
    assert han["x0"] - letter["x1"] == pytest.approx(chars[at]["x0"] - before["x1"], abs=0.05)
    assert han["x0"] - letter["x1"] > 0.3
    assert not any(re.search(r"100$", line) for line in lines), lines


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
@pytest.mark.parametrize("name, lines", [("科技情报参考", 1), ("科技创新工作简报", 1),
                                         ("呼和浩特科技工作简报", 1), ("呼和浩特市科学技术局科技情报参考", 2)])
def test_the_masthead_name_keeps_one_line_down_to_36_pt(make_issue, tmp_path, layout, name, lines):
    """A name of up to ten characters is set smaller rather than broken (an eight-character
    one took two lines of 54 pt); a longer one takes two lines at 36 pt."""
    pdf = masthead_issue(make_issue, tmp_path, layout, bulletin=name)
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        big = [c for c in page.chars if c["size"] > 30]
        rules = [r for r in page.rects + page.lines if r["width"] > 300]  # the red rule spans the measure
    assert "".join(c["text"] for c in big) == name
    assert len({round(c["top"]) for c in big}) == lines
    assert 36 - 0.1 <= min(c["size"] for c in big) <= 54.1
    assert rules and min(r["x0"] for r in rules) - 0.5 <= min(c["x0"] for c in big)
    assert max(c["x1"] for c in big) <= max(r["x1"] for r in rules) + 0.5
    if len(name) <= 6:
        assert min(c["size"] for c in big) >= 51.9  # the sample's name keeps its size (52 or 54 pt)


def test_gongwen_list_bullets_copy_as_bullets_beside_a_name_with_a_middle_dot(make_issue, tmp_path):
    """Fandol draws • with the glyph of its · (and a PDF maps a glyph back to one character):
    in an article that also has 法提赫·比罗尔, the bullets copied as "·", a 间隔号 starting
    a line. gongwen sets the bullet in 黑体, whose • is a glyph of its own."""
    article = ARTICLE + "\n国际能源署署长法提赫·比罗尔指出：\n\n- 推广液冷技术\n- 优化算力布局\n"
    path = make_issue(MANIFEST + "layout: gongwen\n", files={"articles/a.md": article})
    text = "".join(page_texts(build_issue(path, tmp_path / "out", editions=("proof",)).pdf))
    assert "法提赫·比罗尔" in text
    assert re.findall(r"(\S)(推广液冷技术|优化算力布局)", text) == [("•", "推广液冷技术"), ("•", "优化算力布局")]


def test_gongwen_numbers_every_page_odd_right_even_left(gongwen_sample):
    """§7.5: "— 1 —" in 4号 half-width digits on every page but the 版记's own, page 1 too;
    odd pages at the right, even pages at the left, one character in from the edge."""
    texts = page_texts(gongwen_sample.pdf)
    printed = folios(texts)
    assert printed[:-1] == list(range(1, len(texts)))
    with pdfplumber.open(gongwen_sample.pdf) as pdf:
        for number, page in enumerate(pdf.pages[:-1], start=1):
            folio = [c for c in page.chars if c["text"].strip() and c["top"] > BOTTOM]
            assert "".join(c["text"] for c in folio) == f"—{number}—"
            assert all(abs(c["size"] - 14) < 0.05 for c in folio)
            if number % 2:  # one character (4号, 14 pt) in from the type area's outer edge
                assert abs(folio[-1]["x1"] - (RIGHT_EDGES[0] - 14)) < 0.5, number
            else:
                assert abs(folio[0]["x0"] - (LEFT_EDGES[1] + 14)) < 0.5, number


def font_of(pdf, page: int, text: str) -> set[str]:
    """The fonts that draw ``text`` (spaces aside) on page ``page``."""
    for line in pdf.pages[page - 1].extract_text_lines(return_chars=True):
        chars = [c for c in line["chars"] if c["text"].strip()]
        joined = "".join(c["text"] for c in chars)
        if text in joined:
            start = joined.index(text)
            return {c["fontname"].split("+")[-1] for c in chars[start:start + len(text)]}
    raise AssertionError(f"{text} not on page {page}")


def test_gongwen_sets_each_role_in_its_face(gongwen_sample, make_issue, tmp_path):
    """Body 仿宋, titles and masthead in the heavy Song, run-ins in 黑体; the source line and
    the second-level head in 楷体 (an issue of its own: the sample has neither)."""
    with pdfplumber.open(gongwen_sample.pdf) as pdf:
        assert font_of(pdf, 1, "科技情报参考") == {"Noto-Serif-CJK-SC-Black,-Bold"}
        assert font_of(pdf, 2, "浙江衢州推动双创平台建设成效显著") == {"Noto-Serif-CJK-SC-Black,-Bold"}
        assert font_of(pdf, 2, "近年来，衢州市围绕") == {"FandolFang"}
        assert font_of(pdf, 2, "一是政策体系加速完善") == {"Noto-Sans-CJK-SC"}
        assert font_of(pdf, 1, "目") == {"Noto-Sans-CJK-SC"}
    article = ARTICLE.replace("title:", "source: 市科技局\ntitle:") + "\n### （一）加强平台建设\n\n正文。\n"
    manifest = with_layout(make_issue(files={"articles/a.md": article}).parent, "gongwen")
    with pdfplumber.open(build_issue(manifest, tmp_path / "out", editions=("proof",)).pdf) as pdf:
        assert font_of(pdf, 1, "来源：市科技局") == font_of(pdf, 1, "加强平台建设") == {"FandolKai"}


# ---- inheritance -------------------------------------------------------------------------------

@pytest.fixture
def bulletin(tmp_path, monkeypatch):
    """A bulletin folder (the working folder) with one issue; returns (folder, manifest)."""
    (tmp_path / project.MARKER).write_text("", encoding="utf-8")
    issue = tmp_path / "issue_sources" / "2024-03"
    (issue / "articles").mkdir(parents=True)
    (issue / "articles" / "a.md").write_text(ARTICLE + "\n**一是研发投入增长。**2023年全市研发经费27 436.5万元。\n\n## 二、成效\n\n正文。\n",
                                             encoding="utf-8")
    (issue / "issue.yaml").write_text(MANIFEST, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path, issue / "issue.yaml"


def own(folder: Path, name: str, files: dict[str, str]) -> Path:
    """The bulletin folder's layouts/<name>/ with these files."""
    layout = folder / "layouts" / name
    layout.mkdir(parents=True, exist_ok=True)
    for file, text in files.items():
        (layout / file).write_text(textwrap.dedent(text), encoding="utf-8")
    return layout


def on_screen(*cmyk: float) -> set[tuple[float, ...]]:
    """The colour a proof sets for a layout's device-cmyk(): the sRGB it prints as (issue 16)."""
    return {tuple(round(v, 4) for v in screen_rgb(*cmyk))}


def masthead_colours(chars: list[dict]) -> set[tuple[float, ...]]:
    return {tuple(round(v, 4) for v in c["non_stroking_color"]) for c in chars}


def masthead_chars(pdf: Path) -> list[dict]:
    with pdfplumber.open(pdf) as doc:
        return [c for c in doc.pages[0].chars if c["size"] > 40]


def test_the_example_bureau_layout_changes_the_masthead_in_four_lines(bulletin):
    """layouts/example-bureau (shipped in this repository's bulletin folder): jianbao with a
    blue masthead in 黑体; everything else, the body included, is jianbao's."""
    folder, manifest = bulletin
    example = ROOT / "layouts" / "example-bureau"
    assert len((example / "layout.yaml").read_text(encoding="utf-8").splitlines()) == 4
    shutil.copytree(example, folder / "layouts" / "example-bureau")
    result = build_issue(with_layout(manifest.parent, "example-bureau"), folder / "out", editions=("proof",))
    chars = masthead_chars(result.pdf)
    assert "".join(c["text"] for c in chars) == "科技情报参考"
    assert {c["fontname"].split("+")[-1] for c in chars} == {"Noto-Sans-CJK-SC-Bold"}
    assert masthead_colours(chars) == on_screen(1, 0.5, 0, 0)
    with pdfplumber.open(result.pdf) as doc:
        body = [c for c in doc.pages[0].chars if c["text"] == "衢"]
    assert body and {c["fontname"].split("+")[-1] for c in body} == {"Noto-Serif-CJK-SC"}
    assert {round(c["size"], 2) for c in body} == {round(size_of("jianbao"), 2)}


def test_a_layout_overrides_one_template_block_and_adds_a_stylesheet(bulletin):
    folder, manifest = bulletin
    own(folder, "neibu", {
        "layout.yaml": """\
            extends: jianbao
            name: 内部版
            stylesheets: [neibu.css]
            """,
        "issue.html": """\
            {% extends "jianbao/issue.html" %}
            {% block masthead %}<header class="masthead"><p class="bulletin-name">内部参阅</p></header>{% endblock %}
            """,
        "neibu.css": ".bulletin-name { color: device-cmyk(0 0 0 1); }\n",
    })
    result = build_issue(with_layout(manifest.parent, "neibu"), folder / "out", editions=("proof",))
    chars = masthead_chars(result.pdf)
    assert "".join(c["text"] for c in chars) == "内部参阅"
    assert masthead_colours(chars) == on_screen(0, 0, 0, 1)  # neibu.css after style.css
    texts = page_texts(result.pdf)
    assert "测试文章标题" in texts[0] and "2024年第3期" not in texts[0]  # the contents stay; the old masthead went


def test_a_bulletin_folders_jianbao_may_extend_the_built_in_jianbao(bulletin):
    folder, manifest = bulletin
    own(folder, "jianbao", {"layout.yaml": 'extends: jianbao\nvariables: {masthead-colour: "device-cmyk(0 0 0 1)"}\n'})
    result = build_issue(manifest, folder / "out", editions=("proof",))
    assert masthead_colours(masthead_chars(result.pdf)) == on_screen(0, 0, 0, 1)


def test_a_template_extending_itself_is_one_error(bulletin):
    folder, manifest = bulletin
    own(folder, "neibu", {"layout.yaml": "extends: jianbao\nname: 内部版\n",
                          "issue.html": '{% extends "issue.html" %}\n'})
    manifest = with_layout(manifest.parent, "neibu")
    fails(lambda: build_issue(manifest, folder / "out"),
          "layouts/neibu/issue.html: 版式模板继承绕回了自己：要在上级版式的模板上改，"
          '应写 {% extends "上级版式名/issue.html" %}', writes_nothing_in=folder / "issue_sources")


# ---- the schema: one line, file:line, what was expected and what was found ---------------------

JIANBAO_FACES = "Noto Serif CJK SC、Noto Sans CJK SC、Liberation Serif Italic、DejaVu Serif"


@pytest.mark.parametrize("text, message", [
    ("extends: jianbao\nname: 甲\nfont:\n  body: [Noto Serif CJK SC]\n",
     "layouts/bad/layout.yaml:3: 未知的键 'font'：应为 extends、name、template、stylesheets、faces、fonts、"
     "variables、typography、makeup 之一，是否应为 'fonts'？"),
    ("extends: jianbo\nname: 甲\n", "layouts/bad/layout.yaml:1: extends（继承的版式）应为 gongwen、jianbao 之一，实际为 'jianbo'"),
    ("name: 甲\nfonts:\n  body: [Noto Serif CJK SC]\n",
     "layouts/bad/layout.yaml:3: fonts.body：字体 'Noto Serif CJK SC' 未在 faces（字体文件）中定义：应先在 faces 中写出它的字体文件"),
    ("extends: jianbao\nfonts:\n  body: [方正仿宋, Noto Serif CJK SC]\n",
     f"layouts/bad/layout.yaml:3: fonts.body：字体 '方正仿宋' 未在 faces（字体文件）中定义：应为 {JIANBAO_FACES} 之一"),
    ("extends: jianbao\nfonts:\n  Body: [Noto Serif CJK SC]\n",
     "layouts/bad/layout.yaml:3: fonts：角色名应只含小写字母、数字和连字符（如 heading-1），实际为 'Body'"),
    ('extends: jianbao\nfaces:\n  方正"仿宋:\n    regular: fzfs.ttf\n',
     'layouts/bad/layout.yaml:3: 字体族名不能含 " ; { } < > \\，实际为“方正"仿宋”'),
    ("extends: jianbao\nfaces:\n  方正仿宋:\n    debian: fonts-fzfs\n",
     "layouts/bad/layout.yaml:4: faces.方正仿宋 应至少写出 regular（常规字重）或 bold（粗体）的字体文件"),
    ("extends: jianbao\nfaces:\n  Latin:\n    regular: DejaVuSerif.ttf\n    unicode_range: 0020-007E\n",
     "layouts/bad/layout.yaml:5: faces.Latin.unicode_range 应为 CSS 的 unicode-range（如 U+0020-007E, U+00C0-024F），"
     "实际为“0020-007E”"),
    ('extends: jianbao\nvariables:\n  masthead-colour: "red } body { color: blue"\n',
     "layouts/bad/layout.yaml:3: variables.masthead-colour 应为一个 CSS 值（不含 ; { } < > \\），实际为“red } body { color: blue”"),
    ("extends: jianbao\nmakeup:\n  figure_min_scale: 5%\n",
     "layouts/bad/layout.yaml:3: makeup.figure_min_scale（图为留在原处最多缩小到）应为 10%–100% 之间的比例（如 75%），实际为“5%”"),
    ("extends: jianbao\nmakeup:\n  contents_min_size: 14pt\n",
     "layouts/bad/layout.yaml:3: makeup：目录条目的最小字号、最小行距应不大于字号、行距"),
    ("extends: jianbao\ntypography:\n  squeeze: 是\n",
     "layouts/bad/layout.yaml:3: squeeze（先挤后拉（行紧时先压缩标点和中西文间距））应为 true 或 false，实际为“是”"),
    ("extends: jianbao\nstylesheets: [bad.css]\n", "layouts/bad/layout.yaml:2: stylesheets：找不到版式文件夹中的样式表 'bad.css'"),
    ("fonts:\n  body: [Noto Serif CJK SC]\n", "layouts/bad/layout.yaml:1: 缺少必填项 'name'（版式名称）"),
    ("extends: jianbao\nfaces:\n  甲:\n    regular: 方正小标宋.ttf\n    debian: fonts-fzxbs\nfonts:\n  title: [甲]\n",
     "layouts/bad/layout.yaml:4: 找不到字体文件 '方正小标宋.ttf'：应先安装 Debian 软件包 fonts-fzxbs（apt-get install "
     "fonts-fzxbs；make setup 会安装在用的版式需要的软件包），或把字体文件放在版式的 fonts/、项目的 fonts/ 或 "
     "{shared} 中"),
])
def test_layout_settings_are_checked(bulletin, text, message):
    folder, manifest = bulletin
    own(folder, "bad", {"layout.yaml": text})
    manifest = with_layout(manifest.parent, "bad")
    fails(lambda: build_issue(manifest, folder / "out"),
          message.replace("{shared}", display_path(project.user_fonts())), writes_nothing_in=folder / "out")


def test_a_cycle_of_layouts_is_one_error(bulletin):
    folder, manifest = bulletin
    own(folder, "a", {"layout.yaml": "extends: b\nname: 甲\n"})
    own(folder, "b", {"layout.yaml": "name: 乙\nextends: a\n"})
    manifest = with_layout(manifest.parent, "a")
    fails(lambda: build_issue(manifest, folder / "out"),
          "layouts/b/layout.yaml:2: extends（继承的版式）不能绕回自己：a → b → a")


# ---- fonts by role ------------------------------------------------------------------------------

def test_a_character_its_roles_chain_lacks_names_the_role_and_the_chain(bulletin):
    """A sub-head (heading-1) set in a chain without Han: the heading's line, not the body's."""
    folder, manifest = bulletin
    own(folder, "neibu", {"layout.yaml": "extends: jianbao\nname: 内部版\nfonts:\n  heading-1: [DejaVu Serif]\n"})
    manifest = with_layout(manifest.parent, "neibu")
    fails(lambda: build_issue(manifest, folder / "out"),
          "issue_sources/2024-03/articles/a.md:9: 字符 '二'（U+4E8C）、'、'（U+3001）、'成'（U+6210）、'效'（U+6548）"
          "不在字体角色 heading-1 的字体链（DejaVu Serif）中，"
          "印出来会是方框：应改用常用字，或在版式 layout.yaml 的 fonts.heading-1 中加入含此字的字体")


def test_a_sub_head_written_levels_down_is_checked_in_the_role_it_is_set_in(bulletin):
    """A "####" set as a "##" (P9 D8) is checked against heading-1, not against the body's chain."""
    folder, manifest = bulletin
    own(folder, "neibu", {"layout.yaml": "extends: jianbao\nname: 内部版\nfonts:\n  heading-1: [DejaVu Serif]\n"})
    article = manifest.parent / "articles" / "a.md"
    article.write_text(ARTICLE + "\n#### 一、进展\n\n正文。\n\n## 二、成效\n\n正文。\n", encoding="utf-8")
    fails(lambda: build_issue(with_layout(manifest.parent, "neibu"), folder / "out"),
          "issue_sources/2024-03/articles/a.md:7: 字符 '一'（U+4E00）、'、'（U+3001）、'进'（U+8FDB）、'展'（U+5C55）"
          "不在字体角色 heading-1 的字体链（DejaVu Serif）中，"
          "印出来会是方框：应改用常用字，或在版式 layout.yaml 的 fonts.heading-1 中加入含此字的字体（本文第 11 行也有缺字）")


def test_a_face_limited_by_unicode_range_sets_only_those_characters(bulletin):
    """Digits from DejaVu Serif, everything else from the next face of the chain, even the
    quotes the machine's own DejaVu Serif has (fontconfig would take them from it)."""
    folder, manifest = bulletin
    own(folder, "neibu", {"layout.yaml": """\
        extends: jianbao
        name: 内部版
        faces:
          DejaVu Serif:
            regular: DejaVuSerif.ttf
            unicode_range: U+0030-0039
        fonts:
          body: [DejaVu Serif, Noto Serif CJK SC]
        """})
    article = manifest.parent / "articles" / "a.md"
    article.write_text(ARTICLE + "\n2023年“双创”平台ABC。\n", encoding="utf-8")
    result = build_issue(with_layout(manifest.parent, "neibu"), folder / "out", editions=("proof",))
    with pdfplumber.open(result.pdf) as pdf:
        faces = {c["text"]: c["fontname"].split("+")[-1].split("-Range")[0]
                 for c in pdf.pages[0].chars if c["text"] in "2“”A双" and c["top"] < BOTTOM}
    assert faces == {"2": "DejaVu-Serif", "“": "Noto-Serif-CJK-SC", "”": "Noto-Serif-CJK-SC",
                     "A": "Noto-Serif-CJK-SC", "双": "Noto-Serif-CJK-SC"}


# ---- the Debian packages a layout needs ---------------------------------------------------------

@pytest.fixture
def bare_machine(tmp_path, monkeypatch):
    """No font anywhere: no Debian font package installed, empty font folders."""
    empty = tmp_path / "nothing"
    empty.mkdir()
    monkeypatch.setattr(fonts, "SYSTEM_FONT_DIRS", {package: empty for package in fonts.SYSTEM_FONT_DIRS})
    monkeypatch.setattr(fonts, "DEBIAN_NOTO", empty)
    monkeypatch.setattr(fonts, "_package_files", lambda package: {})
    monkeypatch.setattr(project, "user_fonts", lambda: empty)
    monkeypatch.chdir(empty)
    return empty


def test_each_layout_names_the_debian_packages_its_fonts_need(bare_machine, capsys):
    assert missing_packages(read_layout("jianbao")) == ["fonts-noto-cjk", "fonts-liberation2", "fonts-dejavu-core"]
    gongwen = ["texlive-lang-chinese", "fonts-noto-cjk", "fonts-noto-cjk-extra", "fonts-lmodern", "fonts-dejavu-core"]
    assert missing_packages(read_layout("gongwen")) == gongwen
    assert main(["fonts", "--layout", "gongwen", "--debian-packages"]) == 0
    assert capsys.readouterr().out.split() == gongwen


def test_this_machine_has_every_package_the_layouts_need(capsys):
    """make setup (make test: every layout) installed them: nothing left to install."""
    assert main(["fonts", "--all-layouts", "--debian-packages"]) == 0
    assert capsys.readouterr().out == ""


LEGACY_FONTS = """\
fonts:
  song:
    family: Noto Serif CJK SC
    regular: NotoSerifCJKsc-Regular.otf
    bold: NotoSerifCJKsc-Bold.otf
  hei:
    family: Noto Sans CJK SC
    regular: NotoSansCJKsc-Regular.otf
    bold: NotoSansCJKsc-Bold.otf
  symbols:
    family: DejaVu Serif
    regular: DejaVuSerif.ttf
    bold: DejaVuSerif-Bold.ttf
"""


def test_a_layout_copied_before_fonts_had_roles_still_sets_the_same_pages(bulletin):
    """A bulletin folder's copy of jianbao as it was (fonts: song/hei/symbols with family and
    files, CSS var(--font-song)) sets the issue byte for byte as the built-in one does."""
    folder, manifest = bulletin
    copy = folder / "layouts" / "neibu"
    shutil.copytree(project.BUILTIN_LAYOUTS / "jianbao", copy)
    settings = (copy / "layout.yaml").read_text(encoding="utf-8")
    start, end = settings.index("# Font files by family"), settings.index("typography:")
    (copy / "layout.yaml").write_text(settings[:start] + LEGACY_FONTS + settings[end:], encoding="utf-8")
    css = (copy / "style.css").read_text(encoding="utf-8").replace("--font-heading-1", "--font-hei")
    for role in ("body", "title", "heading-2", "masthead", "folio"):
        css = css.replace(f"--font-{role})", "--font-song)")
    assert "--font-song" in css and "--font-body" not in css
    (copy / "style.css").write_text(css, encoding="utf-8")
    built_in = build_issue(manifest, folder / "built-in", editions=("proof",)).pdf.read_bytes()
    legacy = build_issue(with_layout(manifest.parent, "neibu"), folder / "legacy", editions=("proof",)).pdf
    # Object for object the same file; only the proof's XMP names the layout it was set with
    # (the proof carries XMP since it is PDF/UA, issue 16).
    assert pdf_objects(legacy.read_bytes(), {b"<kjb:layout>neibu<": b"<kjb:layout>jianbao<"}) == pdf_objects(built_in)


def pdf_objects(pdf: bytes, replace: dict[bytes, bytes] | None = None) -> list:
    """Every indirect object of a PDF, streams decoded, in object-number order."""
    reader = PdfReader(io.BytesIO(pdf))
    objects = []
    for number in sorted(n for numbers in reader.xref.values() for n in numbers):
        value = reader.get_object(number)
        if isinstance(value, StreamObject):
            data = value.get_data()
        else:
            out = io.BytesIO()
            value.write_to_stream(out)
            data = out.getvalue()
        for old, new in (replace or {}).items():
            data = data.replace(old, new)
        objects.append((number, data))
    return objects


def test_gongwen_heads_in_other_faces_sit_on_the_bodys_baselines(make_issue, tmp_path):
    """黑体 (##, a section heading) and 楷体 (###) lines at the body size share the body's
    baseline grid: Noto Sans CJK's ascent and descent would put a 黑体 line's baseline 0.9 pt
    lower than a 仿宋 line's in the same place."""
    text = "为深入贯彻落实创新驱动发展战略，加快推进科技成果转化，市科技局会同有关部门研究制定了若干措施。"
    blocks = []
    for head in ("一、总体要求", "二、主要任务", "三、保障措施"):
        blocks += [f"## {head}", "### （一）强化企业创新主体地位", text * 3, "#### 1.健全工作机制", text * 2]
    article = "---\ntitle: 关于促进科技成果转化的实施意见\n---\n\n" + "\n\n".join(blocks) + "\n"
    manifest = make_issue(MANIFEST.replace("  - articles/a.md", "  - articles/a.md\n  - {file: articles/b.md, section: 工作动态}"),
                          files={"articles/a.md": article, "articles/b.md": ARTICLE})
    result = build_issue(with_layout(manifest.parent, "gongwen"), tmp_path / "out", editions=("proof",))
    pitch = pitch_of("gongwen")
    with pdfplumber.open(result.pdf) as pdf:  # (page 1: the contents, its heading at the body size)
        lines = [line for page in pdf.pages[1:] for line in body_lines(page, "gongwen")]
    heads = [line for line in lines if line["text"].startswith(("一、", "二、", "三、", "（一）", "【工作动态】"))]
    assert len(heads) == 7
    phases = [(line["base"] - TOP) % pitch for line in lines]
    assert max(phases) - min(phases) < 0.3, sorted({round(p, 2) for p in phases})


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_paragraphs_opening_with_a_bracket_line_up(make_issue, tmp_path, layout):
    """（一）（二）（三） opening three paragraphs: the one whose line was tight had its bracket
    squeezed and stood 2.7 pt left of the others (an unseen notice, gongwen). A paragraph's
    opening mark keeps its width, so the three line up."""
    items = ["（一）企业填报的职工总数、科技人员数、销售收入、研发费用等评价信息是否真实准确；",
             "（二）企业拥有的知识产权是否有效、是否与主营业务相关；",
             "（三）企业是否存在重大安全、重大质量事故或严重环境违法、科研严重失信行为。"]
    article = "---\ntitle: 抽查内容\n---\n\n" + "\n\n".join(items * 2) + "\n"
    manifest = with_layout(make_issue(files={"articles/a.md": article}).parent, layout)
    result = build_issue(manifest, tmp_path / "out", editions=("proof",))
    with pdfplumber.open(result.pdf) as pdf:
        brackets = [c["x0"] for c in pdf.pages[0].chars if c["text"] == "（" and abs(c["size"] - size_of(layout)) < 0.1]
    assert len(brackets) == 6 and max(brackets) - min(brackets) < 0.3, brackets


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_a_middle_dot_in_a_name_is_set_narrow(make_issue, tmp_path, layout):
    """FandolFang draws the 间隔号 full width: gongwen spaced names out, "埃隆 · 马斯克", and units,
    "kW · h", where the titles and jianbao set them tight. In every layout it takes under half
    an em, and the text copies as written."""
    body = ("特斯拉首席执行官埃隆·马斯克表示，约瑟夫·J·芬斯等人的研究表明，算力以PFLOPS·年计，"
            "能耗18 920 kW·h，降低10%～15%，电压1.8 V～2.1 V，频率80 Hz～250 Hz，温度−10 ℃～50 ℃。")
    manifest = make_issue(files={"articles/a.md": f"---\ntitle: 人名\n---\n\n{body}\n"})
    result = build_issue(with_layout(manifest.parent, layout), tmp_path / "out", editions=("proof",))
    with pdfplumber.open(result.pdf) as pdf:
        page = pdf.pages[0]
        dots = [c for c in page.chars if c["text"] == "·"]
        tildes = [c for c in page.chars if c["text"] == "～"]
        text = "".join(c["text"] for c in page.chars)
    assert len(dots) == 5 and all(c["width"] < 0.5 * c["size"] for c in dots), [(c["fontname"], c["width"]) for c in dots]
    assert "埃隆·马斯克" in text and "约瑟夫·J·芬斯" in text and "kW·h" in text
    # A range's tilde: the 宋体's full-width wave, not FandolFang's small mark (an unseen issue),
    # after a unit's letter as after a digit (P12 D9: "1.8 V～2.1 V" had FandolFang's).
    assert len(tildes) == 4 and all("Serif-CJK" in c["fontname"] for c in tildes), [c["fontname"] for c in tildes]


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_a_trade_mark_stands_close_after_its_name(make_issue, tmp_path, layout):
    """FandolFang draws ™ as a tiny mark in a full-width cell: gongwen printed "Meiji", an em of
    white and a microscopic TM (an unseen issue, P11 D5). In every layout the mark is under
    0.85 em, right after the name, and copies as written."""
    body = "该公司的“Meiji™”品牌和CityLab™平台已在全市推广。"
    manifest = make_issue(files={"articles/a.md": f"---\ntitle: 商标\n---\n\n{body}\n"})
    result = build_issue(with_layout(manifest.parent, layout), tmp_path / "out", editions=("proof",))
    with pdfplumber.open(result.pdf) as pdf:
        chars = [c for c in pdf.pages[0].chars if c["text"].strip()]
    marks = [k for k, c in enumerate(chars) if c["text"] == "™"]
    text = "".join(c["text"] for c in chars)
    assert len(marks) == 2 and "“Meiji™”" in text and "CityLab™" in text, text
    for k in marks:
        mark, before = chars[k], chars[k - 1]
        assert before["text"] in "ib" and mark["width"] < 0.85 * mark["size"], (mark["fontname"], mark["width"])
        assert mark["x0"] - before["x1"] < 0.1 * mark["size"]


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_a_section_rule_stands_clear_of_the_article_title_under_it(make_issue, tmp_path, layout):
    """gongwen drew the section heading's rule at the foot of its line, on the tops of the
    article title's 22 pt glyphs (two unseen issues, every section): 2.9 mm above their em
    box, whose top lies above the ink. It stands 1.8 mm higher; the heading's name keeps the
    body's grid (test above)."""
    manifest = make_issue(MANIFEST.replace("  - articles/a.md", "  - {file: articles/a.md, section: 政策解读}"))
    result = build_issue(with_layout(manifest.parent, layout), tmp_path / "out", editions=("proof",))
    with pdfplumber.open(result.pdf) as pdf:
        page = pdf.pages[0]
        rule = min(r["bottom"] for r in page.rects + page.lines if r["width"] > 150 * MM)
        title = min(c["top"] for c in page.chars if c["size"] > 17 and c["text"].strip() and c["top"] > rule - 5)
    assert title - rule >= 4 * MM, (title, rule)  # to the top of the glyphs' em box: 1.8 mm to their ink


@pytest.mark.parametrize("layout", sorted(GRID))
def test_quotations_and_lines_with_symbols_from_a_fallback_face_keep_the_grid(make_issue, tmp_path, layout):
    """CO₂, m², ①, ≥, → come from the role's fallback faces (FandolFang has none of them): such a
    line keeps the body's baseline grid (it once stood lower and pushed the next line down:
    a quarter of a symbol-rich text off the grid in gongwen). So does a quotation (Markdown >),
    indented 2 em on both sides (the browser's default margins put it and what followed off
    the grid)."""
    symbols = ["CO₂", "m²", "10⁻⁶", "①", "Ⅲ", "№", "±", "≥", "→", "℃", "‰", "H₂O", "≈", "√2", "π"]
    text = "全市围绕创新创业生态体系建设，聚焦科技企业孵化器等平台培育管理，持续完善服务体系"
    paragraphs = ["".join(f"{text[k % 9:k % 9 + 20]}{symbol}，" for k, symbol in enumerate(symbols[i:] + symbols[:i]))
                  .rstrip("，") + "。" for i in range(len(symbols))]
    quotation = ("> The Act establishes a risk-based framework for AI systems placed on the Union market; "
                 "providers must keep technical documentation and ensure human oversight.\n>\n> " + text + "。")
    paragraphs.insert(3, quotation)
    article = "---\ntitle: 碳排放监测数据\n---\n\n" + "\n\n".join(paragraphs) + "\n"
    manifest = with_layout(make_issue(files={"articles/a.md": article}).parent, layout)
    result = build_issue(manifest, tmp_path / "out", editions=("proof",))
    pitch = pitch_of(layout)
    with pdfplumber.open(result.pdf) as pdf:
        lines = [line for page in pdf.pages for line in body_lines(page, layout)]
    assert sum("①" in line["text"] or "≥" in line["text"] for line in lines) >= 10
    quoted = [line for line in lines if "Union" in line["text"] or "oversight" in line["text"]]
    assert quoted and all(line["chars"][0]["x0"] > min(c["x0"] for l in lines for c in l["chars"][:1]) + 1.9 * size_of(layout)
                          for line in quoted)  # indented 2 em
    phases = [(line["base"] - TOP) % pitch for line in lines]
    first = min(phases)
    off = [line["text"][:12] for line, p in zip(lines, phases) if min(p - first, pitch - (p - first)) > 0.3]
    assert off == []


@pytest.mark.parametrize("layout", sorted(GRID))
def test_nested_and_loose_lists_set_each_line_on_its_own_grid_line(make_issue, tmp_path, layout):
    """A list inside a list item, and a loose list (items of several paragraphs, as Word and web
    imports give): every line on its own line of the grid, none drawn over another (the inline
    runs' line height 0 once reached the nested blocks, and their lines were drawn on top of
    each other), the item's text starting at its marker. Items are set as Chinese numbered
    paragraphs (GB/T 9704 §7.3.3): the marker indented 2 em like a paragraph's first line, the
    item's other lines back at the margin (a nested list 2 em in), so that an item's short last
    line ends a paragraph, as a reader (and pdfcheck) sees it, instead of a ragged line."""
    text = "全市围绕创新创业生态体系建设，聚焦科技企业孵化器众创空间等平台培育管理，持续完善服务体系，推动创新资源集聚。"
    tight = "".join(f"- 第{i}项：{text}\n  - 子项：{text}\n  - 子项二\n" for i in range(1, 4))
    loose = "".join(f"{i}. 第{i}项：{text}\n\n   第二段：{text}\n\n" for i in range(1, 4))
    article = f"---\ntitle: 列表\n---\n\n嵌套列表：\n\n{tight}\n松散的列表：\n\n{loose}结束：{text}\n"
    manifest = with_layout(make_issue(files={"articles/a.md": article}).parent, layout)
    result = build_issue(manifest, tmp_path / "out", editions=("proof",))
    pitch = pitch_of(layout)
    with pdfplumber.open(result.pdf) as pdf:
        pages = [body_lines(page, layout) for page in pdf.pages]
    lines = [line for page in pages for line in page]
    assert sum("子项" in line["text"] for line in lines) == 6
    assert sum(f"第{i}项" in line["text"] for line in lines for i in (1, 2, 3)) == 6
    for page in pages:
        gaps = [b["base"] - a["base"] for a, b in zip(page, page[1:])]
        assert all(abs(gap / pitch - round(gap / pitch)) < 0.02 and gap > pitch - 0.3 for gap in gaps), gaps
    firsts = [line for line in lines if line["text"].startswith(("1.第1项", "2.第2项", "3.第3项"))]
    assert len(firsts) == 3
    size = size_of(layout)
    for line in firsts:  # the marker, then the text at once (no paragraph indent after it)
        assert line["chars"][2]["x0"] - line["chars"][1]["x1"] < 1.5 * size
    # Where each line starts, in ems from its page's margin (facing pages have other margins).
    starts = [(line["text"], round((line["chars"][0]["x0"] - min(l["chars"][0]["x0"] for l in page)) / size, 1))
              for page in pages for line in page]
    assert {x for text, x in starts if text.startswith(("1.第1项", "2.第2项", "3.第3项", "第二段", "•第"))} == {2.0}
    assert {x for text, x in starts if text.startswith("•子项")} == {4.0}  # a nested list: 2 em more
    runs_on = {x for text, x in starts if not text.startswith(("1.", "2.", "3.", "第二段", "•", "嵌套", "松散", "结束"))}
    assert runs_on == {0.0, 2.0}  # an item's other lines: at the margin (a nested item's, 2 em in)


@pytest.mark.parametrize("layout", sorted(GRID))
def test_a_numbered_list_inside_a_numbered_item_takes_the_next_chinese_level(make_issue, tmp_path, layout):
    """GB/T 9704 §7.3.3 numbers the levels 一、（一）1.（1）: a list numbered inside an item of
    "1." prints "（1）（2）", full width with no space after them. It printed "1. 2." again under
    "2.", which read as the outer list starting over (P13 D9); a third level prints ①② (it printed
    "（1）" again, P14 D5). A bulleted sub-list keeps "•"."""
    items = ("1. 研发项目立项决议或计划书；\n2. 研发人员名单及工时记录；\n    1. 专职研发人员的劳动合同；\n"
             "        1. 研发岗位的聘用合同；\n        2. 研发岗位的社保记录；\n"
             "    2. 兼职研发人员的工时分配表；\n3. 研发费用辅助账；\n    - 自主研发项目辅助账；\n4. 研发成果报告。\n")
    article = f"---\ntitle: 列表\n---\n\n应准备以下材料：\n\n{items}\n结束。\n"
    manifest = with_layout(make_issue(files={"articles/a.md": article}).parent, layout)
    result = build_issue(manifest, tmp_path / "out", editions=("proof",))
    with pdfplumber.open(result.pdf) as pdf:
        lines = [line["text"].replace(" ", "") for page in pdf.pages for line in body_lines(page, layout)]
    listed = [line for line in lines if "研发" in line]
    assert listed == ["1.研发项目立项决议或计划书；", "2.研发人员名单及工时记录；", "（1）专职研发人员的劳动合同；",
                      "①研发岗位的聘用合同；", "②研发岗位的社保记录；",  # a third level (P14 D5)
                      "（2）兼职研发人员的工时分配表；", "3.研发费用辅助账；", "•自主研发项目辅助账；",
                      "4.研发成果报告。"], lines


@pytest.mark.parametrize("layout", sorted(GRID))
def test_emphasis_prints_in_a_face_of_its_own_and_latin_in_italic(make_issue, tmp_path, layout):
    """*强调* in Markdown: the SC faces have no italic and the oblique WeasyPrint asked for was
    never drawn, so emphasis printed as plain text. Chinese emphasis is set in another face of
    the layout (bold 宋体 in jianbao, 楷体 in gongwen), never slanted. Emphasis of Latin alone is
    a species' or a journal's name, which the nomenclature codes and GB/T 7714 set italic: an
    unseen digest printed *Escherichia coli* bold like a key term (P13 D4); in bold text it is
    the bold italic. Both stay on the body's baseline, and so does the line after them."""
    article = ("---\ntitle: 强调的写法\n---\n\n全市科技企业孵化器建设取得*明显成效*，在孵企业"
               "数量稳步增长，工程化大肠杆菌（*Escherichia coli*）的论文发表在*Nature Biotechnology*上，"
               "英文与*混合 XZ*的强调照中文排，**加粗的《*Cell*》**里是粗斜体。\n\n第二段。\n")
    manifest = with_layout(make_issue(files={"articles/a.md": article}).parent, layout)
    result = build_issue(manifest, tmp_path / "out", editions=("proof",))
    with pdfplumber.open(result.pdf) as pdf:
        page = pdf.pages[0]  # the article under the masthead (gongwen's issue line is at the body size)
        chars = [c for c in page.chars if abs(c["size"] - size_of(layout)) < 0.05 and c["top"] > masthead_foot(page)]
    face = {c["text"]: c["fontname"].split("+")[-1] for c in chars}
    assert face["明"] == face["效"] == face["混"] == face["Z"] != face["全"] == face["孵"]
    latin = [c for c in chars if c["text"].isascii() and c["text"].isalpha() and c["text"] not in "XZ"]
    assert "".join(c["text"] for c in latin) == "EscherichiacoliNatureBiotechnologyCell"
    # in bold text the bold italic (P14 D2: it took the run-ins' 黑体 weight, normal)
    assert [c["text"] for c in latin if "Bold" in c["fontname"]] == list("Cell")
    assert latin and all("Italic" in c["fontname"] for c in latin), {c["fontname"] for c in latin}
    assert not [c["text"] for c in chars if c not in latin and c["text"].strip() and ("Oblique" in c["fontname"] or "Italic" in c["fontname"])]
    base = {c["text"]: round(c["matrix"][5], 2) for c in chars}
    assert base["明"] == base["全"]
    lines = sorted({round(c["matrix"][5], 2) for c in chars}, reverse=True)
    pitches = [a - b for a, b in zip(lines, lines[1:])]
    assert max(pitches) - min(pitches) < 0.05, pitches  # each line a pitch below the last: on the grid
    assert base["第"] == lines[-1]


@pytest.mark.parametrize("layout", sorted(GRID))
def test_a_footnote_is_printed_on_the_page_of_its_call(make_issue, tmp_path, layout):
    """A note that does not fit under the page of its call takes the calling line over to the
    next page (CSS footnote-policy: line) instead of being printed a page later, alone: a
    sweep issue's last page held nothing but the note of the line ending the page before.
    Each page numbers its notes from [1] (每页单独编号), and each call's number is its own note's."""
    text = "全市围绕创新创业生态体系建设，聚焦科技企业孵化器众创空间等平台培育管理，持续完善服务体系，推动创新资源集聚。"
    paragraphs = [f"{text[:12 + k % 20]}第{k}项[^{k}]，{text}{text[: k % 30]}" for k in range(1, 25)]
    notes = [f"[^{k}]: 资料来源：第{k}条注释，{text}{text[: 10 + 3 * k % 40]}" for k in range(1, 25)]
    article = "---\ntitle: 注释\n---\n\n" + "\n\n".join(paragraphs + notes) + "\n"
    manifest = with_layout(make_issue(files={"articles/a.md": article}).parent, layout)
    result = build_issue(manifest, tmp_path / "out", editions=("proof",))
    seen, pages = [], 0
    with pdfplumber.open(result.pdf) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            # The calls: superscript marks [1], [2] … (0.7 of the notes' 10.5 pt), each right
            # after the paragraph's 第k项.
            calls = list(zip(map(int, re.findall(r"第(\d+)项", page.extract_text())), note_calls(page), strict=True))
            assert [call for _, call in calls] == list(range(1, len(calls) + 1)), (number, calls)
            # The notes (10.5 pt): each number before the note of the paragraph that calls it.
            notes = page.filter(lambda o: o.get("object_type") != "char" or abs(o["size"] - 10.5) < 0.1)
            printed = {note_number(m.group(1)): int(m.group(2)) for line in notes.extract_text_lines()
                       if (m := re.match(rf"({NOTE_MARK.pattern})\s*资料来源：第(\d+)条", line["text"]))}
            assert {call: k for k, call in calls} == printed, (number, calls, printed)
            seen += [k for k, _ in calls]
            pages += bool(calls)
    assert seen == list(range(1, 25)), seen  # every call read back, in order
    assert pages >= 2


@pytest.mark.parametrize("layout", sorted(GRID))
def test_footnotes_are_marked_in_brackets_from_one_on_each_page(make_issue, tmp_path, layout):
    """A superscript digit after a figure or a unit read as its exponent ("2.74 Å³", "99.35%²")
    and the numbers ran on through the issue (the second article's first note was 3, P7 D3):
    notes are marked [1], [2], … at the call and before the note at the page foot, and the
    text layer reads the marks, not digits glued to the figures. A paragraph ending with its
    call ends its line with "]": circled ① read back there as a digit that is no number, and
    pdfcheck's contents reader failed on it. The numbers start from [1] on each page, as
    Chinese books and journals number page notes (每页单独编号): numbered per article, two
    articles on one page both printed a note [1] at its foot (P-review D10)."""
    first = ("---\ntitle: 量子纠错\n---\n\n重排的成功率为99.35%[^a]，逻辑错误率下降[^b]。\n\n"
             "量子纠错的阈值已在多个平台上得到验证。[^c]\n\n"
             "[^a]: 按单次重排计算。\n\n[^b]: 码距为7时。\n\n[^c]: 见《自然》2025年第638卷。\n")
    second = "---\ntitle: 固态电池\n---\n\n晶格间距为2.01 Å与2.74 Å[^1]。\n\n[^1]: 1 Å = 0.1 nm。\n"
    manifest = make_issue(MANIFEST.replace("  - articles/a.md", "  - articles/a.md\n  - articles/b.md"),
                          files={"articles/a.md": first, "articles/b.md": second})
    result = build_issue(with_layout(manifest.parent, layout), tmp_path / "out", editions=("proof",))
    pages = page_texts(result.pdf)
    assert len(pages) == 2  # both articles on page 2: the second article's note is the page's 4th
    text = squash(pages[1])
    assert "成功率为99.35%[1]，逻辑错误率下降[2]。" in text and "2.74Å[4]。" in text
    assert "[1]按单次重排计算。[2]码距为7时。[3]见《自然》2025年第638卷。[4]1Å=0.1nm。" in text
    assert not re.search(r"99\.35%\d|Å\d", text)
    with pdfplumber.open(result.pdf) as pdf:
        ends = [line["text"][-1] for page in pdf.pages for line in page.extract_text_lines()]
    assert "]" in ends and not [end for end in ends if end.isdigit() and not end.isascii()], ends


@pytest.mark.parametrize("layout", sorted(GRID))
def test_a_table_of_five_columns_keeps_its_row_names_on_one_line(make_issue, tmp_path, layout):
    """Tables are set in 小四 under either body (wide ones in 五号): at 0.85 of gongwen's 3号
    body a row's name wrapped (第1号科技创新服务 / 平台) and a text extractor read the cell's
    second line into its row, a space between two Han characters per row."""
    rows = "".join(f"| 第{k}号科技创新服务平台 | {100 + 37 * k} | {200 + 41 * k} | {k * 3.7:.1f}% | 重点实验室 |\n"
                   for k in range(1, 13))
    article = ("---\ntitle: 平台一览\n---\n\n全市科技创新服务平台情况如下。\n\n"
               "| 平台名称 | 2023年 | 2024年 | 增长 | 类型 |\n|---|---|---|---|---|\n" + rows)
    manifest = with_layout(make_issue(files={"articles/a.md": article}).parent, layout)
    result = build_issue(manifest, tmp_path / "out", editions=("proof",))
    with pdfplumber.open(result.pdf) as pdf:
        chars = [c for page in pdf.pages for c in page.chars if c["size"] < size_of(layout) - 1]
    sizes = {round(c["size"], 1) for c in chars if c["text"] == "第"}
    assert len(sizes) == 1 and 11.5 <= sizes.pop() <= 12.1  # about 小四, whatever the body
    lines: dict[int, list] = {}
    for c in chars:
        lines.setdefault(round(c["top"]), []).append(c)
    names = ["".join(c["text"] for c in sorted(row, key=lambda c: c["x0"])) for row in lines.values()]
    assert sum(bool(re.match(r"第\d+号科技创新服务平台\d", name)) for name in names) == 12, names
    text = "".join(page.extract_text() for page in PdfReader(result.pdf).pages)
    assert not re.search(r"服务 平台", text)
