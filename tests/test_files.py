"""Files kjtypeset writes: whole or not at all, and readable by colleagues as the umask allows
(new and import used to leave issue.yaml and articles 0600)."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat

import pytest
from PIL import Image

from conftest import MANIFEST
from kjtypeset.editor.importer import Source, import_files
from kjtypeset.editor.newissue import create_issue
from kjtypeset.files import umask, write_all_atomically, write_atomically


@pytest.fixture
def mask():
    """Set the umask for the test; the old one comes back after."""
    saved = os.umask(0o022)

    def set_mask(value: int) -> None:
        os.umask(value)

    yield set_mask
    os.umask(saved)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("value, expected", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_new_file_gets_what_the_umask_leaves(tmp_path, mask, value, expected):
    mask(value)
    assert umask() == value
    write_atomically(tmp_path / "a.txt", "文字")
    assert mode(tmp_path / "a.txt") == expected
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "文字"


def test_a_replaced_file_keeps_its_permissions(tmp_path, mask):
    target = tmp_path / "issue.yaml"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o600)
    write_atomically(target, b"new")
    assert (mode(target), target.read_bytes()) == (0o600, b"new")


def test_a_failure_while_writing_leaves_every_old_file_and_no_temporary_one(tmp_path):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    first.write_bytes(b"old a")
    second.write_bytes(b"old b")
    with pytest.raises(UnicodeEncodeError):  # the second file's text cannot be written
        write_all_atomically([(first, b"new a"), (second, "\ud800")])
    assert (first.read_bytes(), second.read_bytes()) == (b"old a", b"old b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "b.pdf"]


def test_new_and_import_write_files_colleagues_can_read(make_issue, mask):
    """umask 022 (Debian's default): issue.yaml, the article and its image are 0644."""
    mask(0o022)
    previous = make_issue(MANIFEST.replace("number: 3", "number: 2").replace("2024-03-29", "2024-02-28"),
                          folder="2024-02")
    new = create_issue(previous, date=dt.date(2024, 3, 29))
    assert mode(new.manifest) == 0o644
    png = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 0)).save(png, format="PNG")
    html = ('<html><head><title>标题</title></head><body><article><h1>一篇文章</h1><p>正文第一段，'
            '足够长的一段文字。</p><img src="a.png"></article></body></html>')
    page = new.manifest.parent / "page.html"
    page.write_text(html, encoding="utf-8")
    (new.manifest.parent / "a.png").write_bytes(png.getvalue())
    [report] = import_files([Source(str(page), page.read_bytes(), page)], new.manifest)
    [written] = report.written
    assert written.images, "the image was imported"
    assert {p.name: mode(p) for p in (written.article, *written.images, new.manifest)} == {
        p.name: 0o644 for p in (written.article, *written.images, new.manifest)}


def test_the_lock_file_goes_with_its_holder_and_a_waiter_still_excludes_others(tmp_path):
    """The output folder keeps no lock file (issue 16). The holder removes it before letting go;
    a build that was waiting on the removed file must not believe it holds the lock while a
    newcomer locks a new file of the same name: it takes the lock on the file that exists."""
    import fcntl
    import threading

    from kjtypeset.files import output_lock

    lock_path = tmp_path / ".2024-03.lock"
    release_first, release_second = threading.Event(), threading.Event()
    inside: list[str] = []
    told: list[str] = []

    def first():
        with output_lock(tmp_path, "2024-03", on_wait=told.append):
            inside.append("first")
            release_first.wait(10)

    def second():
        with output_lock(tmp_path, "2024-03", on_wait=told.append):
            inside.append("second")
            release_second.wait(10)

    a = threading.Thread(target=first)
    a.start()
    while "first" not in inside:
        threading.Event().wait(0.01)
    assert lock_path.read_text() == str(os.getpid())
    b = threading.Thread(target=second)
    b.start()
    while not told:
        threading.Event().wait(0.01)
    assert told == [f"另一个构建（进程 {os.getpid()}）正在生成本期，等待它完成……"]
    release_first.set()
    a.join(10)
    while "second" not in inside:
        threading.Event().wait(0.01)
    # A newcomer now finds the second holder's file, locked.
    with open(lock_path, "a+") as newcomer:
        with pytest.raises(BlockingIOError):
            fcntl.flock(newcomer, fcntl.LOCK_EX | fcntl.LOCK_NB)
    release_second.set()
    b.join(10)
    assert list(tmp_path.iterdir()) == []
