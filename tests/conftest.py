"""Shared fixtures: the sample issue built once, a factory for small test issues, a project
with a layout of its own, and the check that a command fails with one error and writes nothing."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from kjtypeset import project
from kjtypeset.build import build_issue
from kjtypeset.engine.fonts import EXTRA_SC_FACES, extract_face, install_sc_faces, sc_faces_folder
from kjtypeset.errors import KjError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issue_sources" / "2024-02" / "issue.yaml"


def _sc_fonts() -> Path:
    """The folder the SC faces are used from: this repository's fonts/ (make setup), else the
    per-user folder, where a build would extract them."""
    folder = sc_faces_folder(project.font_folders())
    if folder is None:
        install_sc_faces(folder := project.user_fonts())
    for name in EXTRA_SC_FACES:  # gongwen's Black weight (fonts-noto-cjk-extra), as a build would
        if not (folder / name).exists():
            extract_face(name, folder)
    return folder


FONTS = _sc_fonts()


@pytest.fixture(scope="session", autouse=True)
def per_user_fonts(tmp_path_factory):
    """The per-user data folder of every build in the tests (subprocesses too) is a temporary
    one whose fonts/ links the SC faces: a build outside any bulletin folder finds them there,
    and nothing is extracted into the tester's home."""
    data = tmp_path_factory.mktemp("data")
    (data / "kjtypeset").mkdir()
    (data / "kjtypeset" / "fonts").symlink_to(FONTS, target_is_directory=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(data))
        yield data

MANIFEST = """\
bulletin: 科技情报参考
year: 2024
number: 3
date: 2024-03-29
publisher: 呼和浩特市科学技术局综合保障中心
editor: 李涛
articles:
  - articles/a.md
"""
ARTICLE = """\
---
title: 测试文章标题
---

近年来，衢州市围绕创新创业生态体系建设，聚焦科技企业孵化器、众创空间等“双创”平台培育管理。
"""


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """The real 2024-02 issue, built once for the whole session."""
    out = tmp_path_factory.mktemp("sample")
    return build_issue(SAMPLE, out)


@pytest.fixture
def make_issue(tmp_path):
    """Write an issue folder: ``make_issue(manifest=..., files={"articles/a.md": ...})``."""

    def make(manifest: str = MANIFEST, files: dict[str, str | bytes] | None = None,
             folder: str = "2024-03") -> Path:
        issue = tmp_path / folder
        issue.mkdir(parents=True, exist_ok=True)
        (issue / "issue.yaml").write_text(textwrap.dedent(manifest), encoding="utf-8")
        for name, content in ({"articles/a.md": ARTICLE} if files is None else files).items():
            path = issue / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")
        return issue / "issue.yaml"

    return make


@pytest.fixture
def own_layout(tmp_path, monkeypatch) -> Path:
    """``tmp_path`` made a bulletin folder (the working folder) with a copy of the built-in
    jianbao layout in its layouts/, which overrides the built-in one; returns the copy."""
    (tmp_path / project.MARKER).write_text("", encoding="utf-8")
    (tmp_path / "fonts").symlink_to(FONTS, target_is_directory=True)
    copy = tmp_path / "layouts" / "jianbao"
    shutil.copytree(project.BUILTIN_LAYOUTS / "jianbao", copy)
    monkeypatch.chdir(tmp_path)
    return copy


def fails(call: Callable[[], object], message: str, writes_nothing_in: Path | None = None) -> KjError:
    """``call()`` fails with the KjError whose line is exactly ``message`` (what the CLI prints
    after 错误：) and leaves ``writes_nothing_in`` as it was: no new, changed or removed file
    (not even a lock file)."""
    before = _files(writes_nothing_in)
    with pytest.raises(KjError) as caught:
        call()
    assert str(caught.value) == message
    assert _files(writes_nothing_in) == before
    return caught.value


def _files(folder: Path | None) -> dict[str, bytes]:
    if folder is None or not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


# Hypothesis profiles: a short run in `make test`, a long one in `make fuzz`.
import os  # noqa: E402

from hypothesis import settings  # noqa: E402

# The short run is derandomized: CI on a fresh machine tests the same examples every time;
# `make fuzz` explores new ones.
settings.register_profile("default", max_examples=40, deadline=2000, derandomize=True)
settings.register_profile("fuzz", max_examples=3000, deadline=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def layouts_counted(monkeypatch) -> list[int]:
    """The page count of every layout WeasyPrint makes from here on (its renders), in order."""
    import weasyprint
    layouts: list[int] = []
    render = getattr(weasyprint.HTML.render, "__wrapped__", weasyprint.HTML.render)  # not an earlier count

    def counted(self, *args, **kwargs):
        document = render(self, *args, **kwargs)
        layouts.append(len(document.pages))
        return document

    counted.__wrapped__ = render
    monkeypatch.setattr(weasyprint.HTML, "render", counted)
    return layouts
