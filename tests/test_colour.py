"""Issue 16 items 4–5: the proof shows the same colours in every viewer (sRGB, what the press
prints); the print edition converts images with black preserved and total ink within 300 %."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zlib

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageCms, ImageDraw
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from conftest import ARTICLE
from kjtypeset.build import build_issue

PROFILE = "/usr/share/scribus/profiles/ISOcoated_v2_300_bas.icc"


def expected_screen(cmyk: tuple[float, float, float, float]) -> tuple[int, int, int]:
    """FOGRA39 → sRGB, relative colorimetric with black-point compensation (as Acrobat proofs)."""
    transform = ImageCms.buildTransform(ImageCms.getOpenProfile(PROFILE), ImageCms.createProfile("sRGB"),
                                        "CMYK", "RGB", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
    pixel = Image.new("CMYK", (1, 1), tuple(round(v * 255) for v in cmyk))
    return ImageCms.applyTransform(pixel, transform).getpixel((0, 0))


def operators(reader: PdfReader, page: int) -> bytes:
    return reader.pages[page].get_contents().get_data()


def test_the_proof_sets_its_colours_in_srgb(sample_build):
    reader = PdfReader(sample_build.pdf)
    for number in range(len(reader.pages)):
        data = operators(reader, number)
        assert b"/DeviceCMYK" not in data and not re.search(rb"\s[kK]\n", data), number
    red = expected_screen((0, 0.8, 0.8, 0))
    black = expected_screen((0, 0, 0, 1))
    rgb = {tuple(round(float(v) * 255) for v in m.groups())
           for m in re.finditer(rb"([\d.]+) ([\d.]+) ([\d.]+) rg", operators(reader, 0))}
    assert red in rgb and black in rgb  # the masthead's red and the text's black, as printed
    report = json.loads(subprocess.run([sys.executable, "-m", "kjtypeset", "check", str(sample_build.pdf), "--json"],
                                       capture_output=True, text=True, timeout=120).stdout)
    assert sorted(report["facts"]["colour_spaces"]) == ["DeviceRGB"]


def test_a_viewer_shows_the_red_the_press_prints(sample_build):
    """PDFium renders the masthead in the red a FOGRA39 press prints (it used to be whatever
    each viewer's own CMYK guess made of it: three viewers, three reds)."""
    document = pdfium.PdfDocument(str(sample_build.pdf))
    image = document[0].render(scale=2).to_pil().convert("RGB")
    document.close()
    top = image.crop((0, 0, image.width, image.height // 4))
    colours = top.getcolors(maxcolors=1 << 20)
    count, reddest = max(((n, c) for n, c in colours if c[0] - c[2] > 100), default=(0, None))
    assert count > 1000  # the bulletin's name, in solid red
    assert all(abs(a - b) <= 2 for a, b in zip(reddest, expected_screen((0, 0.8, 0.8, 0)))), reddest


def test_print_and_archive_keep_cmyk(sample_build):
    for edition in ("print", "archive"):
        path = next(o.path for o in sample_build.outputs if o.edition == edition)
        data = operators(PdfReader(path), 0)
        assert b"/DeviceCMYK cs\n0 0.8 0.8 0 scn" in data, edition
        assert not re.search(rb"\s(rg|RG)\n", data), edition


def chart(size=(400, 200)) -> Image.Image:
    """Black text and a rule on white, a grey ramp, a red bar: what a chart is made of."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.text((10, 10), "2023 2024 Q1 Q2 Q3 Q4 GDP +12.5%", fill="black")
    draw.line((10, 40, 390, 40), fill="black", width=2)
    for x in range(size[0]):
        draw.line((x, 100, x, 140), fill=(x * 255 // (size[0] - 1),) * 3)
    draw.rectangle((10, 160, 200, 190), fill=(200, 30, 40))
    return image


def image_in(pdf) -> Image.Image:
    reader = PdfReader(pdf)
    for page in reader.pages:
        for xobject in (page["/Resources"].get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Image" and xobject["/Width"] == 400:
                assert xobject["/ColorSpace"] == "/DeviceCMYK"
                return Image.frombytes("CMYK", (400, 200), xobject.get_data())
    raise AssertionError("no image")


@pytest.fixture
def chart_issue(make_issue, tmp_path):
    manifest = make_issue(files={"articles/a.md": ARTICLE + "\n![图1　新增企业数量](chart.png)\n"})
    out = io.BytesIO()
    chart().save(out, format="PNG", dpi=(600, 600))
    (manifest.parent / "articles" / "chart.png").write_bytes(out.getvalue())
    return build_issue(manifest, tmp_path / "out", editions=("print",))


def test_greys_and_black_print_on_the_black_plate_alone(chart_issue):
    source, printed = chart(), image_in(chart_issue.pdf)
    neutral = coloured = 0
    for y in range(0, 200, 2):
        for x in range(0, 400, 2):
            r, g, b = source.getpixel((x, y))
            c, m, ye, k = printed.getpixel((x, y))
            assert c + m + ye + k <= 765 + 3, (x, y)  # total ink within 300 % (and rounding)
            if r == g == b:
                neutral += 1
                assert (c, m, ye) == (0, 0, 0), (x, y, (r, g, b), (c, m, ye, k))
                if r == 0:
                    assert k == 255  # black is K100
            elif max(r, g, b) - min(r, g, b) > 100:
                coloured += 1
                assert c + m + ye > 0
    assert neutral > 5000 and coloured > 300
    ramp = [printed.getpixel((x, 120))[3] for x in range(400)]
    assert ramp[0] == 255 and ramp[-1] == 0 and all(a >= b for a, b in zip(ramp, ramp[1:]))  # K falls as grey lightens


def run_check(path) -> dict:
    done = subprocess.run([sys.executable, "-m", "kjtypeset", "check", str(path), "--json"],
                          capture_output=True, text=True, timeout=120)
    return json.loads(done.stdout)


def test_check_reports_rich_black_and_too_much_ink(chart_issue, tmp_path):
    report = run_check(chart_issue.pdf)
    [image] = [i for i in report["facts"]["images"] if i["pixels"] == [400, 200]]
    assert image["rich_black_edge_pixels"] == 0 and image["tac_max"] <= 301
    assert not [f for f in report["findings"] if f["section"] == "图片" and f["level"] == "warn"]

    # The same chart separated as before (the profile alone): its black text is four-colour.
    separated = ImageCms.applyTransform(chart(), ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(PROFILE), "RGB", "CMYK",
        renderingIntent=ImageCms.Intent.PERCEPTUAL))
    heavy = Image.new("CMYK", (400, 200), (255, 255, 255, 255))  # 400 % ink
    for name, pixels in (("rich.pdf", separated), ("heavy.pdf", heavy)):
        writer = PdfWriter(clone_from=chart_issue.pdf)
        for page in writer.pages:
            for xobject in (page["/Resources"].get("/XObject") or {}).values():
                xobject = xobject.get_object()
                if xobject.get("/Subtype") == "/Image" and xobject["/Width"] == 400:
                    xobject._data = zlib.compress(pixels.tobytes())
                    xobject[NameObject("/Filter")] = NameObject("/FlateDecode")
        writer.write(tmp_path / name)
    warnings = [f["message"] for f in run_check(tmp_path / "rich.pdf")["findings"] if f["level"] == "warn"]
    assert any(re.fullmatch(r"第 \d+ 页 400×200 像素的图片有四色叠成的黑色文字或线条（\d+ 个边缘像素）："
                            r"套印稍有偏差就会发虚、带色边；黑色应只用 K 版", w) for w in warnings), warnings
    warnings = [f["message"] for f in run_check(tmp_path / "heavy.pdf")["findings"] if f["level"] == "warn"]
    assert any(re.fullmatch(r"第 \d+ 页 400×200 像素的图片总墨量最高 400%，超过印刷条件的 300%：墨太厚，会粘脏、难干", w)
               for w in warnings), warnings
