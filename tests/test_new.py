"""kjtypeset new: the next issue's folder, across a year boundary and for a supplement."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

import pytest

from conftest import fails
from kjtypeset.inputs.manifest import load_manifest
from kjtypeset.editor.newissue import create_issue

DECEMBER = """\
# 《科技情报参考》2024年第12期 — comments of the previous issue are not carried over.
bulletin: 科技情报参考
year: 2024
number: 12
total: 96
date: 2024-12-27
publisher: 呼和浩特市科学技术局综合保障中心
editor: 李涛
reviewer: 王芳
phone: "4366683"
copies: 200
classification: 内部资料　注意保存
distribution:
  报: [市委办公室, 市政府办公室]
  送: 自治区科技厅
layout: jianbao
articles:
  - articles/a.md
"""


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kjtypeset", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=60)


@pytest.fixture
def sources(make_issue):
    return make_issue(DECEMBER, folder="2024-12").parent.parent


def manifest_without_articles(path):
    """Load a new manifest: it is complete except for its (empty) article list."""
    text = path.read_text(encoding="utf-8").replace("articles: []", "articles: [articles/x.md]")
    (path.parent / "articles" / "x.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    probe = path.with_name("probe.yaml")
    probe.write_text(text, encoding="utf-8")
    return load_manifest(probe)


def test_a_new_year_starts_again_at_number_one_and_the_total_goes_on(sources):
    done = run("new", "--from", str(sources / "2024-12"), "--date", "2025-01-24", cwd=sources)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("已创建 2025-01/issue.yaml：2025年第1期（总第97期），印发日期 2025-01-24，"
                                  "沿用 2024-12 的编辑信息和分送范围\n")
    assert "下一步：kjtypeset import 文件… --issue 2025-01" in done.stderr
    new = manifest_without_articles(sources / "2025-01" / "issue.yaml")
    assert (new.year, new.number, new.total, new.supplement, new.date) == (2025, 1, 97, False, dt.date(2025, 1, 24))
    assert (new.editor, new.reviewer, new.phone, new.copies, new.classification) == (
        "李涛", "王芳", "4366683", 200, "内部资料　注意保存")
    assert new.distribution == (("报", ("市委办公室", "市政府办公室")), ("送", ("自治区科技厅",)))
    text = (sources / "2025-01" / "issue.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 《科技情报参考》2025年第1期 — 由 kjtypeset new 从 2024-12 生成。\n# 请填写或核对：\n")
    assert "comments of the previous issue" not in text
    assert text.endswith("articles: []\n") and (sources / "2025-01" / "articles").is_dir()


def test_the_new_manifest_asks_for_articles_when_built(sources):
    create_issue(sources / "2024-12" / "issue.yaml", date=dt.date(2025, 1, 24))
    done = run("build", "2025-01/issue.yaml", cwd=sources)
    assert done.returncode == 1
    assert done.stderr == "错误：2025-01/issue.yaml:24: articles（文章列表）应至少列出一篇文章，实际为空列表\n"


def test_same_year_and_default_date_today(make_issue):
    today = dt.date.today()
    manifest = textwrap.dedent(DECEMBER).replace("year: 2024", f"year: {today.year}") \
        .replace("number: 12", "number: 4").replace("date: 2024-12-27", f"date: {today.year}-01-01")
    path = make_issue(manifest, folder=f"{today.year}-04")
    new = create_issue(path)
    assert (new.year, new.number, new.total, new.date) == (today.year, 5, 97, today)
    assert new.manifest.parent.name == f"{today.year}-05"


def test_a_supplement_has_its_own_sequence_and_takes_no_total(sources):
    first = create_issue(sources / "2024-12" / "issue.yaml", supplement=True, date=dt.date(2024, 12, 30))
    assert (first.label, first.total, first.manifest.parent.name) == ("2024年增刊第1期", None, "2024-zk01")
    second = create_issue(first.manifest, supplement=True, date=dt.date(2024, 12, 31))
    assert (second.label, second.manifest.parent.name) == ("2024年增刊第2期", "2024-zk02")
    loaded = manifest_without_articles(second.manifest)
    assert loaded.supplement and loaded.issue_label == "2024年增刊第2期" and loaded.total is None
    # The regular sequence goes on from the regular issues, whichever issue is the template.
    regular = create_issue(second.manifest, date=dt.date(2025, 1, 24))
    assert (regular.label, regular.total) == ("2025年第1期", 97)
    done = run("new", "--from", str(sources / "2024-12"), "--supplement", "--date", "2025-02-01", cwd=sources)
    assert done.returncode == 0 and done.stderr.startswith("已创建 2025-zk01/issue.yaml：2025年增刊第1期，")


def test_never_overwrites_an_existing_folder(sources):
    (sources / "2025-01").mkdir()
    (sources / "2025-01" / "keep.txt").write_text("editor's file")
    done = run("new", "--from", "2024-12", "--date", "2025-01-24", cwd=sources)
    # "2024-12" is a folder name under issue_sources/ or, as here, a path from the working folder
    assert done.returncode == 1
    assert done.stderr == ("错误：2025-01: 这一期的文件夹已经存在，不会覆盖：应先确认是否已建过这一期"
                           "（确要重写其中的 issue.yaml，加 --force；文章文件不会动）\n")
    assert (sources / "2025-01" / "keep.txt").read_text() == "editor's file"
    assert not (sources / "2025-01" / "issue.yaml").exists()
    # --force writes the manifest and leaves the editor's files alone.
    done = run("new", "--from", "2024-12", "--date", "2025-01-24", "--force", cwd=sources)
    assert done.returncode == 0, done.stderr
    assert "number: 1" in (sources / "2025-01" / "issue.yaml").read_text(encoding="utf-8")
    assert (sources / "2025-01" / "keep.txt").read_text() == "editor's file"


def test_a_date_before_the_previous_issue_is_refused(sources):
    fails(lambda: create_issue(sources / "2024-12" / "issue.yaml", date=dt.date(2024, 12, 1)),
          "印发日期应不早于上一期（2024-12-27），实际为 2024-12-01", writes_nothing_in=sources)
    done = run("new", "--from", "2024-12", "--date", "2025-13-01", cwd=sources)
    assert done.returncode == 2 and "日期应写作 YYYY-MM-DD（如 2024-03-28），实际为 '2025-13-01'" in done.stderr
