"""Text as editors paste it from Word, WPS, WeChat and PDFs (probes P15: D1, D2, D5, D7, D8, D10):
the build prints it as a bulletin should and says, one line per kind, what it changed."""

from __future__ import annotations

import logging

import pdfplumber
import pytest

from conftest import ARTICLE
from kjtypeset.build import build_issue
from kjtypeset.editor.textimport import import_text
from kjtypeset.engine.typeset import _fail_on_logged_problems
from kjtypeset.errors import KjError, collecting_warnings
from kjtypeset.inputs.articles import read_articles
from kjtypeset.inputs.manifest import load_manifest
from pdfread import squash, text_lines


@pytest.fixture(autouse=True)
def in_issues_folder(tmp_path, monkeypatch):
    """Warnings name files from the working folder, the issue folder's parent."""
    monkeypatch.chdir(tmp_path)


def article(body: str) -> dict[str, str]:
    return {"articles/a.md": f"---\ntitle: 粘贴的文字\n---\n\n{body}\n"}


def warnings_of(path) -> list[str]:
    with collecting_warnings() as warnings:
        read_articles(load_manifest(path))
    return [str(w) for w in warnings]


def page_text(pdf) -> str:
    """The text of the pages as read back, lines joined (spaces pdfplumber sees kept): an issue
    of one article starts on page 1 under the masthead."""
    with pdfplumber.open(pdf) as doc:
        return "".join(page.extract_text() for page in doc.pages).replace("\n", "")


def test_paragraphs_indented_with_a_tab_or_four_spaces_print_as_paragraphs(make_issue, tmp_path):
    """Word's first-line indent pasted as a tab (or four spaces) made an indented code block:
    monospace 黑体, flush left, ragged (P15 D1). It is a paragraph like the others; fenced code stays."""
    first = "市科技局日前公布了2024年度市重点实验室绩效评估结果。本次评估共涉及52家市重点实验室，评估结果分为四个等次。"
    body = (f"\t{first}\n\n    评估采取材料审查、现场考察和专家打分相结合的方式，评审专家共二十一人。\n\n"
            f"　　对评估为优秀的实验室，每家给予30万元奖励性补助。\n\n```\nls -l\n```\n")
    path = make_issue(files=article(body))
    assert warnings_of(path) == []
    pdf = build_issue(path, tmp_path / "out", editions=("proof",)).pdf
    with pdfplumber.open(pdf) as doc:
        chars = doc.pages[0].chars  # one article: under the masthead
    assert all("Mono" not in c["fontname"] for c in chars if "\u4e00" <= c["text"] <= "\u9fff")
    assert all("Mono" in c["fontname"] for c in chars if c["text"] in "ls-")
    # The three paragraphs start at the same first-line indent, their lines flush at both sides.
    lines = text_lines(pdf)[0]
    starts = [line["x0"] for line in lines if squash(line["text"]).startswith(("市科技局日", "评估采取", "对评估为"))]
    assert len(starts) == 3 and max(starts) - min(starts) < 0.5, starts
    first_lines = [line for line in lines if squash(line["text"]).startswith("市科技局日")]
    assert abs(first_lines[0]["x1"] - max(line["x1"] for line in lines)) < 0.5
    assert "市科技局日前公布了2024年度" in page_text(pdf).replace(" ", "")


def test_a_tab_paragraph_with_no_break_spaces_builds(make_issue, tmp_path):
    """The line that failed the build with "字符 '\\n'（U+000A）不在任何已配置的字体中……（出现在版式文字中）"
    (P15 D2, r1-tab-nbsp): it prints."""
    line = "\t评估结果显示，优秀等次\u00a011\u00a0家，良好\u00a023\u00a0家，合格\u00a016\u00a0家，不合格\u00a02\u00a0\t"
    pdf = build_issue(make_issue(files=article(line)), tmp_path / "out", editions=("proof",)).pdf
    assert "优秀等次11家，良好23家，合格16家，不合格2" in page_text(pdf).replace(" ", "")


def test_a_lone_full_width_percent_sign_is_named_as_such(make_issue):
    """"节能约23％" (half-width digits, a full-width ％) and "www．gov．cn" were reported as
    "全角的数字和字母已按半角排", a repair of characters the editor never typed (P16 F5)."""
    def warning(body):
        return warnings_of(make_issue(files=article(body)))

    assert warning("全年节能约23％，超过预期。\n") == [
        "2024-03/articles/a.md:5: 全角的“％”已按半角排（“年节能约23％，超过预期。”排为“年节能约23%，超过预期。”"
        "，全篇同样处理）：请在原文中改为半角"]
    assert warning("详见网站kjj．gov．cn。\n") == [
        "2024-03/articles/a.md:5: 全角的“．”已按半角排（“见网站kjj．gov．cn”排为“见网站kjj.gov.cn”"
        "，全篇同样处理）：请在原文中改为半角"]
    assert warning("计划投入１２亿元，节能约23％。\n") == [
        "2024-03/articles/a.md:5: 全角的数字和字母已按半角排（“计划投入１２亿元，节能”排为“计划投入12亿元，节能”"
        "，全篇同样处理）：请在原文中改为半角"]


@pytest.mark.parametrize("indent", [2, 3])
def test_sub_items_indented_less_than_their_items_text_are_nested(make_issue, tmp_path, indent):
    """"10. …" then "   - …" (three spaces, as under "9. …"): CommonMark wants four, so the
    numbered list closed and its sub-items printed level with it, read as items of the main
    list (P17 D6). Each sub-item prints indented under its own item, under 9 and 10 alike."""
    items = "".join(f"{n}. 第{n}项计划今年启动。\n" + " " * indent + f"- 子项{n}甲；\n" + " " * indent + f"- 子项{n}乙。\n"
                    for n in (8, 9, 10, 11))
    pdf = build_issue(make_issue(files=article(items)), tmp_path / "out", editions=("proof",)).pdf
    lines = text_lines(pdf)[0]  # one article: all on page 1

    def x(text):
        return next(line["x0"] for line in lines if text in squash(line["text"]))

    items = {n: x(f"第{n}项计划") for n in (8, 9, 10, 11)}
    for n in (8, 9, 10, 11):
        assert x(f"子项{n}甲") > max(items.values()) + 10, (n, x(f"子项{n}甲"), items)


def notdef(char: str) -> logging.LogRecord:
    message = f'.notdef glyph rendered for Unicode string unsupported by fonts: "{char}" (U+{ord(char):04X})'
    return logging.LogRecord("weasyprint", logging.WARNING, __file__, 1, message, None, None)


def test_a_control_character_drawn_as_notdef_is_no_missing_glyph(tmp_path):
    """WeasyPrint logs a newline it drew in pre-wrapped text as .notdef: no tofu error for it."""
    _fail_on_logged_problems([notdef("\n"), notdef("\t")], tmp_path / "issue.yaml")


def test_a_missing_glyph_is_named_in_the_article_that_holds_it(make_issue):
    """A character no font has, found at drawing time, was blamed on the manifest and the
    layout's text; where an article holds it, the error names the article and line."""
    path = make_issue(files=article("第一段。\n\n第二段有\U0001d11e符号。"))
    with pytest.raises(KjError) as error:
        _fail_on_logged_problems([notdef("\U0001d11e")], path)
    assert str(error.value).startswith("2024-03/articles/a.md:7: 字符 '\U0001d11e'（U+1D11E）不在")
    assert "版式文字" not in str(error.value)


PDF_COPY = ("二〇二四年，全 市 共 登 记 技 术 合 同 3 216 项，比 上 年 增 长 18.3%。从 买 方 看，本 市 企 业 吸纳"
            "技术成交额 52.4 亿元，占 全 部 成交额的 60.4%。")


def test_spaces_between_han_from_a_pdf_are_dropped_and_named_once(make_issue, tmp_path):
    """"全 市 共 登 记" (a PDF copy) printed its spaces, stretched by justification to 0.44 em
    (P15 D5); `import` drops them, the build now too, with one warning. A roster's and a name
    list's spaces, a byline's and a title's stay."""
    body = (f"{PDF_COPY}\n\n出席：张慧敏 王建国 乌云其其格 李 明\n\n巴特尔 王晓燕 张 伟 孟克巴雅尔 李 明 赵 刚\n\n"
            "（记者 张三）\n\n## 科技 创新 驱动 发展\n")
    path = make_issue(files=article(body))
    assert warnings_of(path) == [
        "2024-03/articles/a.md:5: 汉字之间的空格已删去（“〇二四年，全 市 共 登”排为“〇二四年，全市共登”，全篇同样处理）："
        "多是从 PDF 复制来的，请在原文中删去"]
    html = read_articles(load_manifest(path))[0].body_html
    assert "李 明" in html and "张 伟" in html and "记者" in html and "科技 创新 驱动 发展" in html
    text = page_text(build_issue(path, tmp_path / "out", editions=("proof",)).pdf)
    assert "全市共登记技术合同" in text and "比上年增长" in text and "本市企业吸纳" in text and "占全部成交额" in text


def test_pasted_marks_print_as_gb_t_15834_writes_them_one_warning_per_kind(make_issue, tmp_path):
    """A full-width address kept its full-width points ("www．chinatax．gov．cn", a wrong address),
    "１００％" its ％, "2025--2027年", "表示--各项" and "APP。。。" printed as typed, "研发 。" kept its
    space, '融资难' took single quotes (GB/T 15834 §4.1: the first level is “…”); and an article
    heard only of the first kind it needed (P15 D7, D8). "！！！" stays (叹号 may be doubled)."""
    body = ("详见网站ｗｗｗ．ｃｈｉｎａｔａｘ．ｇｏｖ．ｃｎ，按实际发生额的１００％扣除。\n\n"
            "2025--2027年是三年行动期，负责人表示--各项工程已明确，一边演示手机上的ＡＰＰ。。。敬请期待！！！\n\n"
            "措施重点解决企业'融资难,融资贵'的问题，他说\"这是'科技小院'的做法\"，合作开展研发 。\n")
    path = make_issue(files=article(body))
    assert warnings_of(path) == [
        "2024-03/articles/a.md:5: 全角的数字和字母已按半角排（“详见网站ｗｗｗ．ｃｈｉ”排为“详见网站www.chinatax.gov.cn”"
        "，全篇同样处理）：请在原文中改为半角",
        "2024-03/articles/a.md:7: 标点已按 GB/T 15834 的写法排（“2025--2027年”排为“2025—2027年”，全篇同样处理）："
        "请在原文中改正",
        "2024-03/articles/a.md:9: 中文里的半角标点已按全角排（“重点解决企业'融资难,融资”排为"
        "“重点解决企业“融资难，融资”，全篇同样处理）：请在原文中改为全角标点"]
    text = page_text(build_issue(path, tmp_path / "out", editions=("proof",)).pdf).replace(" ", "")
    for printed in ("www.chinatax.gov.cn，", "的100%扣除", "2025—2027年", "表示——各项", "APP……敬请期待！！！",
                    "企业“融资难，融资贵”的问题", "他说“这是‘科技小院’的做法”", "开展研发。"):
        assert printed in text, (printed, text)


def test_a_heading_that_is_only_a_number_is_named(make_issue):
    """"### 2" printed "2" alone as a heading, silently (P15 D10)."""
    path = make_issue(files={"articles/a.md": ARTICLE + "\n### 2\n\n正文一段。\n\n### 3. 结论\n\n正文。\n"})
    assert warnings_of(path) == [
        "2024-03/articles/a.md:7: 小标题“2”只有编号，没有文字：会单独印成一行小标题；"
        "应把标题文字写在编号后面（### 2……），不是小标题请删去 ###"]


def test_import_writes_the_same_marks_the_build_prints():
    """`import` (one set of rules with the build): '…' around Chinese came in as ‘…’, "--" and
    "。。。" as typed, a full-width address with its full-width points (P15 D7)."""
    text = ("关于技术合同登记的通知\n\n"
            "　　2025--2027年，负责人表示--企业'融资难'问题，他说\"这是'科技小院'的做法\"。"
            "详见网站ｗｗｗ．ｃｈｉｎａｔａｘ．ｇｏｖ．ｃｎ，演示ＡＰＰ。。。敬请期待！！！\n")
    [draft] = import_text(text).drafts
    assert draft.blocks == ("2025—2027年，负责人表示——企业“融资难”问题，他说“这是‘科技小院’的做法”。"
                            "详见网站www.chinatax.gov.cn，演示APP……敬请期待！！！",)


def test_double_hyphens_beside_latin_and_names_spaced_after_a_label_stay_as_typed(make_issue, tmp_path):
    """"选项--quiet" printed "选项——quiet", and "与会者：王 刚 李 明 张 伟 赵 磊 刘 洋。" printed the
    names run together, "王刚李明张伟赵磊刘洋" (P16 R1, R2): "--" becomes "——" only between Chinese,
    and a run of spaced single characters right after a label's colon is a list of names. A PDF
    copy's spaced run in a sentence still closes up."""
    body = ("运行时加上选项--quiet可以只显示错误，表示--各项指标均已完成。\n\n"
            "与会者：王 刚 李 明 张 伟 赵 磊 刘 洋。\n\n"
            "二〇二四年，全 市 共 登 记 技 术 合 同 3 216 项，成交额达到86.7亿元。")
    path = make_issue(files=article(body))
    text = page_text(build_issue(path, tmp_path / "out", editions=("proof",)).pdf)
    assert "选项--quiet" in text.replace(" ", "") and "表示——各项" in text.replace(" ", "")
    assert "王 刚 李 明 张 伟 赵 磊 刘 洋" in text
    assert "全市共登记技术合同" in text.replace(" ", "") and "全 市" not in text


def test_straight_quotes_around_a_latin_word_in_a_chinese_sentence_print_as_chinese_quotes(make_issue, tmp_path):
    """"他说'OK'就行，又补充说'这个方案可以'。" printed "他说'OK'就行，又补充说“这个方案可以”。": the pair around
    the Latin word stayed straight (P16 F2). Between Chinese characters it is a Chinese quotation."""
    path = make_issue(files=article("他说'OK'就行，又补充说'这个方案可以'。运行时输入it's fine即可。"))
    text = page_text(build_issue(path, tmp_path / "out", editions=("proof",)).pdf).replace(" ", "")
    assert "他说“OK”就行，又补充说“这个方案可以”。" in text and "it's" in text.replace("’", "'")
