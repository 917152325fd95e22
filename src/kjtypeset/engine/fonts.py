"""Fonts: set-up of the SC faces, @font-face rules, and the coverage check that prevents tofu.

The output must never depend on what else fontconfig finds on a machine, so a layout names
font files (looked up in the layout's own fonts/ folder, then the project's fonts/) and the
document declares them with @font-face. Every character of the input is checked against
those files before rendering: WeasyPrint would otherwise draw a missing glyph as .notdef and
only log it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

from ..errors import KjError

PROJECT_FONTS = Path(__file__).resolve().parents[3] / "fonts"

# Debian's fonts-noto-cjk ships each family as a collection of regional faces; the SC face is
# extracted so that an SC font, not a JP one, is what the PDF embeds.
DEBIAN_NOTO = Path("/usr/share/fonts/opentype/noto")
SC_FACES = {
    "NotoSerifCJKsc-Regular.otf": ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular"),
    "NotoSerifCJKsc-Bold.otf": ("NotoSerifCJK-Bold.ttc", "NotoSerifCJKsc-Bold"),
    "NotoSansCJKsc-Regular.otf": ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular"),
    "NotoSansCJKsc-Bold.otf": ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold"),
}


def install_sc_faces(dest: Path = PROJECT_FONTS, source: Path = DEBIAN_NOTO) -> list[Path]:
    """Extract the SC faces from Debian's Noto CJK collections into ``dest``; skip existing."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (collection, postscript) in SC_FACES.items():
        target = dest / name
        if target.exists():
            continue
        ttc = source / collection
        if not ttc.is_file():
            raise KjError(ttc, None, "找不到 Noto CJK 字体集：应先安装 Debian 软件包 fonts-noto-cjk")
        faces = TTCollection(ttc, lazy=True).fonts
        face = next((f for f in faces if f["name"].getDebugName(6) == postscript), None)
        if face is None:
            raise KjError(ttc, None, f"字体集中没有 {postscript} 字面")
        partial = target.with_suffix(".part")
        face.save(partial)
        partial.replace(target)
        written.append(target)
    return written


@dataclass(frozen=True)
class FontFace:
    family: str  # the name the layout's CSS uses
    weight: str  # "normal" | "bold"
    path: Path


def resolve_font(name: str, layout_dir: Path, settings: Path, line: int | None) -> Path:
    for folder in (layout_dir / "fonts", PROJECT_FONTS):
        candidate = (folder / name).resolve()
        if candidate.is_file() and candidate.is_relative_to(folder.resolve()):
            return candidate
    raise KjError(settings, line, f"找不到字体文件 '{name}'：应放在版式的 fonts/ 或项目的 fonts/ 中"
                                  "（Noto CJK 的 SC 字体由 make fonts 从 Debian 软件包提取）")


def font_face_css(faces: tuple[FontFace, ...], roles: tuple[tuple[str, str], ...]) -> str:
    """@font-face rules, and one custom property per role: ``--font-song: "Noto Serif CJK SC", …``.

    Each role's stack continues with every other configured family, so a character one face
    lacks comes from another configured face rather than from whatever fontconfig finds.
    The PDF names each embedded font after its family, so families should be real names.
    """
    rules = []
    for face in faces:
        rules.append(
            "@font-face { "
            f'font-family: "{face.family}"; font-weight: {face.weight}; font-style: normal; '
            f'src: url("{face.path.as_uri()}"); }}')
    families = list(dict.fromkeys(family for _role, family in roles))
    stacks = []
    for role, family in roles:
        stack = [family] + [f for f in families if f != family]
        stacks.append(f"--font-{role}: " + ", ".join(f'"{f}"' for f in stack) + ";")
    rules.append(":root { " + " ".join(stacks) + " }")
    return "\n".join(rules)


@lru_cache(maxsize=32)
def _cmap(path: Path, size: int, mtime: float) -> frozenset[int]:
    """The code points a font maps, cached on disk: decoding a CJK cmap takes ~0.25 s a face."""
    key = hashlib.sha1(f"{path}|{size}|{mtime}".encode()).hexdigest()[:16]
    cached = _CACHE / f"cmap-{key}.json"
    with contextlib.suppress(OSError, ValueError):
        return frozenset(_expand(json.loads(cached.read_text())))
    with TTFont(path, lazy=True, fontNumber=0) as font:
        codepoints = frozenset(font.getBestCmap())
    with contextlib.suppress(OSError):  # a read-only home only costs the next build time
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(_ranges(sorted(codepoints))))
    return codepoints


_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kjtypeset"


def _ranges(points: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for point in points:
        if out and point == out[-1][1] + 1:
            out[-1][1] = point
        else:
            out.append([point, point])
    return out


def _expand(ranges: list[list[int]]):
    for first, last in ranges:
        yield from range(first, last + 1)


def _drawn(char: str) -> bool:
    """Whether a character needs a glyph: not white space, not a control or format mark."""
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp")


class Coverage:
    """The characters the configured fonts can draw, checked line by line against sources."""

    def __init__(self, faces: tuple[FontFace, ...]):
        stats = ((f.path, f.path.stat()) for f in faces)
        self.codepoints = frozenset().union(*(_cmap(p, st.st_size, st.st_mtime) for p, st in stats))

    def missing(self, text: str) -> list[str]:
        return [c for c in dict.fromkeys(text) if _drawn(c) and ord(c) not in self.codepoints]

    def check_file(self, path: Path) -> None:
        """Fail on the first character of ``path`` that no configured font has."""
        from ..inputs.encoding import read_text  # GBK, UTF-16 articles too (issue 14)

        text = read_text(path, notice=False)  # the article reader gives the notice
        for number, line in enumerate(text.splitlines(), start=1):
            missing = self.missing(line)
            if missing:
                raise KjError(path, number, tofu_message(missing[0]))


def tofu_message(char: str) -> str:
    return (f"字符 '{char}'（U+{ord(char):04X}）不在任何已配置的字体中，印出来会是方框："
            "应改用常用字或在版式中加入含此字的字体")
