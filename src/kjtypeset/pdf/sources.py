"""The files an issue is made of, for the archive edition: what goes in, and how it comes back out.

Only what the manifest names goes in: issue.yaml, each article it lists and each image those
articles show, all already checked to lie inside the issue folder. Nothing in an article's
text can add a file (raw HTML is escaped, and the archive is written from this list alone).
Each file keeps its path relative to the issue folder, so unpacking the attachments into an
empty folder gives back a folder that builds the same issue.

Each attachment's dates are the build's source date (``source_date``), never the file's own
times: two clones of one commit give the same bytes (issue 16).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import KjError
from ..inputs.articles import Article
from ..inputs.manifest import Manifest


@dataclass(frozen=True)
class SourceFile:
    name: str  # path relative to the issue folder, with "/" separators: the attachment's name
    path: Path
    data: bytes
    modified: dt.datetime  # UTC: the build's source date (see source_date)
    description: str  # shown by PDF readers in their attachment list


# The zone the issue date is read in: the bulletin's own (the layouts write 00:00 +08:00 as
# the document's creation date, and the attachments carry the same instant).
ISSUE_ZONE = dt.timezone(dt.timedelta(hours=8))


def source_date(manifest: Manifest) -> dt.datetime:
    """The date written for the issue's files: SOURCE_DATE_EPOCH when the environment sets it
    (reproducible-builds.org: the time of the last change to the sources), else the issue date
    from the manifest (00:00 in ISSUE_ZONE). Never the file system's times: a fresh clone has
    new ones, and the archive must be the same bytes wherever it is built."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        if not epoch.strip().isdigit():
            raise KjError(None, None, f"环境变量 SOURCE_DATE_EPOCH 应为自 1970-01-01 起的秒数（非负整数），实际为 '{epoch}'")
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.combine(manifest.date, dt.time(), ISSUE_ZONE).astimezone(dt.timezone.utc)


def issue_sources(manifest: Manifest, articles: tuple[Article, ...]) -> tuple[SourceFile, ...]:
    files: dict[str, SourceFile] = {}
    when = source_date(manifest)

    def add(name: str, path: Path, description: str) -> None:
        if name not in files:
            files[name] = SourceFile(name, path, path.read_bytes(), when, description)

    add(manifest.path.name, manifest.path, "期刊清单")
    for ref, article in zip(manifest.articles, articles):
        name = _relative_name(ref.written, ref.path, manifest.folder)
        add(name, ref.path, f"文章：{article.title}")
        for image in article.images:
            written = posixpath.join(posixpath.dirname(name), image.src)
            add(_relative_name(written, image.path, manifest.folder), image.path, f"图片：{image.src}")
    return tuple(files.values())


def _relative_name(written: str, resolved: Path, folder: Path) -> str:
    """The path as the editor wrote it (so the manifest still finds it after unpacking);
    the resolved path if that form would climb out of the folder."""
    name = posixpath.normpath(written.replace("\\", "/"))
    if name.startswith("../") or name == ".." or name.startswith("/"):
        name = resolved.relative_to(folder).as_posix()
    return name


def safe_member(name: str, origin: Path) -> PurePosixPath:
    """An attachment name that may be written below a folder: relative, no "..", no drive."""
    path = PurePosixPath(name.replace("\\", "/"))
    if not name or path.is_absolute() or ".." in path.parts or ":" in name or name.endswith("/"):
        raise KjError(origin, None, f"附件 '{name}' 不是期刊文件夹内的相对路径，拒绝解包")
    return path


def unpack_sources(pdf: Path, dest: Path) -> tuple[Path, ...]:
    """Write the source attachments of an archive edition below ``dest`` (which must be empty
    or missing), restoring their modification times; returns the files written."""
    from pypdf import PdfReader  # only this command needs it at import time

    from ..errors import captured_log

    if not Path(pdf).is_file():
        raise KjError(pdf, None, "找不到存档版 PDF 文件")
    try:
        with captured_log("pypdf"):
            reader = PdfReader(pdf)
            reader.trailer["/Root"]
    except Exception as exc:  # pypdf raises many types for a damaged file
        raise KjError(pdf, None, f"无法读取 PDF：{exc}") from exc
    return extract_sources(reader, pdf, dest)


def extract_sources(reader, origin: Path, dest: Path) -> tuple[Path, ...]:
    """``unpack_sources`` for a PDF already open; each attachment is checked against the size
    and MD5 checksum recorded beside it, so a damaged one is refused, not written."""
    members = []
    for spec in reader.trailer["/Root"].get("/AF", []):
        spec = spec.get_object()
        if spec.get("/AFRelationship") != "/Source":
            continue
        name = str(spec.get("/UF") or spec.get("/F"))
        member = safe_member(name, origin)
        stream = spec["/EF"]["/F"].get_object()
        try:
            data = stream.get_data()
        except Exception as exc:  # pypdf raises many types for a damaged stream
            raise KjError(origin, None, f"附件 '{member}' 无法读取（{exc}）：文件已损坏或被改动") from exc
        members.append((member, stream, data))
    if not members:
        raise KjError(origin, None, "PDF 中没有期刊源文件附件（应为 kjtypeset 生成的存档版 *-archive.pdf）")
    for member, stream, data in members:
        params = stream.get("/Params", {})
        checksum, size = params.get("/CheckSum"), params.get("/Size")
        if checksum is not None and not isinstance(checksum, bytes):
            checksum = checksum.original_bytes  # pypdf reads a string as text when it can
        if (checksum is not None and checksum != hashlib.md5(data).digest()) or (
                size is not None and int(size) != len(data)):
            raise KjError(origin, None, f"附件 '{member}' 的内容与其记录的大小或校验和不符：文件已损坏或被改动")
    if dest.exists() and any(dest.iterdir()):
        raise KjError(dest, None, "解包目标文件夹应为空文件夹，实际已有文件")
    written = []
    for member, stream, data in members:
        target = dest.joinpath(*member.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        modified = stream.get("/Params", {}).get("/ModDate")
        if modified:
            when = _pdf_date(str(modified))
            if when is not None:
                os.utime(target, (when, when))
        written.append(target)
    return tuple(written)


def _pdf_date(value: str) -> float | None:
    """Seconds since the epoch from a PDF date such as D:20240228120000Z."""
    digits = value.removeprefix("D:")[:14]
    try:
        return dt.datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=dt.timezone.utc).timestamp()
    except ValueError:
        return None
