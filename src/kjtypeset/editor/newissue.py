"""The new command: the next issue's folder, made from the previous issue's manifest.

Numbering: a regular issue takes the next number of its year (第1期 again in a new year) and
the next 总第N期, which never restarts; a supplement (增刊) has its own sequence per year and
takes no 总第N期. Numbers come from all issues beside the previous one, so an issue made
after a supplement continues the regular sequence. The editorial fields and the distribution
list are carried over; the date is today's unless given; the article list starts empty.
An existing folder is never overwritten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..errors import KjError, display_path
from ..inputs.issues import MANIFEST_NAME, issue_label, issue_manifests
from ..inputs.manifest import Manifest, load_manifest
from ..files import write_atomically
from .manifestedit import dump

# Carried over from the previous issue, in this order, each with its label as a comment.
CARRIED = ("bulletin", "publisher", "editor", "reviewer", "phone", "copies", "classification")
LABELS = {
    "bulletin": "报头名称", "year": "年份", "number": "当年期号", "total": "总第N期",
    "supplement": "增刊：单独编号", "date": "印发日期（默认今天，请核对）", "publisher": "编印单位",
    "editor": "编辑", "reviewer": "审核", "phone": "电话", "copies": "共印N份",
    "classification": "左上角标志", "distribution": "报尾分送行", "layout": "版式",
}


@dataclass(frozen=True)
class NewIssue:
    manifest: Path
    previous: Path
    year: int
    number: int
    total: int | None
    supplement: bool
    date: dt.date

    @property
    def label(self) -> str:
        return issue_label(self.year, self.number, self.supplement)


def folder_name(year: int, number: int, supplement: bool) -> str:
    """2024-03 for a regular issue, 2024-zk01 (增刊) for a supplement; both sort by number."""
    return f"{year}-{'zk' if supplement else ''}{number:02d}"


def create_issue(previous_path: Path, supplement: bool = False, date: dt.date | None = None,
                 force: bool = False) -> NewIssue:
    previous = load_manifest(previous_path, with_articles=False)
    date = date or dt.date.today()
    if date < previous.date:
        raise KjError(None, None, f"印发日期应不早于上一期（{previous.date.isoformat()}），"
                                  f"实际为 {date.isoformat()}")
    siblings = [load_manifest(path, with_articles=False) for path in issue_manifests(previous.folder.parent)]
    number, total = _numbers(siblings or [previous], date.year, supplement)
    folder = previous.folder.parent / folder_name(date.year, number, supplement)
    if folder.exists() and not force:
        raise KjError(folder, None, "这一期的文件夹已经存在，不会覆盖：应先确认是否已建过这一期"
                                    "（确要重写其中的 issue.yaml，加 --force；文章文件不会动）")
    text = manifest_text(previous, date, number, total, supplement)
    (folder / "articles").mkdir(parents=True, exist_ok=force)
    write_atomically(folder / MANIFEST_NAME, text)
    return NewIssue(folder / MANIFEST_NAME, previous.path, date.year, number, total, supplement, date)


def _numbers(issues: list[Manifest], year: int, supplement: bool) -> tuple[int, int | None]:
    same_kind = [m for m in issues if m.supplement == supplement]
    this_year = [m.number for m in same_kind if m.year == year]
    if any(m.year > year for m in same_kind):
        later = max(m.year for m in same_kind)
        raise KjError(None, None, f"已有 {later} 年的期刊，新一期的年份应不早于它，实际为 {year} 年")
    number = max(this_year, default=0) + 1
    if supplement:
        return number, None
    totals = [m.total for m in issues if m.total and not m.supplement]
    return number, (max(totals) + 1 if totals else None)


def manifest_text(previous: Manifest, date: dt.date, number: int, total: int | None,
                  supplement: bool) -> str:
    label = issue_label(date.year, number, supplement)
    issue_id = folder_name(date.year, number, supplement)
    data = CommentedMap()
    values = {"bulletin": previous.bulletin, "year": date.year, "number": number}
    if total:
        values["total"] = total
    if supplement:
        values["supplement"] = True
    values["date"] = date
    for key in CARRIED[1:]:
        if (value := getattr(previous, key)) is not None:
            values[key] = value
    for key, value in values.items():
        data[key] = value
        data.yaml_add_eol_comment(LABELS[key], key, column=32)
    if previous.distribution:
        rows = CommentedMap()
        for row_label, names in previous.distribution:
            names_seq = CommentedSeq(names)
            names_seq.fa.set_flow_style()
            rows[row_label] = names_seq
        data["distribution"] = rows
        data.yaml_add_eol_comment(LABELS["distribution"], "distribution", column=32)
    data["layout"] = previous.layout
    data.yaml_add_eol_comment(LABELS["layout"], "layout", column=32)
    data["articles"] = CommentedSeq()
    data["articles"].fa.set_flow_style()
    data.yaml_set_comment_before_after_key(
        "articles", before="文章，按刊登顺序：用 kjtypeset import 导入，或写 articles/ 下的文件路径")

    readme = "\n".join([
        f"《{previous.bulletin}》{label} — 由 kjtypeset new 从 {previous.folder.name} 生成。",
        "请填写或核对：",
        "  1. date：印发日期（默认为生成当天）；",
        f"  2. articles：kjtypeset import 文件… --issue {issue_id}（Word、网页、文字），"
        "或手工列出文章文件；",
        "  3. 编辑、审核、电话、印数、分送范围沿用上一期，如有变化请修改；",
        f"  4. 预览：kjtypeset preview {issue_id}；排版：kjtypeset build "
        f"issue_sources/{issue_id}/issue.yaml。",
        "各项的含义见 README.md 的“期刊清单”一节。",
    ])
    data.yaml_set_start_comment(readme)
    return dump(data)


def describe(new: NewIssue) -> str:
    total = f"（总第{new.total}期）" if new.total else ""
    return (f"已创建 {display_path(new.manifest)}：{new.label}{total}，印发日期 {new.date.isoformat()}，"
            f"沿用 {display_path(new.previous.parent)} 的编辑信息和分送范围")
