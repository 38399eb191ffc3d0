"""Evidence on an item's page: files typed by their content and stored once, photos from a phone's camera,
links to the unit's records, removal; and downloads, only for those who see the unit, opened in the browser
only for the types a browser shows safely."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.assessments import actions
from kaohe.assessments.models import Evidence, EvidenceFile, Item
from kaohe.assessments.tests.conftest import assessment_of, submitted
from kaohe.records.models import Activity, ActivityCategory, Document, DocumentKind

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def url(code: str, rest: str = "") -> str:
    return f"/assessments/2026/{code}/{rest}"


def item_of(cycle: Any, code: str, number: str) -> Item:
    return Item.objects.select_related("assessment__cycle", "assessment__organisation").get(
        assessment__cycle=cycle, assessment__organisation__code=code, number=number
    )


def upload(client: Any, name: str, content: bytes, field: str = "file", **fields: Any) -> Any:
    data = {f"upload-{field}": SimpleUploadedFile(name, content), **{f"upload-{k}": v for k, v in fields.items()}}
    return client.post(url("YX-S1-G1", "6.1/evidence/"), data)


def evidence_of(cycle: Any, number: str = "6.1") -> list[Evidence]:
    return list(item_of(cycle, "YX-S1-G1", number).evidence.order_by("pk"))


# Uploading ------------------------------------------------------------------------------------------------


def test_a_file_is_added_for_a_requirement_and_shown_under_it(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)

    response = upload(client, "签到表.pdf", PDF, requirement="2", note="第一讲")

    assert response.status_code == 302
    assert response["Location"].endswith("/6.1/#evidence")
    [piece] = evidence_of(cycle)
    assert (piece.file_name, piece.requirement, piece.note, piece.added_by) == (
        "签到表.pdf",
        2,
        "第一讲",
        grassroots_cadre,
    )
    page = client.get(url("YX-S1-G1", "6.1/"))
    [first, second] = page.context["requirements"]
    assert (len(first.evidence), len(second.evidence)) == (0, 1)
    assert page.context["without_evidence"] == [first]  # which requirements still have none
    html = page.content.decode()
    assert f'href="/assessments/2026/YX-S1-G1/evidence/{piece.pk}/"' in html
    assert "shequ" in html  # who added it


def test_the_upload_form_offers_files_and_the_phones_camera(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)

    html = client.get(url("YX-S1-G1", "6.1/")).content.decode()

    assert re.search(
        r'<input type="file" name="upload-file" accept="\.pdf,\.jpg,\.png,\.doc,\.docx,\.xls,\.xlsx,image/\*"', html
    )
    assert re.search(r'<input type="file" name="upload-photo" accept="image/\*" capture="environment"', html)
    assert 'enctype="multipart/form-data"' in html


def test_a_photo_taken_on_a_phone_is_added(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)

    response = upload(client, "IMG_0001.JPG", JPEG, field="photo")

    assert response.status_code == 302
    [piece] = evidence_of(cycle)
    assert piece.file.extension == ".jpg"
    assert piece.requirement is None  # for the item as a whole


def test_two_identical_uploads_are_stored_once(client, cycle, grassroots_cadre, media):
    client.force_login(grassroots_cadre)

    upload(client, "照片.jpg", JPEG)
    upload(client, "同一张.jpg", JPEG)

    assert len(evidence_of(cycle)) == 2
    assert EvidenceFile.objects.count() == 1
    assert len([path for path in media.rglob("*") if path.is_file()]) == 1


def test_a_page_named_like_a_picture_is_refused(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)

    response = upload(client, "photo.jpg", b"<html><script>alert(document.cookie)</script></html>")

    assert response.status_code == OK
    assert response.context["upload_form"].errors["file"]
    assert evidence_of(cycle) == []
    assert EvidenceFile.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(client, cycle, grassroots_cadre, settings):
    settings.MAX_EVIDENCE_FILE_SIZE = 100
    client.force_login(grassroots_cadre)

    response = upload(client, "大.pdf", PDF + b" " * 200)

    assert re.search("100", " ".join(response.context["upload_form"].errors["file"]))
    assert evidence_of(cycle) == []


def test_a_photo_over_the_size_limit_is_refused_on_the_photo_field(client, cycle, grassroots_cadre, settings):
    settings.MAX_EVIDENCE_FILE_SIZE = 100
    client.force_login(grassroots_cadre)

    response = upload(client, "IMG.jpg", JPEG, field="photo")

    assert response.context["upload_form"].errors["photo"]


@pytest.mark.parametrize("requirement", ["3", "0", "-1", "abc"])
def test_a_requirement_the_item_does_not_have_is_refused(client, cycle, grassroots_cadre, requirement):
    client.force_login(grassroots_cadre)

    response = upload(client, "签到表.pdf", PDF, requirement=requirement)  # 6.1 has two in the direct column

    assert response.context["upload_form"].errors["requirement"]
    assert evidence_of(cycle) == []


def test_an_upload_without_a_file_is_refused(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)

    response = client.post(url("YX-S1-G1", "6.1/evidence/"), {"upload-note": "忘了选文件"})

    assert response.context["upload_form"].errors["file"]


def test_an_empty_file_is_refused(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)

    response = upload(client, "空.pdf", b"")

    assert response.context["upload_form"].errors["file"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("secondary_cadre", FORBIDDEN), ("assessor", FORBIDDEN), ("district_admin", FORBIDDEN), ("outsider", NOT_FOUND)],
)
def test_only_the_units_own_people_add_evidence(client, cycle, personas, persona, expected):
    client.force_login(personas[persona])

    response = upload(client, "签到表.pdf", PDF)

    assert response.status_code == expected
    assert evidence_of(cycle) == []


def test_no_evidence_is_added_once_submitted(client, cycle, grassroots_cadre):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    client.force_login(grassroots_cadre)

    response = upload(client, "签到表.pdf", PDF)

    assert response.status_code == OK
    assert response.context["upload_form"].errors
    assert evidence_of(cycle) == []


# Linking records ------------------------------------------------------------------------------------------


def test_one_of_the_units_records_of_the_year_is_linked(client, cycle, tree, grassroots_cadre):
    lecture = Activity.objects.create(
        organisation=tree["YX-S1-G1"],
        category=ActivityCategory.LECTURE,
        name="大讲堂第一讲",
        date=datetime.date(2026, 3, 5),
        participants=40,
    )
    Activity.objects.create(
        organisation=tree["YX-S1-G1"],
        category=ActivityCategory.LECTURE,
        name="去年的讲堂",
        date=datetime.date(2025, 3, 5),
        participants=40,
    )
    client.force_login(grassroots_cadre)
    page = client.get(url("YX-S1-G1", "6.1/"))
    choices = page.context["link_form"].fields["record"].choices
    [(_kind, offered)] = [(group, options) for group, options in choices if isinstance(options, list | tuple)]
    assert [label for _value, label in offered] == ["2026-03-05 大讲堂第一讲"]  # the year's, of the unit

    response = client.post(
        url("YX-S1-G1", "6.1/link/"), {"link-record": f"activities:{lecture.pk}", "link-requirement": "1"}
    )

    assert response.status_code == 302
    [piece] = evidence_of(cycle)
    assert (piece.record_kind, piece.record_id, piece.requirement) == ("activity", lecture.pk, 1)
    html = client.get(url("YX-S1-G1", "6.1/")).content.decode()
    assert "unit=YX-S1-G1&amp;date_from=2026-03-05&amp;date_to=2026-03-05" in html


def test_a_linked_document_offers_its_file(client, cycle, tree, grassroots_cadre):
    document = Document.objects.create(
        organisation=tree["YX-S1-G1"], kind=DocumentKind.ANNUAL_PLAN, title="年度计划", date=datetime.date(2026, 1, 5)
    )
    document.file.save("plan.pdf", SimpleUploadedFile("plan.pdf", PDF))
    actions.add_evidence(grassroots_cadre, item_of(cycle, "YX-S1-G1", "3.1"), record=document)
    client.force_login(grassroots_cadre)

    html = client.get(url("YX-S1-G1", "3.1/")).content.decode()

    assert f"/records/documents/{document.pk}/file/" in html


def test_a_record_of_another_unit_cannot_be_linked(client, cycle, tree, grassroots_cadre):
    neighbours = Activity.objects.create(
        organisation=tree["YX-S1-G2"],
        category=ActivityCategory.LECTURE,
        name="邻居的讲堂",
        date=datetime.date(2026, 3, 5),
        participants=40,
    )
    client.force_login(grassroots_cadre)

    response = client.post(url("YX-S1-G1", "6.1/link/"), {"link-record": f"activities:{neighbours.pk}"})

    assert response.context["link_form"].errors["record"]
    assert evidence_of(cycle) == []


def test_linking_nothing_is_refused(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)

    response = client.post(url("YX-S1-G1", "6.1/link/"), {"link-record": ""})

    assert response.context["link_form"].errors["record"]


# Removing -------------------------------------------------------------------------------------------------


def test_evidence_is_removed_after_asking(client, cycle, grassroots_cadre):
    piece = actions.add_evidence(
        grassroots_cadre, item_of(cycle, "YX-S1-G1", "6.1"), uploaded=SimpleUploadedFile("a.pdf", PDF)
    )
    client.force_login(grassroots_cadre)
    html = client.get(url("YX-S1-G1", "6.1/")).content.decode()
    assert 'onsubmit="return confirm(this.dataset.question)"' in html
    assert client.get(url("YX-S1-G1", f"6.1/evidence/{piece.pk}/remove/")).status_code == 405  # POST only

    response = client.post(url("YX-S1-G1", f"6.1/evidence/{piece.pk}/remove/"))

    assert response.status_code == 302
    assert evidence_of(cycle) == []
    assert EvidenceFile.objects.count() == 1  # the stored content stays: others may share it


@pytest.mark.parametrize(("persona", "expected"), [("secondary_cadre", FORBIDDEN), ("outsider", NOT_FOUND)])
def test_only_the_units_own_people_remove_evidence(client, cycle, personas, grassroots_cadre, persona, expected):
    piece = actions.add_evidence(
        grassroots_cadre, item_of(cycle, "YX-S1-G1", "6.1"), uploaded=SimpleUploadedFile("a.pdf", PDF)
    )
    client.force_login(personas[persona])

    response = client.post(url("YX-S1-G1", f"6.1/evidence/{piece.pk}/remove/"))

    assert response.status_code == expected
    assert len(evidence_of(cycle)) == 1


def test_evidence_of_another_item_is_not_removed_through_this_one(client, cycle, grassroots_cadre):
    piece = actions.add_evidence(
        grassroots_cadre, item_of(cycle, "YX-S1-G1", "6.1"), uploaded=SimpleUploadedFile("a.pdf", PDF)
    )
    client.force_login(grassroots_cadre)

    assert client.post(url("YX-S1-G1", f"1.1/evidence/{piece.pk}/remove/")).status_code == NOT_FOUND


def test_evidence_is_not_removed_once_submitted(client, cycle, grassroots_cadre):
    piece = actions.add_evidence(
        grassroots_cadre, item_of(cycle, "YX-S1-G1", "6.1"), uploaded=SimpleUploadedFile("a.pdf", PDF)
    )
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    client.force_login(grassroots_cadre)

    response = client.post(url("YX-S1-G1", f"6.1/evidence/{piece.pk}/remove/"), follow=True)

    assert len(evidence_of(cycle)) == 1
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


# Downloading ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "disposition", "content_type"),
    [
        ("签到表.pdf", PDF, "inline", "application/pdf"),
        ("现场.jpg", JPEG, "inline", "image/jpeg"),
        ("图.png", PNG, "inline", "image/png"),
        ("总结.docx", docx(), "attachment", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("名字不对.pdf", JPEG, "inline", "image/jpeg"),  # typed by its content; named accordingly
    ],
)
def test_a_download_is_typed_by_its_content_and_never_runs_as_a_page(
    client, cycle, grassroots_cadre, name, content, disposition, content_type
):
    piece = actions.add_evidence(
        grassroots_cadre, item_of(cycle, "YX-S1-G1", "6.1"), uploaded=SimpleUploadedFile(name, content)
    )
    client.force_login(grassroots_cadre)

    response = client.get(url("YX-S1-G1", f"evidence/{piece.pk}/"))

    assert response.status_code == OK
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(f"{disposition}; filename*=UTF-8''")
    assert response["Content-Disposition"].endswith(piece.file.extension)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("grassroots_cadre", OK),
        ("secondary_cadre", OK),  # its reviewer
        ("assessor", OK),  # reads the whole district
        ("district_admin", OK),
        ("outsider", NOT_FOUND),
    ],
)
def test_only_those_who_see_the_unit_download_its_evidence(client, cycle, personas, persona, expected):
    piece = actions.add_evidence(
        personas["grassroots_cadre"], item_of(cycle, "YX-S1-G1", "6.1"), uploaded=SimpleUploadedFile("a.pdf", PDF)
    )
    client.force_login(personas[persona])

    assert client.get(url("YX-S1-G1", f"evidence/{piece.pk}/")).status_code == expected


def test_a_neighbours_evidence_does_not_exist_for_a_grassroots_cadre(client, cycle, tree, grassroots_cadre):
    from kaohe.conftest import make_user

    neighbour = make_user("xiaoxue", "cadre", tree["YX-S1-G2"])
    piece = actions.add_evidence(
        neighbour, item_of(cycle, "YX-S1-G2", "6.1"), uploaded=SimpleUploadedFile("a.pdf", PDF)
    )
    client.force_login(grassroots_cadre)

    assert client.get(f"/assessments/2026/YX-S1-G2/evidence/{piece.pk}/").status_code == NOT_FOUND
    # Nor under its own assessment's address: evidence is looked up within the assessment.
    assert client.get(url("YX-S1-G1", f"evidence/{piece.pk}/")).status_code == NOT_FOUND


def test_a_record_link_has_no_file_to_download(client, cycle, tree, grassroots_cadre):
    lecture = Activity.objects.create(
        organisation=tree["YX-S1-G1"],
        category=ActivityCategory.LECTURE,
        name="讲堂",
        date=datetime.date(2026, 3, 5),
        participants=1,
    )
    piece = actions.add_evidence(grassroots_cadre, item_of(cycle, "YX-S1-G1", "6.1"), record=lecture)
    client.force_login(grassroots_cadre)

    assert client.get(url("YX-S1-G1", f"evidence/{piece.pk}/")).status_code == NOT_FOUND


def test_the_assessment_page_counts_each_items_evidence(client, cycle, grassroots_cadre):
    item = item_of(cycle, "YX-S1-G1", "6.1")
    for name in ("a.pdf", "b.pdf"):
        actions.add_evidence(grassroots_cadre, item, uploaded=SimpleUploadedFile(name, PDF + name.encode()))
    client.force_login(grassroots_cadre)

    html = client.get(url("YX-S1-G1")).content.decode()

    assert re.search(r'<tr data-item="6.1">.*?data-evidence="2"', html, re.S)
    assert assessment_of(cycle, "YX-S1-G1").status == "draft"  # adding evidence starts the draft


def test_a_file_gone_from_the_store_is_not_found_rather_than_an_error(client, cycle, grassroots_cadre):
    piece = actions.add_evidence(
        grassroots_cadre, item_of(cycle, "YX-S1-G1", "6.1"), uploaded=SimpleUploadedFile("a.pdf", PDF)
    )
    piece.file.file.delete(save=False)
    client.force_login(grassroots_cadre)

    assert client.get(url("YX-S1-G1", f"evidence/{piece.pk}/")).status_code == NOT_FOUND
