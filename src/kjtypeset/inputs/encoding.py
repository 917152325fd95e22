"""Reading text files in whatever encoding the editor's program saved them (issue 14).

Notepad and WPS on Chinese Windows save "ANSI" text as GBK, Word's "Unicode text" is UTF-16,
and some editors put a byte-order mark before UTF-8. Every text the program reads (manifests,
articles, imported text) goes through :func:`decode`:

- a byte-order mark names the encoding (UTF-8, UTF-16 or UTF-32);
- otherwise text that is valid UTF-8 is UTF-8;
- text that is UTF-8 but for a few damaged bytes is reported as damaged, at the line of the
  first bad byte (GB18030 would "read" it as nonsense Han characters);
- anything else goes to charset-normalizer, limited to the encodings Chinese editors meet
  (GB18030, a superset of GBK and GB2312, and UTF-16 without a mark), which judges the
  candidates by how plausible the decoded text is rather than by a rule tuned to one sample;
- bytes that fit none of them are an error naming the file and the line.

A file that is not UTF-8 is read all the same, with a warning that offers
``kjtypeset fix-encoding``, which rewrites it as UTF-8 and keeps the original as a backup.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import KjError, display_path, warn

# Byte-order marks, longest first (UTF-32 LE's mark begins with UTF-16 LE's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# What charset-normalizer may choose from: the encodings Chinese Windows and Word write.
CANDIDATES = ("gb18030", "utf_16_le", "utf_16_be")
LABELS = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8（带 BOM）", "gb18030": "GBK（GB18030）",
    "utf-16": "UTF-16", "utf_16_le": "UTF-16", "utf_16_be": "UTF-16", "utf-32": "UTF-32",
}
EXPECTED = "UTF-8、GBK（GB18030）或 UTF-16"


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the Python codec that read it

    @property
    def label(self) -> str:
        return LABELS.get(self.encoding, self.encoding.upper())

    @property
    def is_utf8(self) -> bool:
        """UTF-8, with or without a byte-order mark: nothing to fix."""
        return self.encoding in ("utf-8", "utf-8-sig")


def decode(data: bytes, path: Path | str | None) -> Decoded:
    """The text of ``data``; a KjError naming ``path`` and the line when no encoding fits."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec).lstrip("\ufeff"), codec)
            except UnicodeDecodeError as exc:
                raise _unreadable(path, data, exc.start) from exc
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if _damaged_utf8(data):
        raise _unreadable(path, data, first_bad, damaged=True)
    from charset_normalizer import from_bytes  # only for files that are not UTF-8

    best = from_bytes(data, cp_isolation=list(CANDIDATES)).best()
    if best is not None:
        try:
            return Decoded(data.decode(best.encoding), best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    raise _unreadable(path, data, first_bad)


def read_text(path: Path, notice: bool = True) -> str:
    """A text file's content in any encoding :func:`decode` accepts, without control
    characters (:func:`without_controls`). ``notice``: a file that is not UTF-8 gets a warning
    offering ``kjtypeset fix-encoding``, one with control characters a warning naming the first."""
    decoded = decode(path.read_bytes(), path)
    if notice and not decoded.is_utf8:
        warn(path, None, not_utf8_message(path, decoded))
    return without_controls(decoded.text, path if notice else None)


# Line breaks other than \n that text copied from other programs carries (Word's manual line
# break U+000B, a PDF's page break U+000C, U+0085, U+2028, U+2029): read as the line breaks
# they stand for (Python's splitlines does too; Markdown then joins the lines of a paragraph).
_BREAKS = str.maketrans(dict.fromkeys("\x0b\x0c\x85\u2028\u2029", "\n"))
# Other control characters: nothing a reader sees, and no font draws them (they would stop the
# build as characters missing from every font, naming no article).
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def without_controls(text: str, path: Path | None = None) -> str:
    """``text`` with its other line breaks as \\n and its control characters removed; with
    ``path``, a warning names the line of the first one removed."""
    if found := _CONTROLS.search(text):
        if path is not None:  # its line as an editor counts them (by \n)
            warn(path, text.count("\n", 0, found.start()) + 1,
                 f"有看不见的控制字符 U+{ord(found[0]):04X}（从其他程序复制时带进来的），已删去")
        text = _CONTROLS.sub("", text)
    return text.translate(_BREAKS)


def not_utf8_message(path: Path, decoded: Decoded) -> str:
    return (f"文件是 {decoded.label} 编码（不是 UTF-8），已按 {decoded.label} 读取；"
            f"可运行 kjtypeset fix-encoding {display_path(path)} 改存为 UTF-8（原文件留作备份）")


def _damaged_utf8(data: bytes) -> bool:
    """UTF-8 with a few bad bytes (a damaged file, or a paste of other-encoded text): at most
    one character in five of the non-ASCII text is undecodable; GBK read as UTF-8 is nearly
    all undecodable)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for char in text if ord(char) > 0x7F) - bad
    return good >= 4 and bad * 4 <= good


def _unreadable(path, data: bytes, position: int, damaged: bool = False) -> KjError:
    line = data.count(b"\n", 0, position) + 1
    start = data.rfind(b"\n", 0, position) + 1
    before = data[start:position].decode("utf-8", "replace")[-8:]
    after = data[position:position + 24].split(b"\n")[0].decode("utf-8", "replace")[:8]
    # Where it is, as the editor's program shows it: undecodable bytes as □.
    where = (before + after).replace("\ufffd", "□").strip() or "（空白）"
    if damaged:
        found = f"这一行“{where}”中有无法识别的字节（□），文件的其余部分是 UTF-8"
        advice = "可能文件已损坏，或混入了其他编码的文字：请在编辑器中改正这一行后保存为 UTF-8"
    else:
        found = f"实际按哪一种都读不通（第一处无法识别的字节在这一行“{where}”）"
        advice = "请在编辑器中打开，另存为 UTF-8 编码"
    return KjError(path, line, f"文件应为 {EXPECTED} 编码的文本，{found}：{advice}")


# -- fix-encoding ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fixed:
    path: Path
    encoding: str  # label of the encoding it had
    backup: Path | None  # None: it was UTF-8 already, nothing written


def fix_encoding(path: Path) -> Fixed:
    """Rewrite ``path`` as UTF-8 (no byte-order mark, line endings kept) when it is not UTF-8;
    the original bytes are kept beside it as ``<name>.<encoding>.bak`` (never overwritten)."""
    from ..files import write_atomically

    data = path.read_bytes()
    decoded = decode(data, path)
    if decoded.encoding == "utf-8":
        return Fixed(path, decoded.label, None)
    tag = {"utf-8-sig": "utf8bom", "utf_16_le": "utf16", "utf_16_be": "utf16"}.get(
        decoded.encoding, decoded.encoding.replace("-", ""))
    backup = path.with_name(f"{path.name}.{tag}.bak")
    number = 1
    while backup.exists():
        number += 1
        backup = path.with_name(f"{path.name}.{tag}.{number}.bak")
    backup.write_bytes(data)
    write_atomically(path, decoded.text)  # "\r\n" stays as it was
    return Fixed(path, decoded.label, backup)
