"""The logo upload: real images made with Pillow, and hostile files that must be refused with a clear message."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from PIL import Image, PngImagePlugin

from profiles.logo import MAX_UPLOAD_BYTES, MAX_WIDTH, logo_process
from tests.profiles.helpers import image_bytes


def _decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_a_wide_image_is_scaled_to_300_pixels_keeping_its_aspect_and_reencoded_as_png(fmt):
    upload = image_bytes((1200, 400), fmt=fmt)
    logo = logo_process(upload)
    image = _decoded(logo.png)
    assert image.format == "PNG" and image.mode == "RGBA"
    assert (logo.width, logo.height) == (MAX_WIDTH, 100) == image.size
    assert logo.png != upload and len(logo.sha256) == 64


def test_a_small_image_keeps_its_size_and_is_marked_below_the_recommendation():
    logo = logo_process(image_bytes((120, 120)))
    assert (logo.width, logo.height) == (120, 120)
    assert logo.below_recommended
    assert not logo_process(image_bytes((300, 300))).below_recommended


def test_an_animated_gif_keeps_only_its_first_frame():
    frames = [Image.new("RGB", (64, 64), color) for color in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    image = _decoded(logo_process(out.getvalue()).png)
    assert getattr(image, "n_frames", 1) == 1
    assert image.getpixel((10, 10))[:3] == (255, 0, 0)


def test_bytes_hidden_in_a_png_are_not_served():
    """A comment chunk carrying markup disappears: only the re-encoded pixels are kept."""
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    Image.new("RGBA", (50, 50), (1, 2, 3, 255)).save(out, format="PNG", pnginfo=info)
    assert b"<script>" in out.getvalue()
    assert b"<script>" not in logo_process(out.getvalue()).png


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_header(width: int, height: int, idat: bytes = b"garbage") -> bytes:
    """A PNG signature and IHDR announcing the given size, then an IDAT chunk of `idat` (not real pixel data)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _huge_real_png() -> bytes:
    """A genuine 6000 × 6000 image (36 megapixels): a few kilobytes on disk."""
    out = io.BytesIO()
    Image.new("1", (6000, 6000)).save(out, format="PNG")
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(_png_header(200, 200, b"garbage" * 50), "corrupt", id="png-header-with-garbage"),
        pytest.param(SVG, "type", id="svg"),
        pytest.param(HTML, "type", id="html-named-png"),
        pytest.param(b"", "type", id="empty"),
        pytest.param(image_bytes((64, 64), fmt="BMP"), "type", id="bmp"),
        pytest.param(image_bytes((64, 64), fmt="WEBP"), "type", id="webp"),
        pytest.param(_png_header(100_000, 100_000), "dimensions", id="huge-dimensions-in-the-header"),
        pytest.param(_huge_real_png(), "dimensions", id="huge-real-image"),
        pytest.param(image_bytes((8, 8)), "too_small", id="too-small"),
        pytest.param(image_bytes((64, 64))[:60], "corrupt", id="truncated-png"),
        pytest.param(b"\x00" * (MAX_UPLOAD_BYTES + 1), "too_big", id="over-2-mb"),
    ],
)
def test_anything_else_is_refused_with_its_reason(data, code):
    with pytest.raises(ValidationError) as caught:
        logo_process(data)
    assert caught.value.code == code
    assert caught.value.messages[0]
