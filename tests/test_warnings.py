"""Warnings: collected once each, printed as one line, errors under --strict."""

from pathlib import Path

import pytest

from kjtypeset.errors import KjError, collecting_warnings, warn


def test_warnings_are_collected_once_and_read_as_one_line(tmp_path):
    path = tmp_path / "issue.yaml"
    with collecting_warnings() as warnings:
        warn(path, 3, "年份与日期不符")
        warn(path, 3, "年份与日期不符")
        warn(None, None, "第二行\n不应换行")
    assert [str(w).replace(str(tmp_path), "…") for w in warnings] == [
        "…/issue.yaml:3: 年份与日期不符", "第二行\\n不应换行"]


def test_strict_turns_a_warning_into_the_error_it_describes():
    with pytest.raises(KjError) as caught, collecting_warnings(strict=True):
        warn(Path("a.md"), 7, "未闭合的加粗标记 **")
    assert str(caught.value) == "a.md:7: 未闭合的加粗标记 **"


def test_a_warning_outside_any_collector_is_dropped():
    warn(None, None, "无人收集")  # must not raise
    with collecting_warnings() as outer:
        with collecting_warnings() as inner:
            warn(None, None, "内层")
        warn(None, None, "外层")
    assert [w.message for w in inner] == ["内层"] and [w.message for w in outer] == ["外层"]
