"""Edits of issue.yaml that keep the editor's comments, key order and quoting (ruamel.yaml).

Reading for the build stays with yamlread (PyYAML, line numbers, safety limits); this module
only writes: it appends article entries, writes a new manifest, and (for the desk, issue 18)
changes masthead fields and rearranges the article list. Only what changed is touched, so an
edit shows in ``git diff`` as the lines it changed; comments stay with the lines they describe.
"""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import ScalarString
from ruamel.yaml.tokens import CommentToken

from ..errors import KjError, display_path, warn
from ..files import write_atomically
from ..inputs.yamlread import colon_in_value, mark_to_fix, problem_of


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


def load_for_edit(manifest: Path) -> CommentedMap:
    """The manifest as a round-trip document (UTF-8 from now on: a manifest in another
    encoding is rewritten in UTF-8, the original kept, with a warning)."""
    from ..inputs.encoding import decode, fix_encoding

    decoded = decode(manifest.read_bytes(), manifest)
    if not decoded.is_utf8:
        # It is rewritten by the caller anyway: in UTF-8, with the original kept (issue 14).
        fixed = fix_encoding(manifest)
        warn(manifest, None, f"清单原为 {fixed.encoding} 编码，修改时已改存为 UTF-8；"
                             f"原文件保留为 {display_path(fixed.backup)}")
    try:
        data = _yaml().load(decoded.text)
    except YAMLError as exc:
        from ..inputs.manifest import ARTICLE_SCHEMA, SCHEMA

        mark = mark_to_fix(exc)
        problem = colon_in_value(decoded.text, exc, {**SCHEMA, **ARTICLE_SCHEMA}) or problem_of(exc)
        raise KjError(manifest, mark.line + 1 if mark else None, f"期刊清单无法解析，未改动：{problem}") from exc
    if not isinstance(data, CommentedMap):
        raise KjError(manifest, 1, "期刊清单应为一组“键: 值”，未改动")
    return data


def append_articles(manifest: Path, entries: list[str]) -> None:
    """Add ``entries`` to the end of the manifest's ``articles`` list; nothing else changes."""
    data = load_for_edit(manifest)
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


# -- masthead fields (the desk) ---------------------------------------------------------------

REMOVE = object()  # set_fields: take the key out of the manifest


def set_fields(data: CommentedMap, values: dict[str, object], order: list[str]) -> list[str]:
    """Set top-level keys of ``data`` in place; returns the keys that changed.

    A value equal to the one there is left alone (its quoting too); a text that was quoted
    stays quoted the same way; ``REMOVE`` takes a key out, keeping the comment lines below it
    (they describe what follows); a new key goes where ``order`` (the schema's order) puts it.
    """
    changed = []
    for key, value in values.items():
        present = key in data
        if value is REMOVE:
            if present:
                _drop_key(data, key)
                changed.append(key)
            continue
        if present and _same(data[key], value):
            continue
        if present:
            old = data[key]
            if isinstance(old, ScalarString) and isinstance(value, str):
                value = type(old)(value)  # "4366683" stays in double quotes
            data[key] = value
        else:
            data.insert(_position(data, key, order), key, value)
        changed.append(key)
    return changed


def _same(old: object, new: object) -> bool:
    """Whether writing ``new`` over ``old`` would change nothing the reader sees."""
    if isinstance(old, dict) or isinstance(new, dict):
        return isinstance(old, dict) and isinstance(new, dict) and _plain(old) == _plain(new)
    if isinstance(old, bool) != isinstance(new, bool) or isinstance(old, str) != isinstance(new, str):
        return False
    return old == new


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _position(data: CommentedMap, key: str, order: list[str]) -> int:
    """Where a new key goes: after the last key there that comes before it in ``order``."""
    rank = {name: n for n, name in enumerate(order)}
    keys = list(data)
    at = 0
    for index, existing in enumerate(keys):
        if rank.get(existing, len(order)) < rank.get(key, len(order)):
            at = index + 1
    return at


def _drop_key(data: CommentedMap, key: str) -> None:
    """Delete ``key``; the full-line comments that followed its line move to the key before."""
    keys = list(data)
    index = keys.index(key)
    token = data.ca.items.get(key, [None, None, None, None])[2]
    following = _after_line(token.value) if token is not None else ""
    del data[key]
    data.ca.items.pop(key, None)
    if following and index > 0:
        previous = keys[index - 1]
        slots = data.ca.items.setdefault(previous, [None, None, None, None])
        old = slots[2]
        if old is None:
            slots[2] = CommentToken("\n" + following, CommentMark(0))
        else:
            old.value = (old.value if old.value.endswith("\n") else old.value + "\n") + following


def _after_line(value: str) -> str:
    """The full-line comments in a comment token (those after the end of its own line)."""
    return value.split("\n", 1)[1] if "\n" in value else ""


# -- the article list (the desk) --------------------------------------------------------------

def article_entries(data: CommentedMap) -> list[tuple[str, str | None]]:
    """(file as written, section) of each entry of the article list."""
    articles = data.get("articles")
    if not isinstance(articles, list):
        return []
    out = []
    for item in articles:
        if isinstance(item, dict):
            out.append((str(item.get("file")), None if item.get("section") is None else str(item.get("section"))))
        else:
            out.append((str(item), None))
    return out


def arrange_articles(data: CommentedMap, order: list[int], sections: list[str | None]) -> None:
    """Rearrange the article list in place: ``order`` lists old positions in their new order
    (positions left out are removed), ``sections`` the section of each new entry.

    Comments move with the entry they describe: an end-of-line comment with its entry, the
    comment lines above an entry with that entry; comments above the first entry stay at the
    top of the list, those after the last at the end."""
    articles = data.get("articles")
    if not isinstance(articles, CommentedSeq):
        articles = CommentedSeq(articles or [])
        data["articles"] = articles
    count = len(articles)
    eol: list[str | None] = []
    above: list[str] = [""] * count  # comment lines above each entry (the first's stay put)
    trailing = ""
    for index in range(count):
        token = articles.ca.items.get(index, [None])[0]
        value = token.value if token is not None else ""
        if value.startswith("#"):
            line, _, rest = value.partition("\n")
            eol.append(line + "\n")
        else:
            eol.append(None)
            rest = value[1:] if value.startswith("\n") else value
        if index + 1 < count:
            above[index + 1] = rest
        else:
            trailing = rest
    items = [_with_section(articles[old], section) for old, section in zip(order, sections)]
    fresh = CommentedSeq(items)
    if items:
        fresh.fa.set_block_style()  # "[]" of a new issue: entries one per line
    else:
        fresh.fa.set_flow_style()  # no entries: "[]"
    fresh.ca.comment = articles.ca.comment
    if order and order[0] != 0 and above[order[0]].strip():
        # The entry that moved to the top takes its comment lines along, under the list's own.
        top = CommentToken(above[order[0]].lstrip(" "), CommentMark(2))
        if fresh.ca.comment is None:
            fresh.ca.comment = [None, [top]]
        elif fresh.ca.comment[1] is None:
            fresh.ca.comment[1] = [top]
        else:
            fresh.ca.comment[1].append(top)  # in place: the mapping holds the same list
    for new, old in enumerate(order):
        following = (above[order[new + 1]] if order[new + 1] != 0 else "") if new + 1 < len(order) else trailing
        if eol[old] is None and not following:
            continue
        value = (eol[old] or "\n") + following
        # An entry rewritten (its section changed) gets its comment one space after it.
        kept = eol[old] and items[new] is articles[old]
        column = articles.ca.items[old][0].start_mark.column if kept else 0
        fresh.ca.items[new] = [CommentToken(value, CommentMark(column)), None, None, None]
    slots = data.ca.items.get("articles")
    data["articles"] = fresh
    if slots is not None:
        data.ca.items["articles"] = slots


def _with_section(item, section: str | None):
    """An entry with ``section``: a plain path, or {file: …, section: …} in flow style."""
    if isinstance(item, CommentedMap):
        if section is None:
            if set(item) <= {"file", "section"}:
                return item["file"]
            item.pop("section", None)
            return item
        if item.get("section") != section:
            item["section"] = section
        return item
    if section is None:
        return item
    entry = CommentedMap([("file", item), ("section", section)])
    entry.fa.set_flow_style()
    return entry
