"""Issue 16 item 3: the same sources and the same kjtypeset give the same bytes, whatever the
folder, the files' times, the clock's time zone or Python's hash seed."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest
from pypdf import PdfReader

from conftest import SAMPLE, fails
from kjtypeset.build import build_issue
from kjtypeset.inputs.manifest import load_manifest
from kjtypeset.pdf.sources import issue_sources


@pytest.mark.slow
def test_two_clones_build_the_same_bytes(sample_build, tmp_path):
    """A second clone, elsewhere, its files touched years later, built in another process in
    another time zone with another hash seed: every edition is byte for byte the first one."""
    clone = tmp_path / "elsewhere" / "clone" / "issue_sources" / "2024-02"
    shutil.copytree(SAMPLE.parent, clone)
    later = dt.datetime(2031, 5, 5, 12, 0, tzinfo=dt.timezone.utc).timestamp()
    for path in [clone, *clone.rglob("*")]:
        os.utime(path, (later, later))
    env = {**os.environ, "TZ": "America/Los_Angeles", "PYTHONHASHSEED": "12345"}
    env.pop("SOURCE_DATE_EPOCH", None)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "kjtypeset", "build", str(clone / "issue.yaml"),
                           "--output", str(out), "--quiet"], cwd=clone.parent.parent, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    first = {o.path.name: o.path.read_bytes() for o in sample_build.outputs}
    assert sorted(first) == ["2024-02-archive.pdf", "2024-02-print.pdf", "2024-02.pdf"]
    for name, data in first.items():
        assert (out / name).read_bytes() == data, name


def _attachment_dates(pdf) -> set[str]:
    reader = PdfReader(pdf)
    dates = set()
    for spec in reader.trailer["/Root"]["/AF"]:
        params = spec.get_object()["/EF"]["/F"].get_object()["/Params"]
        dates |= {str(params["/CreationDate"]), str(params["/ModDate"])}
    return dates


def test_attachments_carry_the_issue_date_not_the_file_times(make_issue, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    manifest = make_issue()
    for path in manifest.parent.rglob("*"):
        os.utime(path, (2_000_000_000, 2_000_000_000))  # 2033
    result = build_issue(manifest, tmp_path / "out", editions=("archive",))
    # 2024-03-29 00:00 in the bulletin's zone (+08:00), written in UTC.
    assert _attachment_dates(result.pdf) == {"D:20240328160000Z"}


def test_source_date_epoch_sets_the_attachment_dates(make_issue, tmp_path, monkeypatch):
    manifest = make_issue()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    result = build_issue(manifest, tmp_path / "out", editions=("archive",))
    assert _attachment_dates(result.pdf) == {"D:20231114221320Z"}
    reader = PdfReader(result.pdf)
    assert str(reader.metadata["/CreationDate"]).startswith("D:20240329")  # the issue's own date


def test_a_malformed_source_date_epoch_is_one_error(make_issue, monkeypatch):
    manifest = make_issue()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    fails(lambda: issue_sources(load_manifest(manifest), ()),
          "环境变量 SOURCE_DATE_EPOCH 应为自 1970-01-01 起的秒数（非负整数），实际为 'yesterday'")
