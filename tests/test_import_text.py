"""Importing text: the seed bulletin copied out of a PDF must give back the sample issue."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import MANIFEST, ROOT
from kjtypeset.editor.cleanup import clean_paragraph, is_page_number
from kjtypeset.editor.importer import Source, describe_import, import_files
from kjtypeset.editor.textimport import import_text

# A copy of ../shared/sample/bulletin-2024-02.txt, so that a clone anywhere can run the tests.
SEED = ROOT / "tests" / "data" / "bulletin-2024-02.txt"
SHARED_SEED = ROOT.parent / "shared" / "sample" / "bulletin-2024-02.txt"
SAMPLE_ARTICLES = sorted((ROOT / "issue_sources" / "2024-02" / "articles").glob("*.md"))


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.mark.skipif(not SHARED_SEED.is_file(), reason="no ../shared beside this clone")
def test_the_copy_is_the_shared_seed():
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def run(*args, cwd=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "kjtypeset", *args], capture_output=True,
                          cwd=cwd, input=stdin, timeout=120)


def test_seed_text_gives_back_the_eight_sample_articles_exactly():
    result = import_text(seed_text())
    assert [d.markdown() for d in result.drafts] == [p.read_text(encoding="utf-8") for p in SAMPLE_ARTICLES]


def test_what_the_text_import_reports_about_the_seed():
    result = import_text(seed_text())
    assert result.notes == (
        "跳过 6 行不属于任何文章的短行（报头、报尾等）：“科技情报参考”、“2024年第2期”、"
        "“呼和浩特市科学技术局综合保障中心……”、“呼和浩特市科学技术局综合保障中心……”、“编辑：李 涛”、“电话：4366683”",
        "原文目录列出 7 篇，正文中找到 8 篇（目录已删去，排版时按清单重新生成）",
        "原文目录漏列：《宁波聚力“创新深化”打造“科教产共同体”》",
    )
    repairs = dict(result.repairs)
    assert repairs["rejoined"] == 7 and repairs["contents"] == 8 and repairs["spaces"] > 100


def paginate(text: str) -> str:
    """The seed as a PDF copy would give it: page heads, numbers and form feeds at each cut."""
    lines = text.split("\n")
    out, page = [], 1
    for index, line in enumerate(lines):
        out.append(line)
        cut = line and not line.endswith(("。", "”", "）")) and index + 2 < len(lines) and lines[index + 2]
        if cut and len(line) > 40:
            page += 1
            out += ["", f"— {page} —", "\f科技情报参考　2024 年第 2 期"]
    return "\n".join(out)


def test_page_heads_feet_and_numbers_are_dropped():
    text = paginate(seed_text())
    assert text.count("\f") == 7 and "— 8 —" in text
    result = import_text(text)
    assert [d.markdown() for d in result.drafts] == [p.read_text(encoding="utf-8") for p in SAMPLE_ARTICLES]
    assert dict(result.repairs)["furniture"] == 14


def test_a_running_foot_on_one_line_is_dropped_even_once_and_its_paragraph_joined():
    """A PDF copy of one page and a bit: the foot "科技情报参考      第 1 页" on one line, once,
    cut a paragraph in two; it printed as "…比上年增加科技情报参考第1页36家。" (an unseen
    issue, P10 D2). Text that only mentions a page, and a table row with a number, stay."""
    text = ("关于2043年度全市高新技术企业发展情况的调研报告\n\n"
            "    （二）结构不断优化。从技术领域看，电子信息、新材料、先进制造与\n"
            "自动化领域企业分别占24.1%、19.6%、17.3%，其中电子信息领域企业增长最快，比上年增加\n"
            "科技情报参考                                                    第 1 页\n"
            "36家。\n"
            "    二是研发投入不足。详见本报告第 3 页。\n"
            "    三是区域分布不均，三地集中了全市68.2%的企业，详见附表\n"
            "第 3 页。\n"
            "— 2 —    科技情报参考　2044年第5期\n"
            "    四是人才支撑不够。\n")
    result = import_text(text)
    [draft] = result.drafts
    assert draft.blocks == (
        "**（二）结构不断优化。**从技术领域看，电子信息、新材料、先进制造与自动化领域企业分别占24.1%、"
        "19.6%、17.3%，其中电子信息领域企业增长最快，比上年增加36家。",
        "**二是研发投入不足。**详见本报告第3页。",
        "三是区域分布不均，三地集中了全市68.2%的企业，详见附表第3页。",
        "四是人才支撑不够。")
    assert dict(result.repairs)["furniture"] == 2


@pytest.mark.parametrize("line", ["研发机构      368", "截止日期      3/11", "详见本报告第 3 页。",
                                  "高新技术企业占全市比重达到了百分之三十以上 第 3 页"])
def test_a_line_that_only_mentions_a_page_or_ends_in_a_number_is_no_running_foot(line):
    assert not is_page_number(line)


WECHAT = """原创 青城科技 呼和浩特科技 2044-05-08 18:00

点击蓝字关注我们

内蒙古农业大学研发牧草新品种通过国家审定

　　近日，内蒙古农业大学草原与资源环境学院培育的“草原4号”杂花苜蓿通过国家草品种审定委员会审定。

　　该品种抗寒性强，在冬季最低气温 -40℃ 的条件下越冬率达 95% 以上。

▲ 草原4号苜蓿示范田

阅读原文
"""


def test_the_import_report_counts_no_page_heads_in_a_wechat_copy(make_issue, tmp_path):
    """A WeChat copy has no page head, foot or number: its buttons and its ▲ caption are
    listed by name, its "原创 …" line went to the front matter; the report said
    "删去页眉、页脚、页码 4 处" as well (an unseen issue, P10 D2)."""
    manifest = make_issue(files={})
    source = tmp_path / "wechat.txt"
    source.write_text(WECHAT, encoding="utf-8")
    reports = import_files([Source(str(source), source.read_bytes(), source)], manifest)
    lines = [text for _detail, text in describe_import(reports)]
    assert lines[2:] == [
        "  注意：删去网页、微信或邮件中的按钮、导航、邮件头等 2 行：“点击蓝字关注我们”、“阅读原文”",
        "  注意：原文的图片没有随文字复制，已删去 1 行图片说明：“▲ 草原4号苜蓿示范田”；需要时请另行插入图片和图注",
        "  修复：数字前当负号用的连字符改为负号“−” 1 处；删去汉字与数字、字母之间的空格 3 处"]


@pytest.mark.parametrize("credit", ["（责任编辑：王敏）", "(编辑：王敏)", "【责任编辑：王敏】",
                                    "（编辑：李娜　审核：王大海）"])
def test_a_bracketed_editors_credit_ending_a_web_page_is_dropped_and_named(credit):
    """"（责任编辑：王敏）" at the end of a copied web page stayed as the article's last
    paragraph, where "责任编辑：王敏" was dropped (an unseen issue, P10 D13). A bracketed
    source goes to the front matter as before; a bracketed telephone number is text."""
    text = ("市科技局召开科技工作会议\n\n　　会议强调，各单位要认真落实全年目标任务。\n\n"
            "　　会议要求，各地要压实责任。\n\n（电话：0471-4366683）\n\n（来源：内蒙古日报）\n\n"
            f"{credit}\n分享到：微信　微博\n")
    result = import_text(text)
    [draft] = result.drafts
    assert draft.blocks == ("会议强调，各单位要认真落实全年目标任务。", "会议要求，各地要压实责任。", "（电话：0471-4366683）")
    assert draft.source == "内蒙古日报"
    assert result.notes[1] == f"跳过 1 行不属于任何文章的短行（报头、报尾等）：“{credit}”"


def test_the_import_report_names_the_author_a_byline_gave(make_issue, tmp_path):
    """"市科技局高新处　张文斌" under a PDF copy's title became `author: 张文斌`; the report
    named a web page's source, not this author (an unseen issue, P10 D13)."""
    manifest = make_issue(files={})
    source = tmp_path / "pdfcopy.txt"
    source.write_text("关于2043年度全市高新技术企业发展情况的调研报告\n\n市科技局高新处　张文斌\n\n"
                      "    截至2043年底，全市有效期内高新技术企业达到1 286家。\n", encoding="utf-8")
    reports = import_files([Source(str(source), source.read_bytes(), source)], manifest)
    lines = [text for _detail, text in describe_import(reports)]
    assert lines[1].startswith("  《关于2043年度全市高新技术企业发展情况的调研报告》1 段，作者：张文斌 → ")


def test_hard_wrapped_text_with_indented_paragraphs():
    text = ("　　关于加快科技成果转化的若干做法\n\n"
            "　　近年来，我市持续推进科技成果转化，取得了 明显成效。截至 2023 年底，\n"
            "全市技术合同成交额达到 490 亿元。\n"
            "　　一是完善政策体系。出台若干措施，支持企业\n"
            "开展研发。\n"
            "— 2 —\n"
            "　　二是搭建转化平台。建设中试基地 12 个。\n")
    [draft] = import_text(text).drafts
    assert draft.title == "关于加快科技成果转化的若干做法"
    # The space in "取得了 明显成效" was left by the PDF's layout: printed, it is a hole in the line.
    assert draft.blocks == ("近年来，我市持续推进科技成果转化，取得了明显成效。截至2023年底，全市技术合同成交额达到490亿元。",
                            "**一是完善政策体系。**出台若干措施，支持企业开展研发。",
                            "**二是搭建转化平台。**建设中试基地12个。")


def test_a_pdf_copied_article_keeps_its_title_its_byline_and_loses_its_running_head():
    """Three pages of a PDF copied: its title, then "unit　name" (taken for the title, the real
    title skipped as a line with no text under it), and the running head "科技动态 2024年第5期"
    above each folio, twice only (glued into a paragraph once, taken for an article's title
    once). The title stays, the name is the author, the head goes."""
    text = ("长三角地区新型研发机构建设的经验与做法\n市科技情报研究所 周文博\n"
            "近年来，长三角地区把新型研发机构作为推动科技创新和\n产业升级的重要抓手。\n"
            "一、投入主体多元化\n江苏省产业技术研究院采取“一所两制”模式，研究所既保\n"
            "留高校院所的科研机制，又实行企业化运营。省财政每年安排\n专项资金约10亿元，带动地方政府和企业投入超过30亿元。\n"
            "科技动态 2024年第5期\n— 3 —\n"
            "浙江省之江实验室由省政府、浙江大学和阿里巴巴集团共同\n出资建设，注册资本达到100亿元。\n"
            "二、运行机制市场化\n上海市对新型研发机构实行“预算+负面清单”管理。\n"
            "科技动态 2024年第5期\n— 4 —\n"
            "（三）强化绩效评价。评价结果与财政支持挂钩。\n")
    [draft] = import_text(text).drafts
    assert (draft.title, draft.author) == ("长三角地区新型研发机构建设的经验与做法", "周文博")
    assert not any("科技动态" in block for block in draft.blocks), draft.blocks
    assert draft.blocks[0].startswith("近年来，") and "## 二、运行机制市场化" in draft.blocks, draft.blocks


@pytest.mark.parametrize("byline, author", [
    ("本报记者  陈曦", "陈曦"),
    ("记者 张三 通讯员 李四", "张三、李四"),
    ("新华社记者　王敏、刘华", "王敏、刘华"),
])
def test_a_reporters_byline_under_the_title_is_its_author_not_its_title(byline, author):
    """A newspaper page copied from a PDF: its running head, the title, the reporter's byline,
    then the text. The byline was taken for the title, and the title, with only a short line
    under it, was skipped as a masthead line (probes P3, D2)."""
    head = "科技日报  2033年4月20日  第5版\n"
    text = (head + "我国全固态锂电池研发取得阶段性突破\n" + byline + "\n"
            "　　记者从中国科学院物理研究所获悉，该所与国内\n多家电池企业联合攻关，研制出全固态锂电池样品。\n"
            + head + "— 5 —\n"
            "　　全固态电池采用固态电解质替代传统的液态电解液\n和隔膜，被认为是下一代动力电池的主要技术方向。\n"
            + head + "— 6 —\n")
    result = import_text(text)
    [draft] = result.drafts
    assert (draft.title, draft.author) == ("我国全固态锂电池研发取得阶段性突破", author)
    assert draft.blocks[0].startswith("记者从中国科学院") and len(draft.blocks) == 2, draft.blocks
    assert not result.notes, result.notes


@pytest.mark.parametrize("copied, title", [
    ("内蒙古医科大学 蒙医药 研究 取得 新进展", "内蒙古医科大学蒙医药研究取得新进展"),  # words: dropped
    ("科技 赋能 乡村振兴", "科技赋能乡村振兴"),
    ("稳增长 调结构 惠民生", "稳增长　调结构　惠民生"),  # three phrases: ideographic spaces
    ("南京深化产学研融合 畅通成果转化渠道", "南京深化产学研融合　畅通成果转化渠道"),
])
def test_a_title_copied_word_by_word_loses_its_spaces_a_two_phrase_title_keeps_one(copied, title):
    """A web page copied with a space between words: the body was de-spaced, the title set
    with four ideographic spaces (probes P3, D13)."""
    text = copied + "\n\n发布时间：2033-04-30 来源：内蒙古医科大学\n\n近日 , 科研团队 在 蒙药 “ 珍宝丸 ” 研究方面 取得 新进展 .\n"
    [draft] = import_text(text).drafts
    assert draft.title == title
    assert draft.blocks == ("近日，科研团队在蒙药“珍宝丸”研究方面取得新进展。",)


def test_a_reporters_byline_keeps_the_space_after_its_role_as_an_ideographic_one():
    """"（记者 郝婷）" was printed "（记者郝婷）": a byline is written "单位　姓名", with an
    ideographic space, which the other spaces between Han characters are not (P3, D17)."""
    text = ("鄂尔多斯绿氢产业按下快进键\n\n全市已建成风光制氢项目7个 , 减少 排放 约 730 万吨 .\n\n"
            "（记者 郝婷 通讯员 李强）\n\n氢能重卡在干线上运行。（记者 王敏 摄）\n")
    [draft] = import_text(text).drafts
    assert draft.blocks == ("全市已建成风光制氢项目7个，减少排放约730万吨。", "（记者　郝婷　通讯员　李强）",
                            "氢能重卡在干线上运行。（记者　王敏　摄）")


LETTER_BODY = ("赤峰市科技特派员服务乡村振兴成效明显\n\n"
               "2032年以来，赤峰市深入推行科技特派员制度，选派科技特派员1 236名。\n\n"
               "一是聚焦主导产业精准选派。建立双向选择机制。\n\n二是推广先进适用技术。全年引进推广新品种182个。\n\n")


@pytest.mark.parametrize("head, tail", [
    ("发件人: 赤峰市科技局 <zhk@cfkj.gov.cn>\n发送时间: 2033年5月9日 16:42\n主题: 转发：工作情况\n\n",
     "祝好！\n\n--\n王丽\n赤峰市科学技术局综合科\n电话：0476-8880000\n"),
    ("李老师您好：\n\n附上我局工作情况，供选用，谢谢！\n\n", "此致\n敬礼！\n\n王丽\n2033年5月9日\n"),
])
def test_an_e_mails_or_letters_closing_is_dropped_with_its_signature(head, tail):
    """"祝好！" stood as the last paragraph of an article copied out of an e-mail whose header,
    greeting and signature were dropped (probes P3, D11)."""
    result = import_text(head + LETTER_BODY + tail)
    [draft] = result.drafts
    assert draft.blocks[-1] == "**二是推广先进适用技术。**全年引进推广新品种182个。", draft.blocks
    assert any(tail.split("\n")[0] in note for note in result.notes), result.notes


def test_a_thank_you_ending_a_text_that_is_no_letter_stays():
    [draft] = import_text(LETTER_BODY + "谢谢！\n").drafts
    assert draft.blocks[-1] == "谢谢！"


def test_subheads_and_source_line():
    text = ("科技成果转化情况\n\n来源：市科技局\n\n一、总体情况\n\n全年成交额增长 12%。\n\n"
            "二、下一步打算\n\n继续推进。\n")
    [draft] = import_text(text).drafts
    assert draft.source == "市科技局"
    assert draft.blocks == ("## 一、总体情况", "全年成交额增长12%。", "## 二、下一步打算", "继续推进。")


@pytest.mark.parametrize("raw, clean", [
    ("年化 1% 的补贴", "年化1%的补贴"),
    ("恒烁(合肥)半导体", "恒烁（合肥）半导体"),
    ("“宁科贷”,“宁科投”", "“宁科贷”，“宁科投”"),
    ("同比增加16.87%,服务企业", "同比增加16.87%，服务企业"),
    ("电话:4366683", "电话：4366683"),
    ('他说"你好"。', "他说“你好”。"),
    ("等待...", "等待……"),
    ("共１２３家", "共123家"),
    ("2,000 家企业", "2,000家企业"),  # a thousands separator stays
    ("见 http://example.org/a,b", "见http://example.org/a,b"),
    ("English, words: here", "English, words: here"),  # no Chinese context: untouched
    ("温度36℃,湿度60%", "温度36℃，湿度60%"),  # after a sign that ends a number, as after a digit
    ("热膨胀系数10⁻⁶/℃,达到先进水平", "热膨胀系数10⁻⁶/℃，达到先进水平"),
    # a GB/T 7714 reference keeps the marks and spaces it was typed with
    ("[1] 王建国, 李红. 研究进展[J]. 物理学报, 2032, 71(8): 1-9.", "[1] 王建国, 李红. 研究进展[J]. 物理学报, 2032, 71(8): 1-9."),
    ("≤1.1×10⁻⁶/℃,达到国内先进水平", "≤1.1×10⁻⁶/℃，达到国内先进水平"),  # after a unit sign too (P3, D10)
    ("升温30°,随后", "升温30°，随后"),
    # a unit in brackets after a slash keeps its brackets (GB 3102), a Chinese one does not (P10 D1)
    ("煤耗降至298.6 g/(kW·h),比上年", "煤耗降至298.6 g/(kW·h)，比上年"),
    ("成本0.18元/(kW·h)以下", "成本0.18元/(kW·h)以下"),
    ("单位：万元/(人·年)", "单位：万元/（人·年）"),
    # a quantity's or a formula's brackets are half width (GB 3101), with the spaces typed (P12 D4)
    ("厚度为(3.5 ± 0.2) nm,温度(320 ± 10) ℃", "厚度为(3.5 ± 0.2) nm，温度(320 ± 10) ℃"),
    ("按A₀e^(−λt)计算,L = c / (2f),其中", "按A₀e^(−λt)计算，L = c / (2f)，其中"),
    ("写成“(25 ± 2) ℃”,体积分数“%(V/V)”", "写成“(25 ± 2) ℃”，体积分数“%(V/V)”"),
    ("人工智能 (AI) 技术,设备(PET/CT),规划(2024)", "人工智能（AI）技术，设备（PET/CT），规划（2024）"),
    # a hyphen typed for a minus before a number is the minus sign; a range's or a code's is not (P10 D13)
    ("冬季最低气温 -40℃的条件下", "冬季最低气温−40℃的条件下"),
    ("增速为（-3.5%），温差为-5～5℃", "增速为（−3.5%），温差为−5～5℃"),
    ("2024-2025年，GB-1型、A-3型", "2024-2025年，GB-1型、A-3型"),
])
def test_in_paragraph_repairs(raw, clean):
    assert clean_paragraph(raw) == clean


def test_a_text_without_a_title_line_needs_one(make_issue):
    path = make_issue()
    done = run("import", "-", "--issue", str(path.parent), stdin="这是一段没有标题的正文，说明了情况。\n".encode())
    assert done.returncode == 1
    assert done.stderr.decode() == ("错误：-: 没有找到文章标题：标题应单独成行、不以句号结尾，其后是正文；"
                                    "也可以用 --title 指定标题\n")
    done = run("import", "-", "--issue", str(path.parent), "--title", "粘贴的文章",
               stdin="这是一段没有标题的正文, 说明了 3 项情况。\n".encode("gb18030"))
    assert done.returncode == 0, done.stderr.decode()
    article = path.parent / "articles" / "01-粘贴的文章.md"
    assert article.read_text(encoding="utf-8") == "---\ntitle: 粘贴的文章\n---\n\n这是一段没有标题的正文，说明了3项情况。\n"
    assert "注意：文件不是 UTF-8 编码，已按 GBK（GB18030） 读取" in done.stderr.decode()


def test_cli_import_of_the_seed_appends_to_the_manifest_and_keeps_its_comments(make_issue):
    commented = MANIFEST.replace("editor: 李涛", "editor: 李涛   # 本期责编\n# 下面是文章")
    path = make_issue(commented)
    before = path.read_text(encoding="utf-8")
    done = run("import", str(SEED), "--issue", str(path))
    assert done.returncode == 0, done.stderr.decode()
    out = done.stderr.decode()
    assert "bulletin-2024-02.txt：找到 8 篇文章" in out
    assert "《宁波聚力“创新深化”打造“科教产共同体”》7 段，加粗段首语 4 处 → " in out
    assert "注意：原文目录漏列：《宁波聚力“创新深化”打造“科教产共同体”》" in out
    after = path.read_text(encoding="utf-8")
    added = after[len(before):]
    assert after.startswith(before)  # comments, order, quoting: nothing above changed
    assert re.findall(r"  - articles/(\d\d)-", added) == [f"{n:02d}" for n in range(1, 9)]
    written = sorted((path.parent / "articles").glob("0[1-8]-*.md"))
    assert [p.read_text(encoding="utf-8") for p in written] == [p.read_text(encoding="utf-8")
                                                                for p in SAMPLE_ARTICLES]


def test_unsupported_files_are_named(tmp_path, make_issue):
    path = make_issue()
    old = tmp_path / "稿件.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    done = run("import", str(old), "--issue", str(path.parent), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.decode() == ("错误：稿件.doc: 不支持的文件类型 '.doc'："
                                    "旧版 Word 文件（.doc）请先在 Word 或 WPS 中“另存为” .docx\n")
    done = run("import", "x.txt", "--issue", "no-such-issue", cwd=tmp_path)
    assert done.returncode == 1 and "找不到这一期" in done.stderr.decode()
