"""Print colour: the CMYK output condition (FOGRA39) and RGB → CMYK conversion of raster images.

The print shop receives a PDF/X-4 file characterised for FOGRA39 (ISO 12647-2 offset on coated
paper, the usual condition for a sheet-fed A4 bulletin). The profile is basICColor's
"ISO Coated v2 300% (basICColor)", built from the FOGRA39L data and published under the zlib
licence; Debian ships it in the package scribus-data, which `make setup` installs. Nothing is
downloaded at run time.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageCms

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


def to_cmyk(image: Image.Image) -> Image.Image:
    """An RGB (or palette) image in the press's CMYK."""
    if image.mode != "RGB":
        image = image.convert("RGB")
    return ImageCms.applyTransform(image, _rgb_to_cmyk())


def cmyk_jpeg(image: Image.Image, quality: int = 92) -> bytes:
    """JPEG bytes of a CMYK image. Pillow writes Adobe-style (inverted) CMYK with an APP14
    marker, so the PDF image needs ``/Decode [1 0 1 0 1 0 1 0]``."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()
