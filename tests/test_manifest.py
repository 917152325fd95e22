"""Stage 1: issue.yaml → Manifest, and the one-line errors an editor sees for bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import MANIFEST, SAMPLE
from kjtypeset.errors import KjError
from kjtypeset.inputs.manifest import load_manifest


def with_line(key: str, line: str | None) -> str:
    """MANIFEST with the line for ``key`` replaced (or removed with None, or added at line 4)."""
    lines = MANIFEST.splitlines()
    for i, old in enumerate(lines):
        if old.startswith(key + ":"):
            if line is None:
                del lines[i]
            else:
                lines[i] = line
            break
    else:
        lines.insert(3, line)
    return "\n".join(lines) + "\n"


def error_of(make_issue, manifest: str, **kwargs) -> str:
    """The message as the CLI prints it, run from the folder that holds the issue folder."""
    path = make_issue(manifest, **kwargs)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(path.parent.parent)
        with pytest.raises(KjError) as caught:
            load_manifest(path)
        return str(caught.value)


def test_sample_manifest_loads_all_eight_articles_in_order():
    manifest = load_manifest(SAMPLE)
    assert manifest.bulletin == "科技情报参考"
    assert manifest.issue_label == "2024年第2期"
    assert manifest.date == dt.date(2024, 2, 28)
    assert manifest.phone == "4366683"
    assert [a.path.name for a in manifest.articles] == [
        "01-quzhou.md", "02-nanjing-fintech.md", "03-xiangyang.md", "04-nanjing-ecosystem.md",
        "05-hefei.md", "06-nanjing-123.md", "07-ningbo.md", "08-hangzhou.md"]


def test_optional_fields_and_article_mappings(make_issue):
    manifest = load_manifest(make_issue(MANIFEST.replace("articles:\n  - articles/a.md", """\
total: 86
supplement: true
copies: 200
phone: 4366683
reviewer: 王芳
distribution:
  报: [市委办公室, 市政府办公室]
  发: 各旗县区科技局
articles:
  - {file: articles/a.md, section: 科技金融}""")))
    assert manifest.total == 86 and manifest.copies == 200
    assert manifest.issue_label == "2024年增刊第3期"
    assert manifest.phone == "4366683"
    assert manifest.distribution == (("报", ("市委办公室", "市政府办公室")), ("发", ("各旗县区科技局",)))
    assert manifest.articles[0].section == "科技金融"
    assert manifest.layout == "jianbao"


def test_counts_and_dates_are_read_as_an_editor_writes_them(make_issue):
    """copies: 150份, total: 第175期, date: 2032年5月8日 (or 2032/5/8) were refused with a
    message; they mean what they say."""
    text = MANIFEST.replace("articles:", "total: 第175期\ncopies: 150份\narticles:")
    text = re.sub(r"date: \S+", "date: 2024年2月8日", text)
    manifest = load_manifest(make_issue(text))
    assert (manifest.total, manifest.copies, manifest.date) == (175, 150, dt.date(2024, 2, 8))
    manifest = load_manifest(make_issue(re.sub(r"date: \S+", "date: 2024/2/8", MANIFEST)))
    assert manifest.date == dt.date(2024, 2, 8)


@pytest.mark.parametrize("entry, names", [
    ("市委宣传部、市发展改革委、市科技局。", ("市委宣传部", "市发展改革委", "市科技局")),
    ("市委宣传部，市发展改革委；市科技局", ("市委宣传部", "市发展改革委", "市科技局")),
    # Commas and 、 in one entry: 、 is the lower level, inside a name (who receives it)
    ("各盟行政公署、市人民政府能源主管部门，满洲里市、二连浩特市能源主管部门。",
     ("各盟行政公署、市人民政府能源主管部门", "满洲里市、二连浩特市能源主管部门")),
])
def test_a_distribution_entry_is_split_at_its_highest_separator(make_issue, entry, names):
    manifest = load_manifest(make_issue(MANIFEST.replace("articles:", f"distribution:\n  发: {entry}\narticles:")))
    assert manifest.distribution == (("发", names),)


@pytest.mark.parametrize("line, message", [
    # The line of the bracket left open, not the next key's, where PyYAML noticed it.
    ("year: [2024", "2024-03/issue.yaml:2: YAML 语法错误：方括号 [ ] 中的列表没有闭合，或缺少逗号"),
    ("pubisher: 某单位", "2024-03/issue.yaml:4: 未知的键 'pubisher'：应为 bulletin、year、number、total、"
     "supplement、date、publisher、editor、phone、reviewer、copies、classification、distribution、"
     "layout、raw_html、articles 之一，是否应为 'publisher'？"),
    ("number: 二", "2024-03/issue.yaml:3: number（期号）应为正整数，实际为“二”"),
    ("number: 0", "2024-03/issue.yaml:3: number（期号）应为正整数，实际为“0”"),
    # A date in the right form says what is wrong with it (an unseen issue's 2037-02-30).
    ("date: 2024-02-30", "2024-03/issue.yaml:4: date（印发日期）应为日期（如 2024-02-28），实际为“2024-02-30”："
     "2024年2月只有29天"),
    ("date: 2024年13月1日", "2024-03/issue.yaml:4: date（印发日期）应为日期（如 2024-02-28），实际为“2024年13月1日”："
     "没有13月"),
    ("date: 二月底", "2024-03/issue.yaml:4: date（印发日期）应为日期（如 2024-02-28），实际为“二月底”"),
    ("supplement: 是", "2024-03/issue.yaml:4: supplement（增刊）应为 true 或 false，实际为“是”"),
    ("bulletin:", "2024-03/issue.yaml:1: bulletin（简报名称）应为文本，实际为空值"),
    ("phone: [1, 2]", "2024-03/issue.yaml:4: phone（电话）应为文本，实际为一个列表"),
    ("distribution: [a]", "2024-03/issue.yaml:4: distribution（分送范围）应为一组“键: 值”，实际为一个列表"),
    ("extra: !!python/object:os.system ls", "2024-03/issue.yaml:4: 不支持的 YAML 标签 "
     "!!python/object:os.system：只接受文本、数字、日期、列表和映射"),
    ("editor: 李涛\neditor: 王芳", "2024-03/issue.yaml:7: 键 'editor' 重复出现（第 6 行已有）"),
    # A value quoted in the message may hold a line break: shown escaped, the message one line.
    ('bulletin: "\\n"', "2024-03/issue.yaml:1: bulletin（简报名称）应为文本，实际为“\\n”"),
])
def test_bad_values_name_line_expected_and_found(make_issue, line, message):
    key = line.split(":")[0]
    assert error_of(make_issue, with_line(key, line)) == message


@pytest.mark.parametrize("line, message", [
    # PyYAML finds a missing colon on the line after the key: the key's line is the one to fix.
    ("number 3", "2024-03/issue.yaml:3: YAML 语法错误：缺少冒号“:”"),
    ('publisher: "呼和浩特市科学技术局', "2024-03/issue.yaml:5: YAML 语法错误：引号或括号没有闭合"),
    # A half-width colon and space in a plain value (P9 D16): the fix is named.
    ("publisher: 科技局: 综合保障中心 # 编印", "2024-03/issue.yaml:5: YAML 语法错误：publisher 的值里有半角冒号，"
     'YAML 把它读成了又一个“键: 值”：编印单位里有半角冒号时给整个编印单位加引号（publisher: "科技局: 综合保障中心"），'
     "或改用全角冒号“：”"),
])
def test_yaml_syntax_errors_name_the_line_to_fix(make_issue, line, message):
    assert error_of(make_issue, with_line(line.split()[0].rstrip(":"), line)) == message


@pytest.mark.parametrize("key, label", [
    ("bulletin", "简报名称"), ("year", "年份"), ("number", "期号"), ("date", "印发日期"),
    ("publisher", "编印单位"), ("editor", "编辑"),
])
def test_missing_required_key(make_issue, key, label):
    assert error_of(make_issue, with_line(key, None)) == f"2024-03/issue.yaml:1: 缺少必填项 '{key}'（{label}）"


def test_missing_article_list(make_issue):
    manifest = MANIFEST.split("articles:")[0]
    assert error_of(make_issue, manifest) == "2024-03/issue.yaml:1: 缺少必填项 'articles'（文章列表）"


def test_article_file_that_does_not_exist(make_issue):
    manifest = MANIFEST + "  - articles/news.md\n"
    assert error_of(make_issue, manifest) == "2024-03/issue.yaml:9: articles 第2项：找不到文章文件 'articles/news.md'"


def test_two_article_items_run_together_say_why(make_issue):
    """The next item's "- " indented one space more is folded by YAML into this item: the
    message named the file 'articles/a.md - articles/b.md' and not why (P13, an editor's slip)."""
    files = {"articles/b.md": "---\ntitle: 标题\n---\n"}
    assert error_of(make_issue, MANIFEST + "   - articles/b.md\n", files=files) == (
        "2024-03/issue.yaml:8: articles 第1项：找不到文章文件 'articles/a.md - articles/b.md'："
        "下一行（第 9 行）的“- ”比这一项的多缩进了 1 格，YAML 把两项连成了一项；请让各项的“- ”上下对齐")
    assert error_of(make_issue, MANIFEST.replace("a.md", "a.md - articles/b.md"), files=files) == (
        "2024-03/issue.yaml:8: articles 第1项：找不到文章文件 'articles/a.md - articles/b.md'："
        "一行里写了两项？每项应另起一行，以“- ”开头")


def test_a_colon_in_an_article_entry_names_the_fix(make_issue):
    manifest = MANIFEST.replace("  - articles/a.md", "  - file: articles/a.md\n    section: 科技: 金融")
    assert error_of(make_issue, manifest) == (
        "2024-03/issue.yaml:9: YAML 语法错误：section 的值里有半角冒号，YAML 把它读成了又一个“键: 值”："
        '栏目里有半角冒号时给整个栏目加引号（section: "科技: 金融"），或改用全角冒号“：”')


def test_an_article_file_named_in_another_case_names_the_file(make_issue):
    """It works on Windows and macOS, not here; the existing file is named, as for images (P9 D16)."""
    article = "---\ntitle: 标题\n---\n"
    files = {"articles/a.md": article, "articles/03-mit.md": article, "Photos/x.md": article}
    assert error_of(make_issue, MANIFEST + "  - articles/03-MIT.md\n", files=files) == (
        "2024-03/issue.yaml:9: articles 第2项：找不到文章文件 'articles/03-MIT.md'："
        "同一文件夹里有 '03-mit.md'，文件名的大小写要与文件一致")
    assert error_of(make_issue, MANIFEST + "  - {file: photos/X.md, section: 图片}\n", files=files) == (
        "2024-03/issue.yaml:9: articles 第2项：找不到文章文件 'photos/X.md'："
        "期刊文件夹里有 'Photos/x.md'，文件夹和文件名的大小写要与实际一致")


def test_article_paths_stay_inside_the_issue_folder(make_issue):
    manifest = MANIFEST + "  - ../../etc/passwd\n  - /etc/passwd\n"
    assert error_of(make_issue, manifest) == (
        "2024-03/issue.yaml:9: articles 第2项：文章应在期刊文件夹之内，实际 '../../etc/passwd' 指向其外")


def test_article_mapping_needs_a_file(make_issue):
    manifest = MANIFEST.replace("  - articles/a.md", "  - {section: 科技金融}")
    assert error_of(make_issue, manifest) == "2024-03/issue.yaml:8: 缺少必填项 'file'（文章文件）"


def test_empty_manifest(make_issue):
    assert error_of(make_issue, "") == "2024-03/issue.yaml:1: 缺少必填项 'bulletin'（简报名称）"


def test_billion_laughs_fails_fast(make_issue):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]\n"
    message = error_of(make_issue, bomb)
    assert "内容过多：应不超过 20000 个值" in message


def test_a_manifest_the_desk_cannot_edit_names_the_line_to_fix(make_issue):
    """Adding articles (import, desk) reads the manifest with ruamel: the same line, in Chinese."""
    from kjtypeset.editor.manifestedit import load_for_edit

    path = make_issue(with_line("number", "number 3"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(path.parent.parent)
        with pytest.raises(KjError) as caught:
            load_for_edit(path)
        assert str(caught.value) == "2024-03/issue.yaml:3: 期刊清单无法解析，未改动：缺少冒号“:”"
    path = make_issue(with_line("publisher", "publisher: 科技局: 综合保障中心"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(path.parent.parent)
        with pytest.raises(KjError) as caught:
            load_for_edit(path)
        assert str(caught.value) == (
            "2024-03/issue.yaml:5: 期刊清单无法解析，未改动：publisher 的值里有半角冒号，YAML 把它读成了又一个“键: 值”："
            '编印单位里有半角冒号时给整个编印单位加引号（publisher: "科技局: 综合保障中心"），或改用全角冒号“：”')
