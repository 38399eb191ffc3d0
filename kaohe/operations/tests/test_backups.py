"""An operator backs up the district, things change, and a restore brings every record, figure and file back.

These run on the configured database (SQLite, or PostgreSQL when DATABASE_URL points there): restoring
replaces the whole test database, so they commit for real (transaction=True).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import re
import stat
import tarfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kaohe.figures.compute import Figure, compute_figures
from kaohe.operations.backups import BackupError, postgres_client
from kaohe.organisations.actions import update_organisation
from kaohe.organisations.models import Organisation
from kaohe.records.actions import create_record, delete_record
from kaohe.records.kinds import KINDS
from kaohe.records.models import Activity, Document, Honour
from kaohe.standard.actions import load_standard
from kaohe.standard.files import SHIPPED, read_standard_path
from kaohe.standard.in_force import standard_in_force

RESTORES = pytest.mark.django_db(transaction=True)
IN_2026 = datetime.date(2026, 5, 20)
PLAN_BYTES = b"%PDF-1.4 2026 learning plan of Chengguan"
OTHER_VENDOR = {"sqlite": "postgresql", "postgresql": "sqlite"}


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return tmp_path / "backups" / "kaohe.tar.gz"


@pytest.fixture
def district(tree, secondary_cadre, grassroots_cadre, media, archive) -> dict[str, Organisation]:
    """The shipped standard, and a year of records of every kind, one document with its uploaded file."""
    load_standard(None, read_standard_path(SHIPPED / "fangshan-2026-trial.yaml"))
    chengguan, shequ = tree["YX-S1"], tree["YX-S1-G1"]
    for n, participants in enumerate([60, 45, 30]):
        lecture = {"category": "lecture", "name": f"大讲堂第{n + 1}讲", "date": IN_2026, "participants": participants}
        create_record(grassroots_cadre, KINDS["activities"], shequ, lecture)
    create_record(
        secondary_cadre,
        KINDS["activities"],
        chengguan,
        {"category": "training", "name": "=SUM(A1)", "date": IN_2026, "participants": 25, "speaker": "王老师"},
    )
    create_record(
        secondary_cadre,
        KINDS["documents"],
        chengguan,
        {
            "kind": "annual_plan",
            "title": "2026年学习计划",
            "date": IN_2026,
            "file": SimpleUploadedFile("学习计划.pdf", PLAN_BYTES),
        },
    )
    create_record(secondary_cadre, KINDS["teams"], chengguan, {"team": "teachers", "name": "李明", "role": "讲师"})
    create_record(
        secondary_cadre, KINDS["funds"], chengguan, {"amount": Decimal("12000.50"), "date": IN_2026, "purpose": "培训"}
    )
    create_record(
        grassroots_cadre, KINDS["honours"], shequ, {"level": "municipal", "title": "市级学习型工会", "date": IN_2026}
    )
    create_record(
        secondary_cadre,
        KINDS["stations"],
        chengguan,
        {"name": "职工书屋", "area": Decimal("80.5"), "equipment": "投影仪"},
    )
    archive.parent.mkdir()
    return tree


def everything_stored() -> dict[str, list[dict[str, Any]]]:
    """Every row of every kaohe table, as the ORM reads it: units, accounts, the standard, records, history."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_config.name.startswith("kaohe.")
    }


def figures_of(units: list[Organisation]) -> dict[str, list[Figure]]:
    """The figures as the restored installation computes them, on the standard it has in force."""
    in_force = standard_in_force(2026)
    fresh = list(Organisation.objects.filter(pk__in=[unit.pk for unit in units]).order_by("path"))
    figures = compute_figures(fresh, 2026, in_force.doc)
    return {unit.code: figures[unit.pk] for unit in fresh}


def stored_files(media: Path) -> dict[str, bytes]:
    return {path.relative_to(media).as_posix(): path.read_bytes() for path in media.rglob("*") if path.is_file()}


def rewritten(
    source: Path, target: Path, change: Callable[[str, bytes], bytes], rename: Callable[[str], str] = str
) -> Path:
    """The same archive with each member's bytes passed through `change` (and its name through `rename`), as
    someone tampering would."""
    with tarfile.open(source) as original, tarfile.open(target, "w:gz") as copy:
        for member in original:
            extracted = original.extractfile(member)
            data = change(member.name, extracted.read() if extracted else b"")
            forged = tarfile.TarInfo(rename(member.name))
            forged.size = len(data)
            copy.addfile(forged, io.BytesIO(data))
    return target


@RESTORES
def test_a_restore_brings_back_every_record_figure_and_file_as_it_was(district, media, archive, district_admin):
    units = [district["YX"], district["YX-S1"], district["YX-S1-G1"]]
    before, figures_before, files_before = everything_stored(), figures_of(units), stored_files(media)
    assert list(files_before.values()) == [PLAN_BYTES]
    call_command("backup", str(archive))

    # After the backup: a lecture is added, an honour deleted, a unit's members edited, a new document uploaded,
    # and the plan's file lost from the disk.
    shequ = district["YX-S1-G1"]
    lecture = {"category": "lecture", "name": "大讲堂第4讲", "date": IN_2026, "participants": 90}
    create_record(district_admin, KINDS["activities"], shequ, lecture)
    delete_record(district_admin, Honour.objects.get())
    update_organisation(district_admin, shequ, members=500)
    later = {"kind": "report", "title": "报告", "date": IN_2026, "file": SimpleUploadedFile("报告.pdf", b"later")}
    create_record(district_admin, KINDS["documents"], district["YX-S1"], later)
    (media / Document.objects.get(title="2026年学习计划").file.name).unlink()
    assert everything_stored() != before
    assert figures_of(units) != figures_before
    assert stored_files(media) != files_before

    call_command("restore", str(archive), "--force")

    assert everything_stored() == before
    assert figures_of(units) == figures_before
    assert stored_files(media) == files_before
    plan = Document.objects.get(title="2026年学习计划")
    assert plan.file.read() == PLAN_BYTES


@RESTORES
def test_the_archive_names_what_it_holds_and_only_its_owner_reads_it(district, media, archive):
    call_command("backup", str(archive))

    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # password hashes and people's names are inside
    with tarfile.open(archive) as opened:
        names = opened.getnames()
        manifest = json.loads(opened.extractfile("manifest.json").read())
    [plan] = Document.objects.all()
    assert names == ["manifest.json", manifest["database_member"], f"media/{plan.file.name}"]
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"]["records_activity"] == Activity.objects.count() == 4
    assert manifest["tables"]["organisations_organisation"] == Organisation.objects.count()
    assert manifest["files"] == [
        {"path": plan.file.name, "size": len(PLAN_BYTES), "sha256": hashlib.sha256(PLAN_BYTES).hexdigest()}
    ]
    assert not list(archive.parent.glob("*.partial"))


@RESTORES
def test_a_new_machine_restores_without_force(district, media, archive):
    before, files_before = everything_stored(), stored_files(media)
    call_command("backup", str(archive))
    call_command("flush", "--no-input")  # a freshly migrated database: nothing of kaohe's in it
    for path in media.rglob("*"):
        if path.is_file():
            path.unlink()

    call_command("restore", str(archive))

    assert everything_stored() == before
    assert stored_files(media) == files_before


@RESTORES
def test_restoring_over_data_needs_force_and_changes_nothing_without_it(district, media, archive, district_admin):
    call_command("backup", str(archive))
    lecture = {"category": "lecture", "name": "备份之后", "date": IN_2026, "participants": 10}
    create_record(district_admin, KINDS["activities"], district["YX-S1-G1"], lecture)
    after = everything_stored()

    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive))

    assert everything_stored() == after


@RESTORES
def test_an_archive_of_another_database_vendor_is_refused(district, media, archive, tmp_path):
    call_command("backup", str(archive))

    def other_vendor(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        return json.dumps({**manifest, "vendor": OTHER_VENDOR[connection.vendor]}).encode()

    foreign = rewritten(archive, tmp_path / "foreign.tar.gz", other_vendor)
    Honour.objects.all().delete()

    with pytest.raises(CommandError, match=OTHER_VENDOR[connection.vendor]):
        call_command("restore", str(foreign), "--force")

    assert not Honour.objects.exists()


@RESTORES
def test_a_truncated_archive_is_refused_before_anything_changes(district, media, archive, tmp_path):
    call_command("backup", str(archive))
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    Honour.objects.all().delete()
    files = stored_files(media)

    with pytest.raises(CommandError, match=re.escape(str(truncated))):
        call_command("restore", str(truncated), "--force")

    assert not Honour.objects.exists()
    assert stored_files(media) == files


@RESTORES
def test_a_file_whose_bytes_do_not_match_their_sha256_is_refused(district, media, archive, tmp_path):
    call_command("backup", str(archive))
    tampered = rewritten(
        archive, tmp_path / "tampered.tar.gz", lambda name, data: b"forged" if name.startswith("media/") else data
    )
    Honour.objects.all().delete()

    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore", str(tampered), "--force")

    assert not Honour.objects.exists()


@RESTORES
def test_an_archive_placing_a_file_outside_media_root_is_refused(district, media, archive, tmp_path):
    call_command("backup", str(archive))
    escaping = "../escaped.pdf"

    def escape(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["files"][0]["path"] = escaping
        return json.dumps(manifest).encode()

    def rename(name: str) -> str:
        return f"media/{escaping}" if name.startswith("media/") else name

    hostile = rewritten(archive, tmp_path / "hostile.tar.gz", escape, rename)

    with pytest.raises(CommandError, match=re.escape(str(hostile))):
        call_command("restore", str(hostile), "--force")

    assert not (media / escaping).exists()


@RESTORES
def test_a_missing_archive_or_folder_is_a_message_not_a_traceback(tmp_path):
    nowhere, no_folder = tmp_path / "nowhere.tar.gz", tmp_path / "no-such-folder"

    with pytest.raises(CommandError, match=re.escape(str(nowhere))):
        call_command("restore", str(nowhere))
    with pytest.raises(CommandError, match=re.escape(str(no_folder))):
        call_command("backup", str(no_folder / "kaohe.tar.gz"))


def fake_client(folder: Path, tool: str, version_line: str) -> None:
    folder.mkdir(exist_ok=True)
    script = folder / tool
    script.write_text(f"#!/bin/sh\necho '{version_line}'\n")
    script.chmod(0o755)


def test_pg_dump_must_be_installed(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(BackupError, match="postgresql-client-15"):
        postgres_client("pg_dump", server_major=15)


def test_pg_dump_of_another_major_version_than_the_server_is_refused(tmp_path, monkeypatch):
    fake_client(tmp_path / "bin", "pg_dump", "pg_dump (PostgreSQL) 14.11 (Debian 14.11-1)")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))

    with pytest.raises(BackupError, match="postgresql-client-15"):
        postgres_client("pg_dump", server_major=15)


def test_pg_dump_of_the_servers_major_version_is_used(tmp_path, monkeypatch):
    fake_client(tmp_path / "bin", "pg_dump", "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")

    assert postgres_client("pg_dump", server_major=15) == str(tmp_path / "bin" / "pg_dump")
