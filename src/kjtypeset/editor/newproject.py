"""The init command: a new bulletin folder, with the first issue's manifest ready to build.

A bulletin folder lives apart from kjtypeset's code (see kjtypeset.project): its issues, its
PDFs, its archive, and optionally its own layouts and fonts. ``init`` writes the marker file,
a README for the editors, a .gitignore and issue <year>-01 with one example article, so that
``kjtypeset build`` works at once and shows what the pages look like.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .. import project
from ..errors import KjError
from ..files import write_atomically
from ..inputs.issues import MANIFEST_NAME, issue_label
from .manifestedit import dump
from .newissue import LABELS, folder_name

EXAMPLE_ARTICLE = "articles/01-示例文章.md"


@dataclass(frozen=True)
class NewProject:
    root: Path
    manifest: Path
    files: tuple[Path, ...]  # everything written, in order

    @property
    def issue_id(self) -> str:
        return self.manifest.parent.name


def create_project(root: Path, bulletin: str, publisher: str, editor: str,
                   date: dt.date | None = None) -> NewProject:
    """Write a new bulletin folder at ``root`` (missing or not yet a bulletin folder)."""
    if project.is_project(root):
        raise KjError(root, None, f"这里已经是简报文件夹（有 {project.SOURCES}/ 或 {project.MARKER}），不会覆盖："
                                  "新的一期请用 kjtypeset new")
    if root.exists() and not root.is_dir():
        raise KjError(root, None, "应为文件夹，实际是一个文件")
    date = date or dt.date.today()
    issue = root / project.SOURCES / folder_name(date.year, 1, False)
    files = {
        root / project.MARKER: MARKER_TEXT,
        root / "README.md": readme_text(bulletin, issue.name),
        root / ".gitignore": GITIGNORE,
        issue / MANIFEST_NAME: manifest_text(bulletin, publisher, editor, date, issue.name),
        issue / EXAMPLE_ARTICLE: ARTICLE_TEXT,
    }
    for path in files:
        if path.exists():
            raise KjError(path, None, "文件已经存在，不会覆盖：应在空文件夹或新文件夹中新建简报文件夹")
    for path, text in files.items():
        write_atomically(path, text)
    return NewProject(root, issue / MANIFEST_NAME, tuple(files))


def manifest_text(bulletin: str, publisher: str, editor: str, date: dt.date, issue_id: str) -> str:
    data = CommentedMap()
    values = {"bulletin": bulletin, "year": date.year, "number": 1, "date": date,
              "publisher": publisher, "editor": editor, "layout": "jianbao"}
    for key, value in values.items():
        data[key] = value
        data.yaml_add_eol_comment(LABELS[key], key, column=32)
    data["articles"] = CommentedSeq([EXAMPLE_ARTICLE])
    data.yaml_set_comment_before_after_key(
        "articles", before="文章，按刊登顺序：用 kjtypeset import 导入，或写 articles/ 下的文件路径")
    data.yaml_set_start_comment("\n".join([
        f"《{bulletin}》{issue_label(date.year, 1, False)} — 由 kjtypeset init 生成。",
        "请填写或核对：报头名称、编印单位、编辑、印发日期；",
        f"再用 kjtypeset import 文件… --issue {issue_id} 导入文章，删去示例文章。",
        "各项的含义见本文件夹的 README.md。",
    ]))
    return dump(data)


def readme_text(bulletin: str, issue_id: str) -> str:
    return f"""# 《{bulletin}》

这是 kjtypeset 的简报文件夹：在这里（或其中任何子文件夹里）运行 kjtypeset 命令，都以这个文件夹为准。

```
issue_sources/<年-期>/issue.yaml   每一期的清单（报头名称、期号、日期、文章列表……）
issue_sources/<年-期>/articles/    每一期的文章（Markdown）和图片
output/<年-期>/                    排出的 PDF：校样版、印刷版、存档版
archive/                           档案（kjtypeset publish 存入，只增不改）
layouts/<名称>/                    本单位自己的版式（可选；同名的会替代内置版式）
fonts/                             本单位自己的字体（可选；优先于共用的字体）
```

常用命令：

```bash
kjtypeset import 稿件.docx 网页.html 文字.txt --issue {issue_id}   # 导入文章
kjtypeset preview {issue_id}                                     # 边改边看
kjtypeset build issue_sources/{issue_id}/issue.yaml              # 排版，生成 output/{issue_id}/ 下的 PDF
kjtypeset new                                                    # 开始下一期
kjtypeset publish {issue_id}                                     # 印发后存档
```

每个命令都有中文帮助：`kjtypeset 命令 --help`。

`output/` 可以随时重新生成；`archive/` 是档案，应定期备份（至少备份 `archive/published.jsonl` 和其中的 PDF）。
"""


MARKER_TEXT = """\
# kjtypeset 简报文件夹的标记：在这个文件夹或其子文件夹中运行 kjtypeset，
# issue_sources/、output/、archive/、layouts/、fonts/ 都相对于这个文件夹。
"""

GITIGNORE = """\
# Built PDFs: kjtypeset build makes them again from the sources.
/output/
# The archive is data, not source: back it up on its own.
/archive/
# The desk's password hash (kjtypeset desk --set-password): for this machine only.
/.kjtypeset/
"""

ARTICLE_TEXT = """\
---
title: 示例文章：请换成本期的第一篇文章
source: 编辑部
---

这是 kjtypeset init 生成的示例文章，用来确认排版环境一切正常：排出的 PDF 在 output/ 文件夹中。

**一是导入文章。**用 kjtypeset import 把 Word 文件、保存的网页或复制的文字转成文章文件，加到清单的文章列表中。

**二是核对清单。**报头名称、编印单位、编辑、印发日期都在 issue.yaml 中，改好后重新排版即可。

导入第一篇文章后，请从清单中删去这篇示例文章。
"""
