"""Uploaded files: type decided from content (never the name), size-checked, stored under random names.

Images are re-encoded through Pillow, which drops anything hidden behind image bytes (an HTML or SVG payload
named .png fails to decode and is refused). Files are served only by views that check the record's access,
as attachments with `nosniff` (see core.views.serve_file).
"""

from __future__ import annotations

import base64
import binascii
import io
import secrets
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from .errors import ValidationFailed

IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


class UploadRejected(ValidationFailed):
    code = "upload_rejected"
    default_message = _("This file is not an accepted image (JPEG, PNG or WebP up to the size limit).")


class SignatureInvalid(ValidationFailed):
    code = "signature_invalid"
    default_message = _("The signature could not be read. Clear it and sign again.")


class UploadTooLarge(ValidationFailed):
    code = "upload_too_large"
    default_message = _("The file is too large.")


@dataclass
class StoredFile:
    name: str
    mime_type: str
    size: int


def _read(upload: Any, limit: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise UploadTooLarge(limit=limit)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(limit=limit)
    return data


def _random_name(folder: str, ext: str) -> str:
    now = timezone.now()
    return f"{folder}/{now:%Y/%m}/{secrets.token_hex(16)}.{ext}"


def _reencode(data: bytes, mime: str, max_side: int = 2560) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > 40_000_000:  # refused before anything is decoded
                raise UploadRejected()
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    # verify() reports a damaged file (a PNG chunk's bad CRC) as SyntaxError
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise UploadRejected()
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    if mime == "image/png":
        image.save(out, format="PNG", optimize=True)
    elif mime == "image/webp":
        image.save(out, format="WEBP", quality=85)
    else:
        image.convert("RGB").save(out, format="JPEG", quality=85)
    return out.getvalue()


def check_image_bytes(data: bytes) -> str:
    kind = filetype.guess(data)
    mime = kind.mime if kind else ""
    if mime not in IMAGE_TYPES:
        raise UploadRejected()
    return mime


def store_image(upload: Any, *, folder: str) -> StoredFile:
    data = _read(upload, settings.AFTERSALES_MAX_UPLOAD_BYTES)
    mime = check_image_bytes(data)
    clean = _reencode(data, mime)
    name = default_storage.save(_random_name(folder, IMAGE_TYPES[mime]), ContentFile(clean))
    return StoredFile(name, mime, len(clean))


def store_signature(data_url: str) -> StoredFile:
    """A canvas signature arrives as a PNG data URL; it must decode to a real PNG image."""
    prefix = "data:image/png;base64,"
    if not isinstance(data_url, str) or not data_url.startswith(prefix):
        raise SignatureInvalid()
    if len(data_url) > 2 * 1024 * 1024:
        raise UploadTooLarge()
    try:
        data = base64.b64decode(data_url[len(prefix):], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureInvalid()
    if check_image_bytes(data) != "image/png":
        raise SignatureInvalid()
    clean = _reencode(data, "image/png", max_side=1200)
    name = default_storage.save(_random_name("signatures", "png"), ContentFile(clean))
    return StoredFile(name, "image/png", len(clean))
