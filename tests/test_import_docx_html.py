"""Importing a Word file (made here with python-docx) and a saved web page, then building."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib

import pytest
from docx import Document
from docx.shared import Cm
from pypdf import PdfReader

from kjtypeset.build import build_issue
from kjtypeset.editor.docximport import import_docx
from kjtypeset.editor.htmlimport import import_html
from kjtypeset.errors import KjError
from pdfread import page_texts, squash


def png(width=48, height=24, rgb=(200, 30, 30)) -> bytes:
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


IMAGE = png()


def word_file(path, title_style="Title"):
    document = Document()
    if title_style == "Title":
        document.add_paragraph("湖北襄阳：坚持创新引领 加快打造区域科技创新中心", style="Title")
    else:
        document.add_heading("湖北襄阳：坚持创新引领 加快打造区域科技创新中心", level=1)
    document.add_paragraph("2023 年，襄阳市深入实施创新驱动发展战略,全市科技创新综合实力加快提升。")
    run_in = document.add_paragraph()
    run_in.add_run("一是坚持全域推进，构建科技创新发展新格局。").bold = True
    run_in.add_run("全力推进创建国家可持续发展议程创新示范区。")
    document.add_heading("一、主要指标", level=1)
    document.add_paragraph("高新技术企业倍增", style="List Bullet")
    document.add_paragraph("研发投入“131”行动", style="List Bullet")
    table = document.add_table(rows=3, cols=2)
    for row, cells in enumerate([("指标", "2023年"), ("科技型中小企业", "2654家"), ("高新技术企业", "1600家")]):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    document.add_heading("（一）平台建设", level=2)
    document.add_picture(io.BytesIO(IMAGE), width=Cm(6))
    document.add_paragraph("全市新增创新创业平台 33 家，总数达到 927 家。")
    document.save(path)
    return path


EXPECTED_DOCX_BODY = """\
2023年，襄阳市深入实施创新驱动发展战略，全市科技创新综合实力加快提升。

**一是坚持全域推进，构建科技创新发展新格局。**全力推进创建国家可持续发展议程创新示范区。

## 一、主要指标

- 高新技术企业倍增
- 研发投入“131”行动

| 指标 | 2023年 |
|---|---|
| 科技型中小企业 | 2654家 |
| 高新技术企业 | 1600家 |

### （一）平台建设

![](kj-image:1)

全市新增创新创业平台33家，总数达到927家。"""


@pytest.mark.parametrize("title_style", ["Title", "Heading 1"])
def test_word_title_headings_bold_list_table_image(tmp_path, title_style):
    path = word_file(tmp_path / "襄阳.docx", title_style)
    draft = import_docx(path.read_bytes(), path)
    assert draft.title == "湖北襄阳：坚持创新引领　加快打造区域科技创新中心"
    assert "\n\n".join(draft.blocks) == EXPECTED_DOCX_BODY
    assert draft.images == ((".png", IMAGE),) and draft.paragraphs == 3


def test_not_a_word_file(tmp_path):
    with pytest.raises(KjError) as error:
        import_docx(b"plain text", tmp_path / "x.docx")
    assert error.value.message.startswith("不是有效的 .docx 文件")


def test_a_damaged_word_file_is_a_one_line_error_not_a_traceback(tmp_path):
    """A part of the .docx that is not well-formed XML (a generator's bare &) made mammoth raise
    ExpatError through the import: a traceback for the editor."""
    import zipfile
    good = word_file(tmp_path / "好.docx")
    damaged = tmp_path / "坏.docx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data.replace(b"</w:body>", b"&</w:body>") if item.filename == "word/document.xml" else data)
    with pytest.raises(KjError) as error:
        import_docx(damaged.read_bytes(), damaged)
    assert error.value.message.startswith("无法读取这个 .docx 文件：文件内部的内容已损坏")
    assert "\n" not in error.value.message and "另存为 .docx" in error.value.message


def test_a_bold_numbered_run_in_keeps_its_number_as_typed(tmp_path):
    """Word's bold "1.完善收益分配机制。" run-in, indented with ideographic spaces: the 1. of a
    list item stays as typed (it came out "**1。完善…**", the number's point taken for a
    sentence's full stop)."""
    document = Document()
    document.add_paragraph("收益分配", style="Title")
    for number, text in enumerate(["完善收益分配机制。", "健全容错纠错机制。"], start=1):
        item = document.add_paragraph()
        item.add_run(f"\u3000\u3000{number}.{text}").bold = True
        item.add_run("对成果转化收益实行单列管理，按规定分配。")
    path = tmp_path / "收益.docx"
    document.save(path)
    draft = import_docx(path.read_bytes(), path)
    assert draft.blocks[:2] == ("**1.完善收益分配机制。**对成果转化收益实行单列管理，按规定分配。",
                                "**2.健全容错纠错机制。**对成果转化收益实行单列管理，按规定分配。"), draft.blocks


def test_a_word_line_break_runs_on_inside_its_paragraph(tmp_path):
    """Shift+Enter in Word breaks a line, not the paragraph: the lines were imported as
    paragraphs of their own, each indented (…占比达到31.5%；/ 拥有研发机构的…). A line indented
    after the break is taken for the new paragraph it looks like."""
    document = Document()
    document.add_paragraph("研发机构", style="Title")
    paragraph = document.add_paragraph("规上工业企业中有研发活动的占比达到31.5%；")
    paragraph.add_run().add_break()
    paragraph.add_run("拥有研发机构的企业占比为18.2%（按Frascati")
    paragraph.add_run().add_break()
    paragraph.add_run("Manual的定义）。")
    paragraph.add_run().add_break()
    paragraph.add_run("\u3000\u3000协会鼓励企业与高校双向流动。")
    path = tmp_path / "研发.docx"
    document.save(path)
    draft = import_docx(path.read_bytes(), path)
    assert draft.blocks == ("规上工业企业中有研发活动的占比达到31.5%；拥有研发机构的企业占比为18.2%"
                            "（按Frascati Manual的定义）。", "协会鼓励企业与高校双向流动。"), draft.blocks


def test_bold_numbered_paragraphs_in_word_become_sub_heads(tmp_path):
    """Word users type 一、 and （一） sub-heads as bold paragraphs, not in a heading style: they
    stayed bold body text (and one was left at a page foot); the text import already made
    such lines headings. Bold run-ins (一是…) stay paragraphs."""
    document = Document()
    document.add_paragraph("调研报告", style="Title")
    for text in ["\u3000\u3000一、基本情况", "（一）总体情况"]:
        document.add_paragraph().add_run(text).bold = True
        document.add_paragraph("全市技术合同成交额达到86.4亿元。")
    run_in = document.add_paragraph()
    run_in.add_run("一是完善机制。").bold = True
    run_in.add_run("出台若干措施。")
    path = tmp_path / "调研.docx"
    document.save(path)
    draft = import_docx(path.read_bytes(), path)
    assert draft.blocks == ("## 一、基本情况", "全市技术合同成交额达到86.4亿元。", "### （一）总体情况",
                            "全市技术合同成交额达到86.4亿元。", "**一是完善机制。**出台若干措施。"), draft.blocks


def test_word_numbering_over_typed_numbers_and_merged_cells_keep_their_places(tmp_path):
    """A number typed over Word's own list numbering printed twice ("4.4.优化创新生态"); a
    table whose first header cell spans two rows had its second header row moved left, 张数
    under 服务类型."""
    document = Document()
    document.add_paragraph("创新券", style="Title")
    for text in ["4.优化创新生态", "5.加强人才支撑"]:
        document.add_paragraph(text, style="List Number")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "服务类型"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "兑付"
    for column, text in ((1, "张数"), (2, "金额（万元）")):
        table.cell(1, column).text = text
    for column, text in enumerate(["检测", "12", "3.5"]):
        table.cell(2, column).text = text
    path = tmp_path / "创新券.docx"
    document.save(path)
    draft = import_docx(path.read_bytes(), path)
    assert draft.blocks[0] == "4. 优化创新生态\n5. 加强人才支撑", draft.blocks
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in draft.blocks[1].splitlines()]
    assert rows[2] == ["", "张数", "金额（万元）"] and rows[3] == ["检测", "12", "3.5"], rows


def test_a_caption_typed_above_a_picture_with_a_space_is_its_caption(tmp_path):
    """"图2 智算中心二期项目建设现场" typed above the picture: the space after the number was
    taken for extraction debris and removed, and "图2智算…" was no caption any more (a body
    paragraph on the page before the picture)."""
    document = Document()
    document.add_paragraph("智算中心", style="Title")
    document.add_paragraph("新区加快建设智算中心。")
    document.add_paragraph("图2 智算中心二期项目建设现场")
    document.add_picture(io.BytesIO(IMAGE), width=Cm(6))
    path = tmp_path / "智算.docx"
    document.save(path)
    draft = import_docx(path.read_bytes(), path)
    assert draft.blocks == ("新区加快建设智算中心。", "![图2\u3000智算中心二期项目建设现场](kj-image:1)"), draft.blocks


WECHAT_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>重磅！我市入选试点城市</title></head>
<body><div id="js_article"><h1 class="rich_media_title" id="activity-name">重磅！我市入选试点城市</h1>
<div id="meta_content"><span class="rich_media_meta rich_media_meta_text" id="copyright_logo">原创</span>
<span class="rich_media_meta rich_media_meta_text">刘 畅</span>
<span id="profileBt"><a id="js_name">青城知识产权</a></span>
<em id="publish_time" class="rich_media_meta rich_media_meta_text">2024-03-14 18:20</em></div>
<div id="js_content">
<section><span><strong>点击蓝字 关注我们</strong></span></section>
<section><span>近日，国家知识产权局公布了新一批试点城市名单，我市成功入选。</span></section>
<section><img data-src="https://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png"></section>
<section><span><strong>01</strong></span></section>
<section><span><strong>创造质量稳步提升</strong></span></section>
<section><span>2023年，全市发明专利授权量1 203件，同比增长21.4%。</span></section>
<section><span>END</span></section>
<section><span>来源 | 市市场监督管理局</span></section>
<section><span>编辑 | 张小北</span></section><section><span>审核 | 王大海</span></section>
<section><span>长按识别二维码关注我们</span></section><section><span>点个“在看”，你最好看</span></section>
</div></div><div><span>阅读原文</span> <span>阅读 3 256</span> <span>在看 48</span></div></body></html>
"""


def test_a_saved_wechat_page_keeps_its_text_and_drops_what_surrounds_it(tmp_path):
    """A saved WeChat article printed its calls to follow, its section ornament, END, credits
    and counters, and kept no source, author or date; its lazily loaded image gave a message
    naming nothing."""
    path = tmp_path / "微信.html"
    path.write_text(WECHAT_PAGE, encoding="utf-8")
    draft = import_html(path.read_bytes(), path)
    assert draft.blocks == ("近日，国家知识产权局公布了新一批试点城市名单，我市成功入选。", "**创造质量稳步提升**",
                            "2023年，全市发明专利授权量1 203件，同比增长21.4%。"), draft.blocks
    assert (draft.source, draft.author, str(draft.date)) == ("市市场监督管理局", "刘畅", "2024-03-14")
    assert any("mmbiz.qpic.cn" in note for note in draft.notes), draft.notes


WEB_PAGE = """\
<!DOCTYPE html>
<html><head><meta charset="gbk">
<title>南京深化科技金融融合 畅通科技型企业融资渠道_南京市科学技术局</title>
<script>var tracker = "统计代码";</script><style>p { color: red }</style></head>
<body>
<div class="header"><a href="/">首页</a> <a href="/news">科技要闻</a></div>
<nav><ul><li>首页</li><li>政务公开</li><li>办事服务</li></ul></nav>
<div class="position">当前位置：首页 &gt; 科技要闻</div>
<div class="main">
 <h1>南京深化科技金融融合 畅通科技型企业融资渠道</h1>
 <div class="info">来源：南京市科技局　发布时间：2024-01-18　浏览次数：123</div>
 <div id="zoom">
  <p>&nbsp;&nbsp;南京聚焦金融赋能科技创新高质量发展,以深入推进建设国家科创金融改革试验区为指引。</p>
  <p><strong>一是完善科技贷款政策体系。</strong>按照贷款额给予年化 1% 的补贴，引导提升
  科技企业首贷比。</p>
  <p style="text-align:center"><img src="page_files/stations.png" alt="图1　科创金融服务驿站分布"></p>
  <p><img src="https://www.example.gov.cn/pic/remote.jpg"></p>
  <p><span style="font-weight:bold">二是创新推进科技信贷产品。</span>余额从 6.2 亿元增长至 560 亿元。</p>
  <iframe src="https://video.example/v"></iframe>
 </div>
 <div class="share">分享到：微信 微博</div>
</div>
<div class="footer">主办单位：南京市科学技术局 版权所有</div>
<script>document.write("广告");</script>
</body></html>
"""


def imported_page(tmp_path, html: str):
    """The draft of ``html`` saved as a web page (tmp_path / page.html) and imported."""
    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    return import_html(page.read_bytes(), page)


def saved_page(folder):
    (folder / "page_files").mkdir(parents=True, exist_ok=True)
    (folder / "page_files" / "stations.png").write_bytes(IMAGE)
    page = folder / "南京科技金融.html"
    page.write_bytes(WEB_PAGE.encode("gbk"))
    return page


def test_web_page_title_body_and_saved_image_without_navigation_or_scripts(tmp_path):
    page = saved_page(tmp_path)
    draft = import_html(page.read_bytes(), page)
    assert draft.title == "南京深化科技金融融合　畅通科技型企业融资渠道"
    assert draft.source == "南京市科技局"
    assert draft.blocks == (
        "南京聚焦金融赋能科技创新高质量发展，以深入推进建设国家科创金融改革试验区为指引。",
        "**一是完善科技贷款政策体系。**按照贷款额给予年化1%的补贴，引导提升科技企业首贷比。",
        "![图1　科创金融服务驿站分布](kj-image:1)",
        "**二是创新推进科技信贷产品。**余额从6.2亿元增长至560亿元。",
    )
    assert draft.images == ((".png", IMAGE),)
    assert draft.notes == (
        "网络图片未导入（导入时不联网）：https://www.example.gov.cn/pic/remote.jpg；请另存到本地后手工插入",
        "无法导入的嵌入网页已略去，请另行处理",
        "已删去网页的导航、页眉页脚、脚本等 6 处",
    )


@pytest.mark.slow
def test_import_all_three_kinds_into_a_new_issue_and_build_it(tmp_path, make_issue):
    path = make_issue()
    word = word_file(tmp_path / "襄阳.docx")
    page = saved_page(tmp_path)
    text = tmp_path / "合肥.txt"
    text.write_text("合肥市启动新型研发机构上市后备企业培训“领航者计划”\n\n"
                    "1 月 18 日下午,启动仪式在中科合肥创新工程院成功举办。\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kjtypeset", "import", word.name, page.name, text.name,
                           "--issue", str(path.parent), "-v"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert "襄阳.docx：找到 1 篇文章" in lines
    assert ("  《湖北襄阳：坚持创新引领　加快打造区域科技创新中心》3 段，1 张图片 → "
            "2024-03/articles/01-湖北襄阳坚持创新引领加快打造区域科技创新.md") in lines
    assert "      图片 2024-03/articles/01-image1.png" in lines
    assert ("  《南京深化科技金融融合　畅通科技型企业融资渠道》3 段，1 张图片，来源：南京市科技局 → "
            "2024-03/articles/02-南京深化科技金融融合畅通科技型企业融资.md") in lines
    assert "    注意：已删去网页的导航、页眉页脚、脚本等 6 处" in lines
    assert "      修复：中文中的半角标点改为全角 1 处；删去汉字与数字、字母之间的空格 6 处" in lines
    assert lines[-1] == "已加入 2024-03/issue.yaml 的文章列表：3 篇。请核对后预览：kjtypeset preview 2024-03"
    assert (path.parent / "articles" / "01-image1.png").read_bytes() == IMAGE
    assert (path.parent / "articles" / "02-image1.png").read_bytes() == IMAGE
    assert path.read_text(encoding="utf-8").endswith(
        "  - articles/a.md\n  - articles/01-湖北襄阳坚持创新引领加快打造区域科技创新.md\n"
        "  - articles/02-南京深化科技金融融合畅通科技型企业融资.md\n  - articles/03-合肥市启动新型研发机构上市后备企业培训.md\n")

    result = build_issue(path, tmp_path / "out")
    texts = squash("".join(page_texts(result.pdf)))
    for expected in ("湖北襄阳：坚持创新引领加快打造区域科技创新中心", "科技型中小企业2654家",
                     "图1科创金融服务驿站分布", "1月18日下午，启动仪式"):
        assert expected in texts
    # Both imported images are the same PNG: the PDF embeds it (WeasyPrint may share it).
    embedded = {image.data for page in PdfReader(result.pdf).pages for image in page.images}
    assert len(embedded) == 1


def test_word_footnotes_as_mammoth_writes_them_become_markdown_footnotes():
    import tinyhtml5

    from kjtypeset.editor.draft import Collector
    from kjtypeset.editor.htmlblocks import BlockWriter

    html = ('<body><p>正文说明<sup><a href="#footnote-1" id="footnote-ref-1">[1]</a></sup>继续。</p>'
            '<ol><li id="footnote-1"><p> 来源：2023 年报告。 <a href="#footnote-ref-1">↑</a></p></li></ol></body>')
    collector = Collector()
    BlockWriter(collector, lambda src: None).write(tinyhtml5.parse(html, namespace_html_elements=False).find("body"))
    assert collector.blocks == ["正文说明[^1]继续。", "[^1]: 来源：2023年报告。"]


def test_spaces_a_web_page_leaves_between_han_are_dropped_from_the_body_not_the_title(tmp_path):
    """'各部门要 进一步 压实责任' (inline markup, a CMS's spacing) would print with holes in the
    line; a title's space between two phrases stays, as a full-width space."""
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'></head><body><h1>南京深化科技金融融合 畅通融资渠道</h1>"
                                    "<p>会议要求，各部门要 进一步 压实责任，确保各项<b>任务</b> 落到实处。</p></body></html>")
    assert draft.title == "南京深化科技金融融合　畅通融资渠道"
    assert draft.blocks == ("会议要求，各部门要进一步压实责任，确保各项**任务**落到实处。",)


def test_a_bracketed_editors_credit_under_a_web_page_is_dropped(tmp_path):
    """"（责任编辑：王敏）" printed as the article's last paragraph (an unseen issue, P10 D13)."""
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'></head><body><h1>推进会召开</h1>"
                                    "<p>会议要求落实。</p><p>（责任编辑：王敏）</p><p>【编辑：李娜】</p></body></html>")
    assert draft.blocks == ("会议要求落实。",)


def test_a_web_pages_quotation_is_imported_as_one(tmp_path):
    """<blockquote> paragraphs become a Markdown quotation (set indented on both sides), not
    body paragraphs indistinguishable from the article's own."""
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'></head><body><h1>推进会召开</h1><p>会议指出：</p>"
                                    "<blockquote><p>科技是第一生产力。</p><p>创新是第一动力。</p></blockquote><p>会议要求落实。</p>"
                                    "</body></html>")
    assert draft.blocks == ("会议指出：", "> 科技是第一生产力。", "> 创新是第一动力。", "会议要求落实。")


def test_superscripts_and_subscripts_become_their_characters_or_are_noted(tmp_path):
    """10<sup>-6</sup> was imported as "10-6", a different value, without a word (probes P3,
    D3). Digits and signs become ⁻⁶, ₂, ² (as an editor types them); what has no such
    character is kept as text and named in a note. Word's raised and lowered runs alike."""
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'></head><body><h1>针状焦实现量产</h1>"
                                    "<p>热膨胀系数≤1.1×10<sup>-6</sup>/℃,达到国内先进水平，减少CO<sub>2</sub>排放，"
                                    "占地2 000 m<sup>2</sup>，见文献<sup>[1]</sup>。</p>"
                                    "<p>产量按e<sup>kt</sup>增长。</p></body></html>")
    assert draft.blocks == ("热膨胀系数≤1.1×10⁻⁶/℃，达到国内先进水平，减少CO₂排放，占地2 000 m²，见文献[1]。",
                            "产量按ekt增长。")
    assert draft.notes == ("上标“kt”没有对应的上标字符，已按普通文字导入（“产量按ekt”），请核对原文",)

    document = Document()
    document.add_heading("针状焦实现量产", level=1)
    paragraph = document.add_paragraph("减少CO")
    paragraph.add_run("2").font.subscript = True
    paragraph.add_run("排放，系数1.1×10")
    paragraph.add_run("-6").font.superscript = True
    paragraph.add_run("/℃，单位面积（m")
    paragraph.add_run("2").font.superscript = True
    paragraph.add_run("）产量，分子式C")
    paragraph.add_run("n").font.subscript = True
    paragraph.add_run("H")
    paragraph.add_run("2n").font.subscript = True
    paragraph.add_run("。")
    document.save(tmp_path / "a.docx")
    draft = import_docx((tmp_path / "a.docx").read_bytes(), tmp_path / "a.docx")
    assert draft.blocks == ("减少CO₂排放，系数1.1×10⁻⁶/℃，单位面积（m²）产量，分子式CnH2n。",)
    assert [note[:8] for note in draft.notes] == ["下标“n”没有对", "下标“2n”没有"], draft.notes


def test_a_first_table_row_across_the_table_holding_its_caption_is_the_caption(tmp_path):
    """<tr><td colspan=3><b>表1 …</b></td></tr> became the header row "| **表1　…** | | |" and
    the real header a body row (probes P3, D12); a <caption> was dropped."""
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'></head><body><h1>乌海市推动碳材料产业转型</h1>"
                                    "<p>全市碳材料产业实现产值86.7亿元。</p><table border='1'>"
                                    "<tr><td colspan='3' style='text-align:center'><b>表1 乌海市碳材料重点项目</b></td></tr>"
                                    "<tr><td>项目</td><td>产能</td><td>投资(亿元)</td></tr>"
                                    "<tr><td>针状焦</td><td>20万吨/年</td><td>三十五</td></tr></table>"
                                    "<table><caption>表2 续建项目</caption><tr><th>项目</th><th>状态</th></tr>"
                                    "<tr><td>负极材料</td><td>在建</td></tr></table></body></html>")
    assert draft.blocks == ("全市碳材料产业实现产值86.7亿元。", "表1　乌海市碳材料重点项目",
                            "| 项目 | 产能 | 投资（亿元） |\n|---|---|---|\n| 针状焦 | 20万吨/年 | 三十五 |",
                            "表2　续建项目", "| 项目 | 状态 |\n|---|---|\n| 负极材料 | 在建 |")
    assert not any("合并" in note for note in draft.notes), draft.notes


def test_table_columns_of_figures_are_set_to_the_right(tmp_path):
    """A Word table's figures (1 186, 23.5) came in left-aligned, every column "---" (probes P3,
    D17): a column whose body cells are all figures (a dash for none) is "---:"."""
    document = Document()
    document.add_heading("包头市稀土产业主要指标", level=1)
    document.add_paragraph("2032年，包头市稀土产业产值达到1 186亿元。")
    table = document.add_table(rows=4, cols=4)
    for row, cells in enumerate([("指标", "2031年", "2032年", "备注"), ("产值（亿元）", "960", "1 186", "含加工"),
                                 ("增长", "—", "23.5%", "同比"), ("规上企业（家）", "81", "96", "")]):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    document.save(tmp_path / "a.docx")
    draft = import_docx((tmp_path / "a.docx").read_bytes(), tmp_path / "a.docx")
    assert draft.blocks[-1].splitlines()[:2] == ["| 指标 | 2031年 | 2032年 | 备注 |", "|---|---:|---:|---|"]


def test_numbers_in_table_cells_and_sentences_are_kept_and_bold_totals_are_figures(tmp_path):
    """A web page lost every cell and bold word that was a one- or two-digit number: the 合计
    row's "86" printed as an empty cell, "第<b>3</b>季度…<strong>12</strong>家" as "第季度…企业家",
    and the report counted them as navigation (an unseen issue, P11 D1). Only a block standing
    alone ("01" between a WeChat article's sections) is an ornament; the report names it."""
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'></head><body><h1>试点取得成效</h1>"
                                    "<p>第<b>3</b>季度，全市新增企业<strong>12</strong>家。</p><p><strong>01</strong></p>"
                                    "<p>试点进展顺利。</p><table><tr><th>地区</th><th>点位</th><th>养殖场</th><th>企业</th></tr>"
                                    "<tr><td>托县</td><td><p>7</p></td><td><span>12</span></td><td><b>1</b></td></tr>"
                                    "<tr><td><strong>合计</strong></td><td><strong>412</strong></td><td><strong>86</strong></td>"
                                    "<td>23</td></tr></table></body></html>")
    assert draft.blocks == ("第**3**季度，全市新增企业**12**家。", "试点进展顺利。",
                            "| 地区 | 点位 | 养殖场 | 企业 |\n|---|---:|---:|---:|\n| 托县 | 7 | 12 | **1** |\n"
                            "| **合计** | **412** | **86** | 23 |"), draft.blocks
    assert draft.notes == ("已删去正文中的按钮、署名、分节序号等 1 处：“01”",), draft.notes


def test_a_web_pages_title_is_its_h1_and_the_dash_line_under_it_the_subtitle(tmp_path):
    """<title>标题——记…… - 正北方网</title>, <h1>标题</h1>, <h2>——记……</h2>: the page title was
    split at "——", the 副题 became the title and the title was lost (an unseen issue, P11 D2)."""
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'><title>草原上的“智造”新引擎——记和林格尔新区智算中心 - 正北方网"
                                    "</title></head><body><div class='content'><h1>草原上的“智造”新引擎</h1>"
                                    "<h2 class='sub'>——记和林格尔新区智算中心</h2><div class='text'><p>四月的和林格尔，春寒料峭。"
                                    "走进新区智算中心的数据机房，一排排机柜整齐排列。</p></div></div></body></html>")
    assert draft.markdown().startswith("---\ntitle: 草原上的“智造”新引擎\nsubtitle: ——记和林格尔新区智算中心\n---\n\n"
                                       "四月的和林格尔"), draft.markdown()
    # Without the <h2>, or without any heading: the 副题 from the page title.
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'><title>新区建成智算中心——记和林格尔新区_正北方网</title></head>"
                                    "<body><h1>新区建成智算中心</h1><p>四月的和林格尔，春寒料峭。</p></body></html>")
    assert (draft.title, draft.subtitle, draft.blocks) == ("新区建成智算中心", "——记和林格尔新区", ("四月的和林格尔，春寒料峭。",))
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'><title>新区建成智算中心——记和林格尔新区--时政--人民网</title></head>"
                                    "<body><p>四月的和林格尔，春寒料峭。</p></body></html>")
    assert (draft.title, draft.subtitle) == ("新区建成智算中心", "——记和林格尔新区")


def test_a_reporters_byline_gives_the_names_as_the_author(tmp_path):
    """"作者：记者 郝婷　通讯员 其其格" gave the author "记者" (the web import stopped at the first
    space) and the whole line in the text import; README promises "郝婷、其其格" (P11 D3)."""
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'></head><body><h1>草原上的新引擎</h1>"
                                    "<div class='meta'>2045-04-22 07:58:13　来源：内蒙古日报　作者：<span>记者 郝婷　通讯员 其其格</span>"
                                    "　<a href='#comment'>评论(12)</a></div><p>四月的和林格尔，春寒料峭。</p></body></html>")
    assert draft.markdown().startswith("---\ntitle: 草原上的新引擎\nsource: 内蒙古日报\nauthor: 郝婷、其其格\n"
                                       "date: 2045-04-22\n---\n\n四月的和林格尔，春寒料峭。\n"), draft.markdown()
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'></head><body><h1>草原上的新引擎</h1>"
                                    "<p>来源：内蒙古日报　作者：记者郝婷　评论</p><p>四月的和林格尔，春寒料峭。</p></body></html>")
    assert draft.author == "郝婷"
    from kjtypeset.editor.textimport import import_text
    [text] = import_text("草原上的新引擎\n\n作者：记者 郝婷　通讯员 其其格\n\n四月的和林格尔，春寒料峭。\n").drafts
    assert text.author == "郝婷、其其格"


def test_a_photo_caption_under_a_picture_is_its_caption(tmp_path):
    """<img> then <p>▲ 技术人员……</p>: the photo had no caption (a build warning) and the "▲"
    line printed alone pages away, pointing at nothing (an unseen issue, P11 D4). A "▲" line
    whose photo is not imported stays text, with a note."""
    (tmp_path / "page_files").mkdir()
    (tmp_path / "page_files" / "photo.png").write_bytes(IMAGE)
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'></head><body><h1>试点取得成效</h1><p>试点进展顺利。</p>"
                                    "<p><img src='page_files/photo.png' alt='图片'></p><p>▲ 技术人员在托克托县某牧场调试智能项圈</p>"
                                    "<p>全年培训500人次。</p><p><img src='https://example.gov.cn/a.jpg'></p><p>▲ 培训现场</p>"
                                    "</body></html>")
    assert draft.blocks == ("试点进展顺利。", "![技术人员在托克托县某牧场调试智能项圈](kj-image:1)", "全年培训500人次。",
                            "▲ 培训现场"), draft.blocks
    assert draft.notes[1] == "“▲ 培训现场”是图片说明，但旁边没有图片，按正文导入：请核对", draft.notes


def test_a_quotations_dash_line_is_its_attribution(tmp_path):
    """<blockquote><p>“……”</p><p>——土默特左旗某牧场场长</p></blockquote> became two quotes, and
    the attribution printed indented like the words, not set right (an unseen issue, P11 D4)."""
    from pathlib import Path

    from kjtypeset.inputs.markdown import render_markdown
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'></head><body><h1>试点取得成效</h1><p>试点进展顺利。</p>"
                                    "<blockquote><p>“过去靠人盯，现在靠数据。”</p><p>——土默特左旗某牧场场长</p></blockquote>"
                                    "</body></html>")
    assert draft.blocks == ("试点进展顺利。", "> “过去靠人盯，现在靠数据。”\n>\n> ——土默特左旗某牧场场长"), draft.blocks
    assert '<p class="kj-attribution">——土默特左旗某牧场场长</p>\n</blockquote>' in render_markdown(
        draft.blocks[1], Path("a.md"), 1, Path("/"))


def test_a_numbered_sub_head_ending_in_a_closing_quote_is_a_heading(tmp_path):
    """<p><font><b>一、从“数据仓库”到“算力工厂”</b></font></p> stayed a bold paragraph (its closing
    quote read as a sentence's end) while <h3>二、…</h3> was "##": no heading tag, no keep with
    the text under it (an unseen issue, P11 D4). The text import reads it alike."""
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'></head><body><h1>草原上的新引擎</h1><p>春寒料峭。</p>"
                                    "<p><font face='楷体' size='4'><b>一、从“数据仓库”到“算力工厂”</b></font></p><p>气温低。</p>"
                                    "<h3>二、绿电直供降低用电成本</h3><p>电价低。</p><p><b>三、他说：“好。”</b></p></body></html>")
    assert draft.blocks == ("春寒料峭。", "## 一、从“数据仓库”到“算力工厂”", "气温低。", "## 二、绿电直供降低用电成本",
                            "电价低。", "**三、他说：“好。”**"), draft.blocks
    from kjtypeset.editor.textimport import import_text
    [text] = import_text("草原上的新引擎\n\n春寒料峭。\n\n一、从“数据仓库”到“算力工厂”\n\n气温低。\n").drafts
    assert text.blocks == ("春寒料峭。", "## 一、从“数据仓库”到“算力工厂”", "气温低。"), text.blocks


def test_what_the_pages_own_style_hides_is_dropped_and_reported(tmp_path):
    """<p class="hide">本文系正北方网原创…</p> under ".hide{display:none}" printed as the last
    paragraph (an unseen issue, P11 D4). Hidden by a simple class or id rule, by
    style="display:none" or by the hidden attribute: dropped and named; a print-only rule is not."""
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'><style>.content p{line-height:2;} .hide{display:none}"
                                    " p.tip, #qr { display: none !important; } @media print { .noprint { display:none } }</style>"
                                    "</head><body><h1>草原上的新引擎</h1><div class='content'><p>春寒料峭。</p>"
                                    "<p class='noprint'>机柜整齐排列。</p><p class='hide'>本文系正北方网原创，转载请注明出处。</p>"
                                    "<p class='tip'>打开APP阅读</p><div id='qr'>扫码关注</div><p style='color:red;display: none'>隐藏一</p>"
                                    "<p hidden>隐藏二</p></div></body></html>")
    assert draft.blocks == ("春寒料峭。", "机柜整齐排列。"), draft.blocks
    assert draft.notes == ("已删去网页上不显示的（样式设为隐藏的）内容 5 处：“本文系正北方网原创，转载请注明出处。”、“打开APP阅读”、"
                           "“扫码关注”、“隐藏一”、“隐藏二”",), draft.notes


def test_a_summary_outside_the_article_body_is_named_in_the_report(tmp_path):
    """<div class="summary"><strong>【摘要】</strong>…</div> beside the article's text was left out
    without a word (an unseen issue, P11 D4): the editor may not want it, but is told."""
    draft = imported_page(tmp_path, "<html><head><meta charset='utf-8'></head><body><div class='content'><h1>草原上的新引擎</h1>"
                                    "<div class='summary'><strong>【摘要】</strong>从一片荒滩到算力高地，新区用三年时间建成枢纽节点。</div>"
                                    "<div class='text'><p>四月的和林格尔，春寒料峭。走进新区智算中心的数据机房，一排排机柜整齐排列。</p>"
                                    "<p>这里的每一台服务器，都在为全国各地的大模型训练提供算力。</p></div></div></body></html>")
    assert draft.blocks == ("四月的和林格尔，春寒料峭。走进新区智算中心的数据机房，一排排机柜整齐排列。",
                            "这里的每一台服务器，都在为全国各地的大模型训练提供算力。"), draft.blocks
    assert draft.notes == ("正文之外的摘要、导语未导入：“【摘要】从一片荒滩到算力高地，新区用三年……”；需要时请手工加入",), draft.notes
