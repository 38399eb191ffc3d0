"""Evidence files: typed by their content, stored once by SHA-256 through Django's storage API, and served
so that no uploaded file can run as a page in kaohe's origin.

A file's name says nothing about what it holds: a "photo.jpg" may be an HTML page. The type is read from the
first bytes (filetype's magic numbers), checked against the kinds a union files as evidence, and the stored
name and the type served are taken from that, never from the upload.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from kaohe import limits
from kaohe.assessments.models import EvidenceFile

# extension → the type served; the kinds the issue names: pdf, jpg/png, doc/docx, xls/xlsx.
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Types a browser shows itself without running anything of the file's: opened in the browser, the rest saved.
SHOWN_INLINE = {"pdf", "jpg", "png"}
ACCEPT = ",".join([*(f".{extension}" for extension in ALLOWED_TYPES), "image/*"])  # the file input's hint
HEAD_BYTES = 8192  # filetype reads at most this much; docx and xlsx are told apart inside their zip


@dataclass(frozen=True)
class Sniffed:
    extension: str
    content_type: str


def sniff(uploaded: Any) -> Sniffed:
    """The file's kind from its content; refused with a message naming what is allowed."""
    uploaded.seek(0)
    head = uploaded.read(HEAD_BYTES)
    uploaded.seek(0)
    kind = filetype.guess(head) if head else None
    extension = kind.extension if kind else ""
    if extension == "jpeg":
        extension = "jpg"
    if extension in ("docx", "xlsx", "zip") or extension == "":
        extension = _office_zip_kind(uploaded) or extension
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            _("This file is not a PDF, JPG or PNG picture, Word or Excel document (whatever its name says)."),
            code="file_type",
        )
    return Sniffed(extension, ALLOWED_TYPES[extension])


def _office_zip_kind(uploaded: Any) -> str | None:
    """docx or xlsx, told by the part a zip holds (filetype guesses from the first bytes only)."""
    import zipfile

    try:
        uploaded.seek(0)
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist()[: limits.XLSX_MAX_PARTS])
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        uploaded.seek(0)
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def check_size(uploaded: Any) -> None:
    fault = limits.file_size_fault(uploaded.size, limits.evidence_file_max_bytes())
    if fault:
        raise ValidationError(fault, code="file_size")
    if not uploaded.size:
        raise ValidationError(_("The file is empty."), code="file_empty")


def store(uploaded: Any) -> EvidenceFile:
    """The stored file with this content: stored now, or found stored already (once per content)."""
    check_size(uploaded)
    sniffed = sniff(uploaded)
    digest = _sha256(uploaded)
    existing = EvidenceFile.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    blob = EvidenceFile(sha256=digest, extension=f".{sniffed.extension}", content_type=sniffed.content_type)
    blob.size = uploaded.size
    blob.file.save(f"{digest}.{sniffed.extension}", File(uploaded), save=False)
    try:
        with transaction.atomic():
            blob.save()
    except IntegrityError:  # the same file uploaded at the same moment by someone else
        return EvidenceFile.objects.get(sha256=digest)
    return blob


def _sha256(uploaded: Any) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def download_name(name: str, blob: EvidenceFile) -> str:
    """The uploaded name, with the extension of what the file really is."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem or blob.sha256[:12]}{blob.extension}"


def file_response(blob: EvidenceFile, name: str) -> FileResponse:
    """Opened in the browser for PDF and pictures, saved for the rest; never sniffed, never run as a page."""
    inline = blob.extension.lstrip(".") in SHOWN_INLINE
    response = FileResponse(blob.file.open("rb"), content_type=blob.content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(download_name(name, blob))}"
    response["X-Content-Type-Options"] = "nosniff"
    # Even a PDF viewer's scripts get no access to kaohe's pages or cookies.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=3600"
    return response
