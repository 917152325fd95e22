"""Issue folders: find one by name or path, and list the issues beside it."""

from __future__ import annotations

from pathlib import Path

from .. import project
from ..errors import KjError

MANIFEST_NAME = "issue.yaml"


def issue_label(year: int, number: int, supplement: bool) -> str:
    """"2024年第2期", or "2024年增刊第1期" for a supplement with its own numbering."""
    return f"{year}年{'增刊' if supplement else ''}第{number}期"


def resolve_issue(name: str | Path, sources: Path | None = None) -> Path:
    """The issue.yaml meant by ``2024-03`` (a folder in ``sources``, by default the project's
    issue_sources/), by a path to its folder, or by the file itself."""
    given = Path(name)
    if sources is None:
        found = project.current()
        sources = found.issue_sources if found else None
    for candidate in (given, *([sources / given] if sources else [])):
        if candidate.is_file() and candidate.name == MANIFEST_NAME:
            return candidate
        if candidate.is_dir() and (candidate / MANIFEST_NAME).is_file():
            return candidate / MANIFEST_NAME
    known = "、".join(p.parent.name for p in issue_manifests(sources)[-3:]) if sources else ""
    known = known or "（尚无）"
    raise KjError(given, None, f"找不到这一期：应为 issue_sources/ 下的文件夹名（如 {known}）、"
                               f"期刊文件夹或其中 {MANIFEST_NAME} 的路径")


def issue_manifests(sources: Path) -> list[Path]:
    """Every issue.yaml one level below ``sources``, by folder name."""
    return sorted(sources.glob(f"*/{MANIFEST_NAME}")) if sources.is_dir() else []
