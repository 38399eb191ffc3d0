"""`kaohe setup`: a federation starts for real on an empty database, without the demo.

It makes the district federation and its first district administrator, checked as the pages' forms check
them, and says how to bring in the units; on a database that has a district it refuses and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kaohe.accounts.models import Role, User
from kaohe.history.models import Action, Event
from kaohe.organisations.management.commands import setup
from kaohe.organisations.models import Category, Organisation

pytestmark = pytest.mark.django_db

PASSWORD = "Fangshan-learns-2026"
FEDERATION = ["--code", "FS", "--name", "房山区总工会", "--admin-username", "fsadmin", "--admin-name", "王芳"]


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password"
    path.write_text(f"{PASSWORD}\n", encoding="utf-8")
    return path


def set_up(*options: Any) -> str:
    """Runs the command as a script would (no questions) and returns what it printed."""
    with translation.override("zh-hans"):
        out = StringIO()
        call_command("setup", *options, "--no-input", stdout=out)
        return out.getvalue()


def nothing_was_made() -> bool:
    return not Organisation.objects.exists() and not User.objects.exists() and not Event.objects.exists()


def test_an_empty_database_gets_its_district_and_first_administrator(client, password_file):
    set_up(*FEDERATION, "--password-file", str(password_file))

    district = Organisation.objects.get()
    assert (district.code, district.name, district.category) == ("FS", "房山区总工会", Category.DISTRICT)
    assert district.parent is None
    assert (district.path, district.depth) == ("/FS/", 0)
    administrator = User.objects.get()
    assert (administrator.username, administrator.get_full_name()) == ("fsadmin", "王芳")
    assert (administrator.role, administrator.organisation) == (Role.DISTRICT_ADMIN, district)
    assert (administrator.is_staff, administrator.is_superuser) == (False, False)  # kaohe's pages, not the admin
    assert administrator.check_password(PASSWORD)
    client.post(reverse("login"), {"username": "fsadmin", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(administrator.pk)


def test_what_setup_made_is_in_the_history(password_file):
    set_up(*FEDERATION, "--password-file", str(password_file))

    events = {event.action: event for event in Event.objects.all()}
    assert set(events) == {Action.ORGANISATION_CREATED, Action.ACCOUNT_CREATED}
    assert events[Action.ORGANISATION_CREATED].details["by"] == "kaohe setup"
    assert events[Action.ACCOUNT_CREATED].details["username"] == "fsadmin"
    assert PASSWORD not in str([event.details for event in events.values()])


def test_it_says_how_to_import_the_units_next(password_file):
    printed = set_up(*FEDERATION, "--password-file", str(password_file))

    assert "房山区总工会（FS）" in printed
    assert reverse("organisations:import") in printed  # the units import page
    assert "kaohe import_orgs" in printed
    assert "上级单位编码" in printed
    assert reverse("people") in printed


def test_the_password_may_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(setup.PASSWORD_ENVIRONMENT_VARIABLE, PASSWORD)

    set_up(*FEDERATION)

    assert User.objects.get().check_password(PASSWORD)


def test_a_database_with_a_district_is_refused_and_left_as_it_was(tree, district_admin, password_file):
    units, events = Organisation.objects.count(), Event.objects.count()

    with pytest.raises(CommandError) as refused:
        set_up(*FEDERATION, "--password-file", str(password_file))

    assert "云溪区总工会（YX）" in str(refused.value)
    assert "kaohe setup" in str(refused.value)
    assert (Organisation.objects.count(), Event.objects.count()) == (units, events)
    assert not User.objects.filter(username="fsadmin").exists()


def test_a_district_is_refused_before_any_question_is_asked(tree, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(setup, "ask", asked.append)

    with pytest.raises(CommandError):
        call_command("setup")

    assert asked == []


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--code", "F S", "District federation's code"),  # codes are letters, digits, '.', '_' and '-'
        ("--code", "-FS", "District federation's code"),  # and begin with a letter or digit
        ("--code", "F" * 41, "District federation's code"),  # at most 40
        ("--name", "房山区总工会" * 17, "District federation's name"),  # at most 100
        ("--name", "房山区\x07总工会", "District federation's name"),  # a control character
        ("--admin-username", "fs admin", "username"),
        ("--admin-name", "王" * 151, "Full name"),
    ],
)
def test_a_bad_value_is_refused_by_the_forms_rules(password_file, option, value, field):
    position = FEDERATION.index(option)
    # As --code=-FS, so that a value beginning with "-" is not taken for an option.
    options = [*FEDERATION[:position], f"{option}={value}", *FEDERATION[position + 2 :]]

    with pytest.raises(CommandError) as refused:
        set_up(*options, "--password-file", str(password_file))

    with translation.override("zh-hans"):
        assert str(refused.value).startswith(f"{capfirst(_(field))}: ")  # named by the field's label
    assert nothing_was_made()


@pytest.mark.parametrize("password", ["12345678", "short", "fsadmin2026", "password"])
def test_a_weak_password_is_refused_by_djangos_validators(tmp_path, password):
    path = tmp_path / "password"
    path.write_text(password, encoding="utf-8")

    with pytest.raises(CommandError):
        set_up(*FEDERATION, "--password-file", str(path))

    assert nothing_was_made()


def test_without_questions_every_value_must_be_given():
    with pytest.raises(CommandError) as refused:
        set_up("--code", "FS")

    message = str(refused.value)
    assert "--name" in message
    assert "--admin-username" in message
    assert "--admin-name" in message
    assert "--password-file" in message
    assert "--code" not in message
    assert nothing_was_made()


def test_a_password_file_that_cannot_be_read_is_refused(tmp_path):
    with pytest.raises(CommandError) as refused:
        set_up(*FEDERATION, "--password-file", str(tmp_path / "absent"))

    assert "absent" in str(refused.value)
    assert nothing_was_made()


def test_a_username_an_operator_holds_already_is_refused(password_file):
    User.objects.create_superuser("fsadmin", password="operator-password-42")

    with pytest.raises(CommandError):
        set_up(*FEDERATION, "--password-file", str(password_file))

    assert not Organisation.objects.exists()


def answers(*typed: str) -> Any:
    """What a person types at the questions, in order."""
    given: Iterator[str] = iter(typed)
    return lambda prompt: next(given)


def test_in_a_terminal_it_asks_for_what_is_missing_and_again_for_what_is_wrong(monkeypatch, capsys):
    monkeypatch.setattr(setup, "ask", answers("F S", "FS", "房山区总工会", "fs admin", "fsadmin", "王芳"))
    monkeypatch.setattr(setup, "ask_password", answers(PASSWORD, "typed-differently-99", PASSWORD, PASSWORD))

    call_command("setup")

    told = capsys.readouterr().err
    assert told.count("\n") == 3  # the code, the username, the password typed differently: each said at once
    district = Organisation.objects.get()
    assert (district.code, district.name, district.category) == ("FS", "房山区总工会", Category.DISTRICT)
    assert User.objects.get(username="fsadmin").check_password(PASSWORD)


def test_in_a_terminal_options_are_used_and_only_the_rest_asked(monkeypatch, password_file):
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return "王芳"

    monkeypatch.setattr(setup, "ask", ask)
    options = FEDERATION[: FEDERATION.index("--admin-name")]

    call_command("setup", *options, "--password-file", str(password_file))

    assert len(asked) == 1
    assert User.objects.get().get_full_name() == "王芳"


def test_giving_up_at_a_question_sets_nothing_up(monkeypatch):
    def give_up(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr(setup, "ask", give_up)

    with pytest.raises(CommandError):
        call_command("setup")

    assert nothing_was_made()
