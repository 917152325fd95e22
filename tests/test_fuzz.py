"""Fuzzing the input stages: whatever an editor or a pasted web page feeds in, the only outcomes
are a result or the one-line KjError — never a traceback, a hang or a silently truncated article.

`make test` runs a short profile; `make fuzz` (HYPOTHESIS_PROFILE=fuzz) a long one.
"""

from __future__ import annotations

import html
import re

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import MANIFEST
from kjtypeset.build import build_issue
from kjtypeset.errors import KjError, display_path
from kjtypeset.inputs.articles import read_articles
from kjtypeset.inputs.manifest import load_manifest
from pdfread import page_texts, squash

FIXTURE = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

# Text as it arrives from outside: CJK, Latin, digits, punctuation, controls, bidi marks,
# zero-width characters, astral characters and lone surrogates.
nasty_chars = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.sampled_from(list("，。、；：？！“”‘’（）《》——……·～%0123456789abcXYZ *_#>[]()!|\\`-+:&<\"'")),
    st.sampled_from(["\u202e", "\u200f", "\u200b", "\u2060", "\ufeff", "\t", "\x00", "\x07", "\r"]),
    st.characters(codec="utf-8"),
    st.sampled_from(["\ud800", "\udfff"]),
)
nasty_text = st.text(nasty_chars, max_size=300)


def write(path, text: str):
    path.write_bytes(text.encode("utf-8", "surrogatepass"))


@settings(suppress_health_check=FIXTURE)
@given(text=nasty_text)
def test_any_manifest_text_loads_or_fails_in_one_line(make_issue, text):
    path = make_issue()
    write(path, text)
    try:
        load_manifest(path)
    except KjError as exc:
        assert "\n" not in str(exc)
        assert str(exc).startswith(display_path(path) + ":")  # names the manifest, a line if it can


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), nasty_text,
              st.dates()),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(nasty_text, children, max_size=4),
    max_leaves=12)


@settings(suppress_health_check=FIXTURE)
@given(key=st.sampled_from(["bulletin", "year", "number", "total", "supplement", "date", "publisher",
                            "editor", "phone", "reviewer", "copies", "classification",
                            "distribution", "layout", "articles", "unknown"]),
       value=yaml_values)
def test_any_value_for_any_key_loads_or_fails_in_one_line(make_issue, key, value):
    data = yaml.safe_load(MANIFEST)
    data[key] = value
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        assume(False)
    path = make_issue(text)
    try:
        load_manifest(path)
    except KjError as exc:
        assert "\n" not in str(exc).strip("\n")


@settings(suppress_health_check=FIXTURE)
@given(body=nasty_text)
def test_any_article_body_renders_or_fails_in_one_line(make_issue, body):
    path = make_issue(files={})
    article = path.parent / "articles" / "a.md"
    article.parent.mkdir(parents=True, exist_ok=True)
    write(article, "---\ntitle: 标题\n---\n\n" + body)
    try:
        read_articles(load_manifest(path))
    except KjError as exc:
        assert "\n" not in str(exc)


@settings(suppress_health_check=FIXTURE, max_examples=20)
@given(depth=st.integers(1, 400), width=st.integers(1, 10_000))
def test_deep_nesting_and_long_lines_do_not_hang(make_issue, depth, width):
    nested = "".join("  " * i + "- 项\n" for i in range(depth)) + "> " * depth + "引用\n"
    body = nested + "\n" + "长" * width + "\n"
    path = make_issue(files={"articles/a.md": "---\ntitle: 标题\n---\n\n" + body})
    try:
        html_out = read_articles(load_manifest(path))[0].body_html
    except KjError as exc:  # refused, never truncated
        assert "嵌套过深" in str(exc)
        assert depth >= 9
    else:
        assert "长" * width in html_out and html_out.count("项") == depth


paragraph = st.text(st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
                              st.sampled_from(list("，。、；：“”（）《》0123456789ABCabc%"))),
                    min_size=1, max_size=120).map(str.strip).filter(lambda p: p and p[0] not in "0123456789")


@pytest.mark.slow
@settings(suppress_health_check=FIXTURE, max_examples=15, deadline=None)
@given(paragraphs=st.lists(paragraph, min_size=1, max_size=6))
def test_no_article_text_is_lost_between_markdown_and_the_pdf(make_issue, tmp_path, paragraphs):
    body = "\n\n".join(paragraphs) + "\n"
    path = make_issue(files={"articles/a.md": "---\ntitle: 标题\n---\n\n" + body})
    fragment = read_articles(load_manifest(path))[0].body_html
    text = html.unescape(re.sub(r"<[^>]+>", "", fragment))
    for para in paragraphs:
        assert para in text
    pdf_text = squash("".join(page_texts(build_issue(path, tmp_path / "out").pdf)))
    for para in paragraphs:
        assert squash(para) in pdf_text
