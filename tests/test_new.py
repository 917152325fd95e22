"""kjtypeset new: the next issue's folder, across a year boundary and for a supplement."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

import pytest

from conftest import fails
from kjtypeset.editor.newissue import create_issue
from kjtypeset.errors import display_path
from kjtypeset.inputs.manifest import load_manifest

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
    done = run("new", "--from", str(sources / "2024-12"), "--date", "2025-01-24", "--yes", cwd=sources)
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
    done = run("new", "--from", str(sources / "2024-12"), "--supplement", "--date", "2025-02-01", "--yes",
               cwd=sources)
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
    done = run("new", "--from", "2024-12", "--date", "2025-01-24", "--force", "--yes", cwd=sources)
    assert done.returncode == 0, done.stderr
    assert "number: 1" in (sources / "2025-01" / "issue.yaml").read_text(encoding="utf-8")
    assert (sources / "2025-01" / "keep.txt").read_text() == "editor's file"


def test_a_date_before_the_previous_issue_is_refused(sources):
    fails(lambda: create_issue(sources / "2024-12" / "issue.yaml", date=dt.date(2024, 12, 1)),
          f"{display_path(sources / '2024-12' / 'issue.yaml')}:6: 新一期的印发日期 2024-12-01 早于这一期的印发日期 "
          "2024-12-27：应用 --date 指定不早于它的日期", writes_nothing_in=sources)
    done = run("new", "--from", "2024-12", "--date", "2025-13-01", cwd=sources)
    assert done.returncode == 2 and "日期应写作 YYYY-MM-DD（如 2024-03-28），实际为 '2025-13-01'" in done.stderr


# -- issue 14, item 4: a jump into another year or over a missing issue is confirmed first ----

MONTHLY = DECEMBER.replace("number: 12", "number: {n}").replace("total: 96", "total: {t}") \
    .replace("date: 2024-12-27", "date: 2024-{n:02d}-28")


@pytest.fixture
def monthly(make_issue):
    """2024-01 and 2024-02, a month apart."""
    for n in (1, 2):
        path = make_issue(MONTHLY.format(n=n, t=84 + n), folder=f"2024-{n:02d}")
    return path.parent.parent


def test_the_next_month_needs_no_confirmation(monthly):
    done = run("new", "--from", "2024-02", "--date", "2024-03-28", cwd=monthly)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("已创建 2024-03/issue.yaml：2024年第3期（总第87期），印发日期 2024-03-28，")


def test_a_jump_over_missing_issues_is_refused_without_yes_and_says_which_date(monthly):
    done = run("new", "--from", "2024-02", "--date", "2024-06-28", cwd=monthly)
    assert done.returncode == 1
    assert done.stderr == ("错误：新一期将是 2024年第3期，印发日期 2024-06-28（--date 指定）：距上一期 2024-02（2024-02-28）"
                           "已有 121 天，而各期通常相隔约 31 天，中间像是少了几期。日期不对时请用 --date 指定，"
                           "如 kjtypeset new --from 2024-02 --date 2024-03-28；确认无误请加 --yes\n")
    assert not (monthly / "2024-03").exists()
    done = run("new", "--from", "2024-02", "--date", "2024-06-28", "--yes", cwd=monthly)
    assert done.returncode == 0 and (monthly / "2024-03" / "issue.yaml").is_file()


def test_the_clock_in_another_year_is_not_followed_without_a_word(monthly):
    today = dt.date.today()
    assert today.year > 2024  # the machine's clock is "in another year" than the issues
    done = run("new", "--from", "2024-02", cwd=monthly)
    assert done.returncode == 1 and not (monthly / f"{today.year}-01").exists()
    gap = (today - dt.date(2024, 2, 28)).days
    assert done.stderr == (f"错误：新一期将是 {today.year}年第1期，印发日期 {today.isoformat()}（今天，取自本机的时钟）："
                           f"上一期 2024-02 是 2024 年的，新一期在 {today.year} 年，期号从第1期重新开始；"
                           f"距上一期 2024-02（2024-02-28）已有 {gap} 天，而各期通常相隔约 31 天，中间像是少了几期。"
                           "日期不对时请用 --date 指定，如 kjtypeset new --from 2024-02 --date 2024-03-28；"
                           "确认无误请加 --yes\n")


def test_at_a_terminal_the_editor_is_asked(monthly):
    import os
    import pty

    for answer, created in ((b"\n", False), (b"y\n", True)):
        controller, terminal = pty.openpty()
        os.write(controller, answer)
        done = subprocess.run([sys.executable, "-m", "kjtypeset", "new", "--from", "2024-02", "--date",
                               "2024-06-28"], stdin=terminal, capture_output=True, text=True, cwd=monthly,
                              timeout=60)
        os.close(terminal)
        os.close(controller)
        assert "新一期将是 2024年第3期，印发日期 2024-06-28（--date 指定）" in done.stderr
        assert "确认创建吗？输入 y 确认，直接回车取消：" in done.stdout
        assert (monthly / "2024-03").exists() == created
        assert done.returncode == (0 if created else 1)
        if not created:
            assert done.stderr.endswith("已取消，没有创建任何文件。\n")


def test_an_issue_made_by_mistake_in_a_later_year_is_named_with_the_way_out(monthly):
    done = run("new", "--from", "2024-02", "--date", "2026-01-05", "--yes", cwd=monthly)
    assert done.returncode == 0
    done = run("new", "--from", "2024-02", "--date", "2024-03-28", cwd=monthly)
    assert done.returncode == 1
    assert done.stderr == ("错误：2026-01: 已有 2026 年的一期（2026-01），不能再建更早的 2024年第3期："
                           "如果那一期是误建的（例如本机时钟的年份不对时），请删去或移走这个文件夹后再运行；"
                           "否则应从它接着建：kjtypeset new --from 2026-01\n")
