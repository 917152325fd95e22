"""Files named by an editor: what exists where a written name finds nothing."""

from __future__ import annotations

from pathlib import Path


def case_hint(target: Path, base: Path) -> str:
    """Where the file ``target`` names exists with another case (Logo1.png for logo1.png,
    articles/03-MIT.md for 03-mit.md): names differing in case only work on Windows and macOS,
    not here (P7, P9 D16). The hint to add to a "not found" message, or "". ``base``: the
    folder the written name is relative to; a folder name below it may differ in case too."""
    try:
        parts = target.relative_to(base).parts
    except ValueError:
        return ""
    folder = base
    for index, part in enumerate(parts):
        exact = folder / part
        if exact.exists() and (index == len(parts) - 1 or exact.is_dir()):
            folder = exact
            continue
        near = sorted(p.name for p in folder.iterdir() if p.name.lower() == part.lower()) \
            if folder.is_dir() else []
        if not near:
            return ""
        folder = folder / near[0]
    if not folder.is_file() or folder == target:
        return ""
    if folder.parent == target.parent:
        return f"：同一文件夹里有 '{folder.name}'，文件名的大小写要与文件一致"
    return f"：期刊文件夹里有 '{folder.relative_to(base).as_posix()}'，文件夹和文件名的大小写要与实际一致"
