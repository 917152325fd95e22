"""What the laid-out pages show, read from WeasyPrint's box tree: the slips only a layout reveals.

- images printed at less than 300 ppi (the print shop's minimum; `kjtypeset check` reads the
  same from the PDF) — the build warns at once, naming the image and the size that would do;
- sub-heads that take more than one line.

The boxes are WeasyPrint internals (``Page._page_box``, ``ReplacedBox.replacement``, line
boxes); like the rest of the engine they are only tested on the pinned WeasyPrint version,
which justify.check_internals guards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from weasyprint.formatting_structure import boxes

from ..errors import warn

MIN_PPI = 300  # as pdf/preflight.py checks the written PDF
CSS_PX_PER_INCH = 96
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class PlacedImage:
    src: str  # the <img> src: a file: URL for the article images
    page: int  # 1-based
    pixels: tuple[int, int]
    inches: tuple[float, float]  # printed size
    sized: bool = False  # its width is the editor's ({width=…}, or a cell of a figure row)

    @property
    def ppi(self) -> float:
        return min(self.pixels[0] / self.inches[0], self.pixels[1] / self.inches[1])


def placed_images(document) -> list[PlacedImage]:
    """Every raster image on the pages, with its pixel size and its printed size."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.descendants():
            if not isinstance(box, boxes.ReplacedBox) or box.element is None:
                continue
            image = box.replacement
            pixels = (getattr(image, "width", None), getattr(image, "height", None))
            if not all(isinstance(p, int) and p > 0 for p in pixels) or not (box.width and box.height):
                continue  # a vector image (SVG) has no pixels to count
            # an editor's {width=…} (a row's images: 100 % of their cells) is in the <img>'s style
            sized = "width:" in (box.element.get("style") or "")
            found.append(PlacedImage(box.element.get("src", ""), number, pixels,
                                     (box.width / CSS_PX_PER_INCH, box.height / CSS_PX_PER_INCH), sized))
    return found


def subhead_lines(document) -> list[tuple[str, int]]:
    """(text, lines) of every sub-head (class "subhead"), in page order."""
    counts: dict[int, list] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if (isinstance(box, boxes.BlockBox) and element is not None
                    and "subhead" in (element.get("class") or "").split()
                    and getattr(box, "element_tag", "") == element.tag):
                lines = sum(isinstance(child, boxes.LineBox) for child in box.children)
                entry = counts.setdefault(id(element), [element, 0])
                entry[1] += lines
    return [(_text(element), lines) for element, lines in counts.values()]


def _text(element) -> str:
    return re.sub(r"[\u200b\u2060\s]+", "", "".join(element.itertext()))


def warn_layout_slips(document, articles) -> None:
    """Warnings for low-resolution images and sub-heads longer than a line (issue 14)."""
    from ..inputs.markdown import image_ppi

    images = {}
    for article in articles:
        for image in article.images:
            images.setdefault(image.path.as_uri(), []).append((article, image))
    for placed in placed_images(document):
        path = unquote(urlsplit(placed.src).path)
        for article, image in images.get(placed.src, images.get("file://" + path, [])):
            if round(placed.ppi) < MIN_PPI:  # as check reads it: PNG stores 300 ppi as 299.9994
                warn(article.path, image.line, low_ppi_message(image.src, placed))
            else:
                declared = image_ppi(image.path)  # read once for both messages
                message = (small_figure_message(image.src, declared, placed)
                           or tiny_image_message(image.src, declared, placed))
                if message is not None:
                    warn(article.path, image.line, message)
    for text, lines in subhead_lines(document):
        if lines <= 1:
            continue
        for article in articles:
            for heading, line in getattr(article, "headings", ()):
                if _squash(heading) == text:
                    warn(article.path, line, f"小标题“{heading}”排出来占 {lines} 行：小标题应不超过一行，"
                                             "请缩短；较长的一句可改为段首加粗（**……。**）")


def low_ppi_message(src: str, placed: PlacedImage) -> str:
    width_mm, height_mm = (size * MM_PER_INCH for size in placed.inches)
    fit_w, fit_h = (pixels / MIN_PPI * MM_PER_INCH for pixels in placed.pixels)
    return (f"图片 '{src}' 按印刷尺寸只有 {placed.ppi:.0f} ppi（{placed.pixels[0]}×{placed.pixels[1]} 像素，"
            f"印成 {width_mm:.0f}×{height_mm:.0f} mm），印出来会发虚：应不低于 {MIN_PPI} ppi，"
            f"请换用更清晰的原图，或把它印得不大于 {fit_w:.0f}×{fit_h:.0f} mm")


SMALL_SCALE = 0.5  # a figure printed at less than this share of its own size …
SMALL_WIDTH_MM = 40  # … and narrower than this may not be legible: the build says so


def small_figure_message(src: str, declared: float | None, placed: PlacedImage) -> str | None:
    """A warning for a figure the layout's limits shrank to a sliver (a tall flow chart held to
    half the type area printed 16 mm wide, its labels 4 pt: an unseen report), else None.
    ``declared``: the resolution the image file declares (image_ppi)."""
    from ..inputs.markdown import DEFAULT_PPI

    ppi = declared or DEFAULT_PPI
    own = placed.pixels[0] / ppi
    width_mm = placed.inches[0] * MM_PER_INCH
    if not own or placed.inches[0] / own >= SMALL_SCALE or width_mm >= SMALL_WIDTH_MM:
        return None
    height_mm = placed.inches[1] * MM_PER_INCH
    if placed.sized:  # the width the editor wrote made it so small (P16 F3: a row of four at 22 %)
        return (f"图片 '{src}' 按所写的宽度印成 {width_mm:.0f}×{height_mm:.0f} mm，只有原大的 "
                f"{placed.inches[0] / own:.0%}，图中的文字可能看不清：可把宽度写大些（如 {{width=60%}}），"
                "或一行少放几张图")
    return (f"图片 '{src}' 印成 {width_mm:.0f}×{height_mm:.0f} mm，只有原大的 {placed.inches[0] / own:.0%}"
            "（图的高度不超过版面规定的上限），图中的文字可能看不清：可在图后写 {max-height=100%} "
            "让它排得更高，或换成横向的图")


def tiny_image_message(src: str, declared: float | None, placed: PlacedImage) -> str | None:
    """A warning for an image that declares no resolution and so prints, at 300 ppi, narrower
    than SMALL_WIDTH_MM: a 300 × 200 px photo from a web page printed 25 mm wide, a postage
    stamp in which "右二" could not be found (an unseen issue), else None."""
    width_mm, height_mm = (size * MM_PER_INCH for size in placed.inches)
    if declared is not None or width_mm >= SMALL_WIDTH_MM:
        return None
    return (f"图片 '{src}' 没有记录分辨率，按 300 ppi 只印成 {width_mm:.0f}×{height_mm:.0f} mm"
            f"（{placed.pixels[0]}×{placed.pixels[1]} 像素）：要印得大些，请换用更大的原图，"
            "或在图后写 {width=60%} 指定宽度（像素太少时会提示印出来发虚）")


def _squash(markdown: str) -> str:
    """A Markdown heading's text as printed: without emphasis marks, escapes and spaces."""
    return re.sub(r"\\(?=[!-/:-@\[-`{-~])|[*_`\s]+", "", markdown)
