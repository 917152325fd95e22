"""Print colour: the CMYK output condition (FOGRA39) and RGB → CMYK conversion of raster images.

The print shop receives a PDF/X-4 file characterised for FOGRA39 (ISO 12647-2 offset on coated
paper, the usual condition for a sheet-fed A4 bulletin). The profile is basICColor's
"ISO Coated v2 300% (basICColor)", built from the FOGRA39L data and published under the zlib
licence; Debian ships it in the package scribus-data, which `make setup` installs. Nothing is
downloaded at run time.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageCms, ImageMath

from ..errors import KjError

PROFILE_PATH = Path("/usr/share/scribus/profiles/ISOcoated_v2_300_bas.icc")
PROFILE_PACKAGE = "scribus-data"


@dataclass(frozen=True)
class OutputCondition:
    """What a PDF/X OutputIntent says about the press: ISO 15930-7 §6.2.4, ICC registry names."""

    identifier: str  # the ICC characterization registry's reference name
    condition: str  # human-readable, for the operator at the print shop
    registry: str
    info: str  # the profile's own description
    profile: bytes


FOGRA39 = ("FOGRA39",
           "Offset printing, according to ISO 12647-2:2004/Amd 1, OFCOM, paper type 1 or 2 = "
           "coated art, 115 g/m2, tone value increase curves A (CMY) and B (K)",
           "http://www.color.org")


@lru_cache(maxsize=1)
def output_condition() -> OutputCondition:
    if not PROFILE_PATH.is_file():
        raise KjError(PROFILE_PATH, None, "找不到印刷用的 CMYK 色彩特性文件（FOGRA39）："
                                          f"应先运行 make setup（或 apt-get install {PROFILE_PACKAGE}）")
    data = PROFILE_PATH.read_bytes()
    profile = ImageCms.ImageCmsProfile(io.BytesIO(data))
    if profile.profile.xcolor_space.strip() != "CMYK":
        raise KjError(PROFILE_PATH, None, "色彩特性文件应为 CMYK 输出特性，实际不是")
    identifier, condition, registry = FOGRA39
    return OutputCondition(identifier, condition, registry,
                           profile.profile.profile_description.strip(), data)


@lru_cache(maxsize=1)
def _rgb_to_cmyk() -> ImageCms.ImageCmsTransform:
    # Photographs and charts arrive untagged or as sRGB; perceptual intent keeps their
    # gradations inside the press gamut, which is what a prepress department would do.
    cmyk = ImageCms.ImageCmsProfile(io.BytesIO(output_condition().profile))
    return ImageCms.buildTransform(ImageCms.createProfile("sRGB"), cmyk, "RGB", "CMYK",
                                   renderingIntent=ImageCms.Intent.PERCEPTUAL)


TAC_LIMIT = 300  # per cent: the profile's total area coverage ("ISO Coated v2 300%")
# Chroma (max − min of R, G, B, 0–255) up to which a pixel counts as grey, and from which it is
# a colour: between the two its grey and colour separations are blended, so a near-grey
# gradient shows no seam.
NEUTRAL, CHROMATIC = 3, 12


def to_cmyk(image: Image.Image) -> Image.Image:
    """An RGB (or palette) image in the press's CMYK, black preserved (issue 16).

    Colours go through the profile (perceptual). Greys and black go to K alone: a colour
    separation prints the black labels of a chart as C75 M66 Y64 K95, four plates that
    misregister around small text, where a print shop expects K100. The K tint of each grey
    prints as light as the grey shows on screen (L*, with the press's K100 for the screen's
    black: black-point compensation). Total ink stays within the profile's 300 %: the
    colour separation keeps to it, a K tint is at most 100 %, and a blend of the two cannot
    exceed the larger.
    """
    if image.mode != "RGB":
        image = image.convert("RGB")
    separated = ImageCms.applyTransform(image, _rgb_to_cmyk())
    red, green, blue = image.split()
    chroma = ImageChops.subtract(ImageChops.lighter(ImageChops.lighter(red, green), blue),
                                 ImageChops.darker(ImageChops.darker(red, green), blue))
    weight = chroma.point(_neutral_weight())  # 255: grey, 0: colour
    if weight.getextrema()[1] == 0:
        return separated
    black = image.convert("L").point(_grey_to_k())
    blank = Image.new("L", image.size, 0)
    return Image.composite(Image.merge("CMYK", (blank, blank, blank, black)), separated, weight)


@lru_cache(maxsize=1)
def _neutral_weight() -> list[int]:
    return [255 if c <= NEUTRAL else 0 if c >= CHROMATIC else round(255 * (CHROMATIC - c) / (CHROMATIC - NEUTRAL))
            for c in range(256)]


@lru_cache(maxsize=1)
def _grey_to_k() -> list[int]:
    """For each 8-bit grey, the K tint (0–255) whose L* on the press matches the grey's on
    screen, the screen's black mapped to the press's K100 (L* 17 for FOGRA39)."""
    lab = ImageCms.createProfile("LAB")
    press = ImageCms.buildTransform(ImageCms.ImageCmsProfile(io.BytesIO(output_condition().profile)), lab,
                                    "CMYK", "LAB", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    screen = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), lab, "RGB", "LAB")
    tints = Image.new("CMYK", (256, 1))
    tints.putdata([(0, 0, 0, k) for k in range(256)])
    greys = Image.new("RGB", (256, 1))
    greys.putdata([(v, v, v) for v in range(256)])
    tint_l = [ImageCms.applyTransform(tints, press).getpixel((k, 0))[0] for k in range(256)]
    grey_l = [ImageCms.applyTransform(greys, screen).getpixel((v, 0))[0] for v in range(256)]
    darkest, white = tint_l[255], tint_l[0]
    table = []
    for lightness in grey_l:
        target = darkest + (lightness - grey_l[0]) * (white - darkest) / (grey_l[255] - grey_l[0])
        table.append(min(range(256), key=lambda k: abs(tint_l[k] - target)))
    return table


def ink_coverage(image: Image.Image) -> tuple[Image.Image, Image.Image]:
    """Of a CMYK image: total area coverage (mode I, 0–1020 = 0–400 %) and C+M+Y (mode I)."""
    c, m, y, k = (band.convert("I") for band in image.split())
    colour = ImageMath.lambda_eval(lambda a: a["c"] + a["m"] + a["y"], c=c, m=m, y=y)
    total = ImageMath.lambda_eval(lambda a: a["s"] + a["k"], s=colour, k=k)
    return total, colour


def cmyk_jpeg(image: Image.Image, quality: int = 92) -> bytes:
    """JPEG bytes of a CMYK image. Pillow writes Adobe-style (inverted) CMYK with an APP14
    marker, so the PDF image needs ``/Decode [1 0 1 0 1 0 1 0]``."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


# ---- screen colour (issue 16) ------------------------------------------------------------

@lru_cache(maxsize=1)
def _cmyk_to_screen() -> ImageCms.ImageCmsTransform:
    # What the press will print, as a screen shows it: relative colorimetric with black-point
    # compensation (paper white is screen white, the press's black the screen's), which is how
    # Acrobat proofs CMYK on screen.
    cmyk = ImageCms.ImageCmsProfile(io.BytesIO(output_condition().profile))
    return ImageCms.buildTransform(cmyk, ImageCms.createProfile("sRGB"), "CMYK", "RGB",
                                   renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                   flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)


@lru_cache(maxsize=1024)
def screen_rgb(c: float, m: float, y: float, k: float) -> tuple[float, float, float]:
    """A CMYK colour (0–1, FOGRA39) in sRGB (0–1, to 1/255)."""
    pixel = Image.new("CMYK", (1, 1), tuple(round(min(1.0, max(0.0, v)) * 255) for v in (c, m, y, k)))
    red, green, blue = ImageCms.applyTransform(pixel, _cmyk_to_screen()).getpixel((0, 0))
    return red / 255, green / 255, blue / 255


_NUMBER = rb"[-+]?(?:\d+\.?\d*|\.\d+)"
# WeasyPrint sets a device-cmyk() colour as "/DeviceCMYK cs" (or CS) and then "c m y k scn";
# k and K are the short forms any other writer may use.
_CMYK_SET = re.compile(rb"/DeviceCMYK (cs|CS)\s+(" + _NUMBER + rb")\s+(" + _NUMBER + rb")\s+("
                       + _NUMBER + rb")\s+(" + _NUMBER + rb")\s+(scn|SCN|sc|SC)(?![^\s])")
_CMYK_SHORT = re.compile(rb"(?<![^\s])(" + _NUMBER + rb")\s+(" + _NUMBER + rb")\s+(" + _NUMBER + rb")\s+("
                         + _NUMBER + rb")\s+(k|K)(?![^\s])")


def _rgb_operator(values, stroke: bool) -> bytes:
    rgb = screen_rgb(*(float(v) for v in values))
    return " ".join(f"{v:.4f}".rstrip("0").rstrip(".") or "0" for v in rgb).encode() + (b" RG" if stroke else b" rg")


def cmyk_to_screen(content: bytes) -> bytes | None:
    """A content stream with its DeviceCMYK colours set as the sRGB they print as; None when it
    sets none (or holds an inline image, which no stream WeasyPrint writes has)."""
    if b"/DeviceCMYK" not in content and not re.search(rb"(?<![^\s])[kK](?![^\s])", content):
        return None
    if re.search(rb"(?<![^\s])BI(?![^\s])", content):
        return None
    out = []
    for is_string, part in _segments(content):  # never inside a literal string (ActualText)
        if not is_string:
            part = _CMYK_SET.sub(lambda m: _rgb_operator(m.group(2, 3, 4, 5), m.group(1) == b"CS"), part)
            part = _CMYK_SHORT.sub(lambda m: _rgb_operator(m.group(1, 2, 3, 4), m.group(5) == b"K"), part)
        out.append(part)
    return b"".join(out)


def _segments(data: bytes):
    """(is a literal string, bytes) pieces of a content stream, in order."""
    start = 0
    for opening in re.finditer(rb"\(", data):
        if opening.start() < start:
            continue
        yield False, data[start:opening.start()]
        depth, i = 0, opening.start()
        while i < len(data):
            char = data[i]
            if char == 0x5C:  # backslash: the next byte is escaped
                i += 2
                continue
            depth += (char == 0x28) - (char == 0x29)
            if depth == 0:
                break
            i += 1
        yield True, data[opening.start():i + 1]
        start = i + 1
    yield False, data[start:]
