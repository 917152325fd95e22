"""Stage 1, load: issue.yaml → Manifest, every value checked against the line it came from."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import KjError, collecting_warnings, warn
from .encoding import read_text
from .issues import issue_label
from .paths import case_hint
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


def load_manifest(path: Path, with_articles: bool = True, text: str | None = None) -> Manifest:
    """The checked manifest; ``with_articles=False`` reads only the issue's own fields (for
    ``new``, where the previous issues' article files do not matter). ``text``: the manifest's
    content as it would be saved at ``path`` (the desk checks an edit before writing it)."""
    path = Path(path)
    if text is None:
        if not path.is_file():
            raise KjError(path, None, "找不到期刊清单文件（应为 issue_sources/<年-期>/issue.yaml）")
        text = read_text(path)
    reader = Reader(path, text, labels={**SCHEMA, **ARTICLE_SCHEMA})
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
    manifest = Manifest(path=path, folder=folder, issue_id=folder.name,
                        lines=tuple((key, reader.line(node)) for key, (_v, node) in values.items()),
                        **fields)
    if with_articles:  # the issue being built: warn about its slips (issue 14)
        _check_numbering(manifest)
        _check_date_order(manifest)
    return manifest


# Issue folders as `new` makes them: 2024-03, or 2024-zk01 for a supplement.
ISSUE_FOLDER = re.compile(r"^(?P<year>\d{4})-(?P<zk>zk)?(?P<number>\d{1,3})$")


def _check_numbering(m: Manifest) -> None:
    """year, number and supplement against the printing date and the folder name."""
    folder = ISSUE_FOLDER.match(m.issue_id)
    folder_year = int(folder["year"]) if folder else None
    shown = f"报头会印“{m.issue_label}”，存档也会放在 {m.year}/ 下"
    if m.year != m.date.year and folder_year not in (None, m.year):
        if folder_year == m.date.year:
            warn(m.path, m.line_of("year"), f"year（年份）为 {m.year}，与印发日期 {m.date.isoformat()} 和文件夹名 "
                                           f"{m.issue_id} 的年份 {folder_year} 都不同：{shown}；应改为 year: {folder_year}")
        else:
            warn(m.path, m.line_of("year"), f"year（年份）为 {m.year}，印发日期 {m.date.isoformat()} 是 {m.date.year} 年，"
                                           f"文件夹名 {m.issue_id} 是 {folder_year} 年：三者应一致，请核对")
    elif m.year != m.date.year:
        warn(m.path, m.line_of("date"), f"印发日期 {m.date.isoformat()} 不在 year（年份）写的 {m.year} 年："
                                       f"报头会印“{m.issue_label}”，日期却是 {m.date.year} 年的；日期或年份是否写错了？")
    elif folder_year not in (None, m.year):
        warn(m.path, m.line_of("year"), f"year（年份）为 {m.year}，与文件夹名 {m.issue_id} 的年份 {folder_year} 不同："
                                       f"{shown}；应改正年份，或把文件夹改名为 {m.year}-…")
    if folder and int(folder["number"]) != m.number:
        warn(m.path, m.line_of("number"), f"number（期号）为 {m.number}，与文件夹名 {m.issue_id} 的期号 "
                                         f"{int(folder['number'])} 不同：报头会印“{m.issue_label}”，请核对")
    if folder and bool(folder["zk"]) != m.supplement:
        if m.supplement:
            warn(m.path, m.line_of("supplement"), f"supplement: true（增刊），但文件夹名 {m.issue_id} 是正刊的写法："
                                                 "增刊的文件夹应为 <年>-zk<期>，如 2024-zk01")
        else:
            warn(m.path, None, f"文件夹名 {m.issue_id} 是增刊的写法，清单中却没有 supplement: true："
                               "报头会印成正刊，请核对")


def _check_date_order(m: Manifest) -> None:
    """The printing date against the previous issue of the same kind beside this one."""
    previous = _previous_issue(m)
    if previous is not None and m.date < previous.date:
        warn(m.path, m.line_of("date"), f"印发日期 {m.date.isoformat()} 早于上一期 {previous.issue_id} 的印发日期 "
                                       f"{previous.date.isoformat()}：日期是否写错了？")


def _previous_issue(m: Manifest) -> Manifest | None:
    this = ISSUE_FOLDER.match(m.issue_id)
    if this is None:
        return None
    key = lambda match: (int(match["year"]), int(match["number"]))  # noqa: E731
    earlier = []
    for candidate in m.folder.parent.iterdir():
        match = ISSUE_FOLDER.match(candidate.name)
        if (match and bool(match["zk"]) == bool(this["zk"]) and key(match) < key(this)
                and (candidate / "issue.yaml").is_file()):
            earlier.append((key(match), candidate))
    if not earlier:
        return None
    try:
        with collecting_warnings():  # its own slips are its own business
            return load_manifest(max(earlier)[1] / "issue.yaml", with_articles=False)
    except KjError:
        return None


def _articles(reader: Reader, node, folder: Path):
    seen: dict[Path, tuple[int, str]] = {}
    for ref in _listed(reader, node, folder):
        if ref.path in seen:
            line, written = seen[ref.path]
            also = "" if written == ref.written else f"（写作 '{written}'）"
            warn(reader.path, ref.line, f"文章 '{ref.written}' 在清单中列了两次，第 {line} 行已列出{also}："
                                        "这篇文章会印两遍；如果不是有意的，请删去这一行")
        else:
            seen[ref.path] = (ref.line, ref.written)
        yield ref


def _listed(reader: Reader, node, folder: Path):
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
        hint = _items_run_together(reader, node, written) or case_hint(resolved, folder)
        raise reader.error(node, f"{where}：找不到文章文件 '{written}'{hint}")
    return resolved


def _items_run_together(reader: Reader, node, written: str) -> str:
    """Why an article path holds two (a "not found" message's hint, or ""): the next item's
    "- " indented one space more is read by YAML as the rest of this one, "articles/02.md -
    articles/03.md" (P13: the message named the file and not why)."""
    first = node.start_mark.line
    lines = reader.text.splitlines()
    if node.end_mark.line > first and first + 1 < len(lines):
        item = lines[first].rfind("-", 0, node.start_mark.column)
        below = lines[first + 1]
        deeper = len(below) - len(below.lstrip(" ")) - item
        if item >= 0 and below.lstrip(" ").startswith("- ") and deeper > 0:
            return (f"：下一行（第 {reader.line(node) + 1} 行）的“- ”比这一项的多缩进了 {deeper} 格，"
                    "YAML 把两项连成了一项；请让各项的“- ”上下对齐")
    if re.search(r"\.md\s+-\s", written):
        return "：一行里写了两项？每项应另起一行，以“- ”开头"
    return ""


# Names an editor runs together in one entry ("市委宣传部、市发展改革委"): each is a name of its
# own, kept whole, and the row wraps between them (a run of names is no one name). An entry
# that holds commas is split at its commas only: its 、 joins parts of one name, the lower
# level of a Chinese series ("各盟行政公署、市人民政府能源主管部门，满洲里市、二连浩特市能源
# 主管部门" was printed as four recipients, changing who they are).
_NAME_SEPARATOR = re.compile(r"\s*[，,；;]\s*")
_SERIES_COMMA = re.compile(r"\s*、\s*")


def distribution_names(entry: str, listed: bool = False) -> list[str]:
    """The names in one entry of a distribution row; ``listed``: the row is a list of more
    than one entry (as `kjtypeset new` writes it), each a name, its 、 inside the name."""
    entry = entry.strip().rstrip("。.")
    parts = _NAME_SEPARATOR.split(entry)
    if len(parts) == 1 and not listed:
        parts = _SERIES_COMMA.split(entry)
    return [part for part in parts if part]


def _distribution(reader: Reader, node) -> tuple[tuple[str, tuple[str, ...]], ...]:
    rows = []
    for label, _key_node, value_node in reader.mapping(node, "distribution（分送范围）"):
        entries = [name for name, _ in reader.texts(value_node, f"distribution.{label}")]
        names = tuple(part for name in entries for part in distribution_names(name, len(entries) > 1))
        rows.append((label, names))
    return tuple(rows)
