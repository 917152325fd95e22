"""Fonts: where a layout's font files come from, @font-face rules by role, and the coverage
check that prevents tofu.

The output must never depend on what else fontconfig finds on a machine, so a layout names
font files (looked up in the layout's own fonts/ folder, the project's fonts/, the per-user
font folder, then the Debian package the layout names; see kjtypeset.project) and the document
declares them with @font-face. A layout sets text by role (body, title, heading-1 …): each
role is a fallback chain of families, and the CSS uses ``var(--font-<role>)``. Every
character of the input is checked against the chain of the role that sets it before
rendering: WeasyPrint would otherwise draw a missing glyph as .notdef and only log it.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import io
import json
import re
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

from .. import project
from ..errors import KjError, display_path, warn
from ..files import write_atomically
from ..typography.chars import is_han

# Debian's fonts-noto-cjk ships each family as a collection of regional faces; the SC face is
# extracted so that an SC font, not a JP one, is what the PDF embeds.
DEBIAN_NOTO = Path("/usr/share/fonts/opentype/noto")
SC_FACES = {
    "NotoSerifCJKsc-Regular.otf": ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular"),
    "NotoSerifCJKsc-Bold.otf": ("NotoSerifCJK-Bold.ttc", "NotoSerifCJKsc-Bold"),
    "NotoSansCJKsc-Regular.otf": ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular"),
    "NotoSansCJKsc-Bold.otf": ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold"),
}
NOTO_PACKAGE = "fonts-noto-cjk"
# The other weights are in fonts-noto-cjk-extra (134 MB): extracted one by one, when a layout
# in use names them (gongwen's titles are set in the Black weight, the nearest free 小标宋).
EXTRA_SC_FACES = {
    "NotoSerifCJKsc-Black.otf": ("NotoSerifCJK-Black.ttc", "NotoSerifCJKsc-Black"),
}
EXTRA_PACKAGE = "fonts-noto-cjk-extra"


def extract_face(name: str, dest: Path, source: Path | None = None) -> Path | None:
    """Extract the SC face ``name`` from its Debian collection into ``dest``; None when the
    collection is not installed.

    The face comes out byte-identical on every machine (the head table keeps its timestamp),
    so every machine embeds the same subsets. Builds running at once (build --all) may both
    extract: each writes a temporary file of its own and renames it into place."""
    collection, postscript = {**SC_FACES, **EXTRA_SC_FACES}[name]
    ttc = (source or DEBIAN_NOTO) / collection
    if not ttc.is_file():
        return None
    faces = TTCollection(ttc, lazy=True, recalcTimestamp=False).fonts
    face = next((f for f in faces if f["name"].getDebugName(6) == postscript), None)
    if face is None:
        raise KjError(ttc, None, f"字体集中没有 {postscript} 字面")
    data = io.BytesIO()
    face.save(data)
    write_atomically(dest / name, data.getvalue())
    return dest / name


def install_sc_faces(dest: Path, source: Path = DEBIAN_NOTO) -> list[Path]:
    """Extract the SC faces of fonts-noto-cjk into ``dest``; skip existing ones."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SC_FACES:
        if (dest / name).exists():
            continue
        path = extract_face(name, dest, source)
        if path is None:
            raise KjError(None, None, f"缺少简体中文字体 {name}：应先安装 Debian 软件包 {NOTO_PACKAGE}"
                                      f"（apt-get install {NOTO_PACKAGE}，kjtypeset 会从 {source} 中提取），"
                                      "或把字体文件放进项目的 fonts/")
        written.append(path)
    return written


def sc_faces_folder(folders: tuple[Path, ...]) -> Path | None:
    """The first of ``folders`` that holds all the SC faces."""
    return next((f for f in folders if all((f / name).is_file() for name in SC_FACES)), None)


@dataclass(frozen=True)
class FontFace:
    family: str  # the name the layout's CSS uses
    weight: str  # "normal" | "bold"
    path: Path
    unicode_range: str | None = None  # CSS unicode-range: the face sets only these characters


@dataclass(frozen=True)
class FontSet:
    """The faces a layout uses and its roles, each a fallback chain of families.

    Iterating gives the faces (whose files the preview watches)."""

    faces: tuple[FontFace, ...]
    roles: tuple[tuple[str, tuple[str, ...]], ...]  # role → families, first choice first

    def __iter__(self) -> Iterator[FontFace]:
        return iter(self.faces)

    def __len__(self) -> int:
        return len(self.faces)

    def chain(self, role: str) -> tuple[str, ...] | None:
        return dict(self.roles).get(role)


# Debian packages whose font files the shipped layouts name, and where they put them: looked
# in after the layout's, the project's and the user's fonts. For any other package a layout
# names, its file list is asked for (dpkg-query -L).
SYSTEM_FONT_DIRS = {
    "fonts-dejavu-core": Path("/usr/share/fonts/truetype/dejavu"),
    "texlive-lang-chinese": Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"),
}


def package_of(name: str, declared: str | None) -> str | None:
    """The Debian package a font file comes from: the layout's word, else what kjtypeset knows."""
    if declared:
        return declared
    if name in SC_FACES:
        return NOTO_PACKAGE
    if name in EXTRA_SC_FACES:
        return EXTRA_PACKAGE
    if name.startswith("DejaVu"):
        return "fonts-dejavu-core"
    return None


@lru_cache(maxsize=64)
def _package_files(package: str) -> dict[str, Path]:
    """File name → path of the files an installed Debian package holds (none if it is not)."""
    try:
        listed = subprocess.run(["dpkg-query", "-L", package], capture_output=True, text=True,
                                timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    return {Path(line).name: Path(line) for line in listed.splitlines() if line.startswith("/")}


def find_font(name: str, folders: tuple[Path, ...], package: str | None = None) -> Path | None:
    """The font file ``name`` in the first of ``folders`` that holds it, else where its Debian
    package put it; None when it is nowhere (an SC face may still be extractable)."""
    package = package_of(name, package)
    known = SYSTEM_FONT_DIRS.get(package or "")
    for folder in (*folders, *((known,) if known else ())):
        candidate = (folder / name).resolve()
        if candidate.is_file() and candidate.is_relative_to(folder.resolve()):
            return candidate
    if package and not known and package not in (NOTO_PACKAGE, EXTRA_PACKAGE):
        path = _package_files(package).get(name)
        if path is not None and path.is_file():
            return path.resolve()
    return None


def needs_package(name: str, folders: tuple[Path, ...], package: str | None = None) -> str | None:
    """The Debian package to install so that font file ``name`` can be found (None: it can)."""
    if find_font(name, folders, package) is not None:
        return None
    collection = {**SC_FACES, **EXTRA_SC_FACES}.get(name)
    if collection and (DEBIAN_NOTO / collection[0]).is_file():
        return None  # extracted on first use
    return package_of(name, package)


def resolve_font(name: str, folders: tuple[Path, ...], settings: Path, line: int | None,
                 progress: Callable[[str], None] = lambda message: None,
                 package: str | None = None) -> Path:
    """The font file ``name`` from the first of ``folders`` that holds it, then from its Debian
    package. An SC face found nowhere is extracted first, once per user, into the per-user
    folder all projects share."""
    found = find_font(name, folders, package)
    if found is not None:
        return found
    shared = project.user_fonts()
    if name in SC_FACES:
        progress(f"首次使用：从 Debian 的 Noto CJK 字体集中提取简体中文字体到 {display_path(shared)}"
                 "（各项目共用，只需一次）……")
        install_sc_faces(shared)
        return (shared / name).resolve()
    if name in EXTRA_SC_FACES and (DEBIAN_NOTO / EXTRA_SC_FACES[name][0]).is_file():
        progress(f"首次使用：从 Debian 的 Noto CJK 字体集中提取 {name} 到 {display_path(shared)}"
                 "（各项目共用，只需一次）……")
        shared.mkdir(parents=True, exist_ok=True)
        return extract_face(name, shared).resolve()
    where = f"版式的 fonts/、项目的 fonts/ 或 {display_path(shared)}"
    package = package_of(name, package)
    if package is None:
        raise KjError(settings, line, f"找不到字体文件 '{name}'：应放在{where} 中")
    raise KjError(settings, line, f"找不到字体文件 '{name}'：应先安装 Debian 软件包 {package}"
                                  f"（apt-get install {package}；make setup 会安装在用的版式需要的软件包），"
                                  f"或把字体文件放在{where} 中")


SYMBOLS = "symbols"  # the role whose chain ends every other role's chain (CO₂, m², ‱ …)


def css_family(face: FontFace) -> str:
    """The name the document's CSS gives a face's family. A face limited by unicode-range gets
    a name of its own: under its real name, fontconfig would take the characters outside the
    range from the machine's own copy of the family (Liberation Serif's “ ” from
    /usr/share/fonts) before the next family of the chain."""
    if not face.unicode_range:
        return face.family
    return f"{face.family} Range{hashlib.sha1(face.unicode_range.encode()).hexdigest()[:6]}"


def stacks(fonts: FontSet, series: dict[str, str] | None = None) -> dict[str, tuple[str, ...]]:
    """Each role's font-family list (CSS names): its chain, then the symbols chain, then every
    other family the layout uses (never reached by checked text: it only keeps a character
    that a chain lacks from falling through to whatever fontconfig finds on the machine).
    A role in ``series`` (role → its series_family) has that face, limited to ①–⑳, in front."""
    names = {face.family: css_family(face) for face in fonts.faces}
    used = list(names)
    symbols = fonts.chain(SYMBOLS) or ()
    out = {}
    for role, chain in fonts.roles:
        head = (_series_name(series[role]),) if series and role in series else ()
        out[role] = head + tuple(names.get(f, f) for f in dict.fromkeys((*chain, *symbols, *used)))
    return out


# A series whose characters must all come from one face: ①–⑳ (an item's number, a formula's
# term), set side by side; FandolFang (gongwen's body) draws ①–⑩ only, and ⑪–⑳ from the
# next face of the chain printed visibly smaller and lighter (an unseen issue, P10 D14b).
CIRCLED_NUMBERS = "U+2460-2473"


def series_family(fonts: FontSet, role: str, text: str) -> str | None:
    """The family that sets all of ①–⑳ in ``role`` when ``text`` uses one the first family
    of its chain lacks: the first of the chain, then of the symbols chain, that has all twenty
    (None: the first has all those ``text`` uses, or no family has them all). Only then: the
    face in front of the chain is not inert (an unseen issue's 楷体 lines with Latin sat 0.8 pt
    lower with it), and ①–⑩ match the body best in its own face."""
    regular = _regular_faces(fonts)
    series = frozenset(_expand(parse_unicode_range(CIRCLED_NUMBERS)))
    order = [f for f in dict.fromkeys((*(fonts.chain(role) or ()), *(fonts.chain(SYMBOLS) or ())))
             if f in regular]
    # Only the characters the first face lacks are looked for: the text is the whole issue
    # (a set of all its characters, for each role, took 0.4 s of a 40-page build).
    lacking = series - _face_points(regular[order[0]]) if order else ()
    if not any(chr(point) in text for point in lacking):
        return None
    return next((f for f in order[1:] if series <= _face_points(regular[f])), None)


def _regular_faces(fonts: FontSet) -> dict[str, FontFace]:
    """Each family's face of normal weight (its first face when it has none)."""
    regular = {}
    for face in fonts.faces:
        regular.setdefault(face.family, face)
        if face.weight == "normal":
            regular[face.family] = face
    return regular


def _series_faces(fonts: FontSet, series: dict[str, str]) -> list[tuple[FontFace, bytes]]:
    """The faces of the families in ``series`` (role → its series_family), each with a font of
    its glyphs for ①–⑳ alone (an @font-face each, in front of the role's chain). A cut-down
    copy, not the family's own file under a unicode-range: Pango took a second rule on the same font for the first one,
    and the characters outside the range (², ½, − in FandolFang text) then fell through to
    DejaVu Serif."""
    families = set(series.values())
    return [(FontFace(face.family, face.weight, face.path, CIRCLED_NUMBERS),
             _series_font(face.path, face.path.stat().st_size, face.path.stat().st_mtime))
            for face in fonts.faces if face.family in families]


def _series_name(family: str) -> str:
    return css_family(FontFace(family, "normal", Path(), CIRCLED_NUMBERS))


@lru_cache(maxsize=8)
def _series_font(path: Path, size: int, mtime: float) -> bytes:
    """``path``'s glyphs for CIRCLED_NUMBERS alone, renamed (6 KB of a CJK face; cut once, 0.3 s,
    and kept on disk). It goes into the CSS as a data: URL: the fetcher reads files under the
    issue's, the layout's and the font folders only."""
    import fontTools

    stamp = f"{path}|{size}|{mtime}|{CIRCLED_NUMBERS}|{fontTools.version}"
    cached = _CACHE / f"series-{hashlib.sha1(stamp.encode()).hexdigest()[:16]}{path.suffix}"
    with contextlib.suppress(OSError):
        return cached.read_bytes()
    from fontTools import subset

    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    with TTFont(path, lazy=True, fontNumber=0, recalcTimestamp=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=_expand(parse_unicode_range(CIRCLED_NUMBERS)))
        subsetter.subset(font)
        for record in font["name"].names:
            if record.nameID in (1, 3, 4, 6, 16, 21):  # family, unique, full and PostScript names
                record.string = record.toUnicode() + ("-Series" if record.nameID == 6 else " Series")
        data = io.BytesIO()
        font.save(data)
    with contextlib.suppress(OSError):  # a read-only home only costs the next build time
        write_atomically(cached, data.getvalue())  # builds at once may share it
    return data.getvalue()


def font_face_css(faces: FontSet, roles=None, text: str = "") -> str:
    """@font-face rules, and one custom property per role: ``--font-body: "FandolFang", …``.
    The PDF names each embedded font after its family, so families should be real names.
    ``text``: the document's, for the faces only some characters call for (series_family)."""
    if not isinstance(faces, FontSet):  # faces and roles given apart
        faces = FontSet(tuple(faces), tuple(roles or ()))
    series = {role: family for role, _chain in faces.roles if (family := series_family(faces, role, text))}
    rules = []
    for face, data in (*((face, None) for face in faces.faces), *_series_faces(faces, series)):
        limit = f" unicode-range: {face.unicode_range};" if face.unicode_range else ""
        source = face.path.as_uri() if data is None else "data:font/otf;base64," + base64.b64encode(data).decode()
        rules.append(
            "@font-face { "
            f'font-family: "{css_family(face)}"; font-weight: {face.weight}; font-style: normal; '
            f'src: url("{source}");{limit} }}')
    properties = [f"--font-{role}: " + ", ".join(f'"{f}"' for f in stack) + ";"
                  for role, stack in stacks(faces, series).items()]
    rules.append(":root { " + " ".join(properties) + " }")
    quotes = latin_quote_family(faces)
    if quotes is not None:
        rules.append(f'.kj-pw {{ font-family: "{quotes}"; }}  /* (see latin_quote_family) */')
    return "\n".join(rules)


# A quotation mark narrower than this (em) is a Latin one already.
LATIN_QUOTE_EM = 0.7


def latin_quote_family(fonts: FontSet) -> str | None:
    """The family that sets the quotation marks and apostrophes of English text (typography/cjk.py
    wraps each in .kj-pw, shaped pwid) when the body face draws them full width with no
    proportional form: FandolFang (gongwen) has no pwid, and printed "Europe’ s excellent
    science" and "necessary” . Where" (an unseen issue). The first family of the body chain,
    then of the symbols chain, then of the layout, whose marks are narrow or have a pwid form;
    None when the body face's own have (Noto Serif CJK SC: jianbao is set as it was)."""
    names = {face.family: css_family(face) for face in fonts.faces}
    regular = _regular_faces(fonts)
    body = [f for f in (fonts.chain("body") or ()) if f in regular]
    if not body or _latin_quotes(regular[body[0]].path):
        return None
    order = dict.fromkeys((*body, *(fonts.chain(SYMBOLS) or ()), *regular))
    return next((names[f] for f in order if f in regular and _latin_quotes(regular[f].path)), None)


@lru_cache(maxsize=32)
def _latin_quotes(path: Path) -> bool:
    """Whether a font's ’ is narrow, or narrow with its proportional form (the OpenType feature
    pwid), as HarfBuzz shapes it (fontTools read the CJK faces' whole cmap: 0.18 s a build,
    issue 15)."""
    import uharfbuzz

    try:
        face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path)), 0)
    except uharfbuzz.HarfBuzzError:  # a file it cannot read
        return False
    font = uharfbuzz.Font(face)

    def advance(features: dict) -> int | None:
        buffer = uharfbuzz.Buffer()
        buffer.add_str("’")
        buffer.guess_segment_properties()
        uharfbuzz.shape(font, buffer, features)
        if not buffer.glyph_infos or buffer.glyph_infos[0].codepoint == 0:
            return None  # no glyph
        return buffer.glyph_positions[0].x_advance

    narrow = LATIN_QUOTE_EM * face.upem
    plain = advance({})
    if plain is None:
        return False
    proportional = plain if plain < narrow else advance({"pwid": True})
    return proportional is not None and proportional < narrow


_RANGE = re.compile(r"^U\+([0-9A-F?]{1,6})(?:-([0-9A-F]{1,6}))?$", re.I)


def parse_unicode_range(text: str) -> tuple[tuple[int, int], ...] | None:
    """CSS unicode-range ("U+0020-007E, U+00C0-024F, U+4??") → (first, last) pairs; None if
    it is not one."""
    out = []
    for part in str(text).split(","):
        match = _RANGE.match(part.strip())
        if match is None:
            return None
        first, last = match.group(1), match.group(2)
        if "?" in first:
            if last or not re.fullmatch(r"[0-9A-F]*\?+", first, re.I):
                return None
            first, last = first.replace("?", "0"), first.replace("?", "F")
        low, high = int(first, 16), int(last or first, 16)
        if low > high or high > 0x10FFFF:
            return None
        out.append((low, high))
    return tuple(out)


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


def _face_points(face: FontFace) -> frozenset[int]:
    stat = face.path.stat()
    return _limited(_cmap(face.path, stat.st_size, stat.st_mtime), face.unicode_range)


@lru_cache(maxsize=32)
def _limited(points: frozenset[int], unicode_range: str | None) -> frozenset[int]:
    if not unicode_range:
        return points
    ranges = parse_unicode_range(unicode_range) or ()
    return frozenset(p for p in points if any(low <= p <= high for low, high in ranges))


# Which role sets which part of an article (a Markdown line): what the coverage check holds
# each line to. A title is set in its role and again in the contents (body).
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s")
_HEADING_ROLES = {1: ("heading-1",), 2: ("heading-1",), 3: ("heading-2",)}


class Coverage:
    """The characters the configured fonts can draw, checked against sources: a role's text
    against the role's chain (with the symbols chain), any other text against every face."""

    def __init__(self, faces: FontSet | tuple[FontFace, ...]):
        fonts = faces if isinstance(faces, FontSet) else FontSet(tuple(faces), ())
        # Each face's code points as decoded (cached); no unions: a CJK cmap has 45 000 of
        # them, and a union per role would cost a build a tenth of a second.
        self._faces = [(face.family, _face_points(face)) for face in fonts.faces]
        symbols = fonts.chain(SYMBOLS) or ()
        self.chains = {role: tuple(dict.fromkeys((*chain, *symbols))) for role, chain in fonts.roles}
        self._sets = {role: [points for family, points in self._faces if family in chain]
                      for role, chain in self.chains.items()}

    @functools.cached_property
    def codepoints(self) -> frozenset[int]:
        return frozenset().union(*(points for _family, points in self._faces))

    def missing(self, text: str, role: str = "body") -> list[str]:
        """The characters of ``text`` that ``role``'s chain lacks (a layout without that role:
        that no configured face has), first occurrence first."""
        sets = self._sets.get(role) or [points for _family, points in self._faces]
        return [c for c in dict.fromkeys(text) if _drawn(c) and not any(ord(c) in s for s in sets)]

    def fallbacks(self, text: str, role: str = "body") -> list[str]:
        """The Chinese characters of ``text`` that ``role``'s first face lacks and a later face of
        its chain draws: printed in another face (a rare name in gongwen's 仿宋 came out in the
        heavier 宋体, visibly bold mid-line, with no word to the editor: an unseen issue, P11 D5).
        Symbols and Latin from a later face are the chain's design and are not counted."""
        chain = self.chains.get(role)
        if not chain:
            return []
        first = next((points for family, points in self._faces if family == chain[0]), None)
        if first is None:
            return []
        return [c for c in dict.fromkeys(text) if is_han(c) and ord(c) not in first]

    def message(self, chars: str | list[str], role: str = "body") -> str:
        """One line naming every character of ``chars`` (what missing() found in one place):
        an editor fixes them all before the next build, not one a build."""
        chain = self.chains.get(role)
        if chain is None:
            return tofu_message(*chars)
        return (f"字符 {_named(chars)}不在字体角色 {role} 的字体链（{' → '.join(chain)}）中，"
                f"印出来会是方框：应改用常用字，或在版式 layout.yaml 的 fonts.{role} 中加入含此字的字体")

    def check_file(self, path: Path) -> None:
        """Fail on the first line of article ``path`` with characters the role setting it lacks,
        naming them all and the other lines that have such characters."""
        from ..inputs.encoding import read_text  # GBK, UTF-16 articles too (issue 14)

        text = read_text(path, notice=False)  # the article reader gives the notice
        lines = text.splitlines()
        front = lines and lines[0].strip() == "---"
        found = []  # (line, the characters missing there, the role that lacks them)
        fallen = {}  # role -> {character: the first line it is on} (see fallbacks)
        subheads = _subhead_roles(lines, front)
        for number, line in enumerate(lines, start=1):
            if front and number > 1 and line.strip() in ("---", "..."):
                front = False
                continue
            if front and line.startswith("title:"):
                line, roles = line[len("title:"):], ("title", "body")
            elif not front and (heading := _HEADING.match(line)):
                line, roles = line[heading.end():], subheads[number]
            else:
                roles = ("body",)
            for role in roles:
                if missing := self.missing(line, role):
                    found.append((number, missing, role))
                    break
                for char in self.fallbacks(line, role):
                    fallen.setdefault(role, {}).setdefault(char, number)
        if found:
            number, missing, role = found[0]
            more = f"（本文第 {'、'.join(str(n) for n, _m, _r in found[1:MAX_LINES_NAMED + 1])}" \
                   f"{' 等' if len(found) > MAX_LINES_NAMED + 1 else ''} 行也有缺字）" if len(found) > 1 else ""
            raise KjError(path, number, self.message(missing, role) + more)
        for role, chars in fallen.items():
            warn(path, min(chars.values()), self.fallback_message(list(chars), role))

    def fallback_message(self, chars: list[str], role: str) -> str:
        """One line naming the characters of ``chars`` (what fallbacks() found) and the faces
        that print them instead of ``role``'s first."""
        chain = self.chains[role]
        others = " → ".join(family for family in chain[1:] if any(
            ord(c) in points for c in chars for name, points in self._faces if name == family))
        return (f"字体 {chain[0]}（字体角色 {role}）没有 {_named(chars)}，这些字改用 {others} 印出，"
                f"字形与周围的字不同：可把含这些字的同类字体放进 fonts/ 文件夹，列在版式 layout.yaml 的 fonts.{role} 最前")


def _subhead_roles(lines: list[str], front: bool) -> dict[int, tuple[str, ...]]:
    """The role setting each "## …" line (by line number), at the level it is printed at: a
    sub-head written two levels down is set one level down (inputs/markdown.printed_levels)."""
    from ..inputs.markdown import printed_levels

    numbers, written = [], []
    for number, line in enumerate(lines, start=1):
        if front and number > 1 and line.strip() in ("---", "..."):
            front = False
        elif not front and (heading := _HEADING.match(line)):
            numbers.append(number)
            written.append(min(max(len(heading.group(1)), 2), 4))
    return {number: _HEADING_ROLES.get(level, ("body",))
            for number, (level, _parent) in zip(numbers, printed_levels(written))}


MAX_LINES_NAMED = 5  # other lines with missing characters an error names
MAX_CHARS_NAMED = 5  # characters of one line an error names (a line in a face without Han: all)


def _named(chars: str | list[str]) -> str:
    named = "、".join(f"'{char}'（U+{ord(char):04X}）" for char in chars[:MAX_CHARS_NAMED])
    return named + (f" 等 {len(chars)} 个" if len(chars) > MAX_CHARS_NAMED else "")


def tofu_message(*chars: str) -> str:
    return (f"字符 {_named(chars)}不在任何已配置的字体中，印出来会是方框："
            "应改用常用字或在版式中加入含此字的字体")
