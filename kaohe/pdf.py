"""PDFs people print, sign and stamp, made from HTML by WeasyPrint, in a font the product brings itself.

Users' servers often have no Chinese font, and sliced web fonts draw the wrong characters in WeasyPrint
(../shared/FACTS.md). So the PDFs use one whole font file, Noto Sans CJK (its Simplified Chinese face, "Noto
Sans CJK SC"), installed from PyPI with the product (the `noto-cjk-sans-otc` package), and fontconfig is
pointed at that font alone: a PDF looks the same on every machine, whatever fonts it has or lacks.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string

from kaohe.spreadsheets import attachment_header

PDF_CONTENT_TYPE = "application/pdf"
FONT_FAMILY = "Noto Sans CJK SC"


@functools.cache
def font_directory() -> Path:
    import noto_cjk_sans_otc

    return Path(str(noto_cjk_sans_otc.FONT_PATH)).parent


@functools.cache
def _weasyprint() -> Any:
    """WeasyPrint, with fontconfig reading a configuration that names our font's directory only. Set before
    fontconfig first loads (in this process nothing else uses it), and once."""
    cache = Path(tempfile.gettempdir()) / f"kaohe-fontconfig-{os.getuid()}"
    configuration = Path(tempfile.gettempdir()) / f"kaohe-fonts-{os.getuid()}.conf"
    configuration.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><dir>{font_directory()}</dir><cachedir>{cache}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    os.environ["FONTCONFIG_FILE"] = str(configuration)
    import weasyprint

    return weasyprint


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """The template rendered as HTML (in the request's language) and laid out as a PDF."""
    html = render_to_string(template, {**context, "pdf_font": FONT_FAMILY, "in_pdf": True})
    return _weasyprint().HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """A PDF download whose (possibly Chinese) name every browser keeps."""
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename)
    return response
