"""An issue of one article (an 增刊, a 会议纪要, a 专报): no contents of one entry, the title and
text on page 1 under the masthead (task ct21; unseen12/2049-zk05..08 left page 1 46 % empty),
and every reader of the contents still finds the article: outline, tags, archive, search."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from conftest import MANIFEST
from kjtypeset.build import build_issue
from kjtypeset.cli import main
from pdfread import folios, page_texts, squash
from tagwalk import structure

TITLE = "全市科技创新大会筹备工作会议纪要"
FIRST = "2049年2月3日上午，市政府副市长在市政府第三会议室主持召开全市科技创新大会筹备工作会议。"
ARTICLE = f"---\ntitle: {TITLE}\n---\n\n{FIRST}\n\n一、会议确定，全市科技创新大会于2月10日上午在市会议中心召开。\n"


def types(element) -> list[str]:
    out = [element.type]
    for kid in element.kids:
        if hasattr(kid, "kids"):
            out += types(kid)
    return out


@pytest.mark.parametrize("layout", ["jianbao", "gongwen"])
def test_one_article_starts_under_the_masthead_with_no_contents(make_issue, tmp_path, layout):
    manifest = make_issue(MANIFEST + f"layout: {layout}\n", files={"articles/a.md": ARTICLE})
    result = build_issue(manifest, tmp_path / "out", editions=("proof",))
    texts = page_texts(result.pdf)
    first = squash(texts[0])
    assert "科技情报参考" in first and squash(TITLE) in first and squash(FIRST) in first, texts[0]
    assert "目录" not in first and "★" not in first
    assert first.index("科技情报参考") < first.index(squash(TITLE)) < first.index(squash(FIRST))
    # The text on page 1, numbered in both layouts (jianbao leaves no folio on a masthead page
    # that holds the contents, a cover: this one holds text, P16 F4); the 版记 alone on page 2
    # (an even page, no folio: GB/T 9704 §7.5).
    assert folios(texts) == [1, None]
    assert [(e.title, e.page) for e in result.contents] == [(TITLE, 1)]
    reader = PdfReader(result.pdf)
    assert [(item.title, reader.get_destination_page_number(item)) for item in reader.outline] == [(TITLE, 0)]
    tags = types(structure(reader))
    assert "TOC" not in tags and "TOCI" not in tags and "Link" not in tags, tags


def test_one_article_in_a_section_shows_the_section_over_its_title(make_issue, tmp_path):
    manifest = make_issue(MANIFEST.replace("- articles/a.md", "- {file: articles/a.md, section: 会议纪要}"),
                          files={"articles/a.md": ARTICLE})
    result = build_issue(manifest, tmp_path / "out", editions=("proof",))
    first = squash(page_texts(result.pdf)[0])
    assert "目录" not in first
    assert first.index("【会议纪要】") < first.index(squash(TITLE)) < first.index(squash(FIRST))


def test_a_layout_may_keep_a_contents_of_one_entry(make_issue, own_layout, tmp_path):
    settings = own_layout / "layout.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "one_article_contents: false", "one_article_contents: true"), encoding="utf-8")
    manifest = make_issue(files={"articles/a.md": ARTICLE})
    texts = page_texts(build_issue(manifest, tmp_path / "out", editions=("proof",)).pdf)
    assert "目　录" in texts[0] or "目录" in squash(texts[0])
    assert re.search(re.escape(squash(TITLE)) + r"\.{3,}2", squash(texts[0]))
    assert squash(FIRST) not in squash(texts[0]) and squash(FIRST) in squash(texts[1])


def test_one_article_is_archived_and_found_on_page_1(make_issue, tmp_path, capsys):
    manifest = make_issue(files={"articles/a.md": ARTICLE})
    archive, out = tmp_path / "archive", tmp_path / "out"
    assert main(["publish", str(manifest), "--archive", str(archive), "--output", str(out), "-q"]) == 0
    capsys.readouterr()
    assert main(["search", "筹备工作会议", "--archive", str(archive)]) == 0
    found = capsys.readouterr().out.splitlines()
    assert f"1. 2024年第3期  第 1 页  《{TITLE}》" in found, found
    assert main(["catalogue", "--archive", str(archive)]) == 0
    assert f"第 1 页  {TITLE}" in capsys.readouterr().out
    (archive / "catalogue.sqlite").unlink()
    assert main(["reindex", "--archive", str(archive)]) == 0
    capsys.readouterr()
    assert main(["search", "市会议中心", "--archive", str(archive)]) == 0
    assert f"1. 2024年第3期  第 1 页  《{TITLE}》" in capsys.readouterr().out.splitlines()
