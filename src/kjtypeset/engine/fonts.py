"""Fonts: set-up of the SC faces, @font-face rules, and the coverage check that prevents tofu.

The output must never depend on what else fontconfig finds on a machine, so a layout names
font files (looked up in the layout's own fonts/ folder, the project's fonts/, then the
per-user font folder; see kjtypeset.project) and the
document declares them with @font-face. Every character of the input is checked against
those files before rendering: WeasyPrint would otherwise draw a missing glyph as .notdef and
only log it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

from .. import project
from ..errors import KjError, display_path
from ..files import write_atomically

# Debian's fonts-noto-cjk ships each family as a collection of regional faces; the SC face is
# extracted so that an SC font, not a JP one, is what the PDF embeds.
DEBIAN_NOTO = Path("/usr/share/fonts/opentype/noto")
SC_FACES = {
    "NotoSerifCJKsc-Regular.otf": ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular"),
    "NotoSerifCJKsc-Bold.otf": ("NotoSerifCJK-Bold.ttc", "NotoSerifCJKsc-Bold"),
    "NotoSansCJKsc-Regular.otf": ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular"),
    "NotoSansCJKsc-Bold.otf": ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold"),
}


def install_sc_faces(dest: Path, source: Path = DEBIAN_NOTO) -> list[Path]:
    """Extract the SC faces from Debian's Noto CJK collections into ``dest``; skip existing.

    The faces come out byte-identical on every machine (the head table keeps its timestamp),
    so every machine embeds the same subsets. Builds running at once (build --all) may both
    extract: each writes a temporary file of its own and renames it into place."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (collection, postscript) in SC_FACES.items():
        target = dest / name
        if target.exists():
            continue
        ttc = source / collection
        if not ttc.is_file():
            raise KjError(None, None, f"缺少简体中文字体 {name}：应先安装 Debian 软件包 fonts-noto-cjk"
                                      f"（apt-get install fonts-noto-cjk，kjtypeset 会从 {source} 中提取），"
                                      "或把字体文件放进项目的 fonts/")
        faces = TTCollection(ttc, lazy=True, recalcTimestamp=False).fonts
        face = next((f for f in faces if f["name"].getDebugName(6) == postscript), None)
        if face is None:
            raise KjError(ttc, None, f"字体集中没有 {postscript} 字面")
        data = io.BytesIO()
        face.save(data)
        write_atomically(target, data.getvalue())
        written.append(target)
    return written


def sc_faces_folder(folders: tuple[Path, ...]) -> Path | None:
    """The first of ``folders`` that holds all the SC faces."""
    return next((f for f in folders if all((f / name).is_file() for name in SC_FACES)), None)


@dataclass(frozen=True)
class FontFace:
    family: str  # the name the layout's CSS uses
    weight: str  # "normal" | "bold"
    path: Path


# Debian's fonts for the characters the CJK faces lack (sub- and superscript digits of CO₂ and
# 10⁻⁶, ‱ …): fonts-dejavu-core, installed by make setup. A layout names the file; it is looked
# for here after the layout's, the project's and the user's fonts.
SYSTEM_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)


def resolve_font(name: str, folders: tuple[Path, ...], settings: Path, line: int | None,
                 progress: Callable[[str], None] = lambda message: None) -> Path:
    """The font file ``name`` from the first of ``folders`` that holds it (then Debian's font
    folders). An SC face found nowhere is extracted first, once per user, into the per-user
    folder all projects share."""
    for folder in (*folders, *SYSTEM_FONT_DIRS):
        candidate = (folder / name).resolve()
        if candidate.is_file() and candidate.is_relative_to(folder.resolve()):
            return candidate
    shared = project.user_fonts()
    if name in SC_FACES:
        progress(f"首次使用：从 Debian 的 Noto CJK 字体集中提取简体中文字体到 {display_path(shared)}"
                 "（各项目共用，只需一次）……")
        install_sc_faces(shared)
        return (shared / name).resolve()
    debian = "（DejaVu 字体来自 Debian 软件包 fonts-dejavu-core）" if name.startswith("DejaVu") else ""
    raise KjError(settings, line, f"找不到字体文件 '{name}'：应放在版式的 fonts/、项目的 fonts/ "
                                  f"或 {display_path(shared)} 中{debian}")


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
        write_atomically(cached, json.dumps(_ranges(sorted(codepoints))))  # builds at once may share it
    return codepoints


_CACHE = project.user_cache()


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
