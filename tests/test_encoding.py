"""Issue 14, item 1: manifests and articles in GBK, UTF-16 or UTF-8 with a BOM are read, with a
one-line notice offering `kjtypeset fix-encoding`; bytes that fit no encoding are a one-line
error naming file and line, in the CLI and in the preview; never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pypdf import PdfReader

from conftest import ARTICLE, MANIFEST
from kjtypeset.build import build_issue
from kjtypeset.errors import KjError, collecting_warnings
from kjtypeset.inputs.articles import read_articles
from kjtypeset.inputs.encoding import decode
from kjtypeset.inputs.manifest import load_manifest

TEXT = ("---\ntitle: 呼和浩特市科技局召开2024年科技工作会议\n---\n\n"
        "2023年，全市技术合同成交额增长21%。全市高新技术企业达到500家。\n\n"
        "会议要求，要聚焦“科技兴蒙”行动，推动创新链产业链深度融合。\n")
NOTICE = ("文件是 {label} 编码（不是 UTF-8），已按 {label} 读取；"
          "可运行 kjtypeset fix-encoding 2024-03/articles/a.md 改存为 UTF-8（原文件留作备份）")


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "kjtypeset", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=180)


@pytest.mark.parametrize("encoding, data, label", [
    ("gbk", TEXT.encode("gbk"), "GBK（GB18030）"),
    ("gb18030", (TEXT + "䶮𠮷\n").encode("gb18030"), "GBK（GB18030）"),  # beyond GBK
    ("utf-16 (Word's Unicode text)", TEXT.replace("\n", "\r\n").encode("utf-16"), "UTF-16"),
    ("utf-16-le without a mark", TEXT.encode("utf-16-le"), "UTF-16"),
    ("utf-8 with a BOM", TEXT.encode("utf-8-sig"), None),
])
def test_an_article_in_any_common_encoding_is_read_with_a_notice(make_issue, monkeypatch, encoding, data, label):
    path = make_issue(files={"articles/a.md": data})
    monkeypatch.chdir(path.parent.parent)
    with collecting_warnings() as warnings:
        [article] = read_articles(load_manifest(path))
    assert article.title == "呼和浩特市科技局召开2024年科技工作会议"
    assert "全市技术合同成交额增长21%。" in article.body_html and "\r" not in article.title
    assert [str(w) for w in warnings] == ([] if label is None else
                                          ["2024-03/articles/a.md: " + NOTICE.format(label=label)])


def test_a_gbk_manifest_is_read_with_the_same_notice(make_issue, monkeypatch):
    path = make_issue()
    path.write_bytes(MANIFEST.replace("editor: 李涛", "editor: 王芳").encode("gbk"))
    monkeypatch.chdir(path.parent.parent)
    with collecting_warnings() as warnings:
        manifest = load_manifest(path)
    assert manifest.editor == "王芳" and manifest.publisher == "呼和浩特市科学技术局综合保障中心"
    assert [str(w) for w in warnings] == [
        "2024-03/issue.yaml: 文件是 GBK（GB18030） 编码（不是 UTF-8），已按 GBK（GB18030） 读取；"
        "可运行 kjtypeset fix-encoding 2024-03/issue.yaml 改存为 UTF-8（原文件留作备份）"]


def test_pasted_line_breaks_and_control_characters_do_not_stop_the_build(make_issue, monkeypatch, tmp_path):
    """Text copied from Word carries U+000B for a manual line break, from a PDF U+000C, from
    the web U+2028; a stray escape or bell is invisible. The breaks are read as line breaks (a
    paragraph's lines join), the other controls are removed with a notice naming the first:
    they stopped the build as characters no font has, naming the manifest."""
    body = ("---\ntitle: 标题\n---\n\n技术合同\x0b成交额增长21%，\u2028英文 Hugging\x0bFace 模型。\n\n"
            "第二段\x1b[0m有控制字符\x07。\n")
    path = make_issue(files={"articles/a.md": body})
    monkeypatch.chdir(path.parent.parent)
    result = build_issue(path, tmp_path / "out", editions=("proof",))
    assert [str(w) for w in result.warnings] == [
        "2024-03/articles/a.md:7: 有看不见的控制字符 U+001B（从其他程序复制时带进来的），已删去"]
    text = "".join(page.extract_text() for page in PdfReader(result.pdf).pages)
    assert "技术合同成交额增长21%，英文Hugging Face模型。" in text.replace("\n", "")  # Han–Latin spacing is no space
    assert "第二段[0m有控制字符。" in text.replace("\n", "")


def test_damaged_utf8_is_an_error_at_the_line_of_the_bad_byte():
    data = bytearray(TEXT.encode("utf-8"))
    data[data.index("会议要求".encode()) + 1] = 0xFF  # line 7
    with pytest.raises(KjError) as error:
        decode(bytes(data), "a.md")
    assert str(error.value) == ("a.md:7: 文件应为 UTF-8、GBK（GB18030）或 UTF-16 编码的文本，"
                                "这一行“□□□议要求，要”中有无法识别的字节（□），文件的其余部分是 UTF-8：可能文件已损坏，"
                                "或混入了其他编码的文字：请在编辑器中改正这一行后保存为 UTF-8")


def test_bytes_that_fit_no_encoding_are_an_error_at_their_line():
    data = b"title\n\x80\x81\xff\xfe\x00"  # odd length: not UTF-16; 0x80, 0xFF: not GB18030
    with pytest.raises(KjError) as error:
        decode(data, "a.md")
    assert str(error.value) == ("a.md:2: 文件应为 UTF-8、GBK（GB18030）或 UTF-16 编码的文本，"
                                "实际按哪一种都读不通（第一处无法识别的字节在这一行“□□□□\\x00”）："
                                "请在编辑器中打开，另存为 UTF-8 编码")


@pytest.mark.slow
def test_cli_builds_a_gbk_article_with_one_notice_and_fix_encoding_rewrites_it(make_issue, tmp_path):
    path = make_issue(files={"articles/a.md": TEXT.encode("gbk")})
    sources = path.parent.parent
    done = run("build", "2024-03/issue.yaml", "--edition", "proof", "--output", str(tmp_path / "out"), "-q",
               cwd=sources)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "警告：" + "2024-03/articles/a.md: " + NOTICE.format(label="GBK（GB18030）") + "\n"

    done = run("fix-encoding", "2024-03", cwd=sources)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ("已改存为 UTF-8：2024-03/articles/a.md（原为 GBK（GB18030），原文件保留为 "
                           "2024-03/articles/a.md.gb18030.bak）\n改存了 1 个文件。\n")
    assert (path.parent / "articles" / "a.md").read_text(encoding="utf-8") == TEXT
    assert (path.parent / "articles" / "a.md.gb18030.bak").read_bytes() == TEXT.encode("gbk")
    done = run("fix-encoding", "2024-03", cwd=sources)
    assert done.stderr == "2 个文件都已是 UTF-8，未改动。\n"
    done = run("build", "2024-03/issue.yaml", "--edition", "proof", "--output", str(tmp_path / "out"), "-q",
               "--strict", cwd=sources)
    assert done.returncode == 0 and done.stderr == ""


@pytest.mark.slow
def test_cli_and_preview_report_undecodable_bytes_as_one_line_naming_file_and_line(make_issue, tmp_path,
                                                                                    monkeypatch):
    from kjtypeset.editor.preview import Preview

    broken = ARTICLE.encode("utf-8") + b"\n\xbc\xbc\xca\xf5\x80\n"
    path = make_issue(files={"articles/a.md": broken})
    sources = path.parent.parent
    expected = ("错误：2024-03/articles/a.md:7: 文件应为 UTF-8、GBK（GB18030）或 UTF-16 编码的文本，"
                "这一行“□□□□□”中有无法识别的字节（□），文件的其余部分是 UTF-8：可能文件已损坏，或混入了其他编码的文字："
                "请在编辑器中改正这一行后保存为 UTF-8")
    done = run("build", "2024-03/issue.yaml", "-q", "--output", str(tmp_path / "out"), cwd=sources)
    assert done.returncode == 1 and done.stderr == expected + "\n"
    monkeypatch.chdir(sources)
    preview = Preview(path, tmp_path / "preview")
    preview.rebuild()
    assert preview.snapshot()["error"] == expected

    (path.parent / "articles" / "a.md").write_bytes(ARTICLE.encode("gbk"))
    preview.rebuild()
    state = preview.snapshot()
    assert state["error"] is None and len(state["pages"]) == 2
    assert state["warnings"] == ["警告：2024-03/articles/a.md: " + NOTICE.format(label="GBK（GB18030）")]
