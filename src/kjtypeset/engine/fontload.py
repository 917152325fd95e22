"""How WeasyPrint 70 loads font files, made cheaper for big CJK fonts (pinned seams).

WeasyPrint handles font files as if they were small: it copies every @font-face file into a
temporary folder before fontconfig sees it, and when a font is first drawn it reads the whole
file into memory (twice over in resident memory: the mapped file and the copy) although
HarfBuzz then subsets it from the mapped file. With four Noto CJK faces (82 MB) that is about
0.3 s and 110 MB of every build. Both are avoided here without changing a byte of the PDF:

- ``InPlaceFonts`` registers @font-face files that lie under the font folders in place;
- ``lazy_font_files()`` lets a font's file content be read only if something still needs it
  (HarfBuzz subsetting replaces it with the subset without reading it).

Anything these shortcuts do not recognise takes WeasyPrint's own path, so a change in
WeasyPrint costs speed, not correctness; tests/test_build.py fails loudly if that happens.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, SubElement, tostring

import weasyprint.pdf
import weasyprint.pdf.fonts
import weasyprint.pdf.stream
from weasyprint.text.constants import FONTCONFIG_STYLE, FONTCONFIG_WEIGHT
from weasyprint.text.ffi import ffi, fontconfig, pangoft2
from weasyprint.text.fonts import FontConfiguration


class InPlaceFonts(FontConfiguration):
    """A FontConfiguration that hands @font-face files in the font folders to fontconfig in place.

    Files under the font folders (set up by the project, never named by an article) are
    registered where they lie, with the same fontconfig rules WeasyPrint writes; any other
    source, or a descriptor this shortcut does not handle, is fetched (through the confined
    fetcher) and copied by WeasyPrint as usual.
    """

    _PLAIN = {"src", "font_family", "font_weight", "font_style"}

    def __init__(self, folders: tuple[Path, ...]):
        super().__init__()
        self.folders = tuple(folder.resolve() for folder in folders)
        self.in_place: dict[str, Path] = {}  # rule → file registered without a copy

    def add_font_face(self, rule_descriptors, url_fetcher):
        key = str(rule_descriptors)
        if key in self.in_place:
            return None
        path = self._in_folders(rule_descriptors)
        if path is None or path in self.in_place.values():
            return super().add_font_face(rule_descriptors, url_fetcher)
        root = Element("fontconfig")
        scan = SubElement(root, "match", target="scan")
        SubElement(SubElement(scan, "test", name="file", compare="eq"), "string").text = str(path)
        # Prepend the family, as WeasyPrint does: replacing it breaks Pango (WeasyPrint #2510).
        SubElement(SubElement(scan, "edit", name="family", mode="prepend"), "string").text = \
            rule_descriptors["font_family"]
        if "font_style" in rule_descriptors:
            SubElement(SubElement(scan, "edit", name="slant", mode="assign_replace"), "const").text = \
                FONTCONFIG_STYLE[rule_descriptors["font_style"]]
        if "font_weight" in rule_descriptors:
            SubElement(SubElement(scan, "edit", name="weight", mode="assign_replace"), "int").text = \
                str(FONTCONFIG_WEIGHT[rule_descriptors["font_weight"]])
        xml = (b'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
               + tostring(root, encoding="utf-8"))
        fontconfig.FcConfigParseAndLoadFromMemory(self._config, xml, True)
        if not fontconfig.FcConfigAppFontAddFile(self._config, str(path).encode()):
            return super().add_font_face(rule_descriptors, url_fetcher)
        self.in_place[key] = path
        return pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", self.font_map))

    def _in_folders(self, rule_descriptors) -> Path | None:
        """The font file a plain rule names by a file: URL under the font folders, or None."""
        sources = rule_descriptors.get("src") or []
        if set(rule_descriptors) - self._PLAIN or len(sources) != 1 or sources[0][0] != "external":
            return None
        url = urlsplit(sources[0][1] or "")
        if url.scheme != "file":
            return None
        path = Path(unquote(url.path)).resolve()
        if not path.is_file() or not any(path.is_relative_to(folder) for folder in self.folders):
            return None
        return path


_whole_file = weasyprint.pdf.fonts.get_hb_object_data


class _LazyFont(weasyprint.pdf.fonts.Font):
    """WeasyPrint's Font, reading the whole font file only when it is asked for."""

    def __init__(self, *args):
        module = weasyprint.pdf.fonts
        # The base constructor's first act is to copy the whole file: make that call a no-op.
        module.get_hb_object_data = _not_the_whole_file
        try:
            super().__init__(*args)
        finally:
            module.get_hb_object_data = _whole_file

    @property
    def file_content(self):
        if self._file_content is None:
            self._file_content = _whole_file(self.hb_face)
        return self._file_content

    @file_content.setter
    def file_content(self, value):
        self._file_content = value


def _not_the_whole_file(hb_object, *args, **kwargs):
    return None if not args and not kwargs else _whole_file(hb_object, *args, **kwargs)


def lazy_fonts_supported() -> bool:
    """Whether WeasyPrint still creates its fonts the way _LazyFont expects."""
    init = weasyprint.pdf.fonts.Font.__init__.__code__
    return (getattr(weasyprint.pdf.stream, "Font", None) is weasyprint.pdf.fonts.Font
            and "get_hb_object_data" in init.co_names and "file_content" in init.co_names)


@contextlib.contextmanager
def lazy_font_files() -> Iterator[None]:
    """While writing a PDF, fonts are created as _LazyFont (or as usual on another WeasyPrint),
    and the faces are subset side by side (see _subset_side_by_side)."""
    if not lazy_fonts_supported():
        yield
        return
    weasyprint.pdf.stream.Font = _LazyFont
    parallel = parallel_subsets_supported()
    if parallel:
        weasyprint.pdf.build_fonts_dictionary = _subset_side_by_side
    try:
        yield
    finally:
        weasyprint.pdf.stream.Font = weasyprint.pdf.fonts.Font
        if parallel:
            weasyprint.pdf.build_fonts_dictionary = weasyprint.pdf.fonts.build_fonts_dictionary


def parallel_subsets_supported() -> bool:
    """Whether WeasyPrint still gathers each face's glyphs and subsets it as _subset_side_by_side
    expects (its PDF writer calls the fonts module's build_fonts_dictionary by that name)."""
    build = weasyprint.pdf.fonts.build_fonts_dictionary
    return (getattr(weasyprint.pdf, "build_fonts_dictionary", None) in (build, _subset_side_by_side)
            and {"clean", "to_unicode", "used_in_forms", "bitmap", "hash"} <= set(build.__code__.co_names)
            and "subset" in weasyprint.pdf.fonts.Font.clean.__code__.co_names)


def _subset_side_by_side(pdf, fonts, compress, subset, options):
    """WeasyPrint's build_fonts_dictionary, with the faces' subsets made first, in threads.

    Subsetting a CJK face costs ~40 ms in HarfBuzz whatever the glyph count, and the sample
    has three faces; HarfBuzz runs without the GIL (cffi releases it), so on two cores the
    three take the time of two (issue 15). Each face gets exactly the glyphs WeasyPrint would
    give it (the same merge of its fonts' glyphs), and its own subset call is then skipped:
    the PDF is byte-identical.
    """
    jobs = []
    if subset:
        by_file: dict[str, list] = {}
        for font in fonts.values():
            by_file.setdefault(font.hash, []).append(font)
        for file_fonts in by_file.values():
            font = file_fonts[0]
            if font.bitmap or font.used_in_forms:
                continue
            to_unicode = {}
            for file_font in file_fonts:
                to_unicode = {**to_unicode, **file_font.to_unicode}
            if to_unicode:
                jobs.append((font, to_unicode))
    if len(jobs) > 1:
        hinting = options["hinting"]

        def made(job) -> None:
            font, to_unicode = job
            font.subset(to_unicode, hinting)
            font.subset = _already_subset  # clean() calls it next: the work is done

        with concurrent.futures.ThreadPoolExecutor(min(len(jobs), 4)) as pool:
            list(pool.map(made, jobs))
    try:
        return weasyprint.pdf.fonts.build_fonts_dictionary(pdf, fonts, compress, subset, options)
    finally:
        for font, _ in jobs:
            font.__dict__.pop("subset", None)


def _already_subset(to_unicode, hinting) -> None:
    return None


class SubsetReuse:
    """Font subsets kept between the preview's writes of a few pages (issue 15).

    Subsetting a CJK face costs ~40 ms whatever the number of glyphs (HarfBuzz reads its
    65,000-glyph CFF), three faces a write. WeasyPrint subsets with glyph ids retained, so a
    subset made for more glyphs draws fewer exactly the same: while ``reusing()`` is active,
    a face whose glyphs all lie in its last subset gets that subset, and a face with new
    glyphs is subset for the union (so the set only grows, and rarely). Pixels are the same;
    the bytes are not those of `build` (bigger font programs), so only the preview uses it.
    """

    def __init__(self):
        self.subsets: dict[tuple, tuple[frozenset, bytes]] = {}
        self.twins: dict = {}  # the text layer's widened twins of these subsets (textlayer.twins_kept)

    @contextlib.contextmanager
    def reusing(self) -> Iterator[None]:
        module = weasyprint.pdf.fonts
        original = module.Font.subset
        if not getattr(original, "__code__", None) or "_harfbuzz_subset" not in original.__code__.co_names:
            yield  # another WeasyPrint: subset as usual
            return
        subsets = self.subsets

        def subset(font, to_unicode, hinting):
            if not to_unicode:
                return original(font, to_unicode, hinting)
            key = (font.name, font.index, hinting, bool(font.missing))
            glyphs = frozenset(to_unicode)
            known = subsets.get(key)
            if known is not None and glyphs <= known[0]:
                font.file_content = known[1]
                return None
            wanted = glyphs | known[0] if known is not None else glyphs
            result = original(font, dict.fromkeys(wanted, 0), hinting)
            subsets[key] = wanted, font.file_content
            return result

        module.Font.subset = subset
        try:
            yield
        finally:
            module.Font.subset = original
