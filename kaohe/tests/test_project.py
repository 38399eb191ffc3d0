"""What a deployment relies on: production settings pass Django's checks, assets are served locally,
every visible string has its Chinese translation, and the demo district builds."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.urls import reverse

from kaohe.accounts.models import Role, User
from kaohe.organisations.models import Category, Organisation

ROOT = Path(__file__).resolve().parents[2]
KAOHE = ROOT / "kaohe"


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "kaohe.settings",
        "SECRET_KEY": "a-long-random-production-key-" + "x7Kq9" * 10,
        "ALLOWED_HOSTS": "kaohe.fs.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "KAOHE_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "kaohe.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_laptop_gets_a_generated_secret_key_kept_beside_its_database(tmp_path):
    env = {"PATH": os.environ["PATH"], "KAOHE_DATA_DIR": str(tmp_path), "DEBUG": "1"}
    command = [sys.executable, "-c", "import kaohe.settings as s; print(s.SECRET_KEY, s.DATABASES['default']['NAME'])"]

    first = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()  # noqa: S603 (a fixed command)
    second = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()  # noqa: S603 (a fixed command)

    assert first == second
    assert len(first[0]) >= 50
    assert first[1] == str(tmp_path / "kaohe.sqlite3")


def test_vendored_assets_are_the_versions_the_lockfile_pins():
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    vendor = KAOHE / "static" / "vendor"

    bootstrap = lock["node_modules/bootstrap"]["version"]
    htmx = lock["node_modules/htmx.org"]["version"]

    assert f"Bootstrap  v{bootstrap} " in (vendor / "bootstrap" / "bootstrap.min.css").read_text()[:200]
    assert f"Bootstrap v{bootstrap} " in (vendor / "bootstrap" / "bootstrap.bundle.min.js").read_text()[:200]
    assert f'version:"{htmx}"' in (vendor / "htmx" / "htmx.min.js").read_text()
    echarts = lock["node_modules/echarts"]["version"]
    assert f't.version="{echarts}"' in (vendor / "echarts" / "echarts.min.js").read_text()


def test_no_template_loads_anything_from_another_host():
    remote = re.compile(r"""(src|href)=["'](https?:)?//""")
    offenders = [path for path in KAOHE.rglob("*.html") if remote.search(path.read_text())]

    assert offenders == []


def test_every_string_has_its_chinese_translation_and_the_catalogue_is_compiled():
    po = polib.pofile(str(KAOHE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    mo = polib.mofile(str(KAOHE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"))

    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    compiled = {entry.msgid: entry.msgstr or entry.msgstr_plural for entry in mo}
    assert {entry.msgid: entry.msgstr or entry.msgstr_plural for entry in po} == compiled, "run `make messages`"


def test_pages_are_chinese_by_default_even_for_an_english_browser(client, secondary_cadre):
    client.force_login(secondary_cadre)

    page = client.get(reverse("organisations:tree"), headers={"accept-language": "en-US,en;q=0.9"})

    assert "组织架构" in page.content.decode()


def test_a_user_who_picks_english_gets_english(client, secondary_cadre):
    client.force_login(secondary_cadre)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("organisations:tree")).content.decode()

    assert "Import units" in page
    assert "导入单位" not in page


@pytest.mark.django_db
def test_the_demo_district_has_the_promised_shape_and_a_login_per_role():
    call_command("demo", "--scale", "district")

    counts = {category: Organisation.objects.filter(category=category).count() for category in Category}
    assert counts[Category.DISTRICT] == 1
    assert counts[Category.TOWNSHIP] + counts[Category.BUREAU] == 25
    assert counts[Category.DIRECT] == 15
    assert counts[Category.GRASSROOTS] == 400
    members = list(Organisation.objects.filter(category=Category.GRASSROOTS).values_list("members", flat=True))
    assert min(members) >= 3
    assert max(members) <= 2000
    assert 20 < sum(members) / len(members) < 200
    roles = {user.username: (user.role, user.organisation.tier) for user in User.objects.select_related("organisation")}
    assert roles == {
        "admin": (Role.DISTRICT_ADMIN, "district"),
        "assessor": (Role.ASSESSOR, "district"),
        "secondary": (Role.CADRE, "secondary"),
        "grassroots": (Role.CADRE, "grassroots"),
    }


@pytest.mark.django_db
def test_the_demo_loads_once_with_if_empty_and_reloading_never_duplicates(capsys):
    call_command("demo", "--scale", "district", "--if-empty")
    call_command("demo", "--scale", "district", "--if-empty")
    call_command("demo", "--scale", "district")

    assert Organisation.objects.count() == 441
    assert "not loaded" in capsys.readouterr().out


def test_the_large_demo_has_thirty_thousand_units():
    from kaohe.organisations import demo

    rows = demo.large_rows()

    assert len(rows) == 30_000
    assert len({row["单位编码"] for row in rows}) == 30_000
