"""Issue 14, item 6 (the search half): an address printed across two lines is found whole, and a
hit whose PDF is no longer the one published says so."""

from __future__ import annotations

import json
import stat

import pytest

from conftest import MANIFEST
from kjtypeset.archive.search import normalise, parse_query
from kjtypeset.build import build_issue
from kjtypeset.cli import main
from kjtypeset.errors import display_path
from pdfread import page_texts

URL = "https://www.nmkjt.gov.cn/zwgk/tzgg/2024/03/18/kjt-yfjh-2024-zhinan-fujian-xiazai-shuoming-wenjian-huizong.html"
MAIL = "kjt-xm@nmg.gov.cn"


@pytest.mark.parametrize("printed, whole", [
    ("详见www.nxkjd.\ncn网站", "详见www.nxkjd.cn网站"),  # a break after the dot, as now
    ("详见www.nxkjd\n.cn网站", "详见www.nxkjd.cn网站"),  # before the dot (Chicago, clreq)
    ("请登录 http://www.nmkjt.gov.cn/\nzwgk/tzgg 查看", "请登录http://www.nmkjt.gov.cn/zwgk/tzgg查看"),
    ("https://a.cn/list?id=3&\npage=2", "https://a.cn/list?id=3&page=2"),
    ("咨询邮箱 kjt-\nxm@nmg.gov.cn。", "咨询邮箱kjt-xm@nmg.gov.cn。"),
    ("kjt-xm@nmg.\ngov.cn", "kjt-xm@nmg.gov.cn"),
    ("Smart\n  City 计划", "Smart City计划"),  # words stay words
    ("Version 2. Next step", "Version 2. Next step"),
])
def test_an_address_cut_by_a_line_break_is_whole_again(printed, whole):
    assert normalise(printed) == whole
    assert parse_query([whole]).terms == (normalise(whole),)


ARTICLE = f"""\
---
title: 自治区科技厅发布2024年度重点研发计划项目指南
---

3月18日，自治区科技厅发布2024年度重点研发计划项目申报指南，申报材料请登录{URL}下载，咨询邮箱为{MAIL}。
"""


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("urls")
    (root / "2024-03" / "articles").mkdir(parents=True)
    (root / "2024-03" / "issue.yaml").write_text(MANIFEST, encoding="utf-8")
    (root / "2024-03" / "articles" / "a.md").write_text(ARTICLE, encoding="utf-8")
    pdf = build_issue(root / "2024-03" / "issue.yaml", root / "out", editions=("archive",)).outputs[0].path
    folder = root / "archive"
    assert main(["publish", str(pdf), "--archive", str(folder), "-q"]) == 0
    return pdf, folder


def search(capsys, folder, *terms):
    code = main(["search", *terms, "--archive", str(folder), "--json"])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_an_address_printed_across_two_lines_is_found(archive, capsys):
    pdf, folder = archive
    # The address is longer than a line: the PDF prints it on two lines (or more).
    assert URL not in "".join(page_texts(pdf)).replace(" ", "")
    for term in (URL, MAIL, "www.nmkjt.gov.cn/zwgk"):
        found = search(capsys, folder, term)
        assert found["total"] == 1, term
        [hit] = found["results"]
        assert hit["page"] == 1 and hit["file_state"] is None  # one article: page 1


def test_a_hit_in_a_changed_or_missing_pdf_says_so(archive, capsys, tmp_path):
    import shutil

    _pdf, published = archive
    folder = tmp_path / "archive"
    shutil.copytree(published, folder)
    stored = folder / "2024" / "2024-03.pdf"
    stored.chmod(stored.stat().st_mode | stat.S_IWUSR)
    data = bytearray(stored.read_bytes())
    data[4000] ^= 1
    stored.write_bytes(bytes(data))

    assert main(["search", MAIL, "--archive", str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == [f"   {display_path(stored)}",
                        "   警告：这个 PDF 已与存档时不同（被改动或损坏），上面的结果取自存档时的目录，文件本身不可信："
                        "请运行 kjtypeset verify"]
    assert search(capsys, folder, MAIL)["results"][0]["file_state"] == "changed"
    stored.unlink()
    assert search(capsys, folder, MAIL)["results"][0]["file_state"] == "missing"
