"""Shared fixtures: the sample issue built once, and a factory for small test issues."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kjtypeset.build import build_issue

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issue_sources" / "2024-02" / "issue.yaml"

MANIFEST = """\
bulletin: 科技情报参考
year: 2024
number: 3
date: 2024-03-29
publisher: 呼和浩特市科学技术局综合保障中心
editor: 李涛
articles:
  - articles/a.md
"""
ARTICLE = """\
---
title: 测试文章标题
---

近年来，衢州市围绕创新创业生态体系建设，聚焦科技企业孵化器、众创空间等“双创”平台培育管理。
"""


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """The real 2024-02 issue, built once for the whole session."""
    out = tmp_path_factory.mktemp("sample")
    return build_issue(SAMPLE, out)


@pytest.fixture
def make_issue(tmp_path):
    """Write an issue folder: ``make_issue(manifest=..., files={"articles/a.md": ...})``."""

    def make(manifest: str = MANIFEST, files: dict[str, str | bytes] | None = None,
             folder: str = "2024-03") -> Path:
        issue = tmp_path / folder
        issue.mkdir(parents=True, exist_ok=True)
        (issue / "issue.yaml").write_text(textwrap.dedent(manifest), encoding="utf-8")
        for name, content in ({"articles/a.md": ARTICLE} if files is None else files).items():
            path = issue / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")
        return issue / "issue.yaml"

    return make


# Hypothesis profiles: a short run in `make test`, a long one in `make fuzz`.
import os  # noqa: E402

from hypothesis import settings  # noqa: E402

# The short run is derandomized: CI on a fresh machine tests the same examples every time;
# `make fuzz` explores new ones.
settings.register_profile("default", max_examples=40, deadline=2000, derandomize=True)
settings.register_profile("fuzz", max_examples=3000, deadline=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
