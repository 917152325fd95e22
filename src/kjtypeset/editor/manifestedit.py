"""Edits of issue.yaml that keep the editor's comments, key order and quoting (ruamel.yaml).

Reading for the build stays with yamlread (PyYAML, line numbers, safety limits); this module
only writes: it appends article entries and writes a new manifest.
"""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from ..errors import KjError, display_path, warn
from ..files import write_atomically


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments, order and quotes survive a load and dump
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never re-wrap an editor's long line
    return yaml


def dump(data: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def append_articles(manifest: Path, entries: list[str]) -> None:
    """Add ``entries`` to the end of the manifest's ``articles`` list; nothing else changes."""
    from ..inputs.encoding import decode, fix_encoding

    decoded = decode(manifest.read_bytes(), manifest)
    if not decoded.is_utf8:
        # It is rewritten below anyway: in UTF-8, with the original kept (issue 14).
        fixed = fix_encoding(manifest)
        warn(manifest, None, f"清单原为 {fixed.encoding} 编码，加入文章时已改存为 UTF-8；"
                             f"原文件保留为 {display_path(fixed.backup)}")
    try:
        data = _yaml().load(decoded.text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise KjError(manifest, mark.line + 1 if mark else None,
                      f"期刊清单无法解析，未改动：{getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, CommentedMap):
        raise KjError(manifest, 1, "期刊清单应为一组“键: 值”，未改动")
    articles = data.get("articles")
    if articles is None or (isinstance(articles, CommentedSeq) and not articles):
        # An empty flow list "[]" would stay in flow style; a fresh list is written as a block.
        articles = CommentedSeq()
        data["articles"] = articles
    if not isinstance(articles, CommentedSeq):
        raise KjError(manifest, None, "articles（文章列表）应为一个列表，未改动")
    known = {item if isinstance(item, str) else item.get("file") for item in articles}
    articles.extend(entry for entry in entries if entry not in known)
    write_atomically(manifest, dump(data))
