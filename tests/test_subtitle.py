"""A 副题 under an article's title (front matter subtitle) and a quotation's attribution set
flush right, in both layouts, read back from the PDF; and the import keeps a 副题."""

from __future__ import annotations

import pytest

from conftest import MANIFEST
from kjtypeset.build import build_issue
from kjtypeset.editor.importer import Source, read_drafts
from kjtypeset.inputs.articles import read_articles
from kjtypeset.inputs.manifest import load_manifest
from pdfread import text_lines
from test_articles import error_of

MM = 72 / 25.4
RIGHT_EDGES = ((210 - 26) * MM, (210 - 28) * MM)  # odd (recto) and even pages: mirrored margins
GRID = {"jianbao": (32, 26), "gongwen": (28, 22)}  # characters a line, lines a page

TITLE = "扎根草原三十年　把论文写在祖国北疆的大地上"
SUBTITLE = "——记内蒙古农业大学草原与资源环境学院教授乌云其其格"
TEXT = ("清晨六点，锡林郭勒草原上还飘着薄雾，乌云其其格已经蹲在一块围栏样地里，用钢卷尺一株一株地量着羊草的高度。"
        "这是她在这片样地上度过的第二十九个夏天。")


def build(make_issue, tmp_path, layout: str, articles: dict[str, str]) -> list[list[dict]]:
    manifest = MANIFEST.replace("  - articles/a.md\n", "".join(f"  - {name}\n" for name in articles))
    manifest += "layout: gongwen\n" if layout == "gongwen" else ""
    pdf = build_issue(make_issue(manifest, files=articles), tmp_path / "out", editions=("proof",)).pdf
    return text_lines(pdf)


def key(text: str) -> str:
    """Text as read back, spaces and dashes aside (the 2-em dash is one glyph, read back as
    two dashes or four)."""
    return text.replace(" ", "").replace("　", "").replace("—", "")


def find(pages: list[list[dict]], start: str, first_page: int = 1) -> tuple[int, int, dict]:
    """(page, 1-based; index on the page; line) of the first line from ``first_page`` on
    whose text starts with ``start`` (spaces and leaders aside)."""
    for number, lines in enumerate(pages, start=1):
        for index, line in enumerate(lines):
            if number >= first_page and key(line["main"]).startswith(key(start)):
                return number, index, line
    raise AssertionError(f"{start!r} not found: {[[line['text'] for line in lines] for lines in pages]}")


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_a_subtitle_is_centred_under_the_title_above_the_byline_and_not_in_the_contents(
        make_issue, tmp_path, layout):
    """The 副题 prints on the title's page, right under it and above the source line, centred
    on the measure as the title is, smaller than the title and not bold, on the body's grid;
    the contents list the title only. Before, front matter refused subtitle:, and written as
    the first paragraph it stood under the source line, indented like text."""
    first = f"---\ntitle: {TITLE}\nsubtitle: {SUBTITLE}\nsource: 内蒙古日报\n---\n\n" + (TEXT + "\n\n") * 12
    second = "---\ntitle: 第二篇文章\n---\n\n" + (TEXT + "\n\n") * 3
    pages = build(make_issue, tmp_path, layout, {"articles/a.md": first, "articles/b.md": second})
    contents_page, _, _ = find(pages, "★扎根草原")
    page, at, title = find(pages, TITLE[:6], contents_page + 1)
    sub_page, sub_at, subtitle = find(pages, "——记", 1)
    byline_page, byline_at, byline = find(pages, "（来源", 1)
    assert sub_page == page == byline_page
    assert at < sub_at < byline_at
    assert title["bottom"] <= subtitle["top"] and subtitle["bottom"] <= byline["top"]
    assert key(subtitle["main"]) == key(SUBTITLE)  # one line, whole
    assert subtitle["size"] < title["size"]
    assert not any("Bold" in c["fontname"] or "Black" in c["fontname"] for c in subtitle["chars"])
    assert abs((subtitle["x0"] + subtitle["x1"]) / 2 - (title["x0"] + title["x1"]) / 2) < 1
    # Not in the contents: page 1 (and whatever the contents take) never shows it.
    assert not any("记内蒙古" in line["text"] for lines in pages[:contents_page] for line in lines)
    # The text under the byline is on the body's grid: its baselines are the same whole number
    # of lines from the type area's top as those of the next page, which is all text.
    pitch = 225 / GRID[layout][1] * MM
    size = 156 / GRID[layout][0] * MM

    def offset(line: dict) -> float:
        base = max(c["bottom"] for c in line["chars"])  # the glyphs' em box foot
        return (base - 37 * MM) % pitch

    text_here = [line for line in pages[page - 1][byline_at + 1:] if abs(line["size"] - size) < 0.2]
    text_next = [line for line in pages[page] if abs(line["size"] - size) < 0.2]
    assert text_here and text_next
    assert abs(offset(text_here[0]) - offset(text_next[1])) < 0.5


def test_a_subtitle_without_a_byline_is_followed_by_the_text(make_issue, tmp_path):
    article = f"---\ntitle: {TITLE}\nsubtitle: {SUBTITLE}\n---\n\n{TEXT}\n"
    pages = build(make_issue, tmp_path, "jianbao", {"articles/a.md": article})
    page, at, _ = find(pages, TITLE[:6], 1)  # one article: page 1, no contents
    assert key(pages[page - 1][at + 1]["main"]) == key(SUBTITLE)
    assert pages[page - 1][at + 2]["main"].startswith("清晨六点")


def test_front_matter_subtitle_and_a_misspelt_key(make_issue):
    path = make_issue(MANIFEST, files={"articles/a.md": f"---\ntitle: {TITLE}\nsubtitle: {SUBTITLE}\n---\n\n正文。\n"})
    article = read_articles(load_manifest(path))[0]
    assert (article.title, article.subtitle_lines) == (TITLE, (SUBTITLE,))
    # The contents, bookmarks and archive take the title alone.
    assert SUBTITLE not in article.title
    assert error_of(make_issue, f"---\ntitle: {TITLE}\nsubtitel: {SUBTITLE}\n---\n") == (
        "2024-03/articles/a.md:3: 未知的键 'subtitel'：应为 title、subtitle、source、author、date、"
        "figure_max_height 之一，是否应为 'subtitle'？")


QUOTE = ("> 草原是牧民的命根子，也是北方生态安全屏障的底色。我们做研究，不能只盯着论文的影响因子，"
         "要看牧民的羊是不是更肥了，草场是不是更绿了。\n")


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_a_quotations_attribution_stands_flush_right(make_issue, tmp_path, layout):
    """"——某某……" as the quote's last paragraph ends at the quote's right edge, the one after a
    quote at the measure's, neither indented; a name is never split at a line end (委员伊 /
    利亚娜 before)."""
    body = (f"{TEXT}\n\n{QUOTE}>\n> ——乌云其其格在全区科技工作会议上的发言\n\n{TEXT}\n\n{QUOTE}\n"
            "——欧盟委员会创新、研究、文化、教育和青年事务委员伊利亚娜·伊万诺娃（Iliana Ivanova）\n\n"
            f"{TEXT}\n")
    pages = build(make_issue, tmp_path, layout, {"articles/a.md": f"---\ntitle: 标题\n---\n\n{body}"})
    page, at, inside = find(pages, "——乌云其其格", 1)
    first, quote_line = pages[page - 1][at - 3:at - 1]  # the quote's first two lines, justified
    assert first["main"].startswith("草原是")
    assert abs(inside["x1"] - quote_line["x1"]) < 1
    assert inside["x0"] - quote_line["x0"] > 2.5 * inside["size"]  # not at the indent: right aligned
    page, at, outside = find(pages, "——欧盟", 1)
    right = RIGHT_EDGES[(page + 1) % 2]
    lines = pages[page - 1][at:at + 2]
    assert lines[1]["main"].startswith("伊利亚娜") or "伊利亚娜" in lines[0]["main"], [x["main"] for x in lines]
    assert lines[0]["main"].endswith("委员") or "伊利亚娜" in lines[0]["main"]
    for line in lines:
        assert abs(line["x1"] - right) < 1.5, (line["main"], line["x1"], right)


def test_the_import_keeps_a_subtitle_under_the_title(tmp_path):
    """A "——记……" line right under a title (a text file, a web page) goes to the front matter's
    subtitle, not into the text (a text file took it for the title and dropped the title)."""
    text = f"{TITLE}\n\n{SUBTITLE}\n\n　　{TEXT}\n\n　　她并不满足于“看病”，更想“治病”。\n"
    _kind, drafts, _notes, _repairs = read_drafts(Source("a.txt", text.encode()))
    assert (drafts[0].title, drafts[0].subtitle) == (TITLE, SUBTITLE)
    assert f"subtitle: {SUBTITLE}\n" in drafts[0].markdown()
    assert SUBTITLE not in "".join(drafts[0].blocks)
    page = (f"<html><body><article><h1>{TITLE}</h1><p>{SUBTITLE}</p><p>来源：内蒙古日报</p>"
            f"<p>{TEXT}</p><p>她并不满足于“看病”，更想“治病”。</p></article></body></html>")
    path = tmp_path / "a.html"
    _kind, drafts, _notes, _repairs = read_drafts(Source(str(path), page.encode(), path))
    assert (drafts[0].title, drafts[0].subtitle, drafts[0].source) == (TITLE, SUBTITLE, "内蒙古日报")
    assert not drafts[0].blocks[0].startswith("——")


def test_a_long_first_paragraph_with_a_dash_stays_text(tmp_path):
    text = f"{TITLE}\n\n——{TEXT}\n\n　　她并不满足于“看病”，更想“治病”。\n"
    _kind, drafts, _notes, _repairs = read_drafts(Source("a.txt", text.encode()))
    assert drafts[0].subtitle is None and drafts[0].blocks[0].startswith("——")


@pytest.mark.parametrize("quote", [QUOTE, "> The transition to clean energy is not only a technological challenge "
                                          "but also an economic opportunity for every region.\n"])
def test_a_source_typed_on_the_quotes_next_line_is_its_attribution(make_issue, tmp_path, quote):
    """"> ——摘自报告结论部分" typed straight under the quote, no blank ">" line between: it ran on
    after the quote's full stop, "…取得平衡。——摘自报告结论部分" (P19 D3). It is the quote's
    attribution, a line of its own at the quote's right edge."""
    body = f"{TEXT}\n\n{quote}> ——摘自报告结论部分\n\n{TEXT}\n"
    pages = build(make_issue, tmp_path, "jianbao", {"articles/a.md": f"---\ntitle: 标题\n---\n\n{body}"})
    page, at, source = find(pages, "——摘自报告结论部分", 1)
    assert key(source["main"]) == key("——摘自报告结论部分"), source["main"]
    above = pages[page - 1][at - 1]
    assert abs(source["x1"] - pages[page - 1][at - 2]["x1"]) < 1  # the quote's justified line's end
    assert source["x0"] - above["x0"] > 2.5 * source["size"]
