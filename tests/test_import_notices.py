"""Importing notices as editors get them (P8): 通知、公示、纪要 typed with full-width digits,
hard-wrapped, with contact lines, a 附件 list or table, and at times two documents in one file."""

from __future__ import annotations

import pytest
from docx import Document

from kjtypeset.editor.cleanup import clean_paragraph
from kjtypeset.editor.docximport import import_docx
from kjtypeset.editor.importer import Source, describe_import, import_files
from kjtypeset.editor.textimport import import_text

S = "\u3000\u3000"  # a typed paragraph indent

NOTICE = f"""关于组织申报２０３８年度科技计划项目的通知

各旗县区科技局，各有关单位：

{S}为深入实施创新驱动发展战略，加快推进区域科技创新中心建设，根据《呼和
浩特市科技计划项目管理办法》有关规定，现将２０３８年度市级科技计划项目申
报工作有关事项通知如下。

一、申报类别

（一）关键核心技术攻关项目

{S}围绕乳业、新材料、现代能源、生物医药、电子信息等重点产业链，支持企业
联合高校、科研院所开展关键核心技术攻关。项目实施期限一般为２年。

二、会议地点：呼和浩特市人民会堂

{S}联系人：科研计划科　刘建华　张　敏
{S}联系电话：０４７１－４３６６６８３，０４７１－４３６６６９０
{S}电子邮箱：hhhtkjj_jhk@163.com

{S}附件：１．２０３８年度呼和浩特市科技计划项目申报指南
{S}　　　２．项目申报书（模板）

{S}　　　　　　　　　　　　　　　　呼和浩特市科学技术局
{S}　　　　　　　　　　　　　　　　２０３８年２月６日
"""


def blocks(text: str) -> list[tuple[str, ...]]:
    return [draft.blocks for draft in import_text(text).drafts]


def test_contact_lines_and_the_attachment_list_are_paragraphs_of_their_own():
    """"联系电话：0471－…，0471－4366690电子邮箱：…附件：1．…" was one paragraph: a line ending in a
    digit was taken for a paragraph cut at a page break, and labelled lines went on it."""
    [notice] = blocks(NOTICE)
    assert notice[-7:] == (
        "联系人：科研计划科　刘建华　张　敏",
        "联系电话：0471-4366683，0471-4366690",
        "电子邮箱：hhhtkjj_jhk@163.com",
        "附件：1.2038年度呼和浩特市科技计划项目申报指南",  # the build's 附件说明, as from Word
        "2.项目申报书（模板）",
        "呼和浩特市科学技术局",
        "2038年2月6日",
    )


def test_a_label_line_after_a_line_as_long_as_the_wrap_starts_a_paragraph():
    """In a text without indents, a line as long as the wrapping width goes on on the next line,
    unless that line starts with a label."""
    body = ("全市技术合同成交额达到八十六亿元，同比增长百分之十二，创历史新高。各地区各部门要认真总结经验，"
            "持续优化技术市场服务，推动更多科技成果在本地和周边各地区落地转化。")
    lines = [body[i:i + 20] for i in range(0, len(body), 20)]
    assert all(len(line) == 20 for line in lines) and lines[-1].endswith("。")
    text = "关于技术合同登记工作的通知\n\n" + "\n".join(lines) + "\n联系人：张　敏\n电话：０４７１－４３６６６８３\n"
    assert blocks(text) == [(body, "联系人：张　敏", "电话：0471-4366683")]


def test_typed_sub_heads_take_two_levels_and_a_label_with_its_value_is_no_sub_head():
    [notice] = blocks(NOTICE)
    assert "## 一、申报类别" in notice
    assert "### （一）关键核心技术攻关项目" in notice  # was "##", the same 黑体 as 一、
    assert "二、会议地点：呼和浩特市人民会堂" in notice  # was a heading


PUBLIC = f"""关于２０３７年度科学技术奖拟奖项目的公示

{S}根据《呼和浩特市科学技术奖励办法》，经形式审查、专业组评审、
评审委员会综合评审，现将拟奖项目予以公示，公示期为２０３８年２月
８日至２月１４日，共７天。

{S}　　　　　　　　　　　　　　呼和浩特市科学技术局
{S}　　　　　　　　　　　　　　２０３８年２月７日

附件

２０３７年度科学技术奖拟奖项目

序号\t项目名称\t等级
１\t高品质乳铁蛋白分离纯化关键技术\t一等奖
２\t大尺寸单晶硅低氧拉制技术\t一等奖


市科技局党组理论学习中心组２０３８年第１次集体学习纪要

{S}２０３８年１月２６日，市科技局党组理论学习中心组在局三楼会议室
举行集体学习，围绕“以科技创新引领新质生产力发展”进行专题研讨。局党组
书记、局长王立群主持会议并讲话。

{S}出席：王立群　李春生
{S}记录：苏日娜

{S}会议要求，一是要抓好学习贯彻，把学习成果转化为推动工作的具体举措；
二是要抓好项目落地，确保年度重点任务按时完成；三是要抓好作风建设，
为全市科技创新营造良好环境。
"""


def test_a_second_document_after_an_attachment_table_is_a_second_article():
    """The 纪要 after the 公示's 附件 table stayed in the 公示 as text under the table: the line
    above its title, a table row, did not end like a sentence."""
    drafts = import_text(PUBLIC).drafts
    assert [d.title for d in drafts] == ["关于2037年度科学技术奖拟奖项目的公示",
                                         "市科技局党组理论学习中心组2038年第1次集体学习纪要"]
    public, summary = (d.blocks for d in drafts)
    assert public[-4:-1] == ("2038年2月7日", "附件", "2037年度科学技术奖拟奖项目")
    assert public[-1].splitlines()[2:] == ["| 1 | 高品质乳铁蛋白分离纯化关键技术 | 一等奖 |",
                                           "| 2 | 大尺寸单晶硅低氧拉制技术 | 一等奖 |"]  # "１" was left full width
    assert summary[0].startswith("2038年1月26日，")
    assert summary[1:3] == ("出席：王立群　李春生", "记录：苏日娜")


def test_an_enumeration_running_on_after_a_full_line_is_a_wrap_not_a_paragraph():
    """"…的具体举措；⏎二是要抓好…" was split at "二是": the line above is as long as the wrap."""
    summary = import_text(PUBLIC).drafts[-1].blocks
    assert summary[-1] == ("会议要求，一是要抓好学习贯彻，把学习成果转化为推动工作的具体举措；二是要抓好项目落地，"
                           "确保年度重点任务按时完成；三是要抓好作风建设，为全市科技创新营造良好环境。")


def test_numbered_items_stay_apart_though_a_line_is_as_long_as_the_wrap():
    text = f"""关于申报条件的说明

{S}申报单位应当具备以下条件，不具备条件的不予受理，请各单位认真对照
核实后再行申报，并对申报材料的真实性负责，确保填报内容准确无误。
１．在呼和浩特市行政区域内注册、具有独立法人资格的企事业单位；
２．具有完善的科研管理制度和财务管理制度，近三年无不良信用；
３．上年度研发费用占销售收入比例不低于３％。
"""
    assert blocks(text)[0][1:] == ("1.在呼和浩特市行政区域内注册、具有独立法人资格的企事业单位；",
                                   "2.具有完善的科研管理制度和财务管理制度，近三年无不良信用；",
                                   "3.上年度研发费用占销售收入比例不低于3%。")


def test_a_second_document_after_a_signature_and_date_is_a_second_article():
    text = f"""关于开展科技活动周的通知

{S}各单位要认真组织，确保活动取得实效。

{S}　　　　　　　　呼和浩特市科学技术局
{S}　　　　　　　　２０３８年２月６日

关于表彰优秀科技特派员的决定

{S}经研究，决定对１２名优秀科技特派员予以表彰。
"""
    assert [d.title for d in import_text(text).drafts] == ["关于开展科技活动周的通知", "关于表彰优秀科技特派员的决定"]


def test_a_date_under_a_byline_ends_no_document():
    """Only a date under text is a 成文日期: a short line under the date of a byline is the
    article's (it was taken for the title of a second article, the first left with the date)."""
    text = """市科技局召开科技工作会议

市科技情报研究所　周文博
2038年2月6日

会议总体要求

会议强调，各单位要认真落实全年目标任务，确保各项工作取得实效。
"""
    [draft] = import_text(text).drafts
    assert (draft.title, draft.author, draft.blocks[1]) == ("市科技局召开科技工作会议", "周文博", "会议总体要求")


def test_the_import_report_names_both_documents_of_one_file(make_issue, tmp_path):
    manifest = make_issue(files={})
    source = tmp_path / "公示与纪要.txt"
    source.write_text(PUBLIC, encoding="utf-8")
    reports = import_files([Source(str(source), source.read_bytes(), source)], manifest)
    lines = [text for _detail, text in describe_import(reports)]
    assert lines[0] == f"{source}：找到 2 篇文章"  # "1 篇", and the 纪要 in the 公示
    assert lines[1].startswith("  《关于2037年度科学技术奖拟奖项目的公示》5 段 → ")
    assert lines[2].startswith("  《市科技局党组理论学习中心组2038年第1次集体学习纪要》4 段 → ")
    assert lines[3] == "  修复：全角数字、字母改为半角 36 处"


@pytest.mark.parametrize(("raw", "clean"), [
    ("联系电话：０４７１－４３６６６８３", "联系电话：0471-4366683"),
    ("按（１－１０％）计算", "按（1－10%）计算"),  # a minus, not a telephone number's hyphen
    ("１．加强组织领导", "1.加强组织领导"),
    ("附件：１．２０３８年度申报指南", "附件：1.2038年度申报指南"),
    ("注：１．不含设备费。２．根据三年平均", "注：1.不含设备费。2.根据三年平均"),  # P13 D3
    ("同比增长２．５％", "同比增长2.5%"),
    ("按标准９７０４－２０１２执行", "按标准9704-2012执行"),
])
def test_full_width_numbers_come_in_narrow_with_their_marks(raw, clean):
    assert clean_paragraph(raw) == clean


def test_word_sub_heads_take_their_level_bold_or_not(tmp_path):
    """"三、参会人员" in bold became a heading while "一、会议时间" and "二、会议地点" in plain
    type stayed text: a notice's sub-heads are 黑体 by font, which the import does not see."""
    document = Document()
    document.add_paragraph("关于召开全市科技创新大会的通知", style="Title")
    document.add_paragraph("一、会议时间")
    document.add_paragraph("2038年2月26日上午9:00。")
    document.add_paragraph().add_run("二、参会人员").bold = True
    document.add_paragraph("（一）市领导")
    document.add_paragraph("市委、市政府有关领导。")
    document.add_paragraph("三、会议地点：呼和浩特市人民会堂")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("序号", "议程"), ("１", "一、领导讲话")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    path = tmp_path / "通知.docx"
    document.save(path)
    draft = import_docx(path.read_bytes(), path)
    assert draft.blocks == ("## 一、会议时间", "2038年2月26日上午9:00。", "## 二、参会人员", "### （一）市领导",
                            "市委、市政府有关领导。", "三、会议地点：呼和浩特市人民会堂",
                            "| 序号 | 议程 |\n|---:|---|\n| 1 | 一、领导讲话 |"), draft.blocks
