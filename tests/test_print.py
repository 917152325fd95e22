"""The print shop's options and the archive's sources, on small issues made for the test."""

from __future__ import annotations

import io

import pdfplumber
import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from conftest import ARTICLE, MANIFEST, fails
from kjtypeset.build import build_issue
from kjtypeset.pdf.editions import PrintOptions
from kjtypeset.pdf.preflight import preflight_file
from kjtypeset.pdf.prepress import printer_spreads
from pdfread import folios, page_texts, squash

MM = 72 / 25.4
LAST_SENTENCE = "聚焦科技企业孵化器、众创空间等“双创”平台培育管理。"


def image_bytes(colour, fmt: str, size=(600, 400), ppi: int = 100) -> bytes:
    """An image that declares its resolution (100 ppi: too coarse for print)."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt, dpi=(ppi, ppi))
    return out.getvalue()


def test_printer_spreads_nest_into_reading_order():
    assert printer_spreads(4) == [(4, 1), (2, 3)]
    assert printer_spreads(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    with pytest.raises(ValueError):
        printer_spreads(6)


@pytest.fixture(scope="module")
def saddle(tmp_path_factory):
    """A two-page issue built for saddle stitching, with crop marks and the booklet."""
    folder = tmp_path_factory.mktemp("saddle") / "2024-03"
    (folder / "articles").mkdir(parents=True)
    (folder / "issue.yaml").write_text(MANIFEST, encoding="utf-8")
    (folder / "articles" / "a.md").write_text(ARTICLE, encoding="utf-8")
    return build_issue(folder / "issue.yaml", folder / "out",
                       options=PrintOptions(marks=True, saddle_stitch=True, booklet=True))


def test_saddle_stitch_pads_before_the_end_block_never_inside_an_article(saddle):
    paths = {o.edition: o.path for o in saddle.outputs}
    assert sorted(paths) == ["archive", "booklet", "print", "proof"]
    # One article: on page 1 under the masthead (no contents), the end block alone on page 2.
    assert len(PdfReader(paths["proof"]).pages) == 2
    texts = page_texts(paths["print"])
    assert len(texts) == 4
    assert LAST_SENTENCE in squash(texts[0])  # the article ends where it ended before
    assert texts[1].strip() == texts[2].strip() == ""  # the blanks: no text, no folio
    assert squash(texts[3]).startswith("编印：呼和浩特市科学技术局综合保障中心")  # the end block, alone
    # Page 1 holds the article, numbered (no contents: not a cover); GB/T 9704 §7.5: none on the
    # blanks nor on the 版记 page.
    assert folios(texts) == [1, None, None, None]
    assert PdfReader(paths["print"]).page_labels == ["1", "2", "3", "4"]
    assert preflight_file(paths["print"]).failures == []


def test_crop_marks_are_in_registration_colour_outside_the_bleed(saddle):
    reader = PdfReader({o.edition: o.path for o in saddle.outputs}["print"])
    page = reader.pages[1]
    trim = [float(v) for v in page.trimbox]
    assert [round(float(v), 2) for v in page.mediabox] == [round(v, 2) for v in (
        trim[0] - 12 * MM, trim[1] - 12 * MM, trim[2] + 12 * MM, trim[3] + 12 * MM)]
    bleed = [float(v) for v in page.bleedbox]
    assert [round(v - t, 2) for v, t in zip(bleed, trim)] == [round(-3 * MM, 2)] * 2 + [round(3 * MM, 2)] * 2
    space = page["/Resources"]["/ColorSpace"]["/KjRegistration"]
    assert space[0] == "/Separation" and space[1] == "/All"
    marks = ContentStream(page["/Contents"][-1].get_object(), reader).operations
    points, segments = [], []
    for operands, operator in marks:
        if operator in (b"m", b"l"):
            points.append(tuple(float(v) for v in operands))
        if operator == b"l":
            segments.append(points[-2:])
    assert len(segments) == 8  # two at each corner
    for (x1, y1), (x2, y2) in segments:  # wholly outside the bleed box, on one side of it
        assert (max(x1, x2) < bleed[0] or min(x1, x2) > bleed[2]
                or max(y1, y2) < bleed[1] or min(y1, y2) > bleed[3]), ((x1, y1), (x2, y2))


def test_booklet_is_a3_printer_spreads(saddle):
    path = {o.edition: o.path for o in saddle.outputs}["booklet"]
    assert path.name == "2024-03-booklet.pdf"
    reader = PdfReader(path)
    assert reader.page_labels == ["4-1", "2-3"]
    for sheet in reader.pages:
        trim = [round(float(v) / MM) for v in sheet.trimbox]
        assert trim[2] - trim[0] == 420 and trim[3] - trim[1] == 297
    texts = page_texts(path)
    front, back = squash(texts[0]), squash(texts[1])
    assert "编印：" in front and "科技情报参考" in front  # page 4 left, page 1 right
    assert LAST_SENTENCE in front and back == ""  # pages 2 and 3 are the blanks
    with pdfplumber.open(path) as pdf:  # page 1 sits right of the spine, page 4 left of it
        chars = pdf.pages[0].chars
        masthead = [c for c in chars if c["text"] == "科" and c["size"] > 40]
        imprint = [c for c in chars if c["text"] == "编"]
        assert masthead[0]["x0"] > 210 * MM > imprint[0]["x1"]
    report = preflight_file(path)
    assert report.kind == "print" and report.failures == []


@pytest.fixture(scope="module")
def illustrated(tmp_path_factory):
    """An issue with an RGB PNG and an RGB JPEG, and a file in its folder nobody named."""
    folder = tmp_path_factory.mktemp("illustrated") / "2024-04"
    (folder / "articles" / "images").mkdir(parents=True)
    (folder / "issue.yaml").write_text(MANIFEST.replace("number: 3", "number: 4"), encoding="utf-8")
    article = ARTICLE + ("\n![图1　红色](images/red.png)\n\n![图2　蓝色](images/blue.jpg)\n\n"
                         '<link rel="attachment" href="file:///etc/hostname">'
                         '<a rel="attachment" href="../secret.txt">附件</a>\n')
    (folder / "articles" / "a.md").write_text(article, encoding="utf-8")
    (folder / "articles" / "images" / "red.png").write_bytes(image_bytes((230, 20, 30), "PNG"))
    (folder / "articles" / "images" / "blue.jpg").write_bytes(image_bytes((20, 40, 220), "JPEG"))
    (folder / "secret.txt").write_text("不应进入任何 PDF", encoding="utf-8")
    (folder / "articles" / "unused.md").write_text("---\ntitle: 未列入\n---\n", encoding="utf-8")
    return build_issue(folder / "issue.yaml", folder / "out")


def test_print_images_are_converted_to_cmyk(illustrated):
    paths = {o.edition: o.path for o in illustrated.outputs}
    spaces = {}
    for edition in ("proof", "print", "archive"):
        reader = PdfReader(paths[edition])
        images = {x.idnum: x.get_object() for page in reader.pages  # pages share one resource dict
                  for x in page["/Resources"]["/XObject"].values() if x.get_object()["/Subtype"] == "/Image"}
        spaces[edition] = sorted((str(i["/ColorSpace"]), str(i["/Filter"])) for i in images.values())
    assert spaces["proof"] == spaces["archive"] == [("/DeviceRGB", "/DCTDecode"), ("/DeviceRGB", "/FlateDecode")]
    assert spaces["print"] == [("/DeviceCMYK", "/DCTDecode"), ("/DeviceCMYK", "/FlateDecode")]
    # Still red and blue on screen: the CMYK values came through the FOGRA39 profile.
    def colours(caption):
        # Han–Latin spacing may read back as a space ("图 1"): compare without white space.
        page = next(i for i, t in enumerate(page_texts(paths["print"])) if caption in squash(t))
        bitmap = pdfium.PdfDocument(paths["print"])[page].render(scale=1).to_pil().convert("RGB")
        return {bitmap.getpixel((x, y)) for x in range(0, bitmap.width, 7) for y in range(0, bitmap.height, 7)}

    assert any(r > 170 and g < 90 and b < 100 for r, g, b in colours("图1"))  # red
    assert any(b > 140 and r < 90 for r, g, b in colours("图2"))  # blue: the JPEG's inverted CMYK read right


def test_images_are_reported_with_their_resolution_at_print_size(illustrated):
    path = {o.edition: o.path for o in illustrated.outputs}["print"]
    report = preflight_file(path)
    assert report.failures == []
    images = report.facts["images"]
    assert [i["pixels"] for i in images] == [[600, 400], [600, 400]]
    assert all(i["colour_space"] == "DeviceCMYK" for i in images)
    # At print size: 100 ppi as the files declare, or up to a third more where page makeup
    # shrank the figures (to figure_min_scale, 75 %) to keep the text's share of the page,
    # and a little more where that 75 % is of the height the layout's maximum allows (the
    # white under a caption counts in it: 101.6 mm became 100.8).
    with pdfplumber.open(path) as pdf:
        printed = sorted(600 / (box["width"] / 72) for page in pdf.pages for box in page.images)
    assert sorted(i["ppi"] for i in images) == [pytest.approx(ppi, abs=1) for ppi in printed]
    assert all(99 <= ppi <= 136 for ppi in printed), printed
    assert [w.message.endswith("低于 300 ppi，印出来会发虚") for w in report.warnings] == [True, True]


def test_archive_embeds_only_what_the_manifest_names(illustrated):
    paths = {o.edition: o.path for o in illustrated.outputs}
    reader = PdfReader(paths["archive"])
    assert sorted(reader.attachments) == ["articles/a.md", "articles/images/blue.jpg",
                                          "articles/images/red.png", "issue.yaml"]
    for path in paths.values():
        data = path.read_bytes()
        assert "不应进入任何 PDF".encode("utf-16-be") not in data
        for page in PdfReader(path).pages:
            assert all(a.get_object()["/Subtype"] == "/Link" for a in page.get("/Annots", []))
    # The raw HTML is text on the page, not markup that fetched anything.
    assert 'rel="attachment"' in "".join(page_texts(paths["proof"]))


def test_svg_is_refused_for_print_with_file_and_line(make_issue, monkeypatch):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>'
    path = make_issue(files={"articles/a.md": ARTICLE + "\n![图](chart.svg)\n", "articles/chart.svg": svg})
    monkeypatch.chdir(path.parent.parent)
    fails(lambda: build_issue(path, path.parent / "out"),
          "2024-03/articles/a.md:7: 印刷版要求全部颜色为 CMYK，SVG 图片 'chart.svg' 的颜色无法转换："
          "应改用 PNG 或 JPEG（按印刷尺寸不低于 300 ppi）", writes_nothing_in=path.parent)
    # The screen edition can show it.
    build_issue(path, path.parent / "out", editions=("proof",))


def test_a_layout_without_bleed_cannot_make_the_print_edition(make_issue, own_layout):
    """The project's own copy of jianbao, without bleed, is the layout used."""
    css = own_layout / "style.css"
    css.write_text(css.read_text(encoding="utf-8").replace("  bleed: 3mm;\n", ""), encoding="utf-8")
    path = make_issue()
    fails(lambda: build_issue(path, path.parent / "out"),
          "2024-03/issue.yaml: 印刷版需要 3 mm 出血，版式的 @page 没有设置：应在版式样式表的 @page 中写 bleed: 3mm",
          writes_nothing_in=path.parent)
    build_issue(path, path.parent / "out", editions=("proof", "archive"))


def test_every_markdown_construct_prints_in_cmyk(make_issue, tmp_path):
    """The layout styles what WeasyPrint would otherwise draw in its default RGB greys."""
    body = ("第一段，含`代码 code`、~~删除~~、[链接](https://example.com)和<https://example.org>。\n\n"
            "---\n\n> 引用的一段文字。\n\n1. 第一\n   - 嵌套\n2. 第二\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n\n"
            "```\n代码块 block\n```\n\n### 三级标题\n\n#### 四级标题\n\n脚注[^1]。\n\n[^1]: 脚注内容。\n")
    path = make_issue(files={"articles/a.md": ARTICLE + "\n" + body})
    result = build_issue(path, tmp_path / "out", editions=("print",))  # the build's check passes
    report = preflight_file(result.pdf)
    assert report.facts["colour_spaces"] == {"DeviceCMYK": [1, 2]}


def test_a_page_background_runs_into_the_bleed(make_issue, tmp_path, own_layout):
    css = own_layout / "style.css"
    css.write_text(css.read_text(encoding="utf-8").replace(
        "  bleed: 3mm;\n", "  bleed: 3mm;\n  background: device-cmyk(0 0 0 0.3);\n"), encoding="utf-8")
    result = build_issue(make_issue(), tmp_path / "out", editions=("proof", "print"))
    paths = {o.edition: o.path for o in result.outputs}
    page = pdfium.PdfDocument(paths["print"])[1]
    assert [round(v / MM, 1) for v in page.get_mediabox()] == [-3.0, -3.0, 213.0, 300.0]
    bitmap = page.render(scale=1).to_pil().convert("L")
    for x, y in ((1, 1), (bitmap.width - 2, bitmap.height - 2)):  # inside the bleed, outside the trim
        assert bitmap.getpixel((x, y)) < 230
    assert preflight_file(paths["print"]).facts["colour_spaces"] == {"DeviceCMYK": [1, 2]}
