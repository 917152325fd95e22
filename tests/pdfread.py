"""Reading a built PDF back the way a reader would: text per page, printed folios, contents."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

FOLIO = re.compile(r"—\s*(\d+)\s*—\s*$")
SPACE = re.compile(r"[\s\u3000]+")


def page_texts(pdf: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(pdf).pages]


def folios(texts: list[str]) -> list[int | None]:
    """The "— N —" printed at the foot of each page, or None where none is printed."""
    out = []
    for text in texts:
        match = FOLIO.search(text.strip())
        out.append(int(match.group(1)) if match else None)
    return out


# A footnote's mark as the layouts print it, at the call and before the note: [1], [2] …
NOTE_MARK = re.compile(r"\[\d+\]")


def note_number(mark: str) -> int:
    """The number of a footnote mark: [21] → 21."""
    return int(mark.strip("[]"))


def note_calls(page, below: float = 10) -> list[int]:
    """The footnote numbers called on a pdfplumber page, in reading order: marks set in runs of
    characters smaller than ``below`` pt (superscript), one character after another."""
    small = sorted((c for c in page.chars if c["size"] < below), key=lambda c: (round(c["top"]), c["x0"]))
    runs: list[list] = []
    for c in small:
        if runs and round(runs[-1][-1]["top"]) == round(c["top"]) and c["x0"] - runs[-1][-1]["x1"] < 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    return [note_number(mark) for run in runs for mark in NOTE_MARK.findall("".join(c["text"] for c in run))]


def squash(text: str) -> str:
    return SPACE.sub("", text)


def contents_numbers(texts: list[str], titles: list[str]) -> dict[str, int]:
    """The page number printed after each title's dot leader on the contents page (page 1)."""
    toc = squash(texts[0])
    numbers = {}
    for title in titles:
        match = re.search(re.escape(squash(title)) + r"\.{3,}(\d+)", toc)
        if match:
            numbers[title] = int(match.group(1))
    return numbers


def title_pages(texts: list[str], titles: list[str]) -> dict[str, int]:
    """The printed folio of the first page after the contents that carries each title."""
    printed = folios(texts)
    pages = {}
    for title in titles:
        for index, text in enumerate(texts[1:], start=1):
            if squash(title) in squash(text):
                pages[title] = printed[index]
                break
    return pages


# ---- typography read-back (the rules of ../shared/reference/typesetting-rules.md) ----------

import io  # noqa: E402

import pdfplumber  # noqa: E402

LINE_START_FORBIDDEN = set("，。、；：？！）］｝》〉」』】〗〕”’％‰～·,.;:?!)]}%")
LINE_END_FORBIDDEN = set("（［｛《〈「『【〖〔“‘([{")
CLOSING = set("，。、；：？！）》」』】〉”’")
HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f]")


def text_lines(pdf) -> list[list[dict]]:
    """Per page, the text lines top to bottom: text, x0, x1, top, bottom, size."""
    source = io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf
    pages = []
    with pdfplumber.open(source) as doc:
        for page in doc.pages:
            lines = []
            for line in page.extract_text_lines(return_chars=True, strip=True):
                chars = [c for c in line["chars"] if c["text"].strip()]
                if not chars:
                    continue
                sizes = sorted(round(c["size"], 1) for c in chars)
                size = sizes[len(sizes) // 2]
                # The line's text in its own size: footnote calls (superscripts) left out.
                main = "".join(c["text"] for c in chars if c["size"] > size * 0.8)
                lines.append({"text": "".join(c["text"] for c in line["chars"]).strip(), "main": main,
                              "x0": min(c["x0"] for c in chars), "x1": max(c["x1"] for c in chars),
                              "top": min(c["top"] for c in chars),
                              "bottom": max(c["bottom"] for c in chars),
                              "size": size, "chars": chars})
            pages.append(lines)
    return pages


def paragraphs_of(lines: list[dict], size: float) -> list[list[dict]]:
    """Body lines of one page grouped into paragraphs: a paragraph starts indented."""
    body = [line for line in lines if abs(line["size"] - size) < 0.1 and HAN_RE.search(line["text"])]
    if not body:
        return []
    left = min(line["x0"] for line in body)
    groups: list[list[dict]] = []
    for line in body:
        indented = line["x0"] - left > size * 1.5
        close = groups and line["top"] - groups[-1][-1]["bottom"] < size * 1.2
        if groups and close and not indented:
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def flush_report(pdf, size: float, right_edges: tuple[float, ...]) -> dict:
    """Non-final lines of every paragraph that do not end flush (within 1 pt) with the measure.

    ``right_edges``: the right edge of the text block on odd and even pages. A line ending in
    a full-width closing mark may overhang by up to an em (a half-width line-end mark).
    """
    flush, ragged = 0, []
    for number, lines in enumerate(text_lines(pdf), start=1):
        right = right_edges[(number + 1) % len(right_edges)]
        for para in paragraphs_of(lines, size):
            for line in para[:-1]:
                slack = right - line["x1"]
                ok = abs(slack) <= 1 or (line["text"][-1] in CLOSING and -size - 1 <= slack <= 1)
                if ok:
                    flush += 1
                else:
                    ragged.append((number, round(slack, 1), line["text"][-12:]))
    total = flush + len(ragged)
    return {"lines": total, "flush": flush, "ratio": flush / total if total else None, "ragged": ragged}


def line_break_violations(pdf, size: float) -> list[tuple[int, str, str]]:
    """clreq line-start and line-end rules, split —— and ……, a number split from its unit,
    and a paragraph ending with a single character on its last line (孤字)."""
    bad = []
    for number, lines in enumerate(text_lines(pdf), start=1):
        for para in paragraphs_of(lines, size):
            for a, b in zip(para, para[1:]):
                first = b["chars"][0]
                if first["size"] < b["size"] * 0.8 and (first["text"].isdigit() or first["text"] == "["):
                    bad.append((number, "footnote call starts a line", b["text"][:12]))
                end, start = a["main"][-1], b["main"][0]
                if start in LINE_START_FORBIDDEN:
                    bad.append((number, "line starts with a closing mark", b["main"][:12]))
                if end in LINE_END_FORBIDDEN:
                    bad.append((number, "line ends with an opening mark", a["main"][-12:]))
                if end in "—…" and start == end:
                    bad.append((number, "split —— or ……", a["main"][-6:] + "|" + b["main"][:6]))
                if end.isdigit() and HAN_RE.match(start):
                    bad.append((number, "number split from its unit", a["main"][-6:] + "|" + b["main"][:6]))
            if len(para) > 1:
                # One character, and at most the closing marks after it (孤字).
                last = para[-1]["main"]
                if len(last.rstrip("，。、；：？！）》」』】”’…—")) == 1:
                    bad.append((number, "one character alone on the last line", last))
    return bad


# ---- line composition read back (issue 12) ---------------------------------------------------

LONE_MARKS = set("，。、；：")
WIDE_MARKS = set("，。、；：？！（）《》〈〉「」『』【】〔〕“”‘’…—")


def composition(pdf, size: float) -> dict:
    """Spacing of the justified body lines, from character positions (advance = x0 of the next
    character minus x0 of this one, so it does not matter how a tool encodes the spacing):

    han: per justified line, the median extra advance between two Chinese characters (em);
    lone: the advance of each lone ，。、；： inside a line (em);
    starts: the offset from the text block's left edge of an opening mark starting a line (em).
    """
    han, lone, starts = [], [], []
    for lines in text_lines(pdf):
        paragraphs = paragraphs_of(lines, size)
        if not paragraphs:
            continue
        edges = [round(line["x0"], 1) for para in paragraphs for line in para]
        left = max(set(edges), key=edges.count)  # the text block's edge: most lines start there
        for para in paragraphs:
            for k, line in enumerate(para):
                chars = [c for c in line["chars"] if c["size"] > size * 0.8]
                gaps = [(b["x0"] - a["x0"]) / size - 1 for a, b in zip(chars, chars[1:])
                        if HAN_RE.match(a["text"]) and HAN_RE.match(b["text"])]
                if k < len(para) - 1 and gaps:
                    gaps.sort()
                    han.append(gaps[len(gaps) // 2])
                for i in range(1, len(chars) - 1):
                    if chars[i]["text"] in LONE_MARKS and chars[i - 1]["text"] not in WIDE_MARKS \
                            and chars[i + 1]["text"] not in WIDE_MARKS:
                        lone.append((chars[i + 1]["x0"] - chars[i]["x0"]) / size)
                if k and chars[0]["text"] in "“‘（《「『【":
                    starts.append((chars[0]["x0"] - left) / size)
    return {"han": han, "lone": lone, "starts": starts}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * (len(ordered) - 1) + 0.5))] if ordered else 0.0
