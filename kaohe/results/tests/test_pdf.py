"""The PDFs people print: a unit's score sheet, a system's sheets in one file, a ranking. Each is read back as
text (pdftotext) and as an image (pdftoppm), and its Chinese font must be the product's own, embedded."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kaohe.results import views_sheet
from kaohe.results.tests.conftest import TOTALS
from kaohe.results.tests.test_pages import get

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None and not os.environ.get("KAOHE_REQUIRE_BROWSER"),
    reason="reading PDFs back needs poppler-utils (apt-get install poppler-utils)",
)


@pytest.fixture
def published(publish):
    return publish(2025, TOTALS)


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout  # noqa: S603, S607


def fonts_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout  # noqa: S603, S607


def pages_as_images(pdf: bytes, tmp_path: Path) -> list[Path]:
    path = tmp_path / "image.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)  # noqa: S603, S607
    return sorted(tmp_path.glob("page*.png"))


def test_a_score_sheet_pdf_shows_the_title_the_unit_and_the_total(client, secondary_cadre, published, tmp_path):
    response = get(client, secondary_cadre, "/results/2025/YX-S1-G1/sheet.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content, tmp_path)
    assert "考核评分表" in text
    assert "城关社区工会" in text
    assert "云溪区总工会" in text  # the federation, at the top of every page
    assert "合计" in text
    assert " 80 " in text
    assert "评审单位（盖章）" in text
    assert "第 1 页" in text
    assert "Noto-Sans-CJK-SC" in fonts_of(response.content, tmp_path)  # our font, embedded
    assert pages_as_images(response.content, tmp_path)


def test_an_admin_prints_a_systems_sheets_as_one_pdf(client, district_admin, published, tmp_path):
    response = get(client, district_admin, "/results/2025/sheets.pdf", system="YX-S1")

    assert response.status_code == 200
    text = text_of(response.content, tmp_path)
    for name in ("城关街道总工会", "城关社区工会", "城关小学工会"):
        assert name in text
    assert "云溪中学工会" not in text  # another system's
    assert len(pages_as_images(response.content, tmp_path)) >= 3  # a sheet starts a page


def test_too_many_sheets_for_one_pdf_are_refused_with_a_message(client, district_admin, published, monkeypatch):
    monkeypatch.setattr(views_sheet, "MOST_SHEETS_IN_ONE_PDF", 2)

    response = get(client, district_admin, "/results/2025/sheets.pdf", tier="grassroots")

    assert response.status_code == 400
    assert "3" in response.context["message"]


def test_only_district_administrators_print_sheets_in_bulk(client, secondary_cadre, outsider, published):
    assert get(client, secondary_cadre, "/results/2025/sheets.pdf").status_code == 403
    assert get(client, outsider, "/results/2025/sheets.pdf").status_code == 404
    assert get(client, outsider, "/results/2025/YX-S1/sheet.pdf").status_code == 404


def test_the_ranking_pdf_lists_the_group(client, district_admin, published, tmp_path):
    response = get(client, district_admin, "/results/2025/ranking.pdf", group="secondary")

    assert response.status_code == 200
    text = text_of(response.content, tmp_path)
    assert "排名" in text
    assert "城关街道总工会" in text
    assert "区教委工会" in text
    assert "89.5" in text
