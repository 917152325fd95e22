"""`kjtypeset check` and `kjtypeset unpack` as a print shop and an archivist meet them."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject, TextStringObject

from kjtypeset.cli import main
from kjtypeset.errors import KjError
from kjtypeset.pdf.sources import unpack_sources


def run(*args, cwd=None):
    """The command in this process (the subprocess tests in test_cli cover the entry point)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        code = main(list(args))
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def editions(sample_build):
    return {output.edition: output.path for output in sample_build.outputs}


def broken(source, tmp_path, name, change) -> str:
    """A copy of ``source`` with one defect, named like the edition it imitates."""
    writer = PdfWriter(clone_from=PdfReader(source))
    change(writer)
    target = tmp_path / name
    with open(target, "wb") as out:
        writer.write(out)
    return str(target)


def add_rgb_rectangle(writer):
    page = writer.pages[2]
    data = page.get_contents().get_data() + b"\nq 1 0 0 rg 10 10 50 50 re f Q\n"
    stream = DecodedStreamObject()
    stream.set_data(data)
    page[NameObject("/Contents")] = writer._add_object(stream)


def unembed_a_font(writer):
    font = next(iter(writer.pages[1]["/Resources"]["/Font"].values())).get_object()
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    del descriptor["/FontFile3"]


@pytest.mark.parametrize("edition, kind", [("proof", "校样版（普通 PDF）"), ("print", "印刷版（PDF/X）"),
                                           ("archive", "存档版（PDF/A）")])
def test_every_edition_passes(editions, sample_build, edition, kind):
    done = run("check", str(editions[edition]))
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert lines[0].endswith(f"：{kind}")
    assert lines[-1] == "结论：通过（0 项失败，0 项警告）"
    assert "[通过] 目录：8 条目录与书签、正文页一致" in done.stdout
    folios = sample_build.pages - 2  # all but the masthead page and the 版记 page
    assert f"[通过] 页码：印出的页码与页码标签一致（{folios} 页有页码）" in done.stdout
    assert "未检查：" in done.stdout and "veraPDF" in done.stdout


def test_print_report_names_what_a_print_shop_asks(editions, sample_build):
    out = run("check", str(editions["print"])).stdout
    for expected in ("[信息] 标识：PDF 1.6；PDF/X-4",
                     f"[信息] 页面：{sample_build.pages} 页；成品尺寸 210 × 297 mm；出血 3 mm（TrimBox、BleedBox）",
                     "[信息] 输出意图：GTS_PDFX：FOGRA39（ISO Coated v2 300% (basICColor)，CMYK 特性文件）",
                     "[信息] 颜色：内容使用的颜色空间：DeviceCMYK",
                     "[通过] 颜色：没有 RGB：全部颜色为 CMYK（或灰度、专色）",
                     "[通过] 字体：3 种（"):  # faces; the text layer's twins are further subsets
        assert expected in out, expected


def test_json_for_machines(editions, sample_build):
    done = run("check", str(editions["archive"]), "--json")
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert report["passed"] is True and report["kind"] == "archive"
    assert report["facts"]["identification"]["pdfa"] == "PDF/A-3a"
    assert [a["relationship"] for a in report["facts"]["attachments"]] == ["Source"] * 9
    pages = sample_build.pages
    assert report["facts"]["page_labels"] == [str(n) for n in range(1, pages + 1)]
    assert report["facts"]["printed_folios"] == [None] + list(range(2, pages)) + [None]
    assert [c["printed"] for c in report["facts"]["contents"]] == [e.page for e in sample_build.contents]
    assert all(f["embedded"] and f["subset"] for f in report["facts"]["fonts"].values())
    assert report["not_checked"]


def test_rgb_colour_in_a_print_edition_fails(editions, tmp_path):
    path = broken(editions["print"], tmp_path, "2024-02-print.pdf", add_rgb_rectangle)
    done = run("check", path)
    assert done.returncode == 1
    assert "[失败] 颜色：印刷版中有 RGB 颜色（DeviceRGB）：第 3 页；印刷版的全部颜色应为 CMYK" in done.stdout
    assert done.stdout.splitlines()[-1] == "结论：未通过（1 项失败，0 项警告）"
    # The same colour in the proof is only reported.
    proof = broken(editions["proof"], tmp_path, "2024-02.pdf", add_rgb_rectangle)
    done = run("check", proof)
    assert done.returncode == 0 and "内容使用的颜色空间：DeviceRGB" in done.stdout  # the proof is sRGB (issue 16)


def test_an_unembedded_font_fails(editions, tmp_path):
    path = broken(editions["proof"], tmp_path, "2024-02.pdf", unembed_a_font)
    done = run("check", path)
    assert done.returncode == 1
    assert "[失败] 字体：字体 " in done.stdout and " 未嵌入：印刷厂和存档都要求全部字体嵌入" in done.stdout


def test_page_labels_that_disagree_with_the_folios_fail(editions, tmp_path):
    def relabel(writer):
        writer.set_page_label(0, len(writer.pages) - 1, style="/r", start=1)
    done = run("check", broken(editions["print"], tmp_path, "2024-02-print.pdf", relabel))
    assert done.returncode == 1
    assert "[失败] 页码：第 2 页印的页码是 2，页码标签却是 ii" in done.stdout


def test_a_print_edition_without_its_bleed_and_output_intent_fails(editions, tmp_path):
    def strip(writer):
        del writer.root_object["/OutputIntents"]
        for page in writer.pages:
            page.mediabox = page.bleedbox = page.trimbox
    done = run("check", broken(editions["print"], tmp_path, "2024-02-print.pdf", strip))
    assert done.returncode == 1
    assert "[失败] 页面：第 1 页出血只有 0.0 mm，应不少于 3 mm" in done.stdout
    assert "[失败] 输出意图：没有 OutputIntent" in done.stdout


def test_an_archive_without_sources_fails(editions, tmp_path):
    def strip(writer):
        del writer.root_object["/AF"]
        del writer.root_object["/Names"]["/EmbeddedFiles"]
    done = run("check", broken(editions["archive"], tmp_path, "2024-02-archive.pdf", strip))
    assert done.returncode == 1
    assert "[失败] 附件：没有附件：存档版应附带期刊源文件（issue.yaml 与文章）" in done.stdout


def test_a_file_that_is_not_a_pdf(tmp_path):
    """An editor may hand check the manifest: it answered with pypdf's English "Stream has ended
    unexpectedly" (P13). A file that is no PDF is named so, in Chinese, with what check reads
    and, for the issue's sources, what checks them."""
    (tmp_path / "x.pdf").write_text("不是 PDF", encoding="utf-8")
    done = run("check", "x.pdf", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == "错误：x.pdf: 不是 PDF 文件：kjtypeset check 检查排好的 PDF（如 output/2024-02/2024-02-print.pdf）\n"
    (tmp_path / "issue.yaml").write_text("bulletin: 科技情报参考\n", encoding="utf-8")
    for named, what in (("issue.yaml", "不是 PDF 文件"), (".", "这是文件夹，不是 PDF 文件")):
        done = run("check", named, cwd=tmp_path)
        assert done.returncode == 1
        assert done.stderr == (f"错误：{named}: {what}：kjtypeset check 检查排好的 PDF（如 output/2024-02/2024-02-print.pdf）"
                               "；要检查清单和文章，请用 kjtypeset build 排版，排版时会逐项检查\n")
    (tmp_path / "cut.pdf").write_bytes(b"%PDF-1.7\n1 0 obj")
    done = run("check", "cut.pdf", cwd=tmp_path)
    assert done.stderr.startswith("错误：cut.pdf: 无法读取 PDF：") and "Traceback" not in done.stderr
    done = run("check", "missing.pdf", cwd=tmp_path)
    assert done.stderr == "错误：missing.pdf: 找不到要检查的 PDF 文件\n"


def test_the_build_refuses_an_edition_its_own_check_fails(make_issue, monkeypatch):
    """Were the CMYK conversion skipped, the RGB image would stop the build, writing nothing."""
    from PIL import Image

    from conftest import ARTICLE, fails
    from kjtypeset.build import build_issue

    png = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 30, 30)).save(png, format="PNG")
    path = make_issue(files={"articles/a.md": ARTICLE + "\n![图](red.png)\n", "articles/red.png": png.getvalue()})
    monkeypatch.setattr("kjtypeset.pdf.editions.convert_images_to_cmyk", lambda writer: 0)
    monkeypatch.chdir(path.parent.parent)
    fails(lambda: build_issue(path, path.parent / "out"),
          "2024-03/issue.yaml: 印刷版未通过印前检查：颜色：印刷版中有 RGB 颜色（DeviceRGB）：第 1 页；印刷版的全部颜色应为 CMYK",
          writes_nothing_in=path.parent)


def test_unpack_writes_the_sources_and_refuses_unsafe_names(editions, tmp_path):
    done = run("unpack", str(editions["archive"]), str(tmp_path / "2024-02"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "2024-02" / "articles" / "07-ningbo.md").is_file()
    assert done.stdout.splitlines()[-1].startswith("重新排版：kjtypeset build ")
    again = run("unpack", str(editions["archive"]), str(tmp_path / "2024-02"))
    assert again.returncode == 1 and "解包目标文件夹应为空文件夹" in again.stderr
    done = run("unpack", str(editions["proof"]), str(tmp_path / "elsewhere"))
    assert done.returncode == 1 and "PDF 中没有期刊源文件附件" in done.stderr

    def evil(writer):
        spec = writer.root_object["/AF"][-1].get_object()
        spec[NameObject("/UF")] = TextStringObject("../../evil.txt")
    broken(editions["archive"], tmp_path, "evil-archive.pdf", evil)
    with pytest.raises(KjError) as caught:
        unpack_sources(tmp_path / "evil-archive.pdf", tmp_path / "evil")
    assert "附件 '../../evil.txt' 不是期刊文件夹内的相对路径，拒绝解包" in str(caught.value)
    assert not (tmp_path / "evil").exists() and not (tmp_path.parent / "evil.txt").exists()
