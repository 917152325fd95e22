"""Untrusted articles cannot reach the disk or the network: /etc/passwd never gets into a PDF."""

from __future__ import annotations

import os

import pytest
from pypdf import PdfReader

from conftest import ARTICLE, MANIFEST
from kjtypeset.build import build_issue
from kjtypeset.engine.layout import load_layout
from kjtypeset.engine.typeset import typeset, write_pdf
from kjtypeset.errors import KjError
from kjtypeset.inputs.articles import read_articles
from kjtypeset.inputs.manifest import load_manifest
from pdfread import page_texts, squash

SECRET = "/etc/passwd"


def assert_clean(pdf):
    data = pdf.read_bytes()
    assert b"root:x:0" not in data
    reader = PdfReader(pdf)
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    assert not reader.attachments


@pytest.mark.parametrize("raw", [
    f'<img src="file://{SECRET}">',
    f'<link rel="attachment" href="file://{SECRET}">',
    f'<p style="background: url(file://{SECRET})">x</p>',
    f'<style>@import "file://{SECRET}";</style>',
    f'<span style="@import url(file://{SECRET})">x</span>',
    '<img src="http://127.0.0.1:9/x.png">',
])
def test_raw_html_in_an_article_is_printed_as_text(make_issue, tmp_path, raw):
    path = make_issue(files={"articles/a.md": ARTICLE + "\n" + raw + "\n"})
    pdf = build_issue(path, tmp_path / "out").pdf
    assert_clean(pdf)
    assert squash(raw) in squash("".join(page_texts(pdf)))


def write_svg(reference: str) -> str:
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
            f'<image href="{reference}" width="10" height="10"/></svg>')


@pytest.mark.parametrize("files, message", [
    ({"articles/x.svg": write_svg(f"file://{SECRET}")},
     f"SVG 图片 'x.svg' 引用了外部资源 'file://{SECRET}'：SVG 只能引用自身内容或 data: 数据"),
    ({"articles/x.svg": write_svg("http://127.0.0.1:9/a.png")},
     "SVG 图片 'x.svg' 引用了外部资源 'http://127.0.0.1:9/a.png'：SVG 只能引用自身内容或 data: 数据"),
])
def test_svg_images_may_not_reference_anything_outside(make_issue, monkeypatch, files, message):
    path = make_issue(files={"articles/a.md": ARTICLE + "\n![图](x.svg)\n", **files})
    monkeypatch.chdir(path.parent.parent)
    with pytest.raises(KjError) as caught:
        build_issue(path, path.parent / "out")
    assert str(caught.value) == f"2024-03/articles/a.md:7: {message}"


def test_image_path_climbing_out_of_the_issue(make_issue, monkeypatch):
    path = make_issue(files={"articles/a.md": ARTICLE + "\n![图](../../../../../../etc/passwd)\n"})
    monkeypatch.chdir(path.parent.parent)
    with pytest.raises(KjError) as caught:
        build_issue(path, path.parent / "out")
    assert str(caught.value) == ("2024-03/articles/a.md:7: 图片 '../../../../../../etc/passwd' "
                                 "应在期刊文件夹之内，实际指向其外")


def test_symlinks_in_the_issue_folder_cannot_lead_outside(make_issue, monkeypatch):
    path = make_issue(MANIFEST + "  - articles/link.md\n",
                      files={"articles/a.md": ARTICLE + "\n![图](img.png)\n"})
    os.symlink(SECRET, path.parent / "articles" / "img.png")
    os.symlink(SECRET, path.parent / "articles" / "link.md")
    monkeypatch.chdir(path.parent.parent)
    with pytest.raises(KjError) as caught:
        build_issue(path, path.parent / "out")
    assert str(caught.value) == ("2024-03/issue.yaml:9: articles 第2项：文章应在期刊文件夹之内，"
                                 "实际 'articles/link.md' 指向其外")
    path.write_text(MANIFEST, encoding="utf-8")
    with pytest.raises(KjError) as caught:
        build_issue(path, path.parent / "out")
    assert str(caught.value) == "2024-03/articles/a.md:7: 图片 'img.png' 应在期刊文件夹之内，实际指向其外"


@pytest.mark.parametrize("markup", [
    f'<img src="file://{SECRET}">',
    f'<link rel="attachment" href="file://{SECRET}">',
    f'<div style="background: url(file://{SECRET})">x</div>',
    '<img src="http://127.0.0.1:9/x.png">',
])
def test_the_renderer_itself_refuses_anything_outside_the_allowed_folders(make_issue, markup):
    """The fetcher is the last line: even markup that got past every earlier check fails."""
    manifest = load_manifest(make_issue())
    html = f'<html lang="zh-CN"><body><p>正文</p>{markup}</body></html>'
    with pytest.raises(KjError) as caught:
        write_pdf(typeset(html, load_layout(manifest), manifest.folder, manifest.path), manifest.path)
    assert "版面引用了不允许的资源" in str(caught.value)


def test_raw_html_switch_lets_a_sanitised_subset_through(make_issue, tmp_path):
    article = ARTICLE + (
        '\n水分子H<sub>2</sub>O与<b onclick="steal()">加粗</b><script>alert(1)</script>'
        f'<img src="file://{SECRET}">。\n\n'
        f'<div style="background: url(file://{SECRET})"><table><tr><td colspan="2">合并</td></tr></table>'
        '<iframe src="http://127.0.0.1:9/"></iframe></div>\n')
    path = make_issue(MANIFEST.replace("articles:", "raw_html: true\narticles:"),
                      files={"articles/a.md": article})
    body = read_articles(load_manifest(path))[0].body_html
    assert "H<sub>2</sub>O" in body
    assert '<td colspan="2">合并</td>' in body
    for banned in ("onclick", "<script", "<img", "style=", "<iframe", "url("):
        assert banned not in body
    pdf = build_issue(path, tmp_path / "out").pdf
    assert_clean(pdf)
    assert "水分子H2O与加粗" in squash("".join(page_texts(pdf)))


def test_article_text_cannot_inject_markup_through_the_templates(make_issue):
    """Jinja autoescapes everything an article or the manifest puts into the layout."""
    from kjtypeset.engine.layout import render_html

    article = ARTICLE.replace("测试文章标题", '"<script>alert(1)</script>"')
    path = make_issue(MANIFEST.replace("editor: 李涛", "editor: <b onclick=x>李涛</b>"),
                      files={"articles/a.md": article})
    manifest = load_manifest(path)
    html = render_html(manifest, read_articles(manifest), load_layout(manifest))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b onclick" not in html and "&lt;b onclick=x&gt;" in html


def test_a_layout_naming_an_undefined_value_fails_instead_of_printing_nothing(make_issue, own_layout):
    from kjtypeset.engine import layout as layout_module

    template = own_layout / "issue.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{{ issue.editor }}", "{{ issue.edittor }}"), encoding="utf-8")
    manifest = load_manifest(make_issue())
    with pytest.raises(KjError) as caught:
        layout_module.render_html(manifest, read_articles(manifest), load_layout(manifest))
    assert "版式模板出错" in str(caught.value) and "edittor" in str(caught.value)
