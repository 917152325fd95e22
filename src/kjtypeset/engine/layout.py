"""Stage 4, layout: Manifest + Articles → one HTML document, through a layout folder.

A layout is a folder: Jinja templates, CSS and ``layout.yaml`` (fonts, stylesheets,
typography switches). Everything a print designer would change lives there. The built-in
ones ship inside the package; a project's layouts/<name>/ adds one or overrides a built-in one.
Templates come only from that folder, are autoescaped and fail on an undefined name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..typography import cjk
from ..inputs.articles import Article
from ..errors import KjError
from .fonts import FontFace, resolve_font
from .justify import Composition
from .makeup import Settings as MakeupSettings
from ..inputs.manifest import Manifest
from ..inputs.markdown import percent_share
from ..inputs.yamlread import Field, Reader
from .. import project

SETTINGS_FILE = "layout.yaml"

SETTINGS = {
    "name": Field("str", "版式名称", required=True),
    "template": Field("str", "主模板"),
    "stylesheets": Field("list", "样式表"),
    "fonts": Field("map", "字体", required=True),
    "typography": Field("map", "排版设置"),
    "makeup": Field("map", "版面设置"),
}
WEIGHTS = {"regular": "normal", "bold": "bold"}
FONT_ROLE = {
    "family": Field("str", "字体族名", required=True),
    "regular": Field("str", "常规字重文件", required=True),
    "bold": Field("str", "粗体文件"),
}
TYPOGRAPHY = {
    "han_latin_spacing": Field("bool", "汉字与西文间距"),
    "squeeze": Field("bool", "先挤后拉（行紧时先压缩标点和中西文间距）"),
    "halfwidth_line_end": Field("bool", "行末标点半角"),
    "halfwidth_line_start": Field("bool", "行首开括号半角"),
    "punctuation_compression": Field("bool", "相邻标点挤压"),
    "balance_headings": Field("bool", "居中标题各行长短均衡"),
    "max_stretch": Field("number", "两端对齐时每个字距的最大增量（em）"),
    "latin_hyphenation": Field("bool", "西文长词断词"),
}
# Page makeup (issue 13): what a designer decides about pages, read by engine/makeup.py.
MAKEUP = {
    "first_page_folio": Field("bool", "报头页印页码"),
    "end_block_even_page": Field("bool", "版记放在偶数页"),
    "figure_placement": Field("str", "原处放不下的图"),
    "figure_min_scale": Field("str", "图为留在原处最多缩小到"),
    "figure_max_height": Field("str", "图连同图题最高占版心高度"),
    "figure_page_share": Field("str", "一页中的图最多占版心高度"),
    "contents_size": Field("str", "目录条目字号"),
    "contents_leading": Field("number", "目录条目行距（字号的倍数）"),
    "contents_min_size": Field("str", "目录条目最小字号"),
    "contents_min_leading": Field("number", "目录条目最小行距（字号的倍数）"),
    "end_block_min_leading": Field("number", "版记放不下时各行最小行距（字号的倍数）"),
}
FIGURE_PLACEMENTS = {"top": True, "here": False}  # top: the next page's top; here: never moved
LENGTH_UNITS = {"pt": 1.0, "mm": 72 / 25.4, "px": 0.75}

TYPOGRAPHY_DEFAULTS = {"han_latin_spacing": True, "squeeze": True, "halfwidth_line_end": False,
                       "halfwidth_line_start": True, "punctuation_compression": True,
                       "balance_headings": True, "max_stretch": 0.17, "latin_hyphenation": False}


@dataclass(frozen=True)
class Layout:
    folder: Path
    name: str
    template: str
    stylesheets: tuple[Path, ...]
    fonts: tuple[FontFace, ...]
    roles: tuple[tuple[str, str], ...]  # role (used in CSS as var(--font-<role>)) → family
    typography: tuple[tuple[str, object], ...]
    makeup: MakeupSettings = MakeupSettings()

    def option(self, key: str):
        return dict(self.typography)[key]

    @property
    def cjk(self) -> cjk.Options:
        return cjk.Options(han_latin_spacing=self.option("han_latin_spacing"),
                           latin_hyphenation=self.option("latin_hyphenation"))

    @property
    def composition(self) -> Composition:
        """The line composer's settings (kjtypeset.engine.justify)."""
        return Composition(
            squeeze=self.option("squeeze"),
            punctuation_compression=self.option("punctuation_compression"),
            halfwidth_line_end=self.option("halfwidth_line_end"),
            halfwidth_line_start=self.option("halfwidth_line_start"),
            balance_headings=self.option("balance_headings"),
            max_gap_em=self.option("max_stretch") or None)


def available_layouts(near: Path | None = None) -> list[str]:
    return sorted({p.parent.name for root in project.layout_folders(near) for p in root.glob(f"*/{SETTINGS_FILE}")})


def find_layout(name: str, near: Path | None = None) -> Path | None:
    """The folder of layout ``name``: the project's own first, then the built-in one."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    return next((root / name for root in project.layout_folders(near) if (root / name / SETTINGS_FILE).is_file()),
                None)


def load_layout(manifest: Manifest, progress: Callable[[str], None] = lambda message: None) -> Layout:
    """The manifest's layout; ``progress`` hears of a first-use font extraction."""
    name = manifest.layout
    folder = find_layout(name, manifest.path)
    if folder is None:
        raise KjError(manifest.path, manifest.line_of("layout"),
                      f"layout（版式）应为 {'、'.join(available_layouts(manifest.path))} 之一，实际为 '{name}'")
    settings = folder / SETTINGS_FILE
    reader = Reader(settings, settings.read_text(encoding="utf-8"))
    values = reader.fields(reader.root, SETTINGS, "版式设置")

    font_folders = (folder / "fonts", *project.font_folders(manifest.path))
    faces = []
    roles = []
    for role, _key, spec in reader.mapping(values["fonts"][1], "fonts（字体）"):
        entry = reader.fields(spec, FONT_ROLE, f"fonts.{role}")
        family = entry["family"][0]
        roles.append((role, family))
        for weight, css_weight in WEIGHTS.items():
            if weight in entry:
                file_name, file_node = entry[weight]
                faces.append(FontFace(family, css_weight, resolve_font(
                    file_name, font_folders, settings, reader.line(file_node), progress)))

    sheets = []
    if "stylesheets" in values:
        for sheet, node in reader.texts(values["stylesheets"][1], "stylesheets"):
            path = (folder / sheet).resolve()
            if not path.is_file() or not path.is_relative_to(folder.resolve()):
                raise reader.error(node, f"stylesheets：找不到版式文件夹中的样式表 '{sheet}'")
            sheets.append(path)

    typography = dict(TYPOGRAPHY_DEFAULTS)
    if "typography" in values:
        typography.update((k, v) for k, (v, _n) in reader.fields(
            values["typography"][1], TYPOGRAPHY, "typography（排版设置）").items())

    makeup = _makeup(reader, values["makeup"][1]) if "makeup" in values else MakeupSettings()

    return Layout(folder=folder, name=values["name"][0],
                  template=values.get("template", ("issue.html", None))[0],
                  stylesheets=tuple(sheets), fonts=tuple(faces), roles=tuple(roles),
                  typography=tuple(typography.items()), makeup=makeup)


def _makeup(reader: Reader, node) -> MakeupSettings:
    """The ``makeup:`` settings: shares as 75% or 0.75, sizes as 12pt or 4.2mm."""
    found = reader.fields(node, MAKEUP, "makeup（版面设置）")
    values = {}
    for key, (value, value_node) in found.items():
        name = f"makeup.{key}（{MAKEUP[key].label}）"
        if key == "figure_placement":
            if value not in FIGURE_PLACEMENTS:
                raise reader.error(value_node, f"{name}应为 top（移到下一页页首）或 here（不移动），实际为“{value}”")
            values["figure_float"] = FIGURE_PLACEMENTS[value]
        elif key in ("figure_min_scale", "figure_max_height", "figure_page_share"):
            values[key] = share(value, lambda: reader.error(
                value_node, f"{name}应为 10%–100% 之间的比例（如 75%），实际为“{value}”"))
        elif key in ("contents_size", "contents_min_size"):
            values[key] = length_pt(value, lambda: reader.error(
                value_node, f"{name}应为带单位的长度（如 12pt、4.2mm），实际为“{value}”"))
        else:
            values[key] = value
    settings = MakeupSettings(**values)
    if settings.contents_min_size > settings.contents_size or \
            settings.contents_min_leading > settings.contents_leading:
        raise reader.error(node, "makeup：目录条目的最小字号、最小行距应不大于字号、行距")
    return settings


def share(text: str, error) -> float:
    """"75%" or "0.75" → 0.75, between 0.1 and 1."""
    value = percent_share(text)
    if value is None:
        raise error()
    return value


def length_pt(text: str, error) -> float:
    """"12pt", "4.2mm" → points."""
    text = str(text).strip()
    for unit, factor in LENGTH_UNITS.items():
        if text.endswith(unit):
            try:
                value = float(text[:-len(unit)]) * factor
            except ValueError:
                break
            if value > 0:
                return value
    raise error()


def cn_date(value: dt.date) -> str:
    """GB/T 9704 dates: Arabic numerals, no leading zeros: 2024年2月28日."""
    return f"{value.year}年{value.month}月{value.day}日"


def render_html(manifest: Manifest, articles: tuple[Article, ...], layout: Layout,
                blank_pages: int | None = None) -> str:
    """``blank_pages``: for saddle stitching, that many blank pages go before the end block,
    which then starts a page of its own (None: no padding, the end block follows the text)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(layout.folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cn_date"] = cn_date
    env.filters["cjk"] = lambda text, paragraph=True: cjk.prepare_text(str(text), layout.cjk, paragraph)
    try:
        template = env.get_template(layout.template)
        return template.render(
            issue=manifest,
            articles=articles,
            sections=_sections(articles),
            typography=dict(layout.typography),
            blank_pages=blank_pages or 0,
            end_block_own_page=blank_pages is not None,
        )
    except jinja2.TemplateSyntaxError as exc:
        raise KjError(exc.filename or layout.folder, exc.lineno, f"版式模板语法错误：{exc.message}") from exc
    except jinja2.TemplateError as exc:
        raise KjError(layout.folder / layout.template, None, f"版式模板出错：{exc}") from exc


@dataclass(frozen=True)
class SectionGroup:
    """Consecutive articles under one 栏目 heading (or none)."""

    section: str | None
    articles: tuple[Article, ...]


def _sections(articles: tuple[Article, ...]) -> tuple[SectionGroup, ...]:
    groups: list[SectionGroup] = []
    for article in articles:
        if groups and groups[-1].section == article.section:
            groups[-1] = SectionGroup(article.section, groups[-1].articles + (article,))
        else:
            groups.append(SectionGroup(article.section, (article,)))
    return tuple(groups)
