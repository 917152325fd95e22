"""The bulletin folder: where issues, output, the archive, a project's layouts and fonts live.

A bulletin folder (a project) is found the way mkdocs and Typst find theirs: from the working
folder upwards, the first folder that holds ``issue_sources/`` or a ``kjtypeset.yaml``.
``--project DIR`` and the KJTYPESET_PROJECT setting name it instead. This module is the only
one that knows the shape of a bulletin folder, where the built-in layouts lie (inside the
package) and where the per-user fonts go (a data folder shared by all projects)::

    <project>/
      kjtypeset.yaml           marks the folder (needed only where issue_sources/ is missing)
      issue_sources/<年-期>/    issue.yaml and articles/ of each issue
      output/<年-期>/           the PDFs (kjtypeset build)
      archive/                 the archive (kjtypeset publish; --archive, KJTYPESET_ARCHIVE)
      layouts/<名称>/           the project's own layouts: add to or override the built-in ones
      fonts/                   the project's fonts: win over the per-user fonts
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import KjError

MARKER = "kjtypeset.yaml"
SOURCES = "issue_sources"
SETTING = "KJTYPESET_PROJECT"
BUILTIN_LAYOUTS = Path(__file__).resolve().parent / "layouts"
APP = "kjtypeset"


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def issue_sources(self) -> Path:
        return self.root / SOURCES

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def layouts(self) -> Path:
        return self.root / "layouts"

    @property
    def fonts(self) -> Path:
        return self.root / "fonts"


_chosen: Path | None = None  # --project DIR, for this process (and a batch's workers)


def use(root: Path | None) -> Path | None:
    """Make ``root`` the project of this process (None: find it again); returns the previous
    choice. A folder named this way need not hold anything yet."""
    global _chosen
    previous, _chosen = _chosen, root
    if root is not None and not root.is_dir():
        _chosen = previous
        raise KjError(root, None, "找不到简报文件夹：--project 应为一个已有的文件夹")
    return previous


def chosen() -> Path | None:
    return _chosen


def is_project(folder: Path) -> bool:
    return (folder / SOURCES).is_dir() or (folder / MARKER).is_file()


def find(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that is a bulletin folder."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if is_project(folder):
            return folder
    return None


def current(near: Path | None = None) -> Project | None:
    """The project: --project, else KJTYPESET_PROJECT, else found from the working folder,
    else found from ``near`` (the manifest a command was given), else None."""
    if _chosen is not None:
        return Project(_chosen.resolve())
    if setting := os.environ.get(SETTING):
        folder = Path(setting)
        if not folder.is_dir():
            raise KjError(None, None, f"环境变量 {SETTING} 应为简报文件夹，实际为不存在的 '{setting}'")
        return Project(folder.resolve())
    root = find(Path.cwd()) or (find(near if near.is_dir() else near.parent) if near else None)
    return Project(root) if root else None


def require(near: Path | None = None) -> Project:
    """The project, or the one-line error that says how to get one."""
    project = current(near)
    if project is None:
        raise KjError(None, None, f"当前文件夹 {Path.cwd()} 不在简报文件夹中（向上找不到 {SOURCES}/ 或 {MARKER}）："
                                  "应在简报文件夹中运行，或用 --project 指定；新建一个：kjtypeset init 文件夹")
    return project


def layout_folders(near: Path | None = None) -> tuple[Path, ...]:
    """Where layouts are looked up, in order: the project's layouts/, then the built-in ones."""
    project = current(near)
    return ((project.layouts,) if project else ()) + (BUILTIN_LAYOUTS,)


def font_folders(near: Path | None = None) -> tuple[Path, ...]:
    """Where a layout's font files are looked up after its own fonts/: the project's fonts/,
    then the per-user fonts."""
    project = current(near)
    return ((project.fonts,) if project else ()) + (user_fonts(),)


def user_fonts() -> Path:
    """The per-user font folder shared by all projects (on Linux ~/.local/share/kjtypeset/fonts,
    or under $XDG_DATA_HOME): the SC faces are extracted there once."""
    import platformdirs

    return platformdirs.user_data_path(APP) / "fonts"


def user_cache() -> Path:
    """Per-user caches that only save time (~/.cache/kjtypeset, or under $XDG_CACHE_HOME)."""
    import platformdirs

    return platformdirs.user_cache_path(APP)
