"""Safe YAML reading that keeps line numbers, for the manifest and article front matter.

PyYAML's composed node graph carries a mark per node, so every value can be checked with the
line it came from. Only the standard scalar, list and mapping tags are accepted (nothing that
builds objects), and node count, nesting and size are bounded so that a "billion laughs"
document fails at once instead of eating memory.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import KjError, warn

MAX_BYTES = 1_000_000
MAX_NODES = 20_000
MAX_DEPTH = 24

_STD = "tag:yaml.org,2002:"
_SAFE_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}

_YAML_PROBLEMS = {
    "expected ',' or ']', but got ':'": "方括号 [ ] 中的列表没有闭合，或缺少逗号",
    "expected ',' or ']', but got '<stream end>'": "方括号 [ ] 中的列表没有闭合",
    "expected ',' or '}', but got '<stream end>'": "花括号 { } 没有闭合",
    "found unexpected end of stream": "引号或括号没有闭合",
    "found character '%' that cannot start any token": "值不能以 % 开头，请加引号",
    "found character '@' that cannot start any token": "值不能以 @ 开头，请加引号",
    "found character '`' that cannot start any token": "值不能以 ` 开头，请加引号",
    "mapping values are not allowed here": "此处不能出现“键: 值”（缩进或冒号有误？）",
    "could not find expected ':'": "缺少冒号“:”",
    "found character '\\t' that cannot start any token": "不能用制表符缩进，请用空格",
    "found undefined alias": "引用了未定义的锚点",
    "expected <block end>, but found '<block mapping start>'": "缩进不一致",
    "expected <block end>, but found '-'": "列表项缩进不一致",
    "did not find expected key": "缩进不一致或缺少键",
    "did not find expected '-' indicator": "列表项缩进不一致",
}


def mark_to_fix(exc: Exception):
    """Where the editor must look: PyYAML marks the line it was scanning when it found the
    problem, often the next one (a key without its colon on line 3 was reported on line 4, the
    front matter's closing ---). A token it had begun (the key, a quoted value) or a bracket it
    had opened is marked by the context: that line holds the mistake. PyYAML's or ruamel's
    error (editor/manifestedit.py), or None."""
    context = getattr(exc, "context", None) or ""
    context_mark = getattr(exc, "context_mark", None)
    if context_mark and (context.startswith("while scanning") or context.startswith("while parsing a flow")):
        return context_mark
    return getattr(exc, "problem_mark", None) or context_mark


def problem_of(exc: Exception) -> str:
    """What is wrong, in Chinese when the problem is a common one."""
    problem = (getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)).strip()
    return _YAML_PROBLEMS.get(problem) or f"格式不正确（{problem}）"


# "title: Horizon Europe: 2042—2044年工作方案发布": a plain value holding ": " (P9 D16).
_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?)([^\s:#\"'{\[][^:#]*?):[ \t]+(?![\"'\[{|>])(.*?)\s*$")


def colon_in_value(text: str, exc: Exception, labels: dict) -> str | None:
    """The message for a half-width colon and space inside a plain value (PyYAML's or ruamel's
    "mapping values are not allowed here"), naming the fix; None for any other problem."""
    mark = getattr(exc, "problem_mark", None)
    lines = text.splitlines()
    if (getattr(exc, "problem", None) or "").strip() != "mapping values are not allowed here" \
            or mark is None or not 0 <= mark.line < len(lines):
        return None
    match = _KEY_VALUE.match(lines[mark.line])
    if match is None or mark.column <= match.start(3) or not re.search(r":(?:\s|$)", match.group(3)):
        return None
    key, value = match.group(2).strip(), re.sub(r"\s+#.*$", "", match.group(3))
    field = labels.get(key)
    what = field.label if field else "值"
    quoted = f'"{value}"' if '"' not in value else "'" + value.replace("'", "''") + "'"
    return (f"{key} 的值里有半角冒号，YAML 把它读成了又一个“键: 值”：{what}里有半角冒号时给整个{what}加引号"
            f"（{key}: {quoted}），或改用全角冒号“：”")


@dataclass(frozen=True)
class Field:
    """What a key must hold: a type name and a Chinese label used in messages."""

    kind: str  # str | int | number | bool | date | text_or_int | list | map | any
    label: str
    required: bool = False


def describe(node: yaml.Node) -> str:
    """How a value looks to the user, for the "found" half of a message."""
    if isinstance(node, yaml.MappingNode):
        return "一组“键: 值”"
    if isinstance(node, yaml.SequenceNode):
        return "一个列表"
    if node.tag == _STD + "null":
        return "空值"
    return f"“{node.value}”"


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class Reader:
    """Reads one YAML document of one file, turning every problem into a KjError."""

    def __init__(self, path: Path, text: str, first_line: int = 1, labels: dict[str, Field] | None = None):
        """``labels``: the keys the document may hold, to name a key in a syntax error."""
        self.path = path
        self.text = text
        self.offset = first_line - 1
        self._nodes = 0
        if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            raise KjError(path, None, f"文件过大：应不超过 {MAX_BYTES // 1000} KB")
        try:
            self.root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = mark_to_fix(exc)
            problem = colon_in_value(text, exc, labels or {})
            raise KjError(path, mark.line + 1 + self.offset if mark else None,
                          f"YAML 语法错误：{problem or problem_of(exc)}") from exc
        except yaml.YAMLError as exc:  # reader errors: bad bytes, control characters
            raise KjError(path, None, f"YAML 无法读取：{exc}") from exc
        if self.root is not None:
            self._check_graph(self.root, 0)

    def line(self, node: yaml.Node) -> int:
        return line_of(node) + self.offset

    def error(self, node: yaml.Node | None, message: str) -> KjError:
        return KjError(self.path, self.line(node) if node is not None else self.offset + 1, message)

    def _check_graph(self, node: yaml.Node, depth: int) -> None:
        # Aliases make the graph a DAG: walking it is what bounds a billion-laughs document.
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise self.error(node, f"内容过多：应不超过 {MAX_NODES} 个值（是否有循环引用的锚点？）")
        if depth > MAX_DEPTH:
            raise self.error(node, f"嵌套过深：应不超过 {MAX_DEPTH} 层")
        if node.tag not in _SAFE_TAGS:
            tag = node.tag.replace(_STD, "!!")
            raise self.error(node, f"不支持的 YAML 标签 {tag}：只接受文本、数字、日期、列表和映射")
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                self._check_graph(child, depth + 1)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self._check_graph(key, depth + 1)
                self._check_graph(value, depth + 1)

    # -- mappings -------------------------------------------------------------------------

    def mapping(self, node: yaml.Node | None, what: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
        """The (key, key node, value node) triples of a mapping, keys as text, no duplicates."""
        if not isinstance(node, yaml.MappingNode):
            found = "空文件" if node is None else describe(node)
            raise self.error(node, f"{what}应为一组“键: 值”，实际为{found}")
        seen: dict[str, yaml.Node] = {}
        out = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(key_node, f"键应为文本，实际为{describe(key_node)}")
            key = str(key_node.value)
            if key in seen:
                raise self.error(key_node, f"键 '{key}' 重复出现（第 {self.line(seen[key])} 行已有）")
            seen[key] = key_node
            out.append((key, key_node, value_node))
        return out

    def fields(self, node: yaml.Node | None, schema: dict[str, Field], what: str,
               ) -> dict[str, tuple[object, yaml.Node]]:
        """Check a mapping against a schema: unknown keys, missing keys, value types."""
        items = [] if node is None else self.mapping(node, what)
        values: dict[str, tuple[object, yaml.Node]] = {}
        for key, key_node, value_node in items:
            if key not in schema:
                hint = difflib.get_close_matches(key, list(schema), n=1, cutoff=0.6)
                suggestion = f"，是否应为 '{hint[0]}'？" if hint else ""
                raise self.error(key_node, f"未知的键 '{key}'：应为 {'、'.join(schema)} 之一{suggestion}")
            values[key] = (self.value(value_node, schema[key], key), value_node)
        for key, field in schema.items():
            if field.required and key not in values:
                raise self.error(node, f"缺少必填项 '{key}'（{field.label}）")
        return values

    # -- scalars --------------------------------------------------------------------------

    def value(self, node: yaml.Node, field: Field, key: str) -> object:
        kind = field.kind
        name = f"{key}（{field.label}）"
        if kind == "any":
            return node
        if kind in ("list", "map"):
            wanted = yaml.SequenceNode if kind == "list" else yaml.MappingNode
            if not isinstance(node, wanted):
                expected = "一个列表" if kind == "list" else "一组“键: 值”"
                raise self.error(node, f"{name}应为{expected}，实际为{describe(node)}")
            return node
        if not isinstance(node, yaml.ScalarNode) or node.tag == _STD + "null":
            raise self.error(node, f"{name}应为{_EXPECTED[kind]}，实际为{describe(node)}")
        tag = node.tag[len(_STD):]
        text = str(node.value)
        why = None  # what is wrong, when the form is right and the value is not
        if kind in ("str", "text_or_int"):
            if tag in (("str", "int", "float") if kind == "str" else ("str", "int")) and text.strip():
                self._check_quotes(node, name, key, text.strip())
                return text.strip()
        elif kind == "int":
            # As an editor writes a count: 150份, 第175期 (the unit or 第 around the number).
            if tag == "int" or (tag == "str" and (match := _COUNT.fullmatch(text.strip()))):
                try:
                    number = int(text if tag == "int" else match.group(1), 10)
                except ValueError:
                    number = -1
                if number > 0:
                    return number
        elif kind == "number":
            if tag in ("int", "float"):
                number = float(text)
                if number >= 0:
                    return number
        elif kind == "bool":
            if tag == "bool":
                return text.lower() in ("true", "yes", "on")
        elif kind == "date":
            if tag in ("timestamp", "str"):
                # As an editor writes a date: 2032年5月8日, 2032/5/8, 2032.5.8 too.
                written = _DATE.fullmatch(text.strip())
                try:
                    if written:
                        return dt.date(*map(int, written.groups()))
                    return dt.date.fromisoformat(text.strip())
                except ValueError:
                    # "2037-02-30" looks right: say what is wrong with it
                    why = _no_such_day(*map(int, written.groups())) if written else None
        raise self.error(node, f"{name}应为{_EXPECTED[kind]}，实际为{describe(node)}" + (f"：{why}" if why else ""))

    def _check_quotes(self, node: yaml.ScalarNode, name: str, key: str, text: str) -> None:
        """Curly or full-width quotes typed around a plain value are printed (issue 14)."""
        if node.style is None and len(text) >= 2 and text[0] in _WRONG_QUOTES and text[-1] in _WRONG_QUOTES:
            warn(self.path, self.line(node),
                 f"{name}的值两边是{_WRONG_QUOTES[text[0]]} {text[0]}…{text[-1]}，会连引号一起印出来："
                 f'YAML 只认半角的直引号，应写作 {key}: "{text[1:-1]}"；确要印出这对引号，'
                 f'写作 {key}: "{text}"')

    def texts(self, node: yaml.Node, name: str) -> Iterator[tuple[str, yaml.Node]]:
        """Items of a list of texts, or a single text given in place of a list."""
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for item in items:
            yield self.value(item, Field("str", "文本"), name), item


# Quotes an input method types: YAML takes them for part of the value.
_COUNT = re.compile(r"第?\s*(\d{1,9})\s*(?:份|期|册|本|号)?")
_DATE = re.compile(r"(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?")
_WRONG_QUOTES = {"“": "弯引号", "”": "弯引号", "‘": "弯引号", "’": "弯引号",
                 "＂": "全角引号", "＇": "全角引号"}

_EXPECTED = {
    "str": "文本",
    "text_or_int": "文本",
    "int": "正整数",
    "number": "非负数",
    "bool": " true 或 false",
    "date": "日期（如 2024-02-28）",
}


def _no_such_day(year: int, month: int, day: int) -> str | None:
    """Why a date written in the right form is no date: no such month, or too few days in it."""
    if not 1 <= month <= 12:
        return f"没有{month}月"
    last = calendar.monthrange(year, month)[1]
    return f"{year}年{month}月只有{last}天" if not 1 <= day <= last else None
