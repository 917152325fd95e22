"""Issue 14, item 3 (and 7): the ordinary slips of an editor are warned about, one line each
with file and line; the build goes on, and --strict makes them errors."""

from __future__ import annotations

import subprocess
import sys

import pdfplumber
import pytest

from conftest import ARTICLE, MANIFEST
from kjtypeset.build import build_issue
from kjtypeset.errors import KjError, collecting_warnings
from kjtypeset.inputs.articles import read_articles
from kjtypeset.inputs.manifest import load_manifest
from kjtypeset.pdf.preflight import preflight
from pdfread import squash

PREVIOUS = MANIFEST.replace("number: 3", "number: 2").replace("date: 2024-03-29", "date: 2024-02-28")


def warnings_of(path, articles=False) -> list[str]:
    with collecting_warnings() as warnings:
        manifest = load_manifest(path)
        if articles:
            read_articles(manifest)
    return [str(w) for w in warnings]


@pytest.fixture
def issue(make_issue, monkeypatch):
    """An issue folder 2024-03 beside its predecessor 2024-02, the working folder their parent."""

    def make(manifest: str = MANIFEST, files=None, folder="2024-03"):
        make_issue(PREVIOUS, folder="2024-02")
        path = make_issue(manifest, files, folder=folder)
        monkeypatch.chdir(path.parent.parent)
        return path

    return make


def test_a_clean_issue_has_no_warnings(issue):
    assert warnings_of(issue(), articles=True) == []


@pytest.mark.parametrize("change, folder, expected", [
    (("year: 2024", "year: 2023"), "2024-03",
     "2024-03/issue.yaml:2: year（年份）为 2023，与印发日期 2024-03-29 和文件夹名 2024-03 的年份 2024 都不同："
     "报头会印“2023年第3期”，存档也会放在 2023/ 下；应改为 year: 2024"),
    (("date: 2024-03-29", "date: 2025-03-28"), "2024-03",
     "2024-03/issue.yaml:4: 印发日期 2025-03-28 不在 year（年份）写的 2024 年：报头会印“2024年第3期”，"
     "日期却是 2025 年的；日期或年份是否写错了？"),
    (None, "2023-03",
     "2023-03/issue.yaml:2: year（年份）为 2024，与文件夹名 2023-03 的年份 2023 不同：报头会印“2024年第3期”，"
     "存档也会放在 2024/ 下；应改正年份，或把文件夹改名为 2024-…"),
    (None, "2024-04",
     "2024-04/issue.yaml:3: number（期号）为 3，与文件夹名 2024-04 的期号 4 不同：报头会印“2024年第3期”，请核对"),
    (("supplement", "supplement"), "2024-zk03",
     "2024-zk03/issue.yaml: 文件夹名 2024-zk03 是增刊的写法，清单中却没有 supplement: true：报头会印成正刊，请核对"),
])
def test_year_and_number_against_the_date_and_the_folder(issue, change, folder, expected):
    manifest = MANIFEST.replace(*change) if change else MANIFEST
    assert warnings_of(issue(manifest, folder=folder)) == [expected]


def test_a_date_before_the_previous_issue(issue):
    path = issue(MANIFEST.replace("date: 2024-03-29", "date: 2024-02-20"))
    assert warnings_of(path) == [
        "2024-03/issue.yaml:4: 印发日期 2024-02-20 早于上一期 2024-02 的印发日期 2024-02-28：日期是否写错了？"]


def test_an_article_listed_twice(issue):
    path = issue(MANIFEST + "  - articles/b.md\n  - ./articles/a.md\n",
                 files={"articles/a.md": ARTICLE, "articles/b.md": ARTICLE.replace("测试文章标题", "另一篇")})
    assert warnings_of(path) == [
        "2024-03/issue.yaml:10: 文章 './articles/a.md' 在清单中列了两次，第 8 行已列出（写作 'articles/a.md'）："
        "这篇文章会印两遍；如果不是有意的，请删去这一行"]


def test_curly_or_full_width_quotes_around_a_value(issue):
    path = issue(MANIFEST + "phone: ‘4366683’\nreviewer: ＂王芳＂\n",
                 files={"articles/a.md": ARTICLE.replace("title: 测试文章标题", "title: “双创”平台建设")})
    assert warnings_of(path, articles=True) == [
        "2024-03/issue.yaml:9: phone（电话）的值两边是弯引号 ‘…’，会连引号一起印出来：YAML 只认半角的直引号，"
        '应写作 phone: "4366683"；确要印出这对引号，写作 phone: "‘4366683’"',
        "2024-03/issue.yaml:10: reviewer（审核）的值两边是全角引号 ＂…＂，会连引号一起印出来：YAML 只认半角的直引号，"
        '应写作 reviewer: "王芳"；确要印出这对引号，写作 reviewer: "＂王芳＂"']
    # Quoted in YAML on purpose, the quotes are the editor's choice: no warning.
    assert warnings_of(issue(MANIFEST + 'phone: "‘4366683’"\n')) == []


def test_an_unclosed_bold_mark(issue):
    body = ARTICLE + "\n**一是加强投入。研发经费增长12%。\n\n带*号的为新增项目；**二是**完善平台。\n"
    path = issue(files={"articles/a.md": body})
    assert warnings_of(path, articles=True) == [
        "2024-03/articles/a.md:7: 加粗标记 ** 没有闭合，会原样印出来：应在加粗文字的末尾也写上 **（要印出 * 本身，写作 \\*）"]


def test_html_tags_written_in_an_article_are_named_once(issue):
    """Tags typed in an article (H<sub>2</sub>O, <br>) print as text unless the manifest allows
    HTML: the first is named with its line, once per article; in code, or with raw_html, none."""
    body = ARTICLE + "\n水的化学式是H<sub>2</sub>O，面积单位m<sup>2</sup>。\n\n第二段<br>换行。\n\n代码 `<b>` 不算。\n"
    path = issue(files={"articles/a.md": body})
    assert warnings_of(path, articles=True) == [
        "2024-03/articles/a.md:7: HTML 标签 <sub> 会按原样印出来：下标、上标请直接写 ₂、²，换行请另起一段"
        "（或在清单中写 raw_html: true，让格式标签生效）"]
    assert warnings_of(issue(MANIFEST + "raw_html: true\n", files={"articles/a.md": body}), articles=True) == []
    plain = ARTICLE + "\n代码 `<b>` 与不等式 a < b > c 不算。\n"
    assert warnings_of(issue(files={"articles/a.md": plain}), articles=True) == []


def test_half_width_marks_in_chinese_are_set_full_width_and_named_once(issue):
    """Text pasted from the web or a PDF: "科技小院" in ASCII quotes, 建设,其中 and (约…) with
    half-width marks print full width (GB/T 15834), as `import` turns them; the first is named
    with its line, once per article. English sentences, 2,000, 10:30, addresses and code stay;
    an English quotation in straight quotes prints as typed and is named too (an unseen issue
    printed "We endow …" without a word), one in curly quotes or in code is not."""
    body = (ARTICLE + '\n他说 "We are ready, really." 代码 `"键",` 不算。\n\n建设"科技小院"15个,'
            '又称"小院"(试点)。会议10:30开始,投资2,000万元...\n\n定义：Machine learning is a field of study.\n\n即多桥通道晶体管（Multi-Bridge-Channel FET,MBCFET）。\n\nGPT-4o("o"代表"omni")。\n')
    path = issue(files={"articles/a.md": body})
    assert warnings_of(path, articles=True) == [
        '2024-03/articles/a.md:9: 中文里的半角标点已按全角排（“建设"科技小院"15”排为“建设“科技小院”15”，全篇同样处理）：'
        "请在原文中改为全角标点",
        '2024-03/articles/a.md:7: 英文引语用了直引号（"We are ready, really."），会原样印出来：印刷品的引号应是弯引号，'
        "请在原文中改为 “ ”"]
    html = read_articles(load_manifest(path))[0].body_html
    assert "建设“科技小院”15个，又称“小院”（试点）。会议10:30开始，投资2,000万元……" in html
    assert "&quot;We are ready, really.&quot;" in html and "&quot;键&quot;," in html and "field of study.<" in html
    assert "（Multi-Bridge-Channel FET，MBCFET）" in html  # no space after it: the sentence's comma
    assert "GPT-4o（“o”代表“omni”）。" in html  # quotes paired in order, not "o“代表”omni"
    plain = ARTICLE + '\n他说 “We are ready.” 代码 `"键"` 与“科技小院”都不算。\n'
    assert warnings_of(issue(files={"articles/a.md": plain}), articles=True) == []


def test_a_unit_in_brackets_after_a_slash_keeps_its_half_width_brackets_unnamed(issue):
    """GB 3102 writes a compound unit with brackets: "298.6 g/(kW·h)，" was set "g/（kW·h）" and
    the warning asked the editor to change the correct unit (an unseen issue, P10 D1). A
    bracket of Chinese text after a slash is still Chinese."""
    body = (ARTICLE + "\n煤耗降至298.6 g/(kW·h)，成本0.18元/(kW·h)以下，热阻0.5 (m²·K)/W，"
            "传热系数W/(m²·K)为准。\n\n单位：万元/(人·年)。\n")
    path = issue(files={"articles/a.md": body})
    assert warnings_of(path, articles=True) == [
        "2024-03/articles/a.md:9: 中文里的半角标点已按全角排（“单位：万元/(人·年)。”排为“单位：万元/（人·年）。”，"
        "全篇同样处理）：请在原文中改为全角标点"]
    text = plain_text(read_articles(load_manifest(path))[0].body_html)
    assert "298.6g/(kW·h)，成本0.18元/(kW·h)以下，热阻0.5(m²·K)/W，传热系数W/(m²·K)为准。" in text
    assert "万元/（人·年）" in text


def test_a_quantity_or_a_formula_keeps_its_half_width_brackets_unnamed(issue, tmp_path):
    """GB 3101 and GB/T 15835 write a quantity's and a formula's brackets half width: an unseen
    issue printed "（3.5 ± 0.2）nm", "c /（2f）" and, in the article teaching the rule,
    "“（25 ± 2）℃”", and its warning asked the editor to "correct" them (P12 D4). They print as
    typed, spaced from the Han beside them as a Latin run is, with no warning; a bracket of
    Chinese text beside Chinese is still set full width and named."""
    body = (ARTICLE + "\n两层之间引入厚度为(3.5 ± 0.2) nm的分子层，反应温度控制在(320 ± 10) ℃，按A = A₀e^(−λt)计算，"
            "精度±(1.0 mm + 1×10⁻⁶ D)，W = 2F / (3 600 × 22.4)，最大不模糊距离为L = c / (2f)，其中f为频率。"
            "表示范围时应写成“(10～20) ℃”，偏差写成“(25 ± 2) ℃”，体积分数写成“%(V/V)”。\n")
    path = issue(files={"articles/a.md": body})
    result = build_issue(path, tmp_path / "out", editions=("proof",))
    # (only the exponent typed with ^ is named: it prints as typed, P12 D8)
    assert [str(w) for w in result.warnings if "^" not in str(w)] == []
    with pdfplumber.open(result.pdf) as pdf:
        chars = [c for page in pdf.pages for c in page.chars if c["size"] > 12]
    text = squash("".join(c["text"] for c in chars))
    for typed in ("厚度为(3.5±0.2)nm的", "控制在(320±10)℃，", "A₀e^(−λt)计算", "±(1.0mm+1×10⁻⁶D)，",
                  "2F/(3600×22.4)，", "L=c/(2f)，", "“(10～20)℃”", "“(25±2)℃”", "“%(V/V)”"):
        assert typed in text, typed
    assert "（" not in text and "）" not in text

    def gap(before: str, after: str) -> float:
        """The white between two characters read back, in ems of the body size."""
        k = next(k for k, c in enumerate(chars[:-1]) if c["text"] == before and chars[k + 1]["text"] == after)
        return (chars[k + 1]["x0"] - chars[k]["x1"]) / chars[k]["size"]

    assert gap("为", "(") >= 0.1 and gap(")", "计") >= 0.1  # the Han–Latin spacing, ⅛–⅓ em
    k = next(k for k, c in enumerate(chars) if c["text"] == "/" and chars[k + 2]["text"] == "(" and chars[k + 3]["text"] == "2")
    assert chars[k + 1]["text"] == " "  # "c / (2f)": the space after the slash as typed
    chinese = issue(files={"articles/a.md": ARTICLE + "\n又称“小院”(试点)，试点(AI)模式。\n"})
    assert warnings_of(chinese, articles=True) == [
        "2024-03/articles/a.md:7: 中文里的半角标点已按全角排（“又称“小院”(试点)，试点”排为“又称“小院”（试点），试点”，"
        "全篇同样处理）：请在原文中改为全角标点"]
    assert "又称“小院”（试点），试点（AI）模式。" in plain_text(read_articles(load_manifest(chinese))[0].body_html)


def test_an_english_sentence_with_curly_quotes_keeps_its_marks(issue):
    """Punctuation inside English is never converted, curly quotes or not: "workflows, “as open
    as possible…”" was set "workflows，“as" and the warning asked the editor to change correct
    English (an unseen issue), as did an English footnote's "OpenSSF, “Scorecard…”, 2041"."""
    body = (ARTICLE + "\n> Beneficiaries must ensure open access to research outputs, such as software, models and "
            "workflows, “as open as possible, as closed as necessary”. Where the beneficiaries decide not to "
            "give open access, they must justify this.\n\n业内人士认为，这是标准[^1]。\n\n"
            "[^1]: OpenSSF, “Scorecard v5.0.0 Release Notes”, 2041-10-15.\n\n包括“AI”, “ML”等技术。\n\n"
            "报告写道：Research data must be “as open as possible”. 此外还要求公开代码。\n")
    path = issue(files={"articles/a.md": body})
    assert warnings_of(path, articles=True) == [
        "2024-03/articles/a.md:13: 中文里的半角标点已按全角排（“包括“AI”, “ML”等”排为“包括“AI”，“ML”等”，"
        "全篇同样处理）：请在原文中改为全角标点"]
    text = plain_text(read_articles(load_manifest(path))[0].body_html)
    assert "modelsandworkflows,“asopenaspossible,asclosedasnecessary”.Where" in text  # (spaces dropped)
    assert "OpenSSF,“Scorecardv5.0.0ReleaseNotes”,2041-10-15." in text
    assert "包括“AI”，“ML”等技术。" in text  # a quotation beside Chinese is Chinese
    assert "mustbe“asopenaspossible”.此外" in text  # the English sentence's full stop


def test_a_run_in_list_number_after_a_sentence_end_keeps_its_point(issue, tmp_path):
    """A note's run-in numbering "注：1.…的净额。2.根据…" printed "…的净额。2。根据…" and the
    warning asked the editor to type it so (P13 D3, data altered): after 。！？ as after "：",
    one or two digits with "." before Han are a list number, kept with no warning."""
    body = (ARTICLE + "\n注：1.技术交易额不含设备费。2.根据三年平均水平，占比一般在60%～70%之间。\n\n"
            "说明三点：1.第一点！2.第二点？12.第十二点。\n")
    path = issue(files={"articles/a.md": body})
    result = build_issue(path, tmp_path / "out", editions=("proof",))
    assert [str(w) for w in result.warnings] == []
    with pdfplumber.open(result.pdf) as pdf:
        text = squash("".join(c["text"] for page in pdf.pages for c in page.chars))
    assert "设备费。2.根据三年平均水平" in text and "第一点！2.第二点？12.第十二点。" in text
    assert "2。" not in text


@pytest.mark.parametrize("line, expected", [
    # the same span of the text before and after, and "全时当量" not cut as "全时" / "全时当"
    ("关于研发人员的统计：\n(1) 全时当量按实际从事研发活动的时间折算。",
     "（“(1) 全时当”排为“（1）全时当”，"),
    # a Latin word whole ("kflows, “as " was the excerpt of "workflows, “as open")
    ("该项目由Horizon Europe资助,并于2041年启动。", "（“Europe资助,并于2041”排为“Europe资助，并于2041”，"),
    ("会议指出 ,technology readiness 水平提高。", "（“会议指出 ,technology”排为“会议指出，technology”，"),
])
def test_the_half_width_mark_warning_shows_the_same_words_as_typed_and_as_printed(issue, line, expected):
    """The excerpt of the 半角标点 warning: whole words, the same stretch of text on both sides
    (it showed "“(1) 全时”排为“（1）全时当”": the printed one longer by the dropped space)."""
    path = issue(files={"articles/a.md": ARTICLE + "\n" + line + "\n"})
    [warning] = warnings_of(path, articles=True)
    assert expected in warning, warning


def test_full_width_digits_are_named_as_such(issue):
    """Full-width digits (a table's 序号 typed in an input method) are set half width by the same
    rules; the warning called "１" a half-width mark and asked for it full width (an unseen issue)."""
    body = ARTICLE + "\n| 序号 | 项目 |\n|---|---|\n| １ | 科技小院建设 |\n"
    assert warnings_of(issue(files={"articles/a.md": body}), articles=True) == [
        "2024-03/articles/a.md:9: 全角的数字和字母已按半角排（“１”排为“1”，全篇同样处理）：请在原文中改为半角"]


def plain_text(html_source: str) -> str:
    """The text of an article's HTML as a reader sees it: no tags, no spaces, no joiners."""
    import html
    import re
    return re.sub(r"[\s\ufeff\u2060\u200b]", "", html.unescape(re.sub(r"<[^>]+>", "", html_source)))


def test_a_bibliographic_reference_keeps_the_marks_it_was_typed_with(issue):
    """GB/T 7714 references use half-width ". , : ( )" on purpose: a line holding one ([J],
    [M], [EB/OL] …) prints as typed, emphasis and all, with no warning to "correct" it (an
    unseen issue printed 王建国。钙钛矿…[J]. 物理学报，2032, 71(8): 088801。); the paragraph
    above it, typed with a slip, is still set right."""
    references = ("[1] 张伟, 李红, 王建国. 钙钛矿/晶硅叠层电池研究进展[J]. 物理学报, 2032, 71(8): 088801.\n"
                  "[2] 国家统计局. 中国统计年鉴[M]. 北京: 中国统计出版社, 2031: 12-15.\n"
                  "[3] Smith J, 李明. 钙钛矿稳定性[J]. *Nature*, 2030, 5(1): 1-9.\n"
                  "[4] 科技部. 关于支持新型研发机构的意见[EB/OL]. (2031-05-06)[2032-01-02]. https://www.most.gov.cn/.\n")
    path = issue(files={"articles/a.md": ARTICLE + "\n参考文献：\n\n" + references})
    assert warnings_of(path, articles=True) == []
    text = plain_text(read_articles(load_manifest(path))[0].body_html)
    for line in references.replace("*", "").splitlines():
        assert plain_text(line) in text, line
    slip = issue(files={"articles/a.md": ARTICLE + "\n研究表明,稳定性提高。\n\n" + references})
    assert len(warnings_of(slip, articles=True)) == 1
    assert "研究表明，稳定性提高。" in read_articles(load_manifest(slip))[0].body_html


def test_a_footnote_call_without_its_note_is_named_once(issue):
    """[^3] with no "[^3]: …" prints as typed: the first is named with its line; a call with
    its note, and one in code, stay quiet."""
    body = ARTICLE + "\n研发投入增长[^1]，专利授权[^3]。\n\n代码 `[^2]` 不算。\n\n[^1]: 按可比价格计算。\n"
    path = issue(files={"articles/a.md": body})
    assert warnings_of(path, articles=True) == [
        "2024-03/articles/a.md:7: 脚注 [^3] 没有对应的脚注内容，会原样印出来：应在文末另起一段写 [^3]: 脚注内容"]
    whole = ARTICLE + "\n研发投入增长[^1]。\n\n[^1]: 按可比价格计算。\n"
    assert warnings_of(issue(files={"articles/a.md": whole}), articles=True) == []


def png(width, height, ppi=72):
    """A PNG that says its resolution (pHYs): an image is placed at its own ppi, so one taken
    at screen resolution and scaled to the measure prints under 300 ppi."""
    import struct
    import zlib

    raw = b"".join(b"\x00" + b"\x20\x60\xa0" * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    per_metre = round(ppi / 0.0254)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


LONG_SUBHEAD = "关于进一步加强科技创新平台建设管理工作和完善科技成果转化机制的若干措施"


def test_build_warns_of_a_low_resolution_image_and_a_long_subhead_and_strict_refuses(issue, tmp_path):
    body = (ARTICLE + "\n![图1　园区分布](map.png)\n\n## 一、总体情况\n\n正文。\n\n## " + LONG_SUBHEAD
            + "\n\n正文。\n")
    path = issue(files={"articles/a.md": body, "articles/map.png": png(600, 400)})
    result = build_issue(path, tmp_path / "out", editions=("proof",))
    # What `kjtypeset check` reads from the PDF itself: the printed size and resolution.
    [image] = preflight(result.pdf.read_bytes(), text=False).facts["images"]
    width, height = image["placed_mm"]
    assert image["pixels"] == [600, 400] and image["ppi"] < 300
    fit = f"{600 / 300 * 25.4:.0f}×{400 / 300 * 25.4:.0f}"
    assert [str(w) for w in result.warnings] == [
        f"2024-03/articles/a.md:7: 图片 'map.png' 按印刷尺寸只有 {image['ppi']} ppi（600×400 像素，"
        f"印成 {width:.0f}×{height:.0f} mm），印出来会发虚：应不低于 300 ppi，请换用更清晰的原图，"
        f"或把它印得不大于 {fit} mm",
        f"2024-03/articles/a.md:13: 小标题“{LONG_SUBHEAD}”排出来占 2 行：小标题应不超过一行，"
        "请缩短；较长的一句可改为段首加粗（**……。**）"]

    with pytest.raises(KjError) as error:
        build_issue(path, tmp_path / "strict", editions=("proof",), strict=True)
    assert str(error.value) == str(result.warnings[0])
    assert not list((tmp_path / "strict").glob("*.pdf"))


@pytest.mark.slow
def test_cli_prints_each_warning_and_strict_fails_with_it(issue, tmp_path):
    path = issue(MANIFEST.replace("year: 2024", "year: 2023"))
    run = lambda *extra: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "kjtypeset", "build", "2024-03/issue.yaml", "--edition", "proof", "-q",
         "--output", str(tmp_path / "out"), *extra], capture_output=True, text=True, cwd=path.parent.parent,
        timeout=180)
    message = ("2024-03/issue.yaml:2: year（年份）为 2023，与印发日期 2024-03-29 和文件夹名 2024-03 的年份 2024 都不同："
               "报头会印“2023年第3期”，存档也会放在 2023/ 下；应改为 year: 2024")
    done = run()
    assert done.returncode == 0 and done.stderr == f"警告：{message}\n"
    done = run("--strict")
    assert done.returncode == 1 and done.stderr == f"错误：{message}\n"


def test_an_image_at_300_ppi_gives_no_warning(issue, tmp_path):
    """PNG stores its resolution in pixels a metre: 300 ppi is 11 811, read back as 299.9994 ppi.
    Placed at its own size it prints at 300 ppi (what `kjtypeset check` reads): no warning."""
    body = ARTICLE + "\n![图1　园区分布](map.png)\n"
    path = issue(files={"articles/a.md": body, "articles/map.png": png(1200, 600, ppi=300)})
    result = build_issue(path, tmp_path / "out", editions=("proof",))
    [image] = preflight(result.pdf.read_bytes(), text=False).facts["images"]
    assert image["ppi"] == 300
    assert result.warnings == ()
