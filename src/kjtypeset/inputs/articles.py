"""Stage 2, read: each article file → Article (front matter checked, body rendered to HTML)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import KjError
from .encoding import read_text
from .manifest import ArticleRef, Manifest
from .markdown import ImageRef, percent_share, render_body
from .yamlread import Field, Reader

FRONT_MATTER = {
    "title": Field("str", "标题", required=True),
    # 副题 ("——记……"): a smaller centred line under the title, not in the contents (README).
    "subtitle": Field("str", "副题"),
    "source": Field("str", "来源"),
    "author": Field("str", "作者"),
    "date": Field("date", "原文日期"),  # as the import finds it; not printed
    # The article's figures may be this tall (with caption), a share of the type area: 100%.
    "figure_max_height": Field("str", "图片最大高度（占版心高度的比例）"),
}
MAX_ARTICLE_BYTES = 2_000_000


@dataclass(frozen=True)
class Article:
    path: Path
    anchor: str  # the id the contents page links to
    title: str
    source: str | None
    author: str | None
    section: str | None
    body_html: str
    images: tuple[ImageRef, ...] = ()
    headings: tuple[tuple[str, int], ...] = ()  # (Markdown text, line) of each sub-head
    # The title's lines where the editor broke it (a line break in the title: README), else ().
    title_lines: tuple[str, ...] = ()
    # 副题 ("——记……", front matter subtitle): printed under the title, never in the contents,
    # the bookmarks or the archive (they list titles); its lines where the editor broke it.
    subtitle_lines: tuple[str, ...] = ()


def read_articles(manifest: Manifest) -> tuple[Article, ...]:
    return tuple(read_article(ref, index, manifest.folder, manifest.raw_html)
                 for index, ref in enumerate(manifest.articles, start=1))


def read_article(ref: ArticleRef, index: int, root: Path, raw_html: bool = False) -> Article:
    path = ref.path
    if path.stat().st_size > MAX_ARTICLE_BYTES:
        raise KjError(path, None, f"文章文件过大：应不超过 {MAX_ARTICLE_BYTES // 1_000_000} MB")
    text = read_text(path)
    front, body, body_line = split_front_matter(text, path)
    reader = Reader(path, front, first_line=2, labels=FRONT_MATTER)
    values = reader.fields(reader.root, FRONT_MATTER, "文章头信息")
    get = {key: value for key, (value, _node) in values.items()}.get
    figure_max_height = None
    if "figure_max_height" in values:
        value, node = values["figure_max_height"]
        figure_max_height = percent_share(value)
        if figure_max_height is None:
            raise reader.error(node, f"figure_max_height（图片最大高度）应为 10%–100% 之间的比例（如 100%），实际为“{value}”")
    body_html, images = render_body(body, path, body_line, root, raw_html, figure_max_height)
    lines = title_lines(get("title"))
    return Article(
        path=path,
        anchor=f"article-{index}",
        title=_joined(lines),
        title_lines=lines if len(lines) > 1 else (),
        subtitle_lines=title_lines(get("subtitle") or ""),
        source=get("source"),
        author=get("author"),
        section=ref.section,
        body_html=body_html,
        images=images,
        headings=tuple(_headings(body, body_line)),
    )


# Markdown emphasis typed in a title (研究团队改造*E. coli*菌株): a title is plain text, set in its
# own face, and the asterisks printed in it, in the contents, the bookmarks and the archive (P14 D1).
_TITLE_EMPHASIS = re.compile(r"\*{1,2}([^*\n]+?)\*{1,2}")


def title_lines(title: str) -> tuple[str, ...]:
    """A title's lines as the editor wrote them: a line break in the title is where it breaks
    (README: 编辑要在某处断开，在标题里换行即可; it printed as a word space between two Han
    characters). A space typed between Chinese characters is an ideographic space, as `import`
    sets it (多模态大模型 实时语音交互…): the title's preferred break (engine/justify.py), set a
    full em when the title runs on. Emphasis marks typed in it are dropped (_TITLE_EMPHASIS)."""
    from ..editor.cleanup import phrase_spaces
    return tuple(phrase_spaces(_TITLE_EMPHASIS.sub(r"\1", line.strip()))
                 for line in title.strip().splitlines() if line.strip())


def _joined(lines: tuple[str, ...]) -> str:
    """The title on one line (contents, bookmarks, the archive): its lines run together, with a
    space only between two Latin letters or digits."""
    out = ""
    for line in lines:
        out += " " if out and out[-1].isascii() and out[-1].isalnum() and line[0].isascii() and line[0].isalnum() else ""
        out += line
    return out


_ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _headings(body: str, first_line: int):
    """(text, line) of each "## …" heading outside code blocks, for messages about them."""
    fence = None
    for number, line in enumerate(body.splitlines(), start=first_line):
        if (match := _FENCE.match(line)):
            fence = None if fence and match.group(1)[0] == fence else (fence or match.group(1)[0])
        elif fence is None and (match := _ATX.match(line)):
            yield match.group(1), number


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """(front matter, body, line number where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise KjError(path, 1, "文章应以 YAML 头信息开头（第一行为 ---，其后写 title: 标题），"
                               f"实际第一行为 '{lines[0].rstrip()[:20] if lines else ''}'")
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            return "".join(lines[1:end]), "".join(lines[end + 1:]), end + 2
    raise KjError(path, 1, "文章头信息没有结束：应有一行 --- 结束头信息，实际到文件末尾也没有")
