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
from ..inputs.manifest import Manifest
from ..inputs.yamlread import Field, Reader
from .. import project

SETTINGS_FILE = "layout.yaml"

SETTINGS = {
    "name": Field("str", "版式名称", required=True),
    "template": Field("str", "主模板"),
    "stylesheets": Field("list", "样式表"),
    "fonts": Field("map", "字体", required=True),
    "typography": Field("map", "排版设置"),
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

    return Layout(folder=folder, name=values["name"][0],
                  template=values.get("template", ("issue.html", None))[0],
                  stylesheets=tuple(sheets), fonts=tuple(faces), roles=tuple(roles),
                  typography=tuple(typography.items()))


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
