"""Issue 14, items 3 and 5: Word and web imports in Chinese, with the byline in the front matter,
one caption per figure, table captions set as captions, file names cut between words, and a
second import of the same article refused unless --again."""

from __future__ import annotations

import io
import re
import subprocess
import sys

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Cm

from conftest import MANIFEST
from kjtypeset.editor.docximport import import_docx, mammoth_notes
from kjtypeset.editor.htmlimport import import_html
from kjtypeset.editor.importer import name_stem
from kjtypeset.inputs.articles import read_articles
from kjtypeset.inputs.manifest import load_manifest
from test_import_docx_html import png

IMAGE = png(64, 32)


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "kjtypeset", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def word_with_slips(path):
    document = Document()
    document.add_heading("包头市稀土新材料产业创新联合体成立", level=1)
    document.add_paragraph("（来源：包头市科学技术局）")
    document.add_paragraph("作者：王晓东")
    custom = document.styles.add_style("正文首行缩进", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("3月11日，联合体成立大会在稀土高新区召开。", style=custom)
    orphan = document.add_paragraph("联合体由北方稀土牵头组建。")
    orphan._p.get_or_add_pPr().get_or_add_pStyle().val = "a5"  # referenced, never defined
    document.add_picture(io.BytesIO(IMAGE), width=Cm(6))
    picture = document.paragraphs[-1]._p.xpath(".//wp:docPr")[0]
    picture.set("descr", "图片包含 文字 自动生成的说明")  # what Word writes as alt text
    document.add_paragraph("图1　联合体成员分布", style="Caption")
    table = document.add_table(rows=2, cols=2)
    for row, cells in enumerate([("领域", "项目"), ("稀土永磁", "12项")]):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    document.add_paragraph("表1　首批攻关项目", style="Caption")  # under the table, as some write it
    document.save(path)
    return path


def test_word_messages_are_chinese_and_the_byline_goes_to_the_front_matter(tmp_path):
    path = word_with_slips(tmp_path / "稀土.docx")
    draft = import_docx(path.read_bytes(), path)
    assert (draft.title, draft.source, draft.author) == ("包头市稀土新材料产业创新联合体成立", "包头市科学技术局", "王晓东")
    assert draft.notes == ("Word 文件用了 2 种程序不认识的样式（“a5”、“正文首行缩进”），"
                           "这些段落按正文导入，文字没有缺失",)
    assert not any(re.search(r"[A-Za-z]{4,}", note.replace("Word", "")) for note in draft.notes)
    # One caption per figure, taken from the caption paragraph; the table caption above its table.
    assert draft.blocks == (
        "3月11日，联合体成立大会在稀土高新区召开。",
        "联合体由北方稀土牵头组建。",
        "![图1　联合体成员分布](kj-image:1)",
        "表1　首批攻关项目",
        "| 领域 | 项目 |\n|---|---|\n| 稀土永磁 | 12项 |",
    )


def test_every_mammoth_message_is_summarised_in_chinese():
    messages = ["Unrecognised paragraph style: 正文缩进 (Style ID: a1)",
                "Paragraph style with ID FootnoteText was referenced but not defined in the document",
                "A w:sym element with an unsupported character was ignored: char F0FC in font Wingdings",
                "Unsupported break type: column", "Could not find image file for a:blip element",
                "Image of type image/x-emf is unlikely to display in web browsers",
                "Ignoring complex field end character without corresponding start character",
                "unexpected non-row element in table, cell merging may be incorrect",
                "An unrecognised element was ignored: w:object", "Something mammoth may say one day"]
    notes = mammoth_notes(messages)
    assert notes == [
        # (FootnoteText is the style of Word's own notes, which are imported: not named)
        "Word 文件用了 1 种程序不认识的样式（“正文缩进”），这些段落按正文导入，文字没有缺失",
        "略去了 1 个符号字体（Wingdings）中的特殊符号，如勾、框、箭头：请对照原文补上",
        "有 1 张图片在 Word 文件里找不到（可能是链接到别处的图片），已略去：请另行插入",
        "略去了分栏符等 Word 专用的分隔，不影响文字",
        "Word 的域（自动编号、目录、交叉引用等）不完整，按其中的文字导入：请核对编号",
        "有表格的结构不规整，合并单元格可能不对：请核对表格",
        "略去了 1 处 Word 中无法识别的内容（如文本框、公式对象）：请对照原文核对",
        "Word 转换时有 1 处内容未能处理：请对照原文核对",
    ]


PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>丰镇市高新区获批自治区级高新区_乌兰察布市人民政府</title></head>
<body><div class="main"><h1>丰镇市高新区获批自治区级高新区</h1>
<div class="info">发布时间：2024-04-29 09:30　来源：丰镇市科技局　作者：刘洋　浏览次数：86　【打印】【关闭】</div>
<div class="content">
<p>4月28日，自治区人民政府批复同意丰镇市高新区升级为自治区级高新技术产业开发区，规划面积12.6平方公里。</p>
<p><img src="page_files/map.png" alt="map.png" title="点击查看大图"></p>
<p>图2　丰镇市高新区规划图</p>
<p>高新区重点发展新材料、新能源两大主导产业。</p>
</div></div></body></html>"""


def test_web_page_author_and_date_and_one_caption(tmp_path):
    (tmp_path / "page_files").mkdir()
    (tmp_path / "page_files" / "map.png").write_bytes(IMAGE)
    page = tmp_path / "丰镇.html"
    page.write_text(PAGE, encoding="utf-8")
    draft = import_html(page.read_bytes(), page)
    assert (draft.source, draft.author, str(draft.date)) == ("丰镇市科技局", "刘洋", "2024-04-29")
    assert draft.blocks == (
        "4月28日，自治区人民政府批复同意丰镇市高新区升级为自治区级高新技术产业开发区，规划面积12.6平方公里。",
        "![图2　丰镇市高新区规划图](kj-image:1)",
        "高新区重点发展新材料、新能源两大主导产业。",
    )
    assert draft.markdown().startswith("---\ntitle: 丰镇市高新区获批自治区级高新区\nsource: 丰镇市科技局\n"
                                       "author: 刘洋\ndate: 2024-04-29\n---\n")


def test_a_table_caption_is_set_as_the_tables_caption(make_issue):
    article = "---\ntitle: 表格\n---\n\n表1　各旗县区入库企业数量\n\n| 地区 | 2023年 |\n|---|---|\n| 新城区 | 312 |\n"
    path = make_issue(files={"articles/a.md": article})
    [read] = read_articles(load_manifest(path))
    # (the table at least as wide as its caption's one line: 13 characters and a digit, and 1 em)
    assert read.body_html.startswith('<table class="md-table" data-kj-source="articles/a.md" data-kj-line="7" '
                                     'style="min-width: 14.05em">\n<caption>表1　各旗县区入库企业数量</caption>\n<thead>')
    assert "<p>表1" not in read.body_html


def test_file_names_are_cut_between_words():
    assert name_stem("呼和浩特市科技局召开2024年科技工作会议") == "呼和浩特市科技局召开2024年科技工作"
    assert name_stem("关于进一步加强科技创新平台建设管理工作的实施意见") == "关于进一步加强科技创新平台建设管理工作的"
    assert name_stem("湖北襄阳：坚持创新引领　加快打造区域科技创新中心") == "湖北襄阳坚持创新引领加快打造区域科技创新"
    assert name_stem("短标题：测试") == "短标题测试"
    # The build's words (words.txt), not bare jieba's: "…供水管网漏.md", "…多模态大.md" (P10 D13)
    assert name_stem("赛罕区建设“数字孪生水务”平台实现供水管网漏损率降至8.6%") == "赛罕区建设数字孪生水务平台实现供水管网"
    assert name_stem("呼和浩特市科技型企业联合发布首个多模态大模型应用平台") == "呼和浩特市科技型企业联合发布首个多模态"
    assert all(len(name_stem(t)) <= 20 for t in ("一" * 40, "A" * 40, "2024" * 10))


TEXT = "呼和浩特市科技局召开2024年科技工作会议\n\n2月26日，市科技局召开全市科技工作会议，总结2023年工作，部署2024年任务。\n"


def test_a_second_import_of_the_same_text_is_refused_unless_again(make_issue, tmp_path):
    path = make_issue(MANIFEST)
    source = tmp_path / "会议.txt"
    source.write_text(TEXT, encoding="utf-8")
    done = run("import", "会议.txt", "--issue", "2024-03", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "→ 2024-03/articles/01-呼和浩特市科技局召开2024年科技工作.md" in done.stderr
    before = path.read_text(encoding="utf-8")
    # The same article again, even retitled or copied from another page.
    (tmp_path / "again.txt").write_text(TEXT.replace("召开", "举行", 1), encoding="utf-8")
    for name in ("会议.txt", "again.txt"):
        done = run("import", name, "--issue", "2024-03", cwd=tmp_path)
        assert done.returncode == 1
        assert done.stderr == (f"错误：{name}: 《{'呼和浩特市科技局召开2024年科技工作会议' if name == '会议.txt' else '呼和浩特市科技局举行2024年科技工作会议'}》"
                               "本期已经有了：2024-03/articles/01-呼和浩特市科技局召开2024年科技工作.md"
                               "（同一稿件导入了两次？）：没有导入任何文件；确要再导入一份，加 --again\n")
    assert path.read_text(encoding="utf-8") == before
    assert len(list((path.parent / "articles").glob("*.md"))) == 2  # a.md and the first import
    done = run("import", "会议.txt", "--issue", "2024-03", "--again", cwd=tmp_path)
    assert done.returncode == 0 and "→ 2024-03/articles/02-呼和浩特市科技局召开2024年科技工作.md" in done.stderr
