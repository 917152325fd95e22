"""Figure rows (issue 13, round 21): a paragraph of 2–4 images whose widths (shares of the
measure) fit side by side prints them side by side, each caption under its image, and the
page makeup sizes and moves the row as one figure. Read back from the PDF."""

from __future__ import annotations

import shutil
from pathlib import Path

import pdfplumber
from pypdf import PdfReader

import makeup_issues as mi
from kjtypeset.build import build_issue
from pdfread import squash
from tagwalk import mcid_texts, structure
from test_makeup import BOTTOM, MM, article, body_lines, build, lines_of, para

PHOTO = mi.png((800, 600), 150, "photo")  # 4:3 landscape
PORTRAIT = mi.png((600, 800), 150, "photo", seed=2)  # 3:4 portrait
MEASURE = 156  # mm


def images_of(page) -> list[dict]:
    return sorted(page.images, key=lambda im: (round(im["top"]), im["x0"]))


def captions(page) -> list[dict]:
    """Each caption (图N…) of the page with its centre and top: a line of a row holds
    several, read apart at the white between them."""
    out = []
    for line in lines_of(page):
        chars = [c for c in page.chars if abs(c["top"] - line["top"]) < 1 and c["text"].strip()]
        chars.sort(key=lambda c: c["x0"])
        run: list = []
        for c in chars + [None]:
            if run and (c is None or c["x0"] - run[-1]["x1"] > 14):  # more than the 　 in 图1　…
                text = "".join(x["text"] for x in run)
                if text.startswith("图"):
                    out.append({"text": text, "centre": (run[0]["x0"] + run[-1]["x1"]) / 2,
                                "top": line["top"]})
                run = []
            if c is not None:
                run.append(c)
    return out


def width_mm(image) -> float:
    return round((image["x1"] - image["x0"]) / MM, 1)


def test_a_row_of_two_prints_side_by_side_each_caption_under_its_image(tmp_path):
    """"![图1 …](a){width=45%} ![图2 …](b){width=45%}" printed one image under the other, the
    two taking twice the height (round 20 review, unseen issue A p3–p4): side by side, their
    bottoms aligned, each 45 % of the measure, the row centred, each caption under its image."""
    blocks = [para(), "![图1　中试装置](images/a.png){width=45%} ![图2　显微照片](images/b.png){width=45%}",
              para(2, 3)]
    result = build(tmp_path, [article("并排的两张图", blocks)], {"a.png": PHOTO, "b.png": PHOTO})
    with pdfplumber.open(result.pdf) as pdf:
        page = pdf.pages[1]
        left, right = images_of(page)
        found = captions(page)
        text = squash(page.extract_text())
    assert [width_mm(left), width_mm(right)] == [0.45 * MEASURE] * 2
    assert abs(left["bottom"] - right["bottom"]) < 0.5  # one row
    assert left["x1"] < right["x0"]  # side by side, apart
    lines = body_lines(page)  # their ends: the measure
    measure = min(c["x0"] for line in lines for c in line["chars"]), max(c["x1"] for line in lines for c in line["chars"])
    assert abs((left["x0"] + right["x1"]) / 2 - sum(measure) / 2) < 1  # the row centred on it
    assert [c["text"] for c in found] == ["图1中试装置", "图2显微照片"]
    for caption, image in zip(found, (left, right)):
        assert abs(caption["centre"] - (image["x0"] + image["x1"]) / 2) < 1
        assert 0 < caption["top"] - image["bottom"] < 8 * MM
    assert found[0]["top"] == found[1]["top"]
    assert "图1中试装置" in text


def test_a_row_of_three_and_a_portrait_beside_a_landscape_align_their_bottoms(tmp_path):
    """Three at 30 % in one row; a portrait photograph beside a landscape one stand on one
    bottom line, their captions on one line under them."""
    blocks = [para(),
              "![图1　外景](images/a.png){width=30%} ![图2　控制室](images/a.png){width=30%} "
              "![图3　样品](images/a.png){width=30%}",
              para(2, 3),
              "![图4　设备](images/p.png){width=30%} ![图5　厂区](images/a.png){width=45%}",
              para(2, 5)]
    result = build(tmp_path, [article("三张与竖图", blocks)], {"a.png": PHOTO, "p.png": PORTRAIT})
    with pdfplumber.open(result.pdf) as pdf:
        shown = [(im, page) for page in pdf.pages for im in images_of(page)]
        rows = [shown[:3], shown[3:]]
        found = {c["text"]: c for page in pdf.pages for c in captions(page)}
    assert len(shown) == 5
    for row in rows:
        assert len({page.page_number for _im, page in row}) == 1
        bottoms = [im["bottom"] for im, _page in row]
        assert max(bottoms) - min(bottoms) < 0.5
        assert all(a["x1"] < b["x0"] for (a, _p), (b, _q) in zip(row, row[1:]))
    assert [width_mm(im) for im, _page in rows[0]] == [0.3 * MEASURE] * 3
    portrait, landscape = rows[1][0][0], rows[1][1][0]
    assert portrait["bottom"] - portrait["top"] > landscape["bottom"] - landscape["top"]
    assert found["图4设备"]["top"] == found["图5厂区"]["top"]
    assert abs(found["图4设备"]["centre"] - (portrait["x0"] + portrait["x1"]) / 2) < 1


def test_images_too_wide_for_a_row_stay_one_under_the_other(tmp_path):
    """60 % and 60 % do not fit side by side (nor do images without widths): one under the other."""
    blocks = [para(), "![图1　中试装置](images/a.png){width=60%} ![图2　显微照片](images/a.png){width=60%}",
              para(2, 3)]
    result = build(tmp_path, [article("太宽的两张图", blocks)], {"a.png": PHOTO})
    with pdfplumber.open(result.pdf) as pdf:
        shown = [im for page in pdf.pages for im in images_of(page)]
        found = [c for page in pdf.pages for c in captions(page)]
    assert len(shown) == 2 and width_mm(shown[0]) == width_mm(shown[1]) >= 0.45 * MEASURE  # (60 %, or as small as 75 %)
    # one under the other, each centred on the measure
    assert shown[0]["bottom"] < shown[1]["top"] or shown[0]["page_number"] < shown[1]["page_number"]
    assert abs(shown[0]["x0"] - shown[1]["x0"]) < 1
    assert [c["text"] for c in found] == ["图1中试装置", "图2显微照片"]


def test_a_row_at_the_page_foot_shrinks_or_floats_as_one(tmp_path):
    """A row that does not fit below the text is one figure to the makeup: a little short of
    room, it shrinks, every image by the same factor (aspect kept); far short, it opens the
    next page whole. Its images are never parted nor set at different scales."""
    found = {}
    for lines in (16, 20):  # text above the row: it lacks a line, or five
        blocks = [*[para(5, k) for k in range(lines // 5)], para(lines % 5 or 2),
                  "![图1　中试装置](images/a.png){width=45%} ![图2　设备](images/p.png){width=30%}",
                  para(5, 3), para(5, 5)]
        result = build(tmp_path / str(lines), [article("页尾的一行图", blocks)],
                       {"a.png": PHOTO, "p.png": PORTRAIT})
        with pdfplumber.open(result.pdf) as pdf:
            shown = sorted(((im, page.page_number) for page in pdf.pages for im in page.images),
                           key=lambda found: found[0]["x0"])
            tops = {page.page_number: min(line["top"] for line in lines_of(page)) for page in pdf.pages}
        (left, on_left), (right, on_right) = shown
        assert on_left == on_right and abs(left["bottom"] - right["bottom"]) < 0.5
        assert max(left["bottom"], right["bottom"]) < BOTTOM
        scales = (width_mm(left) / (0.45 * MEASURE), width_mm(right) / (0.3 * MEASURE),
                  (left["bottom"] - left["top"]) / MM / (0.45 * MEASURE * 3 / 4),
                  (right["bottom"] - right["top"]) / MM / (0.3 * MEASURE * 4 / 3))
        assert max(scales) - min(scales) < 0.005, scales  # one factor, widths with heights
        found[lines] = (on_left, round(scales[0], 2), min(left["top"], right["top"]) < tops[on_left])
    assert found[16][0] == 2 and 0.75 <= found[16][1] < 1  # shrunk where written
    assert found[20] == (3, 1.0, True)  # whole, at the next page's top


def test_each_image_of_a_row_is_a_tagged_figure_with_its_alt_text_and_caption(tmp_path):
    """The tagged proof (PDF/UA): each image of a row is a Figure with its alt text and its own
    caption, though images and captions print on two lines."""
    blocks = [para(), "![图1　中试装置](images/a.png){width=45%} ![图2　显微照片](images/b.png){width=45%}",
              para(2, 3)]
    result = build(tmp_path, [article("并排的两张图", blocks)], {"a.png": PHOTO, "b.png": PORTRAIT})
    texts = mcid_texts(result.pdf)
    figures = [e for e in structure(PdfReader(result.pdf)).walk() if e.type == "Figure"]
    assert [str(f.dictionary["/Alt"]) for f in figures] == ["图1　中试装置", "图2　显微照片"]
    captions = [[k for k in f.kids if getattr(k, "type", None) == "Caption"] for f in figures]
    assert [[squash("".join(texts.get(m, "") for m in c.content())) for c in found] for found in captions] == [
        ["图1中试装置"], ["图2显微照片"]]


def test_the_layouts_maximum_height_holds_the_row_as_one(tmp_path):
    """Two tall photographs at 45 % (70 × 140 mm each) make a row taller than half the type
    area (makeup: figure_max_height): the row is held to it, both images by one factor."""
    tall = mi.png((500, 1000), 150, "photo", seed=3)
    blocks = [para(), "![图1　塔架](images/t.png){width=45%} ![图2　机舱](images/t.png){width=45%}", para(2, 3)]
    result = build(tmp_path, [article("高的两张图", blocks)], {"t.png": tall})
    with pdfplumber.open(result.pdf) as pdf:
        page = pdf.pages[1]
        left, right = sorted(page.images, key=lambda im: im["x0"])
        found = captions(page)
    assert abs(left["bottom"] - right["bottom"]) < 0.5 and left["x1"] < right["x0"]
    assert width_mm(left) == width_mm(right) < 0.45 * MEASURE
    height = (left["bottom"] - left["top"]) / MM
    assert abs(height - 2 * width_mm(left)) < 0.2  # the aspect kept
    assert found[0]["top"] + 6 * MM - left["top"] <= 225 / 2 * MM  # image and caption: half the type area


def test_figures_above_shrink_so_that_the_figure_opening_the_next_page_fills_the_hole(tmp_path):
    """Unseen issue A in gongwen: with its row of three side by side, its chart (图6) fell at
    the foot of page 3 and went to page 4's top, and the text after it (a sentence holding a
    tall image) could not fill the room: page 3 17 % empty, page 4 three lines. The row above
    and the chart set smaller (down to the layout's minimum) keep the chart on page 3."""
    fixture = Path(__file__).parent / "fixtures" / "figure_row_hole"
    (tmp_path / "articles" / "images").mkdir(parents=True)
    shutil.copy(fixture / "issue.yaml", tmp_path / "issue.yaml")
    for article_file in fixture.glob("*.md"):
        shutil.copy(article_file, tmp_path / "articles" / article_file.name)
    for name, size, ppi in (("sq1.jpg", (1200, 1200), 300), ("sq2.jpg", (1200, 1200), 300),
                            ("site.jpg", (1800, 1200), 300), ("lab.jpg", (2000, 1500), 200),
                            ("phone.jpg", (756, 1008), 72), ("chart.png", (2400, 900), 300),
                            ("chart2.png", (1600, 1000), 200)):
        kind = "chart" if name.endswith(".png") else "photo"  # (drawn as a PNG, a JPEG)
        (tmp_path / "articles" / "images" / name).write_bytes(mi.png(size, ppi, kind))
    result = build_issue(tmp_path / "issue.yaml", tmp_path / "out", editions=("proof",))
    with pdfplumber.open(result.pdf) as pdf:
        page = pdf.pages[2]
        row = sorted(sorted(page.images, key=lambda im: im["top"])[:3], key=lambda im: im["x0"])
        text = squash(page.extract_text())
        lines = [line for line in lines_of(page) if line["base"] < BOTTOM and not line["text"].startswith("—")]
        foot = max([line["bottom"] for line in lines] + [image["bottom"] for image in page.images])
    assert "图6项目资金流向示意" in text and "图5产品样品" in text  # the chart under the row, on page 3
    scales = {round(width_mm(im) / (0.3 * MEASURE), 2) for im in row[:2]}  # (the third is portrait)
    assert len(scales) == 1 and 0.75 <= min(scales) < 1  # the row smaller, by one factor
    assert (BOTTOM - foot) / (BOTTOM - 37 * MM) < 0.1


def test_a_row_too_small_to_read_names_the_width_written_not_the_height_limit(tmp_path):
    """A row of four large charts at 22 % each printed each about 34 mm wide, and the build said
    "（图的高度不超过版面规定的上限）…可在图后写 {max-height=100%}" (P16 F3): the width the editor wrote
    made them small, and max-height changes nothing. The warning says so, and how to print them larger."""
    chart = mi.png((2000, 1500), 300, "chart")
    images = " ".join(f"![图{k}　图表{k}](images/c{k}.png){{width=22%}}" for k in range(1, 5))
    result = build(tmp_path, [article("四张小图", [para(), images, para(2, 3)])],
                   {f"c{k}.png": chart for k in range(1, 5)})
    found = [str(w) for w in result.warnings if "原大的" in str(w)]
    assert len(found) == 4 and all("按所写的宽度印成" in w and "{width=60%}" in w and "max-height" not in w
                                   for w in found), found
