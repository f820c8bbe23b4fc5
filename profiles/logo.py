"""The logo upload: decoded with Pillow, checked, scaled to at most 300 px wide and re-encoded as PNG.

Only the re-encoded pixels are ever stored or served, so no uploaded byte (a script in a comment chunk, an HTML
file named .png) reaches a browser. The type is the decoded format, never the file name or the content type.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_WIDTH = 300
# Partner Center recommends at least 216 × 216 (square or wide): smaller logos are kept, with a note.
RECOMMENDED_MIN = 216
# Anything smaller is not a usable logo.
MIN_SIDE = 16
# Checked from the header before any pixel is decoded (a 40 000 × 40 000 PNG is a few kilobytes on disk).
MAX_PIXELS = 25_000_000
FORMATS = ("PNG", "GIF", "JPEG")

MESSAGES = {
    "too_big": _("The logo file can be at most 2 MB."),
    "type": _("Upload a GIF, JPG or PNG image."),
    "corrupt": _("The image could not be read: the file is damaged or incomplete."),
    "dimensions": _("The image is too large: at most 25 megapixels."),
    "too_small": _("The image is too small: at least %(min)d × %(min)d pixels."),
}

# Pillow's own guard, in case a plugin decodes more than the header says.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class Logo:
    """A processed logo: the PNG bytes to store and serve, their size and content hash."""

    png: bytes
    width: int
    height: int
    sha256: str

    @property
    def below_recommended(self) -> bool:
        return self.width < RECOMMENDED_MIN or self.height < RECOMMENDED_MIN


def _error(key: str, **params: int) -> ValidationError:
    return ValidationError(MESSAGES[key], code=key, params=params or None)


def logo_process(data: bytes) -> Logo:
    """Turn uploaded bytes into the logo to store; raises ValidationError (code: too_big, type, corrupt,
    dimensions, too_small) for anything that is not a readable GIF, JPG or PNG of a sensible size."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise _error("too_big")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        except UnidentifiedImageError:
            raise _error("type") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _error("dimensions") from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise _error("corrupt") from None
        with image:
            if image.format not in FORMATS:
                raise _error("type")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _error("dimensions")
            if width < MIN_SIDE or height < MIN_SIDE:
                raise _error("too_small", min=MIN_SIDE)
            if image.format == "JPEG" and width > 2 * MAX_WIDTH:
                # Decode a large JPEG at a reduced scale (still at least twice the final width): far less work.
                image.draft("RGB", (2 * MAX_WIDTH, max(1, height * 2 * MAX_WIDTH // width)))
            try:
                image.seek(0)  # the first frame of an animated GIF
                image.load()
                rgba = image.convert("RGBA")
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _error("dimensions") from None
            except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
                raise _error("corrupt") from None
    if rgba.width > MAX_WIDTH:
        rgba = rgba.resize((MAX_WIDTH, max(1, round(rgba.height * MAX_WIDTH / rgba.width))), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    rgba.save(out, format="PNG", optimize=True)
    png = out.getvalue()
    return Logo(png=png, width=rgba.width, height=rgba.height, sha256=hashlib.sha256(png).hexdigest())
