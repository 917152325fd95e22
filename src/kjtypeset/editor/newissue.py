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
from ..files import write_atomically
from ..inputs.issues import MANIFEST_NAME, issue_label, issue_manifests
from ..inputs.manifest import Manifest, load_manifest
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


DEFAULT_PERIOD = 31  # days between issues when there are too few to tell: a monthly bulletin
JUMP = 1.5  # a gap of more than 1.5 usual periods skips an issue: ask first


@dataclass(frozen=True)
class Plan:
    """The next issue as `new` would make it, and what the editor should confirm first."""

    previous: Manifest
    date: dt.date
    date_given: bool  # --date, not the machine's clock
    number: int
    total: int | None
    supplement: bool
    folder: Path
    questions: tuple[str, ...]  # each a reason to confirm; empty: nothing unusual

    @property
    def label(self) -> str:
        return f"{self.date.year}年{'增刊' if self.supplement else ''}第{self.number}期"

    def check_free(self, force: bool) -> None:
        """The folder must not exist yet (``force``: only issue.yaml is rewritten)."""
        if self.folder.exists() and not force:
            raise KjError(self.folder, None, "这一期的文件夹已经存在，不会覆盖：应先确认是否已建过这一期"
                                             "（确要重写其中的 issue.yaml，加 --force；文章文件不会动）")

    def question(self) -> str:
        """One paragraph for the prompt (or the error without --yes): which date, and why ask."""
        origin = "--date 指定" if self.date_given else "今天，取自本机的时钟"
        return (f"新一期将是 {self.label}，印发日期 {self.date.isoformat()}（{origin}）：" + "；".join(self.questions)
                + f"。日期不对时请用 --date 指定，如 kjtypeset new --from {self.previous.issue_id} --date "
                  f"{_example_date(self.previous).isoformat()}")


def plan_issue(previous_path: Path, supplement: bool = False, date: dt.date | None = None,
               today: dt.date | None = None) -> Plan:
    previous = load_manifest(previous_path, with_articles=False)
    date_given = date is not None
    date = date or today or dt.date.today()
    if date < previous.date:
        raise KjError(previous.path, previous.line_of("date"),
                      f"新一期的印发日期 {date.isoformat()}{'' if date_given else '（今天）'} 早于这一期的印发日期 "
                      f"{previous.date.isoformat()}：应用 --date 指定不早于它的日期")
    siblings = [load_manifest(path, with_articles=False) for path in issue_manifests(previous.folder.parent)]
    number, total = _numbers(siblings or [previous], date.year, supplement)
    questions = []
    if date.year != previous.date.year:
        questions.append(f"上一期 {previous.issue_id} 是 {previous.date.year} 年的，新一期在 {date.year} 年，"
                         f"期号从第1期重新开始")
    period = _period(siblings or [previous], supplement)
    gap = (date - previous.date).days
    if not supplement and gap > JUMP * period:
        questions.append(f"距上一期 {previous.issue_id}（{previous.date.isoformat()}）已有 {gap} 天，"
                         f"而各期通常相隔约 {period} 天，中间像是少了几期")
    folder = previous.folder.parent / folder_name(date.year, number, supplement)
    return Plan(previous, date, date_given, number, total, supplement, folder, tuple(questions))


def create_issue(previous_path: Path, supplement: bool = False, date: dt.date | None = None,
                 force: bool = False, plan: Plan | None = None) -> NewIssue:
    plan = plan or plan_issue(previous_path, supplement, date)
    previous, date, number, total, folder = plan.previous, plan.date, plan.number, plan.total, plan.folder
    supplement = plan.supplement
    plan.check_free(force)
    text = manifest_text(previous, date, number, total, supplement)
    (folder / "articles").mkdir(parents=True, exist_ok=force)
    write_atomically(folder / MANIFEST_NAME, text)
    return NewIssue(folder / MANIFEST_NAME, previous.path, date.year, number, total, supplement, date)


def _period(issues: list[Manifest], supplement: bool) -> int:
    """The usual number of days between consecutive issues of a kind (the median gap)."""
    dates = sorted({m.date for m in issues if m.supplement == supplement})
    gaps = sorted((b - a).days for a, b in zip(dates, dates[1:]) if (b - a).days > 0)
    return gaps[len(gaps) // 2] if gaps else DEFAULT_PERIOD


def _example_date(previous: Manifest) -> dt.date:
    """A plausible next date for the hint: a month after the previous issue."""
    month = previous.date.month % 12 + 1
    year = previous.date.year + (month == 1)
    day = min(previous.date.day, 28)
    return dt.date(year, month, day)


def _numbers(issues: list[Manifest], year: int, supplement: bool) -> tuple[int, int | None]:
    same_kind = [m for m in issues if m.supplement == supplement]
    this_year = [m.number for m in same_kind if m.year == year]
    later = sorted((m for m in same_kind if m.year > year), key=lambda m: m.issue_id)
    if later:
        names = "、".join(m.issue_id for m in later)
        raise KjError(later[-1].folder, None,
                      f"已有 {later[-1].year} 年的一期（{names}），不能再建更早的 {year}年第"
                      f"{max(this_year, default=0) + 1}期：如果那一期是误建的（例如本机时钟的年份不对时），"
                      f"请删去或移走这个文件夹后再运行；否则应从它接着建：kjtypeset new --from {later[-1].issue_id}")
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
