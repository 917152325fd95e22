"""Stage 4, layout: Manifest + Articles → one HTML document, through a layout folder.

A layout is a folder: Jinja templates, CSS and ``layout.yaml`` (fonts by role, stylesheets,
typography and makeup settings). Everything a print designer would change lives there. The
built-in ones ship inside the package; a project's layouts/<name>/ adds one or overrides a
built-in one. A layout may say ``extends: <name>`` and give only what differs: settings are
merged key by key (a font role, a variable, one typography switch), stylesheets stack after
the parent's, and templates and stylesheets are looked up in the layout's folder first, then
in its parent's, the way mkdocs and Pelican stack themes; ``{% extends "jianbao/issue.html" %}``
reaches the parent's template to override one block. Templates come only from those folders,
are autoescaped and fail on an undefined name. Every setting is checked against a schema
with the manifest's one-line errors (file:line, what was expected, what was found).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml

from .. import project
from ..errors import KjError
from ..inputs.articles import Article
from ..inputs.manifest import DEFAULT_LAYOUT, Manifest
from ..inputs.markdown import percent_share
from ..inputs.yamlread import Field, Reader
from ..typography import cjk
from ..typography.chars import CLOSING, OPENING
from .fonts import FontFace, FontSet, needs_package, parse_unicode_range, resolve_font
from .justify import Composition
from .makeup import Settings as MakeupSettings

SETTINGS_FILE = "layout.yaml"

SETTINGS = {
    "extends": Field("str", "继承的版式"),
    "name": Field("str", "版式名称"),
    "template": Field("str", "主模板"),
    "stylesheets": Field("list", "样式表"),
    "faces": Field("map", "字体文件"),
    "fonts": Field("map", "字体角色"),
    "variables": Field("map", "样式变量"),
    "typography": Field("map", "排版设置"),
    "makeup": Field("map", "版面设置"),
}
WEIGHTS = {"regular": "normal", "bold": "bold"}
FACE = {
    "regular": Field("str", "常规字重的字体文件"),
    "bold": Field("str", "粗体的字体文件"),
    "debian": Field("str", "提供字体文件的 Debian 软件包"),
    "unicode_range": Field("str", "只用这款字体排的字符（CSS unicode-range）"),
}
# fonts: <role>: {family, regular, bold}, as layouts wrote them before roles were chains
# (issue 17): the role names one face, and the other faces follow it.
LEGACY_ROLE = {
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
    "one_article_contents": Field("bool", "只有一篇文章的期也排目录"),
    "end_block_min_leading": Field("number", "版记放不下时各行最小行距（字号的倍数）"),
}
FIGURE_PLACEMENTS = {"top": True, "here": False}  # top: the next page's top; here: never moved
LENGTH_UNITS = {"pt": 1.0, "mm": 72 / 25.4, "px": 0.75}
# A role or variable name as CSS takes it after "--font-" or "--"; a value that cannot end
# its declaration or open another rule.
CSS_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
CSS_VALUE = re.compile(r"^[^;{}<>\\]+$")

TYPOGRAPHY_DEFAULTS = {"han_latin_spacing": True, "squeeze": True, "halfwidth_line_end": False,
                       "halfwidth_line_start": True, "punctuation_compression": True,
                       "balance_headings": True, "max_stretch": 0.17, "latin_hyphenation": False}


@dataclass(frozen=True)
class Layout:
    folder: Path  # the layout's own folder (relative URLs in its templates resolve here)
    name: str
    template: str
    stylesheets: tuple[Path, ...]
    fonts: FontSet
    typography: tuple[tuple[str, object], ...]
    makeup: MakeupSettings = MakeupSettings()
    folders: tuple[Path, ...] = ()  # its folder, then its parent's …: where files are looked up
    parents: tuple[tuple[str, tuple[Path, ...]], ...] = ()  # parent name → that parent's folders
    variables: tuple[tuple[str, str], ...] = ()  # CSS custom property (without --) → value

    @property
    def roles(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return self.fonts.roles

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

    @property
    def css(self) -> str:
        """The layout's own rules besides its stylesheets: its variables, which win over the
        stylesheets' (html:root is more specific than the :root they write)."""
        if not self.variables:
            return ""
        return "html:root { " + " ".join(f"--{k}: {v};" for k, v in self.variables) + " }\n"


def available_layouts(near: Path | None = None) -> list[str]:
    return sorted({p.parent.name for root in project.layout_folders(near) for p in root.glob(f"*/{SETTINGS_FILE}")})


def find_layout(name: str, near: Path | None = None, skip: tuple[Path, ...] = ()) -> Path | None:
    """The folder of layout ``name``: the project's own first, then the built-in one; a folder
    in ``skip`` (the layouts extending it) is passed over, so a project's jianbao may extend
    the built-in jianbao."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    skip = tuple(folder.resolve() for folder in skip)
    return next((root / name for root in project.layout_folders(near)
                 if (root / name / SETTINGS_FILE).is_file() and (root / name).resolve() not in skip),
                None)


# ---- reading the settings: one file per layout in the chain, merged key by key ----------

@dataclass(frozen=True)
class Setting:
    """One value as a layout.yaml wrote it: where to point when it is wrong."""

    value: object
    node: object
    reader: Reader

    def error(self, message: str) -> KjError:
        return self.reader.error(self.node, message)


@dataclass
class FaceSpec:
    """A family's font files by weight, before they are looked up."""

    family: str
    files: dict[str, Setting]  # "regular"/"bold" → file name
    debian: str | None = None
    unicode_range: str | None = None


@dataclass
class LayoutSpec:
    """A layout's settings merged along its ``extends`` chain; no file looked up yet."""

    name: str
    folders: tuple[Path, ...]
    parents: tuple[tuple[str, tuple[Path, ...]], ...]
    template: str = "issue.html"
    stylesheets: list[Setting] = field(default_factory=list)
    faces: dict[str, FaceSpec] = field(default_factory=dict)
    roles: dict[str, Setting] = field(default_factory=dict)  # role → Setting(chain of families)
    variables: dict[str, str] = field(default_factory=dict)
    typography: dict[str, Setting] = field(default_factory=dict)
    makeup: dict[str, Setting] = field(default_factory=dict)
    legacy: list[str] = field(default_factory=list)  # roles written in the older form, in order

    def used_faces(self) -> list[FaceSpec]:
        """The faces some role's chain names, in the order the chains name them."""
        families = dict.fromkeys(f for chain in self.roles.values() for f in chain.value)
        return [self.faces[f] for f in families]


def read_layout(name: str, near: Path | None = None,
                origin: tuple[Path | None, int | None] = (None, None)) -> LayoutSpec:
    """Layout ``name``'s settings, merged along its ``extends`` chain and checked; ``origin``
    (a file and line naming the layout) is where an unknown name is reported."""
    folder = find_layout(name, near)
    if folder is None:
        raise KjError(origin[0], origin[1],
                      f"layout（版式）应为 {'、'.join(available_layouts(near))} 之一，实际为 '{name}'")
    levels = []  # (name, folder, reader, values), the layout first, then its parent …
    while True:
        settings = folder / SETTINGS_FILE
        reader = Reader(settings, settings.read_text(encoding="utf-8"))
        values = reader.fields(reader.root, SETTINGS, "版式设置")
        levels.append((name, folder, reader, values))
        if "extends" not in values:
            break
        name, node = values["extends"]
        folder = find_layout(name, near, skip=tuple(level[1] for level in levels))
        if folder is None:
            if any(level[0] == name for level in levels):
                chain = " → ".join((*(level[0] for level in levels), name))
                raise reader.error(node, f"extends（继承的版式）不能绕回自己：{chain}")
            known = [n for n in available_layouts(near) if n != levels[-1][0]]
            raise reader.error(node, f"extends（继承的版式）应为 {'、'.join(known)} 之一，实际为 '{name}'")
    root_reader, root_values = levels[-1][2], levels[-1][3]
    if "name" not in root_values:
        raise root_reader.error(root_reader.root, "缺少必填项 'name'（版式名称）")
    folders = tuple(level[1] for level in levels)
    spec = LayoutSpec(name="", folders=folders,
                      parents=tuple((levels[i][0], folders[i:]) for i in range(1, len(levels))))
    for _name, _folder, reader, values in reversed(levels):  # the root first: children override
        _merge(spec, reader, values)
    # A role in the older form went on with every other such role's face, as it always did.
    faces = [spec.roles[role].value[0] for role in spec.legacy if role in spec.roles]
    for role in spec.legacy:
        if role in spec.roles:
            spec.roles[role] = dataclasses.replace(
                spec.roles[role], value=tuple(dict.fromkeys((spec.roles[role].value[0], *faces))))
    if not spec.roles:
        reader, values = levels[0][2], levels[0][3]
        raise reader.error(values.get("fonts", (None, reader.root))[1],
                           "fonts（字体角色）应至少有一个角色，如 body: [Noto Serif CJK SC]")
    return spec


def _merge(spec: LayoutSpec, reader: Reader, values: dict) -> None:
    """One layout.yaml's values over what its parents set."""
    if "name" in values:
        spec.name = values["name"][0]
    if "template" in values:
        spec.template = values["template"][0]
    if "stylesheets" in values:
        for sheet, node in reader.texts(values["stylesheets"][1], "stylesheets"):
            if all(s.value != sheet for s in spec.stylesheets):
                spec.stylesheets.append(Setting(sheet, node, reader))
    if "faces" in values:
        for family, key, node in reader.mapping(values["faces"][1], "faces（字体文件）"):
            _check_family(reader, key, family)
            spec.faces[family] = _face(reader, family, node)
    if "fonts" in values:
        for role, key, node in reader.mapping(values["fonts"][1], "fonts（字体角色）"):
            if not CSS_NAME.match(role):
                raise reader.error(key, f"fonts：角色名应只含小写字母、数字和连字符（如 heading-1），实际为 '{role}'")
            if isinstance(node, yaml.MappingNode):  # the older form: one face
                entry = reader.fields(node, LEGACY_ROLE, f"fonts.{role}")
                family = entry["family"][0]
                _check_family(reader, entry["family"][1], family)
                spec.faces[family] = FaceSpec(family, {w: Setting(*entry[w], reader) for w in WEIGHTS if w in entry})
                spec.roles[role] = Setting((family,), node, reader)
                spec.legacy.append(role)
            else:
                chain = tuple(name for name, _node in reader.texts(node, f"fonts.{role}"))
                spec.roles[role] = Setting(chain, node, reader)
    if "variables" in values:
        for name, key, node in reader.mapping(values["variables"][1], "variables（样式变量）"):
            value = reader.value(node, Field("str", "CSS 值"), f"variables.{name}")
            if not CSS_NAME.match(name):
                raise reader.error(key, f"variables：变量名应只含小写字母、数字和连字符（如 masthead-colour），实际为 '{name}'")
            if not CSS_VALUE.match(value):
                raise reader.error(node, f"variables.{name} 应为一个 CSS 值（不含 ; {{ }} < > \\），实际为“{value}”")
            spec.variables[name] = value
    if "typography" in values:
        for key, (value, node) in reader.fields(values["typography"][1], TYPOGRAPHY,
                                                "typography（排版设置）").items():
            spec.typography[key] = Setting(value, node, reader)
    if "makeup" in values:
        for key, (value, node) in reader.fields(values["makeup"][1], MAKEUP, "makeup（版面设置）").items():
            spec.makeup[key] = Setting(value, node, reader)
    # Every family a chain names must be a face by now (a child may name its parent's).
    for role, chain in spec.roles.items():
        for family in chain.value:
            if family not in spec.faces:
                known = f"应为 {'、'.join(spec.faces)} 之一" if spec.faces else "应先在 faces 中写出它的字体文件"
                raise chain.error(f"fonts.{role}：字体 '{family}' 未在 faces（字体文件）中定义：{known}")


def _check_family(reader: Reader, node, family: str) -> None:
    """A family name goes into the CSS between double quotes."""
    if not CSS_VALUE.match(family) or '"' in family:
        raise reader.error(node, f'字体族名不能含 " ; {{ }} < > \\，实际为“{family}”')


def _face(reader: Reader, family: str, node) -> FaceSpec:
    entry = reader.fields(node, FACE, f"faces.{family}")
    files = {weight: Setting(*entry[weight], reader) for weight in WEIGHTS if weight in entry}
    if not files:
        raise reader.error(node, f"faces.{family} 应至少写出 regular（常规字重）或 bold（粗体）的字体文件")
    limit = None
    if "unicode_range" in entry:
        limit, limit_node = entry["unicode_range"]
        if parse_unicode_range(limit) is None:
            raise reader.error(limit_node, f"faces.{family}.unicode_range 应为 CSS 的 unicode-range"
                                           f"（如 U+0020-007E, U+00C0-024F），实际为“{limit}”")
    return FaceSpec(family, files, entry.get("debian", (None, None))[0], limit)


# ---- loading: the files looked up ---------------------------------------------------------

def font_folders(spec: LayoutSpec, near: Path | None = None) -> tuple[Path, ...]:
    """Where a layout's font files are looked up: each of its folders' fonts/ (its own
    first), then the project's fonts/ and the per-user fonts."""
    return (*(folder / "fonts" for folder in spec.folders), *project.font_folders(near))


def missing_packages(spec: LayoutSpec, near: Path | None = None) -> list[str]:
    """The Debian packages to install before the layout's font files can all be found."""
    folders = font_folders(spec, near)
    return list(dict.fromkeys(
        package for face in spec.used_faces() for file in face.files.values()
        if (package := needs_package(str(file.value), folders, face.debian))))


def load_layout(manifest: Manifest, progress: Callable[[str], None] = lambda message: None) -> Layout:
    """The manifest's layout; ``progress`` hears of a first-use font extraction."""
    spec = read_layout(manifest.layout, manifest.path, (manifest.path, manifest.line_of("layout")))
    fonts = resolve_fonts(spec, manifest.path, progress)

    sheets = []
    for sheet in spec.stylesheets:
        path = _layout_file(spec, str(sheet.value))
        if path is None:
            raise sheet.error(f"stylesheets：找不到版式文件夹中的样式表 '{sheet.value}'")
        sheets.append(path)

    typography = dict(TYPOGRAPHY_DEFAULTS)
    typography.update((key, setting.value) for key, setting in spec.typography.items())

    return Layout(folder=spec.folders[0], name=spec.name, template=spec.template,
                  stylesheets=tuple(sheets), fonts=fonts, typography=tuple(typography.items()),
                  makeup=_makeup(spec.makeup) if spec.makeup else MakeupSettings(),
                  folders=spec.folders, parents=spec.parents,
                  variables=tuple(spec.variables.items()))


def resolve_fonts(spec: LayoutSpec, near: Path | None = None,
                  progress: Callable[[str], None] = lambda message: None) -> FontSet:
    """The font files of the faces the layout's roles use, found (or extracted), by role."""
    folders = font_folders(spec, near)
    faces = []
    for face in spec.used_faces():
        for weight, file in face.files.items():
            path = resolve_font(str(file.value), folders, file.reader.path, file.reader.line(file.node),
                                progress, face.debian)
            faces.append(FontFace(face.family, WEIGHTS[weight], path, face.unicode_range))
    return FontSet(tuple(faces), tuple((role, chain.value) for role, chain in spec.roles.items()))


def _layout_file(spec: LayoutSpec, name: str) -> Path | None:
    """File ``name`` from the layout's folder, else its parent's … (never outside them)."""
    for folder in spec.folders:
        path = (folder / name).resolve()
        if path.is_file() and path.is_relative_to(folder.resolve()):
            return path
    return None


def layouts_in_use(near: Path | None = None) -> list[str]:
    """The layouts the project's issues name (the default one when they name none)."""
    from ..errors import collecting_warnings
    from ..inputs.manifest import load_manifest

    found = project.current(near)
    names = []
    if found is not None and found.issue_sources.is_dir():
        for manifest in sorted(found.issue_sources.glob("*/issue.yaml")):
            try:
                with collecting_warnings():
                    names.append(load_manifest(manifest, with_articles=False).layout)
            except KjError:
                continue  # its build reports it
    return list(dict.fromkeys(names or [DEFAULT_LAYOUT]))


def _makeup(found: dict[str, Setting]) -> MakeupSettings:
    """The ``makeup:`` settings: shares as 75% or 0.75, sizes as 12pt or 4.2mm."""
    values = {}
    for key, setting in found.items():
        value = setting.value
        name = f"makeup.{key}（{MAKEUP[key].label}）"
        if key == "figure_placement":
            if value not in FIGURE_PLACEMENTS:
                raise setting.error(f"{name}应为 top（移到下一页页首）或 here（不移动），实际为“{value}”")
            values["figure_float"] = FIGURE_PLACEMENTS[value]
        elif key in ("figure_min_scale", "figure_max_height", "figure_page_share"):
            values[key] = percent_share(value)
            if values[key] is None:
                raise setting.error(f"{name}应为 10%–100% 之间的比例（如 75%），实际为“{value}”")
        elif key in ("contents_size", "contents_min_size"):
            values[key] = length_pt(value)
            if values[key] is None:
                raise setting.error(f"{name}应为带单位的长度（如 12pt、4.2mm），实际为“{value}”")
        else:
            values[key] = value
    settings = MakeupSettings(**values)
    if settings.contents_min_size > settings.contents_size or \
            settings.contents_min_leading > settings.contents_leading:
        last = found.get("contents_min_size") or found.get("contents_min_leading") or next(iter(found.values()))
        raise last.reader.error(last.node, "makeup：目录条目的最小字号、最小行距应不大于字号、行距")
    return settings


def length_pt(text: str) -> float | None:
    """"12pt", "4.2mm" → points (None when it is not a positive length)."""
    text = str(text).strip()
    for unit, factor in LENGTH_UNITS.items():
        if text.endswith(unit):
            try:
                value = float(text[:-len(unit)]) * factor
            except ValueError:
                return None
            return value if value > 0 else None
    return None


def name_parts(value: str) -> list[str]:
    """A distribution list's entry split at its 、 (各有关企业、高校、科研院所: a name each, the
    line may break after each), but not at one inside brackets: "…创新处（…服务中心、…办公室）" is
    one name, and split there it left "转化服务中心、" alone on a line of the 版记 (round 18's
    review)."""
    parts, depth, start = [], 0, 0
    for k, char in enumerate(value):
        if char in OPENING:
            depth += 1
        elif char in CLOSING:
            depth = max(0, depth - 1)
        elif char == "、" and not depth:
            parts.append(value[start:k])
            start = k + 1
    return [*parts, value[start:]]


def cn_date(value: dt.date) -> str:
    """GB/T 9704 dates: Arabic numerals, no leading zeros: 2024年2月28日."""
    return f"{value.year}年{value.month}月{value.day}日"


def template_loader(layout: Layout) -> jinja2.BaseLoader:
    """Templates from the layout's folder, then its parent's … (a layout overrides a parent's
    file by giving its own); "<parent>/issue.html" is the parent's file, for a template that
    extends it and overrides one block."""
    folders = layout.folders or (layout.folder,)
    parents = {name: jinja2.FileSystemLoader([str(f) for f in chain]) for name, chain in layout.parents}
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader([str(f) for f in folders]),
                                jinja2.PrefixLoader(parents)])


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled layout templates in the user cache: compiling the layout's templates took each
    build about 20 ms of CPU, loading them compiled under 1 ms (issue 15). Jinja keys each by
    the template's name and file and recompiles it when its source changed (it checks the
    source's hash); the file name holds what else compiling depends on (_compiled_templates)."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):  # a read-only cache only costs the next build time
            super().dump_bytecode(bucket)


def _compiled_templates(env: jinja2.Environment) -> jinja2.BytecodeCache | None:
    """Where ``env`` keeps its compiled templates: a file name for what else compiling depends
    on (Jinja's version, the Environment's options and filters: a template naming a filter
    that is not there does not compile)."""
    folder = project.user_cache() / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    depends = repr((jinja2.__version__, env.autoescape, env.undefined.__name__, env.trim_blocks,
                    env.lstrip_blocks, env.keep_trailing_newline, env.optimized, sorted(env.filters),
                    sorted(env.tests), sorted(env.extensions)))
    return _TemplateCache(str(folder), f"{hashlib.sha1(depends.encode()).hexdigest()[:12]}-%s.cache")


def render_html(manifest: Manifest, articles: tuple[Article, ...], layout: Layout,
                blank_pages: int | None = None) -> str:
    """``blank_pages``: for saddle stitching, that many blank pages go before the end block,
    which then starts a page of its own (None: no padding, the end block follows the text)."""
    env = jinja2.Environment(
        loader=template_loader(layout),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cn_date"] = cn_date
    env.filters["name_parts"] = name_parts
    env.filters["cjk"] = lambda text, paragraph=True: cjk.prepare_text(str(text), layout.cjk, paragraph)
    env.filters["title_tail"] = lambda text: cjk.title_tail(str(text))
    env.bytecode_cache = _compiled_templates(env)
    try:
        template = env.get_template(layout.template)
        return template.render(
            issue=manifest,
            articles=articles,
            sections=_sections(articles),
            show_contents=prints_contents(articles, layout),
            typography=dict(layout.typography),
            blank_pages=blank_pages or 0,
            end_block_own_page=blank_pages is not None,
        )
    except jinja2.TemplateSyntaxError as exc:
        raise KjError(exc.filename or layout.folder, exc.lineno, f"版式模板语法错误：{exc.message}") from exc
    except jinja2.TemplateError as exc:
        raise KjError(layout.folder / layout.template, None, f"版式模板出错：{exc}") from exc
    except RecursionError as exc:  # {% extends "issue.html" %} in issue.html itself
        raise KjError(layout.folder / layout.template, None, "版式模板继承绕回了自己：要在上级版式的模板上改，"
                      '应写 {% extends "上级版式名/issue.html" %}') from exc


def prints_contents(articles: tuple[Article, ...], layout: Layout) -> bool:
    """Whether the issue prints a contents: not for one article (an 增刊, a 会议纪要, a 专报),
    whose title then follows the masthead on page 1 (a contents of one entry left page 1 of
    unseen12/2049-zk05 46 % empty), unless the layout keeps them (makeup.one_article_contents)."""
    return len(articles) > 1 or layout.makeup.one_article_contents


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
