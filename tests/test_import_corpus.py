"""Issue 14, item 2: the text import on texts unlike the sample.

tests/import_corpus/NN-*.txt are texts as editors get them (a web page copied from the browser,
an e-mail, a PDF copy with running heads and page numbers, a WeChat article, Word's "save as
text" in UTF-16, a GBK file from Notepad, text typed with half-width marks, Markdown-special
characters, a whole bulletin, mixed English, a PDF copy with an address cut at a line end);
NN-*.md beside each is the article file an editor would want, written out by hand and
checked. The measure: characters of the input that the expected file keeps but the import
changed ("changed that should not have been") must be 0, and so must the repairs it missed.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from kjtypeset.editor.importer import Source, decode_text
from kjtypeset.editor.textimport import import_text

CORPUS = Path(__file__).with_name("import_corpus")
CASES = sorted(CORPUS.glob("*.txt"))


def imported(path: Path) -> tuple[str, str]:
    text, _note = decode_text(Source(path.name, path.read_bytes(), path))
    return text, "".join(draft.markdown() for draft in import_text(text).drafts)


def kept(source: str, result: str) -> set[int]:
    """Positions of ``source`` whose characters survive unchanged into ``result``."""
    matcher = difflib.SequenceMatcher(None, source, result, autojunk=False)
    return {i for block in matcher.get_matching_blocks() for i in range(block.a, block.a + block.size)}


def differing(expected: str, actual: str) -> int:
    """Characters by which ``actual`` differs from ``expected``: inserted, dropped or replaced."""
    matcher = difflib.SequenceMatcher(None, expected, actual, autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


def test_the_corpus_is_varied_enough():
    assert len(CASES) >= 10
    raw = [path.read_bytes() for path in CASES]
    assert any(data.startswith(b"\xff\xfe") for data in raw)  # UTF-16 (Word's "Unicode text")
    assert any("\r\n" in imported(path)[0] for path in CASES)  # Windows line ends
    assert sum(not _utf8(data) for data in raw) >= 2  # GBK and UTF-16


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_each_text_imports_as_an_editor_would_write_it(path):
    source, actual = imported(path)
    expected = path.with_suffix(".md").read_text(encoding="utf-8")
    should_keep, did_keep = kept(source, expected), kept(source, actual)
    wrongly_changed = len(should_keep - did_keep)
    not_repaired = len(did_keep - should_keep)
    assert (wrongly_changed, not_repaired, differing(expected, actual)) == (0, 0, 0), (
        f"{path.name}: {wrongly_changed} characters changed that should not have been, "
        f"{not_repaired} left that should have been repaired, "
        f"{differing(expected, actual)} differing from the expected file in all (escapes included)")
    assert actual == expected


def test_what_the_import_reports_about_pasted_furniture():
    text, _ = decode_text(Source("x", (CORPUS / "04-wechat.txt").read_bytes()))
    assert import_text(text).notes == (
        "删去网页、微信或邮件中的按钮、导航、邮件头等 4 行：“点击蓝字 关注我们”、“图片”、“阅读原文”、“分享 收藏 点赞 在看”",
        "原文的图片没有随文字复制，已删去 1 行图片说明：“▲ 项目启动会现场”；需要时请另行插入图片和图注",
        "跳过 2 行不属于任何文章的短行（报头、报尾等）：“编辑：李娜”、“审核：赵强”",
    )
    text, _ = decode_text(Source("x", (CORPUS / "02-email.txt").read_bytes()))
    assert import_text(text).notes[0] == "第一篇文章标题之前的 2 行正文未导入：“李老师,您好!”"
