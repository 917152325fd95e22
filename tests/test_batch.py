"""`kjtypeset build --all`: every issue in worker processes; one failure stops nothing else."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

from conftest import ARTICLE, MANIFEST


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kjtypeset", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def issue(root, name, manifest=MANIFEST):
    folder = root / name
    (folder / "articles").mkdir(parents=True)
    (folder / "issue.yaml").write_text(textwrap.dedent(manifest), encoding="utf-8")
    (folder / "articles" / "a.md").write_text(ARTICLE, encoding="utf-8")


@pytest.mark.slow
def test_a_failing_issue_is_reported_at_the_end_and_the_others_are_built(tmp_path):
    sources = tmp_path / "issue_sources"
    issue(sources, "2024-03")
    issue(sources, "2024-04", MANIFEST.replace("number: 3", "number: 二"))
    issue(sources, "2024-05", MANIFEST.replace("number: 3", "number: 5"))
    done = run("build", "--all", "--sources", "issue_sources", "--output", "out", "--jobs", "2",
               "--edition", "proof", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0] == "排版 3 期（2 个进程）……"
    # Not a terminal: one progress line per finished issue, in the order they finish.
    progress = [re.fullmatch(r"\[([█░]{20})\] (\d)/3(，1 期出错)?  (\S+ \S+)", line) for line in lines[1:4]]
    assert [(m[1].count("█"), m[2]) for m in progress] == [(6, "1"), (13, "2"), (20, "3")]
    assert sorted(m[4] for m in progress) == ["2024-03 完成", "2024-04 出错", "2024-05 完成"]
    assert progress[-1][3] == "，1 期出错"
    assert re.fullmatch(r"3 期中 1 期出错（其余 2 期已排版，用时 [\d.]+ 秒）：", lines[4])
    assert lines[5:] == ["错误：issue_sources/2024-04/issue.yaml:3: number（期号）应为正整数，实际为“二”"]
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.pdf")) == [
        "2024-03/2024-03.pdf", "2024-05/2024-05.pdf"]


@pytest.mark.slow
def test_quiet_batch_prints_only_errors(tmp_path):
    sources = tmp_path / "src"
    issue(sources, "2024-04", MANIFEST.replace("number: 3", "number: 二"))
    done = run("build", "--all", "--sources", str(sources), "-q", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert re.fullmatch(r"1 期中 1 期出错（其余 0 期已排版，用时 [\d.]+ 秒）：", lines[0])
    assert lines[1:] == ["错误：src/2024-04/issue.yaml:3: number（期号）应为正整数，实际为“二”"]


def test_build_usage(tmp_path):
    done = run("build")
    assert done.returncode == 2
    assert done.stderr == "kjtypeset build：缺少参数：期刊清单 issue.yaml 的路径，或用 --all 排版全部各期（用 --help 查看用法）\n"
    done = run("build", "--all", "issue_sources/2024-02/issue.yaml")
    assert (done.returncode, done.stderr) == (2, "kjtypeset build：--all 排版全部各期，不能再写期刊清单（用 --help 查看用法）\n")
    done = run("build", "issue_sources/2024-02/issue.yaml", "--jobs", "2")
    assert (done.returncode, done.stderr) == (2, "kjtypeset build：--jobs 只与 --all 同用（用 --help 查看用法）\n")
    done = run("build", "--all", "--sources", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.endswith(": 这里没有任何一期：应有 <年-期>/issue.yaml 这样的期刊文件夹\n")


def test_archive_commands_have_chinese_help_with_examples():
    top = run("--help").stdout
    for command, phrase in (("publish", "存档：排出存档版并存入档案文件夹"), ("search", "全文检索"),
                            ("catalogue", "档案目录"), ("verify", "核对"), ("reindex", "重建目录")):
        assert phrase in top
        text = run(command, "--help").stdout
        assert text.startswith(f"用法：kjtypeset {command}") and f"示例：\n  kjtypeset {command}" in text
    assert "--all" in run("build", "--help").stdout
