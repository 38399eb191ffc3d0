"""In a real Chromium, on a desktop and a phone: a grassroots cadre saves a draft of an item without leaving
the page (htmx), takes a photo as evidence, and opens that photo and a PDF in the browser rather than
downloading them (files.file_response serves them inline, sandboxed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from kaohe.assessments import actions
from kaohe.assessments.models import Evidence, Item
from kaohe.tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEM = "/assessments/2026/YX-S1-G1/6.1/"
# A one-page PDF with a line of text, its cross-reference offsets as a reader checks them.
PDF_OBJECTS = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    b"<< /Length 44 >>\nstream\nBT /F1 36 Tf 72 700 Td (Sign-in sheet) Tj ET\nendstream",
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
]


def a_pdf() -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(PDF_OBJECTS, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(PDF_OBJECTS) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(PDF_OBJECTS) + 1, xref)
    return bytes(out)


def a_photo(page: Any, folder: Path) -> Path:
    """A real JPEG, as a phone's camera would hand one over: the browser's own screenshot of a coloured box."""
    path = folder / "IMG_0001.jpg"
    page.set_content("<body style='margin:0;background:#c33'><h1 style='color:#fff'>大讲堂</h1></body>")
    page.screenshot(path=path, type="jpeg")
    return path


@pytest.fixture
def cycle(tree: Any, shipped_standard: Any, district_admin: Any) -> Any:
    """云溪区's 2026 cycle, opened on the seed's standard."""
    return actions.open_cycle(district_admin, tree["YX"], 2026, shipped_standard)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def downloads_of(page: Any) -> list[Any]:
    started: list[Any] = []
    page.on("download", lambda download: started.append(download))
    return started


def test_a_cadre_saves_a_draft_takes_a_photo_and_opens_it_in_the_browser(page, cycle, grassroots_cadre, media):
    photo = a_photo(page, media)
    log_in(page, "shequ")
    page.goto(ITEM)
    page.locator("#id_self-self_score").fill("12.5")
    page.locator("#id_self-explanation").fill("举办大讲堂三讲")
    page.locator("#self-form button[type=submit]").click()
    expect(page.locator("#saved-at")).to_be_visible()  # swapped in place: the page did not reload
    expect(page.locator("input[name=self-version]")).to_have_value("2")
    screenshot(page, "draft-saved")

    page.locator("#id_upload-photo").set_input_files(photo)
    page.locator("#id_upload-requirement").select_option("1")
    page.locator("#upload-form button[type=submit]").click()
    link = page.locator("[data-requirement='1'] .evidence-file")
    expect(link).to_have_text("IMG_0001.jpg")
    screenshot(page, "photo-added")

    downloads = downloads_of(page)
    link.click()
    image = page.locator("img")
    expect(image).to_be_visible()
    assert page.evaluate("document.images[0].naturalWidth") > 0
    assert downloads == []
    screenshot(page, "photo-opened")


def test_a_pdf_opens_in_the_browsers_viewer(page, cycle, grassroots_cadre, media):
    item = Item.objects.get(assessment__cycle=cycle, assessment__organisation__code="YX-S1-G1", number="6.1")
    actions.add_evidence(grassroots_cadre, item, uploaded=SimpleUploadedFile("签到表.pdf", a_pdf()), requirement=2)
    evidence = Evidence.objects.get()
    log_in(page, "shequ")
    downloads = downloads_of(page)

    response = page.goto(f"/assessments/2026/YX-S1-G1/evidence/{evidence.pk}/")
    page.wait_for_timeout(1000)

    headers = response.all_headers()  # `headers` leaves out the security ones
    assert headers["content-disposition"].startswith("inline")
    assert "sandbox" in headers["content-security-policy"]
    assert downloads == []  # shown, not saved, despite the sandbox
    assert any(frame.url.startswith("chrome-extension://") for frame in page.frames)  # Chromium's PDF viewer
    screenshot(page, "pdf-opened")
