"""The command line as an editor meets it: Chinese help, one-line errors, exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import MANIFEST


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kjtypeset", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


@pytest.mark.slow
def test_build_writes_the_pdf_and_reports_it(make_issue):
    path = make_issue()
    done = run("build", str(path), "--output", str(path.parent / "out"))
    assert done.returncode == 0, done.stderr
    assert (path.parent / "out" / "2024-03.pdf").stat().st_size > 10_000
    assert "已生成" in done.stderr and "页" in done.stderr


def test_bad_input_is_one_chinese_line_without_traceback(make_issue):
    path = make_issue(MANIFEST.replace("number: 3", "number: 二"))
    done = run("build", "2024-03/issue.yaml", "--output", "out", cwd=path.parent.parent)
    assert done.returncode == 1
    assert done.stderr == "错误：2024-03/issue.yaml:3: number（期号）应为正整数，实际为“二”\n"
    assert done.stdout == ""
    assert not (path.parent.parent / "out").exists()


def test_missing_manifest(tmp_path):
    done = run("build", "nowhere/issue.yaml", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == "错误：nowhere/issue.yaml: 找不到期刊清单文件（应为 issue_sources/<年-期>/issue.yaml）\n"


def test_help_is_in_chinese():
    done = run("--help")
    assert done.returncode == 0
    assert done.stdout.startswith("用法：kjtypeset")
    assert "排版一期简报，生成 PDF" in done.stdout and "示例：" in done.stdout
    build = run("build", "--help")
    assert "期刊清单 issue.yaml 的路径" in build.stdout and "显示本帮助并退出" in build.stdout


def test_usage_errors_are_in_chinese():
    done = run("build")
    assert done.returncode == 2
    assert "缺少参数" in done.stderr and "Traceback" not in done.stderr


def test_build_one_edition(make_issue, capsys):
    from kjtypeset.cli import main  # in this process: the entry point is tested above

    path = make_issue()
    out = path.parent / "out"
    assert main(["build", str(path), "--output", str(out), "--edition", "print", "--verbose"]) == 0
    assert sorted(p.name for p in out.glob("*.pdf")) == ["2024-03-print.pdf"]
    err = capsys.readouterr().err
    assert "写出印刷版……" in err and "已生成" in err and "MB" in err


def test_print_options_need_the_print_edition(make_issue):
    path = make_issue()
    done = run("build", str(path), "--edition", "proof", "--marks")
    assert done.returncode == 2
    assert done.stderr == "kjtypeset build：--marks 只用于印刷版（--edition print）（用 --help 查看用法）\n"
    done = run("build", str(path), "--edition", "poster")
    assert done.returncode == 2
    assert done.stderr == ("kjtypeset build：参数 --edition: 无效的值: 'poster' (可选 'proof', 'print', 'archive')"
                           "（用 --help 查看用法）\n")


def test_check_and_unpack_help_are_in_chinese():
    assert "印前检查" in run("--help").stdout
    check = run("check", "--help").stdout
    assert check.startswith("用法：kjtypeset check") and "以 JSON 输出" in check
    assert "从存档版 PDF 中取出本期源文件" in run("--help").stdout
