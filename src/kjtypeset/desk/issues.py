"""What the desk shows of the issues: the list with each one's state, one issue's masthead and
articles, and the edits the editor makes there (issue 18 items 1–2).

Every check is the CLI's: a masthead edit is written into the manifest's text with ruamel
(editor/manifestedit.py) and that text is loaded by the same ``load_manifest`` the build
uses, before anything is written; its error or warnings are shown beside the field whose
line they name. A new issue is planned and made by editor/newissue.py, as `kjtypeset new`
makes it; imports go through editor/importer.py as `kjtypeset import` does.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import KjError, collecting_warnings
from ..files import write_atomically
from ..inputs.issues import issue_manifests
from ..inputs.manifest import SCHEMA, distribution_names, load_manifest
from ..project import Project

TRASH = "回收站"  # removed articles go here, in the issue folder; nothing is ever deleted
ORIGINALS = "原稿"  # uploaded files, as received, in the issue folder
EDITIONS = {"proof": ("", "校样版"), "print": ("-print", "印刷版"), "archive": ("-archive", "存档版")}
_ISSUE_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")

# The masthead and end-block fields the desk edits, in the manifest's order (labels: SCHEMA).
FIELDS = ("bulletin", "year", "number", "total", "supplement", "date", "publisher", "editor", "reviewer",
          "phone", "copies", "classification", "distribution", "layout")
HINTS = {
    "bulletin": "报头上的名称", "total": "总第N期（可不填）", "supplement": "增刊单独编号，不占总期号",
    "date": "YYYY-MM-DD", "phone": "如 4366683", "copies": "共印N份（可不填）",
    "classification": "左上角标志，如 内部资料　注意保存",
    "distribution": "每行一项，如 报：市委办公室、市政府办公室", "layout": "默认 jianbao",
}


def find_issue(root: Project, issue_id: str) -> Path | None:
    """The manifest of issue ``issue_id`` among the project's issues (never a path the
    client made up: only names that are issue folders match)."""
    if not _ISSUE_ID.fullmatch(issue_id):
        return None
    for manifest in issue_manifests(root.issue_sources):
        if manifest.parent.name == issue_id:
            return manifest
    return None


# -- the list ------------------------------------------------------------------------------

@dataclass(frozen=True)
class IssueRow:
    issue_id: str
    label: str  # 2024年第3期 (or the folder name when the manifest cannot be read)
    date: str
    articles: int
    state: str  # draft | built | published
    state_text: str
    pages: int | None
    note: str = ""  # e.g. changed since it was built; the manifest's error


_page_counts: dict[tuple[str, int, int], int] = {}


def pdf_pages(path: Path) -> int | None:
    """A built PDF's page count, remembered while the file stays the same."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _page_counts:
        import pypdfium2

        try:
            document = pypdfium2.PdfDocument(str(path))
        except pypdfium2.PdfiumError:
            return None
        try:
            _page_counts[key] = len(document)
        finally:
            document.close()
    return _page_counts[key]


def published_issues(archive: Path) -> dict[str, tuple[int, int]]:
    """issue_id → (current revision, pages) of the archive's catalogue; empty without one."""
    from ..archive.store import CATALOGUE, open_catalogue

    if not (archive / CATALOGUE).is_file():
        return {}
    try:
        db = open_catalogue(archive)
    except KjError:
        return {}
    try:
        return {issue_id: (revision, pages) for issue_id, revision, pages in
                db.execute("SELECT issue_id, revision, pages FROM issues WHERE current")}
    finally:
        db.close()


def newest_source(folder: Path) -> float:
    """When the issue's sources last changed: the manifest and every file under it (the
    trash and the originals aside: they are not printed)."""
    newest = 0.0
    for path, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in (TRASH, ORIGINALS) and not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                newest = max(newest, os.stat(os.path.join(path, name)).st_mtime)
    return newest


def output_files(root: Project, issue_id: str) -> dict[str, Path]:
    folder = root.output / issue_id
    return {name: folder / f"{issue_id}{suffix}.pdf" for name, (suffix, _label) in EDITIONS.items()
            if (folder / f"{issue_id}{suffix}.pdf").is_file()}


def issue_rows(root: Project, archive: Path) -> list[IssueRow]:
    """Every issue, newest first, with what state it is in."""
    published = published_issues(archive)
    rows = []
    for manifest_path in reversed(issue_manifests(root.issue_sources)):
        issue_id = manifest_path.parent.name
        label, date, articles, error = _manifest_row(manifest_path)
        if error:
            rows.append(IssueRow(issue_id, issue_id, "", 0, "draft", "草稿", None, error))
            continue
        proof = root.output / issue_id / f"{issue_id}.pdf"
        built = proof.is_file()
        note = ""
        if built and proof.stat().st_mtime < newest_source(manifest_path.parent):
            note = "排版之后又有改动"
        if issue_id in published:
            revision, pages = published[issue_id]
            text = "已存档" + (f"（第 {revision} 版）" if revision > 1 else "")
            rows.append(IssueRow(issue_id, label, date, articles, "published", text, pages, note))
        elif built:
            rows.append(IssueRow(issue_id, label, date, articles, "built", "已排版", pdf_pages(proof), note))
        else:
            rows.append(IssueRow(issue_id, label, date, articles, "draft", "草稿", None))
    return rows


_rows: dict[tuple[str, int, int], tuple[str, str, int, str | None]] = {}


def _manifest_row(manifest_path: Path) -> tuple[str, str, int, str | None]:
    """(label, date, articles, error) of a manifest, read again only when the file changed:
    the list reads every issue on each visit, and manifests rarely change."""
    stat = manifest_path.stat()
    key = (str(manifest_path), stat.st_mtime_ns, stat.st_size)
    if key not in _rows:
        try:
            with collecting_warnings():
                manifest = load_manifest(manifest_path, with_articles=False)
        except KjError as exc:
            _rows[key] = (manifest_path.parent.name, "", 0, f"错误：{exc}")
        else:
            _rows[key] = (manifest.issue_label, manifest.date.isoformat(), _count_articles(manifest_path), None)
    return _rows[key]


def _count_articles(manifest: Path) -> int:
    """Entries in the article list (libyaml when PyYAML has it: the list is read for every issue)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(manifest.read_bytes(), Loader=loader)  # noqa: S506 (a safe loader)
    except (yaml.YAMLError, OSError, ValueError):
        return 0
    articles = data.get("articles") if isinstance(data, dict) else None
    return len(articles) if isinstance(articles, list) else 0


# -- one issue -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ArticleRow:
    index: int  # position in the manifest's list
    file: str  # as written in the manifest
    section: str | None
    title: str
    problem: str | None  # the file is missing, or its front matter cannot be read


@dataclass
class IssuePage:
    issue_id: str
    manifest: Path
    label: str
    values: dict[str, str]  # each field as the form shows it
    articles: list[ArticleRow]
    sections: list[str]  # sections in use, for the section picker
    error: str | None  # the manifest as it stands, checked as the build checks it
    warnings: list[str] = field(default_factory=list)


def issue_page(manifest: Path) -> IssuePage:
    from ..editor.manifestedit import article_entries, load_for_edit

    issue_id = manifest.parent.name
    error, warnings, label = None, [], issue_id
    with collecting_warnings() as collected:
        try:
            loaded = load_manifest(manifest)
            label = loaded.issue_label
        except KjError as exc:
            error = f"错误：{exc}"
            try:
                label = load_manifest(manifest, with_articles=False).issue_label
            except KjError:
                pass
    warnings = [f"警告：{w}" for w in collected]
    data = load_for_edit(manifest)
    values = {key: form_value(key, data.get(key)) for key in FIELDS}
    entries = article_entries(data)
    articles = [ArticleRow(index, file, section, *_article_title(manifest.parent, file))
                for index, (file, section) in enumerate(entries)]
    sections = sorted({section for _file, section in entries if section})
    return IssuePage(issue_id, manifest, label, values, articles, sections, error, warnings)


def _article_title(folder: Path, written: str) -> tuple[str, str | None]:
    """(title, problem) of an article file as listed."""
    from ..inputs.articles import split_front_matter
    from ..inputs.encoding import read_text

    path = (folder / written).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        return written, "找不到文章文件"
    try:
        front, _body, _line = split_front_matter(read_text(path, notice=False), path)
        fields = yaml.safe_load(front) or {}
    except (KjError, yaml.YAMLError, OSError) as exc:
        return written, str(exc)
    title = fields.get("title") if isinstance(fields, dict) else None
    return (str(title), None) if title else (written, "文章头信息中没有 title（标题）")


def form_value(key: str, value) -> str:
    """A manifest value as the form shows it."""
    if value is None:
        return ""
    if key == "distribution" and isinstance(value, dict):
        lines = []
        for label, names in value.items():
            names = names if isinstance(names, list) else [names]
            # Names holding 、 are joined with ，, the higher level, so that saving keeps them whole.
            joiner = "，" if any("、" in str(n) for n in names) else "、"
            lines.append(f"{label}：{joiner.join(str(n) for n in names)}")
        return "\n".join(lines)
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# -- masthead edits ------------------------------------------------------------------------

@dataclass
class FieldsResult:
    saved: bool
    changed: list[str]
    errors: dict[str, str]  # field → the CLI's line, 错误：…
    warnings: dict[str, list[str]]  # field → 警告：… lines
    general: list[str]  # errors and warnings that name no masthead field


def _typed(key: str, text: str, present: bool, old):
    """The form's text as the value to write: numbers and dates typed when they parse, the
    text itself otherwise (so the manifest check reports it as the CLI would)."""
    from ..editor.manifestedit import REMOVE

    kind = SCHEMA[key].kind
    text = text.strip()
    if kind == "bool":
        if text:
            return True
        return old if present and old is False else REMOVE
    if not text:
        # An emptied required field is written empty: the check then names its line.
        return None if SCHEMA[key].required else REMOVE
    if kind == "int":
        return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else text
    if kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    if kind == "map":
        return _distribution(text)
    return text


def _distribution(text: str):
    """Lines "报：A、B" → {报: [A, B]} in flow style, as `new` writes it."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    rows = CommentedMap()
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        label, colon, names = re.split(r"([：:])", line, maxsplit=1) if re.search(r"[：:]", line) else (line, "", "")
        seq = CommentedSeq(distribution_names(names))
        seq.fa.set_flow_style()
        rows[label.strip()] = seq
    return rows


def save_fields(manifest: Path, form: dict[str, str]) -> FieldsResult:
    """Write the masthead fields given in ``form`` if the manifest with them passes the
    build's check of those fields; otherwise write nothing and say why, field by field."""
    from ..editor.manifestedit import dump, load_for_edit, set_fields

    with collecting_warnings() as edit_warnings:
        data = load_for_edit(manifest)
    # Only the fields the form sent (the page sends them all; a checkbox with a hidden "" before it).
    values = {key: _typed(key, form[key], key in data, data.get(key)) for key in FIELDS if key in form}
    changed = set_fields(data, values, list(SCHEMA))
    text = dump(data)
    lines = _key_lines(text)
    errors: dict[str, str] = {}
    warnings: dict[str, list[str]] = {}
    general = [f"警告：{w}" for w in edit_warnings]
    with collecting_warnings() as collected:
        try:
            load_manifest(manifest, text=text)
        except KjError as exc:
            where = _field_at(lines, exc.line)
            if where in FIELDS:
                errors[where] = f"错误：{exc}"
            else:
                # Elsewhere (an article missing, the list still empty): check the fields alone.
                try:
                    load_manifest(manifest, with_articles=False, text=text)
                    general.append(f"错误：{exc}")
                except KjError as fields_error:
                    errors[_field_at(lines, fields_error.line) or "general"] = f"错误：{fields_error}"
    for warning in collected:
        where = _field_at(lines, warning.line)
        if where in FIELDS:
            warnings.setdefault(where, []).append(f"警告：{warning}")
        else:
            general.append(f"警告：{warning}")
    if "general" in errors:
        general.insert(0, errors.pop("general"))
        return FieldsResult(False, changed, errors, warnings, general)
    if errors:
        return FieldsResult(False, changed, errors, warnings, general)
    if changed:
        write_atomically(manifest, text)
    return FieldsResult(True, changed, errors, warnings, general)


def _key_lines(text: str) -> list[tuple[int, str]]:
    """(first line, key) of each top-level key of a manifest's text."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    return [(key.start_mark.line + 1, str(key.value)) for key, _value in root.value]


def _field_at(lines: list[tuple[int, str]], line: int | None) -> str | None:
    if line is None:
        return None
    found = None
    for first, key in lines:
        if first <= line:
            found = key
    return found


# -- the article list ----------------------------------------------------------------------

def arrange(manifest: Path, wanted: list[tuple[str, str | None]]) -> list[str]:
    """Reorder the article list and set sections: ``wanted`` is every entry now listed, as
    (file as written, section), in the new order. Files are matched against the list: a
    file the list does not hold is refused, nothing reaches the disk from the client."""
    from ..editor.manifestedit import arrange_articles, article_entries, dump, load_for_edit

    data = load_for_edit(manifest)
    entries = article_entries(data)
    if sorted(file for file, _section in wanted) != sorted(file for file, _section in entries):
        raise KjError(manifest, None, "文章列表已在别处改动（与网页上的不一致）：请刷新网页后再调整")
    free = list(range(len(entries)))
    order = []
    for file, _section in wanted:
        index = next(i for i in free if entries[i][0] == file)
        free.remove(index)
        order.append(index)
    sections = []
    for _file, section in wanted:
        section = (section or "").strip() or None
        if section is not None and (len(section) > 40 or "\n" in section):
            raise KjError(manifest, None, f"栏目名应为一行、不超过 40 个字，实际为“{section[:50]}”")
        sections.append(section)
    if order == list(range(len(entries))) and sections == [s for _f, s in entries]:
        return []
    arrange_articles(data, order, sections)
    write_atomically(manifest, dump(data))
    return [file for file, _section in wanted]


def remove_article(manifest: Path, index: int, file: str) -> Path | None:
    """Take entry ``index`` (which must be ``file``) off the list; the article file moves to
    the issue's 回收站/ unless another entry still lists it. Returns where it went."""
    from ..editor.manifestedit import arrange_articles, article_entries, dump, load_for_edit

    data = load_for_edit(manifest)
    entries = article_entries(data)
    if not 0 <= index < len(entries) or entries[index][0] != file:
        raise KjError(manifest, None, "文章列表已在别处改动（与网页上的不一致）：请刷新网页后再删除")
    order = [i for i in range(len(entries)) if i != index]
    arrange_articles(data, order, [entries[i][1] for i in order])
    write_atomically(manifest, dump(data))
    folder = manifest.parent.resolve()
    path = (folder / file).resolve()
    still_listed = any((folder / other).resolve() == path for other, _s in (entries[i] for i in order))
    if still_listed or not path.is_relative_to(folder) or not path.is_file():
        return None
    return move_to_trash(folder, path)


def move_to_trash(folder: Path, path: Path) -> Path:
    """Move ``path`` into ``folder``/回收站/, under a name no file there has."""
    trash = folder / TRASH
    trash.mkdir(exist_ok=True)
    target = trash / path.name
    number = 2
    while target.exists():
        target = trash / f"{path.stem}（{number}）{path.suffix}"
        number += 1
    shutil.move(path, target)
    return target


# -- a new issue ---------------------------------------------------------------------------

def regular_issues(root: Project) -> list[Path]:
    return [p for p in issue_manifests(root.issue_sources) if "-zk" not in p.parent.name]


def default_previous(root: Project) -> Path | None:
    regular = regular_issues(root)
    return regular[-1] if regular else None


def plan_new(previous: Path, supplement: bool, date: dt.date | None):
    """`kjtypeset new`'s plan and its checks (the folder must be free)."""
    from ..editor.newissue import plan_issue

    plan = plan_issue(previous, supplement=supplement, date=date)
    plan.check_free(False)
    return plan


def create_new(previous: Path, plan) -> Path:
    from ..editor.newissue import create_issue

    return create_issue(previous, plan=plan).manifest


def question(plan) -> str:
    """What to confirm, in the desk's words (the CLI's says which option to use)."""
    origin = "在上面指定" if plan.date_given else "今天，取自本机的时钟"
    return (f"新一期将是 {plan.label}，印发日期 {plan.date.isoformat()}（{origin}）："
            + "；".join(plan.questions) + "。日期不对时请改正印发日期后再创建。")
