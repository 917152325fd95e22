"""A bulletin folder is a project: found from the working folder, named by --project or
KJTYPESET_PROJECT, made by `kjtypeset init`; output, archive, layouts and fonts live in it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ARTICLE, FONTS, MANIFEST, fails
from kjtypeset import project
from kjtypeset.build import build_issue
from kjtypeset.cli import main
from kjtypeset.engine.fonts import SC_FACES, install_sc_faces, resolve_font
from kjtypeset.engine.layout import load_layout
from kjtypeset.errors import display_path
from kjtypeset.inputs.manifest import load_manifest


def run(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "kjtypeset", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


@pytest.fixture
def bulletin(tmp_path, monkeypatch):
    """A bulletin folder with issue 2024-03, the SC fonts in its fonts/ (so nothing is
    extracted), and no working folder inside it yet."""
    root = tmp_path / "简报"
    issue = root / "issue_sources" / "2024-03"
    (issue / "articles").mkdir(parents=True)
    (issue / "issue.yaml").write_text(MANIFEST, encoding="utf-8")
    (issue / "articles" / "a.md").write_text(ARTICLE, encoding="utf-8")
    (root / "fonts").symlink_to(FONTS, target_is_directory=True)
    monkeypatch.delenv(project.SETTING, raising=False)
    return root


def test_the_project_is_found_from_any_folder_inside_it(bulletin, monkeypatch):
    monkeypatch.chdir(bulletin / "issue_sources" / "2024-03" / "articles")
    assert project.current() == project.Project(bulletin.resolve())
    monkeypatch.chdir(bulletin.parent)
    assert project.current() is None


def test_a_marker_file_makes_a_project_without_issue_sources(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "kjtypeset.yaml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "sub")
    assert project.current().root == tmp_path.resolve()


def test_option_then_setting_then_working_folder(bulletin, tmp_path, monkeypatch):
    other, named = tmp_path / "other", tmp_path / "named"
    other.mkdir(), named.mkdir()
    monkeypatch.chdir(bulletin)
    monkeypatch.setenv(project.SETTING, str(other))
    assert project.current().root == other.resolve()
    previous = project.use(named)
    try:
        assert project.current().root == named.resolve()
    finally:
        project.use(previous)
    monkeypatch.setenv(project.SETTING, str(tmp_path / "missing"))
    fails(project.current, f"环境变量 KJTYPESET_PROJECT 应为简报文件夹，实际为不存在的 '{tmp_path / 'missing'}'")


def test_a_build_writes_into_the_projects_output(bulletin, monkeypatch):
    monkeypatch.chdir(bulletin / "issue_sources")
    result = build_issue(Path("2024-03/issue.yaml"), editions=("proof",))
    assert result.pdf == bulletin.resolve() / "output" / "2024-03" / "2024-03.pdf"
    assert result.pdf.is_file()


def test_the_manifests_project_serves_when_the_working_folder_is_none(bulletin, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # holds the bulletin folder, is not one
    result = build_issue(bulletin / "issue_sources" / "2024-03" / "issue.yaml", editions=("proof",))
    assert result.pdf == bulletin.resolve() / "output" / "2024-03" / "2024-03.pdf"


def test_outside_any_project_the_build_says_how_to_get_one(make_issue, tmp_path, monkeypatch):
    path = make_issue()
    monkeypatch.chdir(tmp_path)
    message = (f"当前文件夹 {tmp_path} 不在简报文件夹中（向上找不到 issue_sources/ 或 kjtypeset.yaml）："
               "应在简报文件夹中运行，或用 --project 指定；新建一个：kjtypeset init 文件夹")
    fails(lambda: build_issue(path), message, writes_nothing_in=tmp_path)


@pytest.mark.slow
def test_outside_any_project_the_cli_says_so_and_project_names_one(make_issue, tmp_path):
    make_issue()
    message = (f"当前文件夹 {tmp_path} 不在简报文件夹中（向上找不到 issue_sources/ 或 kjtypeset.yaml）："
               "应在简报文件夹中运行，或用 --project 指定；新建一个：kjtypeset init 文件夹")
    done = run("build", "2024-03/issue.yaml", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (1, f"错误：{message}\n")
    done = run("build", "2024-03/issue.yaml", "--project", str(tmp_path), "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "output" / "2024-03" / "2024-03-print.pdf").is_file()


def test_issue_names_and_the_archive_are_the_projects(bulletin, monkeypatch):
    from kjtypeset.archive.store import archive_folder
    from kjtypeset.inputs.issues import resolve_issue

    monkeypatch.chdir(bulletin / "issue_sources" / "2024-03")
    monkeypatch.delenv("KJTYPESET_ARCHIVE", raising=False)
    assert resolve_issue("2024-03") == bulletin.resolve() / "issue_sources" / "2024-03" / "issue.yaml"
    assert archive_folder() == bulletin.resolve() / "archive"


def test_a_project_layout_adds_to_the_built_in_ones(bulletin, monkeypatch):
    shutil.copytree(project.BUILTIN_LAYOUTS / "jianbao", bulletin / "layouts" / "neibu")
    manifest = bulletin / "issue_sources" / "2024-03" / "issue.yaml"
    monkeypatch.chdir(bulletin)
    manifest.write_text(MANIFEST.replace("articles:", "layout: neibu\narticles:"), encoding="utf-8")
    assert load_layout(load_manifest(manifest)).folder == bulletin.resolve() / "layouts" / "neibu"
    manifest.write_text(MANIFEST.replace("articles:", "layout: waibu\narticles:"), encoding="utf-8")
    fails(lambda: load_layout(load_manifest(manifest)),
          "issue_sources/2024-03/issue.yaml:7: layout（版式）应为 gongwen、jianbao、neibu 之一，实际为 'waibu'")


def test_a_projects_fonts_win_and_a_missing_face_names_what_to_install(bulletin, tmp_path, monkeypatch):
    monkeypatch.chdir(bulletin)
    name = "NotoSerifCJKsc-Regular.otf"
    found = resolve_font(name, project.font_folders(), bulletin / "layout.yaml", 3)
    assert found == (FONTS / name).resolve() and (bulletin / "fonts" / name).resolve() == found
    fails(lambda: install_sc_faces(tmp_path / "fonts", source=tmp_path / "no-noto"),
          f"缺少简体中文字体 {next(iter(SC_FACES))}：应先安装 Debian 软件包 fonts-noto-cjk"
          f"（apt-get install fonts-noto-cjk，kjtypeset 会从 {tmp_path / 'no-noto'} 中提取），"
          "或把字体文件放进项目的 fonts/", writes_nothing_in=tmp_path)
    fails(lambda: resolve_font("方正小标宋.ttf", project.font_folders(), bulletin / "layout.yaml", 3),
          f"layout.yaml:3: 找不到字体文件 '方正小标宋.ttf'：应放在版式的 fonts/、项目的 fonts/ "
          f"或 {display_path(project.user_fonts())} 中")


@pytest.mark.slow
def test_missing_sc_faces_are_extracted_once_into_the_per_user_folder(make_issue, tmp_path, monkeypatch):
    """A bulletin folder without fonts/: the first build extracts the SC faces for the user
    (into $XDG_DATA_HOME/kjtypeset/fonts), the same on every machine (no extraction time in them)."""
    from fontTools.ttLib import TTCollection, TTFont

    from kjtypeset.engine.fonts import DEBIAN_NOTO

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "kjtypeset.yaml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    heard = []
    build_issue(make_issue(), editions=("proof",), progress=heard.append)
    shared = tmp_path / "data" / "kjtypeset" / "fonts"
    assert f"首次使用：从 Debian 的 Noto CJK 字体集中提取简体中文字体到 {shared.relative_to(tmp_path)}（各项目共用，只需一次）……" in heard
    assert sorted(p.name for p in shared.iterdir()) == sorted(SC_FACES)
    for name, (collection, postscript) in SC_FACES.items():
        face = next(f for f in TTCollection(DEBIAN_NOTO / collection, lazy=True).fonts
                    if f["name"].getDebugName(6) == postscript)
        assert TTFont(shared / name, lazy=True)["head"].modified == face["head"].modified
    assert (tmp_path / "output" / "2024-03" / "2024-03.pdf").is_file()


def test_init_makes_a_bulletin_folder_that_builds(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fonts").symlink_to(FONTS, target_is_directory=True)  # as if extracted before
    assert main(["init", ".", "--bulletin", "科技动态", "--editor", "王芳", "--date", "2025-03-01"]) == 0
    said = capsys.readouterr().err
    assert said == """\
已新建简报文件夹 .：
  kjtypeset.yaml
  README.md
  .gitignore
  issue_sources/2025-01/issue.yaml
  issue_sources/2025-01/articles/01-示例文章.md
下一步：
  1. 在 issue_sources/2025-01/issue.yaml 中填写报头名称、编印单位、编辑，核对印发日期；
  2. 导入文章：kjtypeset import 稿件.docx 网页.html 文字.txt --issue 2025-01（再删去示例文章）；
  3. 排版：kjtypeset build issue_sources/2025-01/issue.yaml，PDF 写在 output/2025-01/。
"""
    manifest = load_manifest(tmp_path / "issue_sources" / "2025-01" / "issue.yaml")
    assert (manifest.bulletin, manifest.editor, manifest.publisher, manifest.date, manifest.issue_label) == (
        "科技动态", "王芳", "编印单位名称", dt.date(2025, 3, 1), "2025年第1期")
    ignored = (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"/output/", "/archive/", "/.kjtypeset/"} <= set(ignored)  # never the desk's password hash
    assert main(["build", "issue_sources/2025-01/issue.yaml", "--edition", "proof", "-q"]) == 0
    assert (tmp_path / "output" / "2025-01" / "2025-01.pdf").is_file()
    # A second init changes nothing.
    before = (tmp_path / "issue_sources" / "2025-01" / "issue.yaml").read_bytes()
    assert main(["init"]) == 1
    assert capsys.readouterr().err == ("错误：.: 这里已经是简报文件夹（有 issue_sources/ 或 kjtypeset.yaml），"
                                       "不会覆盖：新的一期请用 kjtypeset new\n")
    assert (tmp_path / "issue_sources" / "2025-01" / "issue.yaml").read_bytes() == before


def test_init_in_a_new_folder_says_to_go_there_first(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "新简报", "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert (tmp_path / "新简报" / "kjtypeset.yaml").is_file()
    assert main(["init", "另一个"]) == 0
    assert "\n  cd 另一个\n" in capsys.readouterr().err
