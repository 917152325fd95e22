"""End to end: manifest → PDF, read back the way an editor, a print shop and an archive would."""

from __future__ import annotations

import fcntl
import re
import signal
import subprocess
import sys
import threading
import time

import pdfplumber
import pytest
from pypdf import PdfReader

from conftest import ARTICLE, MANIFEST, ROOT, SAMPLE, fails
from kjtypeset.build import build_issue
from kjtypeset.errors import KjError
from kjtypeset.inputs.articles import read_articles
from kjtypeset.inputs.manifest import load_manifest
from kjtypeset.pdf.colour import screen_rgb
from pdfread import contents_numbers, folios, page_texts, squash, text_lines, title_pages

MM = 72 / 25.4
SAMPLE_TITLES = [a.title for a in read_articles(load_manifest(SAMPLE))]


@pytest.fixture(scope="module")
def sample(sample_build):
    return sample_build.pdf, page_texts(sample_build.pdf)


def test_contents_lists_all_eight_articles_with_the_pages_they_start_on(sample):
    _pdf, texts = sample
    assert len(SAMPLE_TITLES) == 8 and "宁波聚力“创新深化”打造“科教产共同体”" in SAMPLE_TITLES
    printed = contents_numbers(texts, SAMPLE_TITLES)
    actual = title_pages(texts, SAMPLE_TITLES)
    assert list(printed) == SAMPLE_TITLES  # every article, in issue order
    assert printed == actual
    assert list(printed.values()) == sorted(printed.values())


def test_page_numbers_and_labels(sample):
    pdf, texts = sample
    printed = folios(texts)
    # The masthead page carries no folio (layout.yaml first_page_folio: false), nor does the
    # last page, which holds only the 版记 (GB/T 9704 §7.5); every page counts.
    assert printed == [None, *range(2, len(texts)), None]
    assert PdfReader(pdf).page_labels == [str(n) for n in range(1, len(texts) + 1)]


def test_masthead_and_end_block(sample):
    pdf, texts = sample
    first = squash(texts[0])
    for expected in ("科技情报参考", "2024年第2期", "呼和浩特市科学技术局综合保障中心编", "2024年2月28日", "目录"):
        assert expected in first
    last = squash(texts[-1])
    for expected in ("编辑：李涛", "电话：4366683", "编印：呼和浩特市科学技术局综合保障中心", "2024年2月28日印发"):
        assert expected in last
    with pdfplumber.open(pdf) as doc:
        name = [c for c in doc.pages[0].chars if c["text"] in "科技情报参考" and c["size"] > 40]
        assert len(name) == 6
        # The layout's CMYK red (M80 Y80), set in the sRGB FOGRA39 prints it as (issue 16)
        red = screen_rgb(0, 0.8, 0.8, 0)
        assert red[0] > 0.85 and red[1] < 0.4 and red[2] < 0.3
        assert all(len(c["non_stroking_color"]) == 3 for c in name)
        assert all(abs(a - b) < 0.001 for c in name for a, b in zip(c["non_stroking_color"], red))
        # The end block's last rule lies on the bottom edge of the type area (35 mm margin).
        page = doc.pages[-1]
        rules = [r for r in page.rects + page.lines if r["width"] > 150 * MM]
        assert abs(max(r["bottom"] for r in rules) - (297 - 35) * MM) < 1.5


def test_fonts_embedded_subset_simplified_chinese(sample):
    pdf, _texts = sample
    names = set()
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile3" in descriptor or "/FontFile2" in descriptor
    assert all(re.match(r"/[A-Z]{6}\+Noto-(Serif|Sans)-CJK-SC", name) for name in names), names


def test_metadata_bookmarks_and_language(sample):
    pdf, _texts = sample
    reader = PdfReader(pdf)
    meta = reader.metadata
    assert meta.title == "科技情报参考 2024年第2期"
    assert meta.author == "呼和浩特市科学技术局综合保障中心"
    assert meta.subject == "科技情报参考，2024年第2期，呼和浩特市科学技术局综合保障中心编，2024年2月28日"
    assert meta["/Keywords"] == "；".join(SAMPLE_TITLES)
    assert meta.creation_date.date().isoformat() == "2024-02-28"
    assert [item.title for item in reader.outline] == SAMPLE_TITLES
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    assert [round(float(v) / MM) for v in reader.pages[0].mediabox[2:]] == [210, 297]


def test_text_layer_reads_back_as_written(sample):
    _pdf, texts = sample
    text = squash("".join(texts))
    assert "全市建有省级孵化器5家、国家级众创空间4家" in text  # "5 家" normalised at import
    assert "**" not in text
    assert "一是政策体系加速完善，助力双创主体成长。衢州市高度重视双创平台建设工作。" in text


def test_all_optional_fields_sections_and_distribution(make_issue, tmp_path):
    manifest = MANIFEST.replace("articles:\n  - articles/a.md", """\
total: 86
copies: 200
reviewer: 王芳
phone: "4366683"
classification: 内部资料　注意保存
distribution:
  报: [市委办公室, 市政府办公室]
  发: [各旗县区科技局]
articles:
  - {file: articles/a.md, section: 科技金融}
  - {file: articles/b.md, section: 科技金融}
  - {file: articles/c.md, section: 双创平台}""")
    files = {f"articles/{n}.md": ARTICLE.replace("测试文章标题", f"测试文章{n}") for n in "abc"}
    result = build_issue(make_issue(manifest, files=files), tmp_path / "out")
    texts = page_texts(result.pdf)
    first, last = squash(texts[0]), squash(texts[-1])
    assert "2024年第3期（总第86期）" in first and first.startswith("内部资料注意保存")
    assert re.search(r"【科技金融】★测试文章a\.+\d+★测试文章b\.+\d+【双创平台】★测试文章c", first)
    for expected in ("报：市委办公室，市政府办公室。", "发：各旗县区科技局。", "审核：王芳", "（共印200份）", "【科技金融】"):
        assert expected in last
    outline = PdfReader(result.pdf).outline
    assert [item.title for item in outline if not isinstance(item, list)] == ["【科技金融】", "【双创平台】"]
    assert [item.title for item in outline[1]] == ["测试文章a", "测试文章b"]


def test_failed_build_writes_nothing_and_keeps_the_previous_pdf(make_issue, tmp_path, monkeypatch):
    out = tmp_path / "out"
    manifest = make_issue()
    build_issue(manifest, out)
    assert sorted(p.name for p in out.iterdir()) == [  # no lock file is left (issue 16)
        "2024-03-archive.pdf", "2024-03-print.pdf", "2024-03.pdf"]
    (manifest.parent / "articles" / "a.md").write_text("---\nsource: 新华网\n---\n\n正文。\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    fails(lambda: build_issue(manifest, out), "2024-03/articles/a.md:2: 缺少必填项 'title'（标题）", writes_nothing_in=out)


@pytest.mark.parametrize("text, named, more", [
    ("\n第二段有个怪字𪚥。\n", "'𪚥'（U+2A6A5）", ""),
    # An editor fixes every missing character before the next build, not one a build.
    ("\n第二段有两个怪字𪚥和𪚦。\n\n第三段正常。\n\n第四段又有𪚥。\n", "'𪚥'（U+2A6A5）、'𪚦'（U+2A6A6）",
     "（本文第 11 行也有缺字）"),
])
def test_character_no_font_has_fails_naming_file_line_and_code_point(make_issue, monkeypatch, text, named, more):
    path = make_issue(files={"articles/a.md": ARTICLE + text})
    monkeypatch.chdir(path.parent.parent)
    fails(lambda: build_issue(path, path.parent / "out"),
          f"2024-03/articles/a.md:7: 字符 {named}不在字体角色 body 的字体链（Noto Serif CJK SC → "
          "Noto Sans CJK SC → DejaVu Serif）中，印出来会是方框：应改用常用字，或在版式 layout.yaml 的 fonts.body "
          f"中加入含此字的字体{more}", writes_nothing_in=path.parent)


def test_character_no_font_has_in_the_manifest(make_issue, monkeypatch):
    path = make_issue(MANIFEST.replace("editor: 李涛", "editor: 李𪚥"))
    monkeypatch.chdir(path.parent.parent)
    fails(lambda: build_issue(path, path.parent / "out"),
          "2024-03/issue.yaml:6: 字符 '𪚥'（U+2A6A5）不在字体角色 body 的字体链（Noto Serif CJK SC → "
          "Noto Sans CJK SC → DejaVu Serif）中，印出来会是方框：应改用常用字，或在版式 layout.yaml 的 fonts.body "
          "中加入含此字的字体", writes_nothing_in=path.parent)


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_names_the_body_face_lacks_are_named_in_one_warning_per_article(make_issue, monkeypatch, layout):
    """gongwen's 仿宋 (FandolFang) lacks rare name characters; Noto Serif CJK SC prints them, a
    heavier 宋体, so a name stood out bold mid-line with no word to the editor (an unseen issue,
    P11 D5). One warning per article names them and the face that prints them; jianbao's 宋体
    has them all and says nothing."""
    body = "\n获奖者王堃、李喆、张䶮在会上发言。\n\n陈昇、王堃随后介绍了项目。\n"
    path = make_issue(MANIFEST.replace("articles:", f"layout: {layout}\narticles:"),
                      files={"articles/a.md": ARTICLE + body})
    monkeypatch.chdir(path.parent.parent)
    result = build_issue(path, path.parent / "out", editions=("proof",))
    said = [str(w) for w in result.warnings if "改用" in str(w)]
    if layout == "jianbao":
        assert said == []
        return
    assert said == ["2024-03/articles/a.md:7: 字体 FandolFang（字体角色 body）没有 '堃'（U+5803）、'喆'（U+5586）、"
                    "'䶮'（U+4DAE）、'昇'（U+6607），这些字改用 Noto Serif CJK SC 印出，字形与周围的字不同："
                    "可把含这些字的同类字体放进 fonts/ 文件夹，列在版式 layout.yaml 的 fonts.body 最前"]
    assert "王堃、李喆、张䶮" in squash("".join(page_texts(result.pdf)))


def test_rare_characters_the_fonts_have_render_and_extract(make_issue, tmp_path):
    path = make_issue(files={"articles/a.md": ARTICLE + "\n生僻字䶮、𠮷、𬭚都应正常显示。\n"})
    text = squash("".join(page_texts(build_issue(path, tmp_path / "out").pdf)))
    assert "生僻字䶮、𠮷、𬭚都应正常显示。" in text


def test_font_files_are_used_where_they_lie_not_copied(make_issue, tmp_path, monkeypatch):
    """WeasyPrint 70 copies each @font-face file to a temporary folder (82 MB, ~0.3 s a build);
    kjtypeset registers the font folder's files in place. Fails loudly if WeasyPrint changes."""
    import weasyprint.text.fonts

    def no_copy(*args, **kwargs):
        raise AssertionError("a font file was copied to a temporary folder")

    monkeypatch.setattr(weasyprint.text.fonts, "mkdtemp", no_copy)
    pdf = build_issue(make_issue(), tmp_path / "out", editions=("proof",)).pdf
    fonts = {str(f.get_object()["/BaseFont"]).split("+")[-1]
             for page in PdfReader(pdf).pages for f in page["/Resources"]["/Font"].values()}
    assert "Noto-Serif-CJK-SC" in fonts, fonts


def test_font_files_are_not_read_whole_into_memory(make_issue, tmp_path, monkeypatch):
    """WeasyPrint 70 reads each drawn font file whole (16–25 MB a Noto CJK face) although
    HarfBuzz subsets it from the mapped file; kjtypeset reads only the subsets. Fails loudly
    if WeasyPrint changes how it creates fonts."""
    import weasyprint.pdf.fonts

    from kjtypeset.engine import fontload

    read = []
    original = weasyprint.pdf.fonts.get_hb_object_data

    def recording(hb_object, *args, **kwargs):
        data = original(hb_object, *args, **kwargs)
        read.append(len(data or b""))
        return data

    monkeypatch.setattr(weasyprint.pdf.fonts, "get_hb_object_data", recording)
    monkeypatch.setattr(fontload, "_whole_file", recording)
    assert fontload.lazy_fonts_supported()
    pdf = build_issue(make_issue(), tmp_path / "out", editions=("proof",)).pdf
    assert read and max(read) < 2_000_000, read  # subsets only; a whole face is over 15 MB
    assert "近年来，衢州市围绕创新创业生态体系建设" in squash("".join(page_texts(pdf)))


def test_a_font_outside_the_font_folders_takes_weasyprints_own_path(tmp_path):
    """Only the font folders are trusted for in-place use; any other @font-face file is read
    through the confined fetcher and copied, as WeasyPrint does."""
    import io
    import shutil

    import weasyprint

    from conftest import FONTS
    from kjtypeset.engine.fontload import InPlaceFonts
    from kjtypeset.engine.typeset import ConfinedFetcher

    elsewhere = tmp_path / "Elsewhere.otf"
    shutil.copy(FONTS / "NotoSansCJKsc-Regular.otf", elsewhere)
    fonts = InPlaceFonts((FONTS,))
    fetcher = ConfinedFetcher((tmp_path, FONTS))
    css = weasyprint.CSS(string=(
        f'@font-face {{ font-family: "A"; src: url("{(FONTS / "NotoSerifCJKsc-Regular.otf").as_uri()}") }}'
        f'@font-face {{ font-family: "B"; src: url("{elsewhere.as_uri()}") }}'
        'p { font-family: "A" } span { font-family: "B" }'), font_config=fonts, url_fetcher=fetcher)
    pdf = weasyprint.HTML(string="<p>宋体<span>黑体</span></p>").write_pdf(stylesheets=[css], font_config=fonts)
    assert list(fonts.in_place.values()) == [FONTS / "NotoSerifCJKsc-Regular.otf"]
    assert fonts._folder is not None and any(fonts._folder.iterdir())  # B was copied
    names = {str(f.get_object()["/BaseFont"]).split("+")[-1]
             for f in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()}
    assert names == {"A", "B"}  # each family drawn from the file its rule names


def test_unknown_layout(make_issue, monkeypatch):
    path = make_issue(MANIFEST.replace("articles:", "layout: fancy\narticles:"))
    monkeypatch.chdir(path.parent.parent)
    with pytest.raises(KjError) as caught:
        build_issue(path, path.parent / "out")
    assert str(caught.value) == "2024-03/issue.yaml:7: layout（版式）应为 gongwen、jianbao 之一，实际为 'fancy'"


@pytest.mark.slow
@pytest.mark.parametrize("point", ["typeset", "rename"])
def test_killed_build_leaves_the_previous_pdfs(make_issue, tmp_path, point):
    """kill -9 while laying out, and with every new PDF in its temporary file but none renamed:
    all three old PDFs stay as they were (the article changed, so new ones would differ); the
    next build removes the temporary files a killed one left."""
    out = tmp_path / "out"
    manifest = make_issue()
    before = {p.name: p.read_bytes() for p in (o.path for o in build_issue(manifest, out).outputs)}
    article = manifest.parent / "articles" / "a.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n新加的一段。\n", encoding="utf-8")
    killed = subprocess.run([sys.executable, str(ROOT / "tests" / "kill_at.py"), point, "build", str(manifest),
                             "--output", str(out), "--quiet"], capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert {name: (out / name).read_bytes() for name in before} == before
    left = sorted(p.name for p in out.glob("*.tmp"))
    assert len(left) == (3 if point == "rename" else 0), left
    after = build_issue(manifest, out)
    assert not list(out.glob("*.tmp"))
    assert all(o.path.read_bytes() != before[o.path.name] for o in after.outputs)


def test_second_build_of_the_same_issue_waits_for_the_first(make_issue, tmp_path):
    out = tmp_path / "out"
    manifest = make_issue()
    out.mkdir()
    messages = []
    with open(out / ".2024-03.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("4242")
        held.flush()
        waiting = threading.Thread(target=build_issue, args=(manifest, out, messages.append))
        waiting.start()
        wait_message = "另一个构建（进程 4242）正在生成本期，等待它完成……"
        deadline = time.monotonic() + 20
        while wait_message not in messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert wait_message in messages
        assert not (out / "2024-03.pdf").exists()
        fcntl.flock(held, fcntl.LOCK_UN)
    waiting.join(timeout=60)
    assert (out / "2024-03.pdf").exists()


LONG_TITLE = "2024年全市科技创新工作要点：加快建设具有全国影响力的区域科技创新中心和人才高地和创新策源地"


@pytest.mark.parametrize("length", range(33, 41))
def test_a_title_that_fills_its_contents_line_or_starts_with_a_year_is_checked_right(make_issue, tmp_path, length):
    """Titles of 33–40 characters fill a contents line and this one starts with a year, like the
    first page after the contents: the build's own contents check once read "22024" or nothing
    there and refused to build. The numbers printed are the pages the articles start on, as
    `check` reads them from the PDF; the leader never has a line of its own (a title that filled
    its line once left "……………2" alone under it): the title's last characters go with it."""
    from kjtypeset.pdf.preflight import preflight

    second = ARTICLE.replace("测试文章标题", "第二篇")
    manifest = make_issue(MANIFEST.replace("  - articles/a.md", "  - articles/a.md\n  - articles/b.md"),
                          files={"articles/a.md": ARTICLE.replace("测试文章标题", LONG_TITLE[:length]),
                                 "articles/b.md": second})
    result = build_issue(manifest, tmp_path / "out", editions=("proof",))
    assert [(entry.title, entry.page) for entry in result.contents] == [(LONG_TITLE[:length], 2), ("第二篇", 2)]
    contents = preflight(result.pdf.read_bytes()).facts["contents"]
    assert [(entry["title"], entry["printed"], entry["page_label"]) for entry in contents] == \
        [(LONG_TITLE[:length], 2, "2"), ("第二篇", 2, "2")]
    with pdfplumber.open(result.pdf) as pdf:
        lines = pdf.pages[0].extract_text().splitlines()
    numbered = [line for line in lines if re.search(r"\.+\s*2$", line)]
    assert len(numbered) == 2 and all(re.search(r"[\u4e00-\u9fff]\s*\.", line) for line in numbered), numbered


def test_emphasis_typed_in_a_title_prints_no_asterisks(make_issue, tmp_path):
    """A title is plain text in its own face: "研究团队改造*E. coli*菌株" printed its asterisks in the
    title, the contents, the bookmarks and the archive's metadata (P14 D1)."""
    manifest = make_issue(files={"articles/a.md": ARTICLE.replace("测试文章标题", "研究团队改造*E. coli*菌株")})
    result = build_issue(manifest, tmp_path / "out")
    assert [entry.title for entry in result.contents] == ["研究团队改造E. coli菌株"]
    reader = PdfReader(result.pdf)
    assert [item.title for item in reader.outline] == ["研究团队改造E. coli菌株"]
    text = "".join(page.extract_text() for page in reader.pages[:2])
    assert "*" not in text and "E. coli菌株" in text.replace("E.coli", "E. coli")
    archive = PdfReader(result.pdf.with_name(result.pdf.stem + "-archive.pdf"))
    xmp = archive.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert archive.metadata["/Keywords"] == "研究团队改造E. coli菌株"
    assert xmp.count("研究团队改造E. coli菌株") == 3 and "*" not in xmp


def test_distribution_names_run_together_in_one_entry_are_names_of_their_own(make_issue, tmp_path):
    """An editor writes a whole row as one entry ("市委宣传部、市发展改革委…。"): each name is kept
    whole and the row wraps between names under the first (it ran off the page as one name)."""
    names = [f"{place}科技局" for place in ("新城区", "回民区", "玉泉区", "赛罕区", "土默特左旗", "托克托县",
                                            "和林格尔县", "清水河县", "武川县", "呼和浩特经济技术开发区")]
    manifest = make_issue(MANIFEST.replace("articles:", "distribution:\n  发: [" + "、".join(names) + "。]\narticles:"))
    result = build_issue(manifest, tmp_path / "out", editions=("proof",))
    with pdfplumber.open(result.pdf) as pdf:
        page = pdf.pages[-1]
        text = squash(page.extract_text())
        right = max(c["x1"] for c in page.chars)
    assert "发：" + "，".join(names) + "。" in text
    assert right < page.width - 26 * 72 / 25.4 + 1  # within the type area


def test_a_distribution_entry_of_names_in_series_with_commas_between_series_stays_on_the_page(make_issue, tmp_path):
    """An entry typed with 、 between the names of a series and ， between series is split at
    its commas, each series one name; nine county bureaus in one series were a name wider
    than the line, set without a break, and ran off the paper (an unseen issue). The series
    breaks after its 、 when it must; every name prints, inside the type area."""
    counties = [f"{place}科技局" for place in ("新城区", "回民区", "玉泉区", "赛罕区", "土默特左旗", "托克托县",
                                               "和林格尔县", "清水河县", "武川县")]
    entry = "、".join(counties) + "，呼和浩特经济技术开发区管委会、和林格尔新区管委会，各有关企业、高校、科研院所。"
    manifest = make_issue(MANIFEST.replace("articles:", f"distribution:\n  发: [{entry}]\narticles:"))
    result = build_issue(manifest, tmp_path / "out", editions=("proof",))
    with pdfplumber.open(result.pdf) as pdf:
        page = pdf.pages[-1]
        text = squash(page.extract_text())
        right = max(c["x1"] for c in page.chars)
    assert "发：" + entry in text
    assert right < page.width - 26 * 72 / 25.4 + 1  # within the type area


# Words of the 40-character name below (its dictionary's segmentation, with "厅" and "处" joined
# to the words before them as _bind_words joins a one-character suffix): a break may fall only
# between two of them.
_LONG_UNIT_WORDS = ("内蒙古自治区", "科学技术厅", "高新技术", "发展", "及", "产业化处", "（呼和浩特市",
                    "科技成果", "转化", "与", "服务中心）")


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_a_unit_name_that_fits_the_line_goes_whole_to_the_next_and_a_longer_one_breaks_between_words(
        make_issue, tmp_path, layout):
    """A 24-character unit name at a line's end of the 版记 printed "内蒙古科技大学包头师 / 范学院…"
    (an unseen issue, P10 D5): it goes whole to the next line. A 40-character one, wider than
    the line, breaks between its words, under the first name after 报：."""
    fits = "内蒙古科技大学包头师范学院（呼和浩特市研究中心）"
    wider = "".join(_LONG_UNIT_WORDS)
    assert (len(fits), len(wider)) == (24, 40)
    names = ["市委办公室", "市人大常委会办公室", "市政府办公室", fits, "市统计局", "市财政局", "市发展和改革委员会",
             wider, "市教育局"]
    manifest = make_issue(MANIFEST.replace("articles:", f"layout: {layout}\ndistribution:\n  报: [{', '.join(names)}]\n"
                                           "articles:"))
    result = build_issue(manifest, tmp_path / "out", editions=("proof",))
    page = text_lines(result.pdf)[-1]
    start = next(i for i, line in enumerate(page) if line["text"].startswith("报："))
    end = next(i for i, line in enumerate(page) if line["text"].startswith("编印："))
    rows = page[start:end]
    texts = [squash(line["text"]) for line in rows]
    assert "".join(texts) == "报：" + "，".join(names) + "。"
    assert any(fits in text for text in texts), texts  # whole on one line
    inside = [text for text in texts if wider[:6] in text or wider[-6:] in text]
    assert len(inside) == 2, texts  # wider than the line: on two
    head = inside[0][inside[0].index(wider[:6]):]
    cuts = {len("".join(_LONG_UNIT_WORDS[:k])) for k in range(1, len(_LONG_UNIT_WORDS))}
    assert len(head) in cuts, (head, inside[1])  # between two words
    first_name = rows[0]["chars"][2]["x0"]  # after 报：
    assert all(abs(line["x0"] - first_name) < 0.5 for line in rows[1:]), [(t, r["x0"]) for t, r in zip(texts, rows)]
    with pdfplumber.open(result.pdf) as pdf:
        width = pdf.pages[-1].width
    assert max(line["x1"] for line in rows) < width - 26 * 72 / 25.4 + 1  # within the type area


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_a_unit_name_with_a_series_in_brackets_is_one_name_in_the_end_block(make_issue, tmp_path, layout):
    """A 、 inside a name's brackets does not part two names: split there, "…创新处（自治区科技成果
    转化服务中心、自治区技术市场管理办公室）" set its first part as a block wider than the line
    and left "转化服务中心、" alone on a third of a line (round 18's review). It is one name of
    two lines."""
    name = "内蒙古自治区科学技术厅科技成果转化与区域创新处（自治区科技成果转化服务中心、自治区技术市场管理办公室）"
    names = ["市委办公室", "市人大常委会办公室", name, "市统计局"]
    manifest = make_issue(MANIFEST.replace("articles:", f"layout: {layout}\ndistribution:\n  送: [{', '.join(names)}]\n"
                                           "articles:"))
    page = text_lines(build_issue(manifest, tmp_path / "out", editions=("proof",)).pdf)[-1]
    start = next(i for i, line in enumerate(page) if line["text"].startswith("送："))
    end = next(i for i, line in enumerate(page) if line["text"].startswith("编印："))
    texts = [squash(line["text"]) for line in page[start:end]]
    assert "".join(texts) == "送：" + "，".join(names) + "。"
    holding = [text for text in texts if any(word in text for word in ("内蒙古自治区", "转化服务中心", "管理办公室"))]
    assert len(holding) == 2, texts
