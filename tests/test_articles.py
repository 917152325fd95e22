"""Stage 2–3: article files → front matter checked, Markdown body → HTML fragment."""

from __future__ import annotations

import pytest

from conftest import MANIFEST
from kjtypeset.errors import KjError, collecting_warnings
from kjtypeset.inputs.articles import read_articles
from kjtypeset.inputs.manifest import load_manifest

PNG = bytes.fromhex(  # a 1 × 1 white PNG
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d7"
    "63f8ffff3f0005fe02fea7d605ca0000000049454e44ae426082")


def body_of(make_issue, body: str, files: dict | None = None, front: str = "title: 标题") -> str:
    article = f"---\n{front}\n---\n\n{body}"
    path = make_issue(MANIFEST, files={"articles/a.md": article, **(files or {})})
    return read_articles(load_manifest(path))[0].body_html


def warnings_of(make_issue, body: str, files: dict | None = None) -> tuple[list[str], str]:
    """The warnings reading an article with ``body`` gives (paths from the issues' folder), and its HTML."""
    path = make_issue(MANIFEST, files={"articles/a.md": f"---\ntitle: 标题\n---\n\n{body}", **(files or {})})
    with pytest.MonkeyPatch.context() as patch, collecting_warnings() as warnings:
        patch.chdir(path.parent.parent)
        html = read_articles(load_manifest(path))[0].body_html
        return [str(w) for w in warnings], html


def error_of(make_issue, article: str, files: dict | None = None) -> str:
    path = make_issue(MANIFEST, files={"articles/a.md": article, **(files or {})})
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(path.parent.parent)
        with pytest.raises(KjError) as caught:
            read_articles(load_manifest(path))
        return str(caught.value)


def test_front_matter_fields(make_issue):
    path = make_issue(MANIFEST, files={"articles/a.md": "---\ntitle: 标题\nsource: 新华网\n"
                                       "author: 张三\n---\n\n正文。\n"})
    article = read_articles(load_manifest(path))[0]
    assert (article.title, article.source, article.author) == ("标题", "新华网", "张三")
    assert article.body_html == "<p>正文。</p>\n"


@pytest.mark.parametrize("article, message", [
    ("正文，没有头信息。\n", "2024-03/articles/a.md:1: 文章应以 YAML 头信息开头（第一行为 ---，"
     "其后写 title: 标题），实际第一行为 '正文，没有头信息。'"),
    ("---\nsource: 新华网\n---\n\n正文。\n", "2024-03/articles/a.md:2: 缺少必填项 'title'（标题）"),
    ("---\n---\n\n正文。\n", "2024-03/articles/a.md:2: 缺少必填项 'title'（标题）"),
    ("---\ntitle: 标题\nauther: 张三\n---\n", "2024-03/articles/a.md:3: 未知的键 'auther'："
     "应为 title、subtitle、source、author、date、figure_max_height 之一，是否应为 'author'？"),
    ("---\ntitle: 标题\n\n正文。\n", "2024-03/articles/a.md:1: 文章头信息没有结束：应有一行 --- "
     "结束头信息，实际到文件末尾也没有"),
    # The line to fix, not the one PyYAML was scanning (the closing --- after it).
    ("---\ntitle: [标题\n---\n", "2024-03/articles/a.md:2: YAML 语法错误：方括号 [ ] 中的列表没有闭合"),
    ("---\ntitle: 标题\nsource 市科技局\n---\n\n正文。\n", "2024-03/articles/a.md:3: YAML 语法错误：缺少冒号“:”"),
    # A half-width colon in a title (P9 D16): what to do, not only what PyYAML could not read.
    ("---\ntitle: Horizon Europe: 2042—2044年工作方案发布\n---\n", "2024-03/articles/a.md:2: YAML 语法错误："
     "title 的值里有半角冒号，YAML 把它读成了又一个“键: 值”：标题里有半角冒号时给整个标题加引号"
     '（title: "Horizon Europe: 2042—2044年工作方案发布"），或改用全角冒号“：”'),
    ('---\ntitle: 标题\nsource: 新华社 "报道": 摘编\n---\n', "2024-03/articles/a.md:3: YAML 语法错误："
     "source 的值里有半角冒号，YAML 把它读成了又一个“键: 值”：来源里有半角冒号时给整个来源加引号"
     "（source: '新华社 \"报道\": 摘编'），或改用全角冒号“：”"),
])
def test_front_matter_errors(make_issue, article, message):
    assert error_of(make_issue, article) == message


def test_article_that_is_not_utf8(make_issue):
    # GBK is read (with a notice: tests/test_encoding.py); bytes that fit no encoding are an error.
    path = make_issue(MANIFEST, files={"articles/a.md": "---\ntitle: 标题\n---\n\n正文。\n".encode("gb18030")})
    assert read_articles(load_manifest(path))[0].title == "标题"
    assert error_of(make_issue, "---\ntitle: 标题\n---\n\n正文。\n".encode() + b"\x80\xff\n") == (
        "2024-03/articles/a.md:6: 文件应为 UTF-8、GBK（GB18030）或 UTF-16 编码的文本，"
        "实际按哪一种都读不通（第一处无法识别的字节在这一行“□□”）：请在编辑器中打开，另存为 UTF-8 编码")


def test_soft_breaks_between_chinese_vanish_but_separate_latin_words(make_issue):
    html = body_of(make_issue, "中文句子\n接着写。\nEnglish\nwords 和\n中文。\n")
    assert html == "<p>中文句子接着写。English\nwords 和中文。</p>\n"


def test_bold_run_in_next_to_chinese_punctuation(make_issue):
    html = body_of(make_issue, "**一是政策体系加速完善，助力双创主体成长。**衢州市高度重视。\n"
                               "打造金融服务**“生态圈”**精准赋能。\n")
    assert html == ("<p><strong>一是政策体系加速完善，助力双创主体成长。</strong>衢州市高度重视。"
                    "打造金融服务<strong>“生态圈”</strong>精准赋能。</p>\n")


def test_footnotes_become_page_footnotes_at_the_call(make_issue):
    html = body_of(make_issue, "正文[^1]继续。\n\n[^1]: 来源：**某**报告。\n")
    assert html == '<p>正文<span class="footnote">来源：<strong>某</strong>报告。</span>继续。</p>\n'


def test_headings_lists_tables(make_issue):
    html = body_of(make_issue, "## 一、总体情况\n\n### （一）进展\n\n1. 第一\n2. 第二\n\n"
                               "- 甲\n\n| 指标 | 数量 |\n|---|---|\n| 孵化器 | 5家 |\n")
    assert '<h2 class="subhead">一、总体情况</h2>' in html
    assert '<h3 class="subhead">（一）进展</h3>' in html
    assert "<ol>\n<li>第一</li>\n<li>第二</li>\n</ol>" in html
    assert "<ul>\n<li>甲</li>\n</ul>" in html
    assert '<table class="md-table" data-kj-source="articles/a.md" data-kj-line="14">' in html
    assert "<td>孵化器</td>" in html


def test_a_sub_head_written_levels_down_is_set_one_level_down_and_named(make_issue):
    """P9 D8: "#### 一、关键技术突破" above "## 二、…" printed as a body line in 宋体, its sibling in 黑体."""
    warnings, html = warnings_of(make_issue, "#### 一、关键技术突破\n\n正文。\n\n## 二、国内相关进展\n\n正文。\n")
    assert warnings == ["2024-03/articles/a.md:5: 小标题“一、关键技术突破”写作 ####，它前面没有小标题，"
                        "而这篇文章最高一级的小标题是 ##：已按 ## 排；请在原文中改为 ##"]
    assert html.startswith('<h2 class="subhead">一、关键技术突破</h2>\n<p>正文。</p>\n<h2 class="subhead">二、')
    # Under a ##, two #### are set at the next level down, alike; a ### after them stays a ###.
    warnings, html = warnings_of(make_issue, "## 一、总体情况\n\n#### 1. 技术路线\n\n#### 2. 组织方式\n\n"
                                             "### （二）进展\n\n#### 1. 工程\n\n# 二、下一步\n")
    assert warnings == ["2024-03/articles/a.md:7: 小标题从 ##（第 5 行）跳到了 ####（“1. 技术路线”），中间没有 ###："
                        "已按 ### 排；请在原文中改为 ###（这篇文章还有 1 个小标题跳级，同样处理）"]
    assert [line[:4] for line in html.splitlines()] == ["<h2 ", "<h3 ", "<h3 ", "<h3 ", "<h4 ", "<h2 "]
    # Levels written in order, or an article whose sub-heads are all ### or all ####: as written, no word.
    # (Each with words: a heading that is only a number is named, test_pasted.py.)
    for body, tags in (("## 一、总体\n\n### （一）进展\n\n#### 1. 路线\n\n## 二、下一步\n", ["h2", "h3", "h4", "h2"]),
                       ("### （一）进展\n\n### （二）问题\n", ["h3", "h3"]), ("#### 1. 路线\n\n#### 2. 工程\n", ["h4", "h4"])):
        warnings, html = warnings_of(make_issue, body)
        assert (warnings, [line[1:3] for line in html.splitlines()]) == ([], tags)


def test_numbered_sub_items_typed_a_line_each_are_set_a_line_each(make_issue):
    """P9 D7: "(1) (2) (3)" lines under a list item ran into one line, "…统计：（1）全时当量…；（2）兼职人员…"."""
    html = body_of(make_issue, "1. 关于研发人员的统计：\n   (1) 全时当量按实际时间折算；\n   (2) 兼职人员**按实际**工作时间折算，\n"
                               "   不足10%的不统计；\n   (3) 外聘专家不得重复统计。\n2. 关于研发经费的统计。\n")
    assert html == ("<ol>\n<li>关于研发人员的统计：\n<p>（1）全时当量按实际时间折算；</p>\n"
                    "<p>（2）兼职人员<strong>按实际</strong>工作时间折算，不足10%的不统计；</p>\n"
                    "<p>（3）外聘专家不得重复统计。</p>\n</li>\n<li>关于研发经费的统计。</li>\n</ol>\n")
    # In a paragraph too, full-width or circled; the first line may be a sub-item itself.
    assert body_of(make_issue, "正文。\n\n说明如下：\n（1）甲；\n（2）乙。\n\n①丙；\n②丁。\n") == (
        '<p>正文。</p>\n<p class="kj-keep-next">说明如下：</p>\n<p>（1）甲；</p>\n<p>（2）乙。</p>\n<p>①丙；</p>\n<p>②丁。</p>\n')
    # Not numbered in order from 1, or one alone: a line that happens to start so runs on as before.
    assert body_of(make_issue, "见下：\n(2) 甲；\n(3) 乙。\n\n见下：\n(1) 甲；\n(3) 乙。\n\n共分\n(1) 类。\n") == (
        "<p>见下：（2）甲；（3）乙。</p>\n<p>见下：（1）甲；（3）乙。</p>\n<p>共分（1）类。</p>\n")


PRIZES = ("表1　获奖项目\n\n| 序号 | 项目名称 | 主要完成单位 | 等级 |\n|---:|---|---|---|\n"
          "| 1 | 储能系统热管理 | 内蒙古工业大学 | 一等奖 |\n")


def test_a_table_row_with_more_cells_than_its_header_is_an_error(make_issue):
    """markdown-it drops the extra cells: "一等奖" went missing from the PDF without a word (P7 D12)."""
    row = "| 3 | 稀土永磁材料短流程制备技术 | 包头稀土研究院 | 内蒙古大学 | 一等奖 |\n"
    assert error_of(make_issue, f"---\ntitle: 标题\n---\n\n{PRIZES}{row}") == (
        "2024-03/articles/a.md:10: 表格这一行有 5 个单元格，表头只有 4 列：多出的“一等奖”不会印出，"
        "请在表头补上一列，或删去多余的“|”")
    # In a quotation too, and an escaped \| is no cell boundary.
    quoted = "".join(f"> {line}\n" for line in (PRIZES + row).splitlines())
    assert error_of(make_issue, f"---\ntitle: 标题\n---\n\n{quoted}").startswith(
        "2024-03/articles/a.md:10: 表格这一行有 5 个单元格")
    html = body_of(make_issue, PRIZES + "| 2 | 乳清蛋白 | 伊利集团 \\| 内蒙古农业大学 | 一等奖 |\n")
    assert "<td>伊利集团 | 内蒙古农业大学</td>" in html


def test_a_table_row_with_fewer_cells_or_an_empty_extra_one_prints_all_it_holds(make_issue):
    html = body_of(make_issue, PRIZES + "| 合计 | 6 项 |\n| 2 | 乳清蛋白 | 伊利集团 | 一等奖 | |\n")
    assert '<td style="text-align:right">合计</td>\n<td>6 项</td>\n<td></td>\n<td></td>' in html
    assert "<td>乳清蛋白</td>\n<td>伊利集团</td>\n<td>一等奖</td>\n</tr>" in html


DISTRICTS = ("| 地区 | R&D经费（亿元） | 同比（%） | 研发强度（%） | 高企（家） |\n"
             "|---|---:|---:|---:|---:|\n| 新城区 | 2 871.4 | 5.2 | 2.41 | 312 |\n")


def test_a_short_data_row_is_named_and_a_total_or_group_row_is_not(make_issue):
    """P9 D5: the 同比 cell left out, every later figure stood under the wrong column, silently."""
    warnings, html = warnings_of(make_issue, DISTRICTS + "| 回民区 | 1 937.2 | 3.17 | 94 |\n"
                                 "| 玉泉区 | 1 204.5 | 4.4 | 1.87 |\n| 赛罕区 | 3 012.8 |\n")
    assert warnings == [
        "2024-03/articles/a.md:8: 表格这一行只有 4 个单元格，表头有 5 列：最右边一格会空着，"
        "如果漏的是中间的格，其后各格都会错到左边一列；请核对，有意留空的格也写上“| |”（这个表格还有 2 行也少格）"]
    assert '<td>回民区</td>\n<td style="text-align:right">1 937.2</td>' in html  # printed as written
    # One short row in a second table: named on its own line, "2 格" when two are missing.
    warnings, _html = warnings_of(make_issue, DISTRICTS + "\n段落。\n\n" + DISTRICTS + "| 回民区 | 1 937.2 | 94 |\n")
    assert warnings == [
        "2024-03/articles/a.md:14: 表格这一行只有 3 个单元格，表头有 5 列：最右边 2 格会空着，"
        "如果漏的是中间的格，其后各格都会错到左边一列；请核对，有意留空的格也写上“| |”"]
    # A total, a group label, a label alone or with empty cells after it, an empty cell written out: no word.
    rows = ("| 合计 | 6 920.1 |\n| **全市** | 9 100.0 | 5.0 |\n| 其中：工业 | 120.3 |\n| 一、服务业 | 88 |\n"
            "| （二）农业 | 17 |\n| 2039年 |\n| 按行业分 | | |\n| 土默特左旗 | 701.2 | | 1.02 | 57 |\n")
    assert warnings_of(make_issue, DISTRICTS + rows)[0] == []
    # Nor a row without its empty 备注 cell; a cell missing before it is named.
    remarks = "| 序号 | 项目 | 金额（万元） | 备注 |\n|---|---|---:|---|\n| 1 | 甲 | 50 |\n| 2 | 乙 | 30 | 续建 |\n"
    assert warnings_of(make_issue, remarks)[0] == []
    assert warnings_of(make_issue, remarks + "| 3 | 40 |\n")[0] == [
        "2024-03/articles/a.md:9: 表格这一行只有 2 个单元格，表头有 4 列：最右边 2 格会空着，"
        "如果漏的是中间的格，其后各格都会错到左边一列；请核对，有意留空的格也写上“| |”"]


def test_raw_html_is_shown_as_text(make_issue):
    html = body_of(make_issue, '<img src="file:///etc/passwd"> 与 <script>x</script>\n')
    assert "<img" not in html and "&lt;img" in html and "&lt;script&gt;" in html


def test_image_alone_in_a_paragraph_becomes_a_captioned_figure(make_issue):
    html = body_of(make_issue, "![图1　园区分布](img/map.png)\n", files={"articles/img/map.png": PNG})
    assert html.startswith('<figure class="figure" data-kj-figure><img src="file:///')
    # Placed at the image's own resolution: 300 ppi when it declares none (issue 13).
    assert html.endswith('/2024-03/articles/img/map.png" alt="图1　园区分布" style="image-resolution: 300dpi">'
                         '<figcaption>图1　园区分布</figcaption></figure>\n')


@pytest.mark.parametrize("body, message", [
    ("第一段。\n\n第二段有图：\n![示意](img/missing.png)\n",
     "2024-03/articles/a.md:8: 找不到图片 'img/missing.png'（路径相对于文章文件）"),
    ("![x](../../../etc/passwd)\n", "2024-03/articles/a.md:5: 图片 '../../../etc/passwd' 应在期刊文件夹之内，实际指向其外"),
    ("![x](/etc/passwd)\n", "2024-03/articles/a.md:5: 图片 '/etc/passwd' 应为相对于文章文件的本地路径，实际为网址或绝对路径"),
    ("![x](http://127.0.0.1:8000/a.png)\n", "2024-03/articles/a.md:5: 图片 'http://127.0.0.1:8000/a.png' "
     "应为相对于文章文件的本地路径，实际为网址或绝对路径"),
    ("![x](notes.txt)\n", "2024-03/articles/a.md:5: 图片 'notes.txt' 应为 PNG、JPEG、GIF、SVG 或 WebP 文件"),
    # A name that differs in case only (it works on Windows and macOS): the file is named.
    ("![x](img/Logo1.png)\n", "2024-03/articles/a.md:5: 找不到图片 'img/Logo1.png'（路径相对于文章文件）："
     "同一文件夹里有 'logo1.png'，文件名的大小写要与文件一致"),
    ("![x](IMG/logo1.png)\n", "2024-03/articles/a.md:5: 找不到图片 'IMG/logo1.png'（路径相对于文章文件）："
     "期刊文件夹里有 'articles/img/logo1.png'，文件夹和文件名的大小写要与实际一致"),
])
def test_bad_images_name_the_line(make_issue, body, message):
    files = {"articles/notes.txt": "x", "articles/img/logo1.png": PNG}
    assert error_of(make_issue, f"---\ntitle: 标题\n---\n\n{body}", files) == message


def _jpeg() -> bytes:
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize("name, data", [
    ("broken.png", b"\x89PNG\r\n\x1a\nnot an image"),  # the signature, then nothing of a PNG
    ("cut.jpg", _jpeg()[:600]),  # a photograph cut short in copying
    ("notes.png", "会议纪要正文".encode()),  # a text file named as a picture
])
def test_an_image_that_cannot_be_read_names_its_line(make_issue, name, data):
    message = error_of(make_issue, f"---\ntitle: 标题\n---\n\n正文。\n\n![图1　示意图](img/{name})\n",
                       {f"articles/img/{name}": data})
    assert message == (f"2024-03/articles/a.md:7: 图片 'img/{name}' 无法读取（文件不完整，或不是扩展名所说的格式）："
                       "应为完整的 PNG、JPEG、GIF 或 WebP 文件，可用看图软件打开后另存一份")


def test_a_whole_jpeg_is_read(make_issue):
    html = body_of(make_issue, "![图1　示意图](img/a.jpg)\n", {"articles/img/a.jpg": _jpeg()})
    assert "a.jpg" in html


def test_nesting_markdown_would_silently_truncate_is_refused(make_issue):
    nested = "".join("  " * i + "- 项\n" for i in range(12)) + "\n后面的段落。\n"
    message = error_of(make_issue, "---\ntitle: 标题\n---\n\n" + nested)
    assert message == "2024-03/articles/a.md:13: 列表或引用嵌套过深：应不超过 9 层，否则后面的内容会丢失"


def test_image_file_names_in_chinese(make_issue):
    html = body_of(make_issue, "![分布](图片/园区 分布.png)\n".replace(" ", "%20"),
                   files={"articles/图片/园区 分布.png": PNG})
    assert "<figcaption>分布</figcaption>" in html


def test_a_subscript_typed_with_an_underscore_is_named_once(make_issue):
    """"η = P_out / P_in" and "Z = aR^b" print as typed, "_" and "^" and all, with no word to the
    editor (an unseen issue, P12 D8): one warning names the first, with its line."""
    warnings, html = warnings_of(make_issue, "转换效率η = P_out / P_in × 100%。\n\n回波强度满足Z = aR^b的关系。\n")
    said = [w for w in warnings if "原样印出来" in w]
    assert said == ["2024-03/articles/a.md:5: “P_out”中的 _ 会原样印出来：字母下标、上标请写成 <sub>…</sub>、"
                    "<sup>…</sup>（清单中写 raw_html: true），数字的可直接写 ₂、²"]
    assert "P_out" in html
    clean, _html = warnings_of(make_issue, "来信请寄kjqb_info@hhht.gov.cn，参数见文件report_2024.pdf。\n")
    assert not [w for w in clean if "原样印出来" in w]


def test_an_image_in_a_sentence_is_named_its_caption_will_not_print(make_issue):
    """An image written inside a sentence prints in the line and its caption nowhere, with no
    word (P13 D2): one warning per image, with its line and how to write a figure. An image
    alone in its paragraph, or several in one, are figures and say nothing."""
    images = {"articles/img/a.png": PNG, "articles/img/b.png": PNG}
    warnings, html = warnings_of(make_issue, "正文。\n\n园区标志是![图1　园区标志](img/a.png)，蓝底白字。\n", files=images)
    assert [w for w in warnings if "单独成段" in w] == [
        "2024-03/articles/a.md:7: 图片 'img/a.png' 写在文字之中（没有单独成段），只随文字排在行内，"
        "图题“图1　园区标志”不会印出：要印成带图题的图，请把它单独写成一段（前后各空一行），如 ![图1　园区标志](img/a.png)"]
    assert "<figcaption>" not in html
    for body in ("![图1　甲](img/a.png)\n", "![图1　甲](img/a.png) ![图2　乙](img/b.png)\n",
                 "![图1　甲](img/a.png){width=50%}\n![图2　乙](img/b.png)\n"):
        warnings, html = warnings_of(make_issue, body, files=images)
        assert not [w for w in warnings if "单独成段" in w], warnings
        assert html.count("<figcaption>") == body.count("![")


def test_figures_numbered_out_of_order_are_named_once(make_issue):
    """The figures print in the order written: "图2" before "图1" printed so with no word (an
    unseen issue, P12 D10). One warning names the first figure out of order, with its line;
    figures in order, or numbered 图1-1, say nothing."""
    images = {"articles/img/a.png": PNG, "articles/img/b.png": PNG}
    warnings, _html = warnings_of(make_issue, "![图2　风电装机](img/a.png)\n\n正文。\n\n![图1　光伏装机](img/b.png)\n",
                                  files=images)
    assert [w for w in warnings if "图题编号" in w] == [
        "2024-03/articles/a.md:9: 图题编号不连续：“图1”写在“图2”之后；图片按书写的顺序印出，请核对图的次序和编号"]
    for body in ("![图1　风电](img/a.png)\n\n正文。\n\n![图2　光伏](img/b.png)\n",
                 "![图1-2　风电](img/a.png)\n\n![图1-1　光伏](img/b.png)\n"):
        warnings, _html = warnings_of(make_issue, body, files=images)
        assert not [w for w in warnings if "图题编号" in w], warnings
