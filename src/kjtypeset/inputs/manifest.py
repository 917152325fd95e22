"""Stage 1, load: issue.yaml → Manifest, every value checked against the line it came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import KjError
from .issues import issue_label
from .yamlread import Field, Reader

# The editor's interface. Names and meanings are fixed by the README; labels appear in errors.
SCHEMA = {
    "bulletin": Field("str", "简报名称", required=True),
    "year": Field("int", "年份", required=True),
    "number": Field("int", "期号", required=True),
    "total": Field("int", "总期号"),
    "supplement": Field("bool", "增刊"),
    "date": Field("date", "印发日期", required=True),
    "publisher": Field("str", "编印单位", required=True),
    "editor": Field("str", "编辑", required=True),
    "phone": Field("text_or_int", "电话"),
    "reviewer": Field("str", "审核"),
    "copies": Field("int", "印数"),
    "classification": Field("str", "密级标志"),
    "distribution": Field("map", "分送范围"),
    "layout": Field("str", "版式"),
    "raw_html": Field("bool", "允许文章中的 HTML（净化后）"),
    "articles": Field("list", "文章列表", required=True),
}
ARTICLE_SCHEMA = {
    "file": Field("str", "文章文件", required=True),
    "section": Field("str", "栏目"),
}
DEFAULT_LAYOUT = "jianbao"


@dataclass(frozen=True)
class ArticleRef:
    """One entry of the manifest's article list."""

    path: Path  # absolute, inside the issue folder
    written: str  # as the editor wrote it, for messages
    section: str | None
    line: int  # of the entry in issue.yaml


@dataclass(frozen=True)
class Manifest:
    path: Path
    folder: Path
    issue_id: str  # the issue folder's name, e.g. "2024-02"; names the outputs
    bulletin: str
    year: int
    number: int
    date: dt.date
    publisher: str
    editor: str
    layout: str
    articles: tuple[ArticleRef, ...]
    total: int | None = None
    supplement: bool = False
    phone: str | None = None
    reviewer: str | None = None
    copies: int | None = None
    classification: str | None = None
    distribution: tuple[tuple[str, tuple[str, ...]], ...] = ()
    raw_html: bool = False  # articles are untrusted: their HTML is text unless switched on
    lines: tuple[tuple[str, int], ...] = ()  # key → line, to point later errors at a value

    def line_of(self, key: str) -> int | None:
        return dict(self.lines).get(key)

    @property
    def issue_label(self) -> str:
        return issue_label(self.year, self.number, self.supplement)


def load_manifest(path: Path, with_articles: bool = True) -> Manifest:
    """The checked manifest; ``with_articles=False`` reads only the issue's own fields (for
    ``new``, where the previous issues' article files do not matter)."""
    path = Path(path)
    if not path.is_file():
        raise KjError(path, None, "找不到期刊清单文件（应为 issue_sources/<年-期>/issue.yaml）")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KjError(path, None, "文件不是 UTF-8 编码的文本") from exc
    reader = Reader(path, text)
    values = reader.fields(reader.root, SCHEMA, "期刊清单")
    folder = path.parent.resolve()

    articles = tuple(_articles(reader, values["articles"][1], folder)) if with_articles else ()
    if not articles and with_articles:
        raise reader.error(values["articles"][1], "articles（文章列表）应至少列出一篇文章，实际为空列表")

    fields = {key: value for key, (value, _node) in values.items()}
    fields["articles"] = articles
    fields.setdefault("layout", DEFAULT_LAYOUT)
    if "distribution" in fields:
        fields["distribution"] = _distribution(reader, fields["distribution"])
    return Manifest(path=path, folder=folder, issue_id=folder.name,
                    lines=tuple((key, reader.line(node)) for key, (_v, node) in values.items()),
                    **fields)


def _articles(reader: Reader, node, folder: Path):
    for index, item in enumerate(node.value, start=1):
        where = f"articles 第{index}项"
        if isinstance(item, yaml.SequenceNode):
            raise reader.error(item, f"{where}应为文件路径或 {{file: …, section: …}}，实际为一个列表")
        if isinstance(item, yaml.MappingNode):
            values = reader.fields(item, ARTICLE_SCHEMA, where)
            written, file_node = values["file"]
            section = values.get("section", (None, None))[0]
        else:
            written = reader.value(item, Field("str", "文章文件"), where)
            file_node, section = item, None
        yield ArticleRef(path=_inside(reader, file_node, folder, written, where),
                         written=written, section=section, line=reader.line(file_node))


def _inside(reader: Reader, node, folder: Path, written: str, where: str) -> Path:
    """Resolve an article path, which must name an existing file inside the issue folder."""
    candidate = Path(written)
    if candidate.is_absolute():
        raise reader.error(node, f"{where}：应为相对于期刊文件夹的路径，实际为绝对路径 '{written}'")
    resolved = (folder / candidate).resolve()
    if not resolved.is_relative_to(folder):
        raise reader.error(node, f"{where}：文章应在期刊文件夹之内，实际 '{written}' 指向其外")
    if not resolved.is_file():
        raise reader.error(node, f"{where}：找不到文章文件 '{written}'")
    return resolved


def _distribution(reader: Reader, node) -> tuple[tuple[str, tuple[str, ...]], ...]:
    rows = []
    for label, _key_node, value_node in reader.mapping(node, "distribution（分送范围）"):
        names = tuple(name for name, _ in reader.texts(value_node, f"distribution.{label}"))
        rows.append((label, names))
    return tuple(rows)
