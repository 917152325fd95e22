"""Each line laid out once (issue 15): a justified paragraph is measured on one line and its
breaks worked out from the widths (engine/justify.py _laid_once). The PDF must be the very one
that laying each line out, judging it and laying it again one unit earlier (the long way) gives,
and handing Pango a line and a bit of text (_short_text) the one the whole text gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.prose import article
from kjtypeset.build import build_issue
from kjtypeset.engine import justify
from pdfread import page_texts, squash

# What the widths cannot foretell, beside generated prose: a forced line break, a long English
# word WeasyPrint hyphenates, a run-in in <strong> and a link (boxes inside the paragraph).
EXTRA = ("**二是强化平台支撑。**全市新建[概念验证中心](https://example.org/poc)12家，"
         "累计服务科技型中小企业3,540余家次，其中面向interdisciplinary collaboration and "
         "internationalization的项目占比达到37.5%，较上年提高4.2个百分点。  \n"
         "下一步将围绕Retrieval-Augmented Generation等方向，推动“揭榜挂帅”项目落地见效。\n")


def issue(folder: Path, seed: int, title: str = "逐行只排一次的测试文章") -> Path:
    (folder / "articles").mkdir(parents=True)
    entries = []
    for k in range(2):
        name = f"articles/{k + 1:02d}.md"
        (folder / name).write_text(f"---\ntitle: {title}{seed}-{k + 1}\n---\n\n"
                                   + article(seed * 10 + k) + "\n" + EXTRA, encoding="utf-8")
        entries.append(f"  - {name}\n")
    (folder / "issue.yaml").write_text(
        "bulletin: 科技情报参考\nyear: 2024\nnumber: 97\ndate: 2024-12-20\n"
        "publisher: 测试编印单位\neditor: 测试\narticles:\n" + "".join(entries), encoding="utf-8")
    return folder / "issue.yaml"


def built(tmp_path: Path, manifest: Path, name: str, once: bool, monkeypatch,
          short: bool = True) -> tuple[Path, int]:
    """The proof and how many lines WeasyPrint laid out (get_next_linebox calls); ``short``:
    text handed to Pango cut short."""
    calls, originals = [], []
    install = justify.install

    def counting_install(*args, **kwargs):
        install(*args, **kwargs)
        lay = justify._state["get_next_linebox"]
        originals.append(lay)

        def counted(*args):
            calls.append(1)
            return lay(*args)

        justify._state["get_next_linebox"] = counted

    with monkeypatch.context() as patch:
        patch.setattr(justify, "install", counting_install)
        if not once:
            patch.setattr(justify, "_laid_once", lambda *args: None)
        if not short:
            patch.setattr(justify, "_short_text", lambda *args: None)
        try:
            result = build_issue(manifest, tmp_path / name, editions=("proof",))
        finally:  # what the next install() puts back into WeasyPrint: its own function
            if originals and justify.installed():
                justify._state["get_next_linebox"] = originals[0]
    return result.pdf, len(calls)


@pytest.mark.parametrize("seed", [3, 8])
def test_lines_laid_out_once_are_the_lines_of_the_long_way(tmp_path, monkeypatch, seed):
    manifest = issue(tmp_path / "issue", seed)
    slow, slow_lines = built(tmp_path, manifest, "slow", False, monkeypatch)
    fast, fast_lines = built(tmp_path, manifest, "fast", True, monkeypatch)
    assert fast.read_bytes() == slow.read_bytes()
    text = squash("".join(page_texts(fast)))
    assert "interdisciplinarycollaboration" in text.replace("-", "")  # the paragraphs are there
    # Each justified line once, plus one measuring line a paragraph, instead of lines laid out
    # again one unit earlier and planned paragraphs laid out twice.
    assert fast_lines < 0.85 * slow_lines


def test_text_cut_short_for_pango_breaks_lines_as_the_whole_text_does(tmp_path, monkeypatch):
    manifest = issue(tmp_path / "issue", 5)
    whole, _ = built(tmp_path, manifest, "whole", True, monkeypatch, short=False)
    short, _ = built(tmp_path, manifest, "short", True, monkeypatch)
    assert short.read_bytes() == whole.read_bytes()
