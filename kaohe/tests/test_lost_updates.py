"""No lost update: every edit form carries the version it was read at, and a save over a newer one is refused.

Two people open the same unit, record or account. The first saves. The second's save would put back what
the first changed; instead it is refused, with a message naming who changed which field to what, and the
form comes back with the stored values and their version, so that the second person makes their change
again on top of the first's.
"""

from __future__ import annotations

import datetime
import threading
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kaohe.accounts.models import Role, User
from kaohe.conftest import form_as_sent, make_user
from kaohe.history.models import Action, Event
from kaohe.organisations import actions as unit_actions
from kaohe.organisations.importing import CATEGORY, CODE, MEMBERS, NAME, PARENT, plan_import
from kaohe.organisations.models import Organisation
from kaohe.records.actions import delete_record, update_record
from kaohe.records.models import Activity, ActivityCategory, Document, DocumentKind
from kaohe.versions import NOT_DELETED, NOT_SAVED, UNVERSIONED, StaleEdit

pytestmark = pytest.mark.django_db

UNIT_EDIT = reverse("organisations:edit", args=["YX-S1-G1"])


def client_of(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def named(person: User, full_name: str) -> User:
    person.first_name = full_name
    person.save()
    return person


def refusal(response: Any) -> str:
    assert response.status_code == 200
    return " ".join(response.context["form"].non_field_errors())


def now_reads(field: str, value: Any) -> str:
    """The sentence of the refusal that gives a field's stored value, as a Chinese page words it."""
    with translation.override("zh-hans"):
        return _("%(field)s is now %(value)s.") % {"field": capfirst(_(field)), "value": value}


def changed_by(thing: str, person: str) -> str:
    """The beginning of the refusal's first sentence, before its time."""
    with translation.override("zh-hans"):
        sentence = _("This %(thing)s was changed by %(person)s at %(time)s since you opened it.")
        return sentence.split("%(time)s")[0] % {"thing": _(thing), "person": person}


def in_chinese(message: Any) -> str:
    with translation.override("zh-hans"):
        return str(message)


def version_shown(response: Any) -> int:
    return int(response.context["form"]["version"].value())


# A unit


def test_a_unit_saved_by_one_cadre_is_not_reverted_by_another_who_opened_it_before(secondary_cadre, grassroots_cadre):
    above, own = client_of(named(secondary_cadre, "张敏")), client_of(grassroots_cadre)
    opened_above, opened_own = above.get(UNIT_EDIT), own.get(UNIT_EDIT)
    assert version_shown(opened_above) == version_shown(opened_own) == 1

    assert above.post(UNIT_EDIT, form_as_sent(opened_above, members="130")).status_code == 302
    refused = own.post(UNIT_EDIT, form_as_sent(opened_own, name="城关社区工会联合会"))

    message = refusal(refused)
    assert changed_by("unit", "张敏") in message
    assert now_reads("members", 130) in message
    assert in_chinese(NOT_SAVED) in message
    stored = Organisation.objects.get(code="YX-S1-G1")
    assert (stored.name, stored.members, stored.version) == ("城关社区工会", 130, 2)
    assert Event.objects.filter(action=Action.ORGANISATION_UPDATED).count() == 1
    # The form shows what is stored now, at its version: the person makes their change again on top of it.
    assert (refused.context["form"]["members"].value(), version_shown(refused)) == (130, 2)

    again = own.post(UNIT_EDIT, form_as_sent(refused, name="城关社区工会联合会"))

    assert again.status_code == 302
    stored.refresh_from_db()
    assert (stored.name, stored.members, stored.version) == ("城关社区工会联合会", 130, 3)


def test_a_save_that_changes_nothing_still_leaves_the_version_as_it_was(grassroots_cadre):
    own = client_of(grassroots_cadre)

    assert own.post(UNIT_EDIT, form_as_sent(own.get(UNIT_EDIT))).status_code == 302

    assert Organisation.objects.get(code="YX-S1-G1").version == 1
    assert not Event.objects.exists()


def test_a_move_is_refused_over_a_change_made_since_the_move_form_opened(district_admin, secondary_cadre):
    mover, editor = client_of(district_admin), client_of(named(secondary_cadre, "张敏"))
    move, edit = reverse("organisations:move", args=["YX-S1-G2"]), reverse("organisations:edit", args=["YX-S1-G2"])
    opened_move = mover.get(move)

    assert editor.post(edit, form_as_sent(editor.get(edit), members="99")).status_code == 302
    refused = mover.post(move, form_as_sent(opened_move, new_parent="YX-S2"))

    message = refusal(refused)
    assert changed_by("unit", "张敏") in message
    assert now_reads("members", 99) in message
    assert Organisation.objects.get(code="YX-S1-G2").path == "/YX/YX-S1/YX-S1-G2/"
    assert not Event.objects.filter(action=Action.ORGANISATION_MOVED).exists()

    again = mover.post(move, form_as_sent(refused, new_parent="YX-S2"))

    assert again.status_code == 302
    assert Organisation.objects.get(code="YX-S1-G2").path == "/YX/YX-S2/YX-S1-G2/"


def test_the_refusal_of_an_edit_names_a_move_made_since(district_admin, tree):
    editor = client_of(district_admin)
    edit = reverse("organisations:edit", args=["YX-S1-G2"])
    opened = editor.get(edit)
    other_admin = named(make_user("wangfang", Role.DISTRICT_ADMIN, tree["YX"]), "王芳")

    unit_actions.move_organisation(other_admin, tree["YX-S1-G2"], tree["YX-S2"], read_version=1)
    refused = editor.post(edit, form_as_sent(opened, members="99"))

    assert changed_by("unit", "王芳") in refusal(refused)
    assert now_reads("parent unit", Organisation.objects.get(code="YX-S2")) in refusal(refused)


def test_an_import_moves_the_version_on_so_a_form_opened_before_it_is_refused(grassroots_cadre, tree):
    own = client_of(grassroots_cadre)
    opened = own.get(UNIT_EDIT)
    row = {CODE: "YX-S1-G1", NAME: "城关社区工会", PARENT: "YX-S1", CATEGORY: "基层工会", MEMBERS: 125}
    plan = plan_import([(2, row)], scope=tree["YX"])
    unit_actions.import_organisations(None, plan, scope=tree["YX"], filename="units.csv")

    refused = own.post(UNIT_EDIT, form_as_sent(opened, members="121"))

    assert now_reads("members", 125) in refusal(refused)
    assert Organisation.objects.get(code="YX-S1-G1").members == 125


# Records


@pytest.fixture
def lecture(tree, secondary_cadre) -> Activity:
    return Activity.objects.create(
        organisation=tree["YX-S1-G1"],
        category=ActivityCategory.LECTURE,
        name="读书会",
        date=datetime.date(2026, 3, 1),
        participants=30,
        created_by=secondary_cadre,
    )


def test_an_activity_edited_by_two_people_keeps_the_first_save(district_admin, secondary_cadre, lecture):
    admin, cadre = client_of(named(district_admin, "王芳")), client_of(secondary_cadre)
    edit = reverse("records:edit", args=["activities", lecture.pk])
    opened_by_admin, opened_by_cadre = admin.get(edit), cadre.get(edit)

    assert admin.post(edit, form_as_sent(opened_by_admin, participants="45")).status_code == 302
    refused = cadre.post(edit, form_as_sent(opened_by_cadre, name="读书分享会"))

    message = refusal(refused)
    assert changed_by("activity", "王芳") in message
    assert now_reads("participants", 45) in message
    lecture.refresh_from_db()
    assert (lecture.name, lecture.participants, lecture.version) == ("读书会", 45, 2)
    assert Event.objects.filter(action=Action.RECORD_UPDATED).count() == 1

    again = cadre.post(edit, form_as_sent(refused, name="读书分享会"))

    assert again.status_code == 302
    lecture.refresh_from_db()
    assert (lecture.name, lecture.participants) == ("读书分享会", 45)


def test_a_documents_new_file_is_not_lost_to_a_form_opened_before_it(
    district_admin, secondary_cadre, tree, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    document = Document.objects.create(
        organisation=tree["YX-S1"], kind=DocumentKind.ANNUAL_PLAN, title="学习计划", date=datetime.date(2026, 1, 5)
    )
    admin, cadre = client_of(named(district_admin, "王芳")), client_of(secondary_cadre)
    edit = reverse("records:edit", args=["documents", document.pk])
    opened_by_admin, opened_by_cadre = admin.get(edit), cadre.get(edit)

    upload = SimpleUploadedFile("计划定稿.pdf", b"%PDF-1.4 final")
    assert admin.post(edit, {**form_as_sent(opened_by_admin), "file": upload}).status_code == 302
    refused = cadre.post(edit, form_as_sent(opened_by_cadre, title="2026年学习计划"))

    assert now_reads("file", "计划定稿.pdf") in refusal(refused)
    document.refresh_from_db()
    assert (document.title, document.file.read()) == ("学习计划", b"%PDF-1.4 final")

    assert cadre.post(edit, form_as_sent(refused, title="2026年学习计划")).status_code == 302
    document.refresh_from_db()
    assert (document.title, document.file.read()) == ("2026年学习计划", b"%PDF-1.4 final")


def test_a_record_changed_since_its_delete_page_opened_is_not_deleted(district_admin, secondary_cadre, lecture):
    admin, cadre = client_of(named(district_admin, "王芳")), client_of(secondary_cadre)
    edit, delete = (reverse(f"records:{page}", args=["activities", lecture.pk]) for page in ("edit", "delete"))
    asked = cadre.get(delete)

    assert admin.post(edit, form_as_sent(admin.get(edit), participants="45")).status_code == 302
    refused = cadre.post(delete, form_as_sent(asked))

    message = refusal(refused)
    assert changed_by("activity", "王芳") in message
    assert now_reads("participants", 45) in message
    assert in_chinese(NOT_DELETED) in message
    assert Activity.objects.filter(pk=lecture.pk).exists()
    assert not Event.objects.filter(action=Action.RECORD_DELETED).exists()

    again = cadre.post(delete, form_as_sent(refused))

    assert again.status_code == 302
    assert not Activity.objects.filter(pk=lecture.pk).exists()


def test_a_record_deleted_twice_at_once_is_deleted_once(secondary_cadre, lecture):
    cadre = client_of(secondary_cadre)
    delete = reverse("records:delete", args=["activities", lecture.pk])
    asked = cadre.get(delete)

    delete_record(secondary_cadre, lecture, read_version=1)  # the first click, done while the second is sent

    assert cadre.post(delete, form_as_sent(asked)).status_code == 404
    assert delete_record(secondary_cadre, lecture, read_version=1) == lecture
    assert Event.objects.filter(action=Action.RECORD_DELETED).count() == 1


def test_an_edit_of_a_record_deleted_meanwhile_is_refused_not_an_error(secondary_cadre, lecture):
    delete_record(secondary_cadre, lecture, read_version=1)

    # A refusal the form shows like any other, where the lock would otherwise find no row (a server error).
    with pytest.raises(ValidationError):
        update_record(secondary_cadre, lecture, {"name": "读书分享会"}, read_version=1)


# An account


@pytest.fixture
def colleague(tree) -> User:
    return named(make_user("g1-colleague", Role.CADRE, tree["YX-S1-G1"]), "李晓")


def test_an_account_edited_by_two_managers_keeps_the_first_save(district_admin, secondary_cadre, colleague):
    admin, cadre = client_of(named(district_admin, "王芳")), client_of(secondary_cadre)
    edit = reverse("people_edit", args=["g1-colleague"])
    opened_by_admin, opened_by_cadre = admin.get(edit), cadre.get(edit)

    assert admin.post(edit, form_as_sent(opened_by_admin, full_name="李晓明")).status_code == 302
    refused = cadre.post(edit, form_as_sent(opened_by_cadre, unit="YX-S1-G2"))

    message = refusal(refused)
    assert changed_by("user", "王芳") in message
    assert now_reads("Full name", "李晓明") in message
    colleague.refresh_from_db()
    assert (colleague.get_full_name(), colleague.organisation.code, colleague.version) == ("李晓明", "YX-S1-G1", 2)
    assert Event.objects.filter(action=Action.ACCOUNT_UPDATED).count() == 1

    again = cadre.post(edit, form_as_sent(refused, unit="YX-S1-G2"))

    assert again.status_code == 302
    colleague.refresh_from_db()
    assert (colleague.get_full_name(), colleague.organisation.code) == ("李晓明", "YX-S1-G2")


def test_a_deactivation_since_the_form_opened_is_named(district_admin, secondary_cadre, colleague):
    admin, cadre = client_of(named(district_admin, "王芳")), client_of(secondary_cadre)
    edit = reverse("people_edit", args=["g1-colleague"])
    opened = cadre.get(edit)

    assert admin.post(reverse("people_deactivate", args=["g1-colleague"])).status_code == 302
    refused = cadre.post(edit, form_as_sent(opened, full_name="李晓明"))

    with translation.override("zh-hans"):
        assert now_reads("active", _("no")) in refusal(refused)
    assert User.objects.get(username="g1-colleague").get_full_name() == "李晓"


# A form without its version


def test_an_edit_sent_without_its_version_is_refused_and_the_form_given_one(grassroots_cadre):
    own = client_of(grassroots_cadre)

    refused = own.post(UNIT_EDIT, {"name": "改名", "members": "1"})

    assert in_chinese(UNVERSIONED) in refusal(refused)
    assert Organisation.objects.get(code="YX-S1-G1").name == "城关社区工会"
    assert version_shown(refused) == 1
    assert own.post(UNIT_EDIT, form_as_sent(refused, name="改名")).status_code == 302


@pytest.mark.parametrize("version", ["", "二", "-1", "1.5", "9" * 40])
def test_a_garbled_version_is_refused_never_an_error(grassroots_cadre, version):
    own = client_of(grassroots_cadre)

    response = own.post(UNIT_EDIT, {"name": "改名", "members": "1", "version": version})

    assert response.status_code == 200
    assert Organisation.objects.get(code="YX-S1-G1").name == "城关社区工会"


# At the same moment


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_from_the_same_version_land_once(tree, monkeypatch):
    """The second save waits for the first one's row lock, then finds the version moved on."""
    database = connections["default"]
    if isinstance(database, SQLiteDatabaseWrapper) and database.is_in_memory_db():
        pytest.skip("needs PostgreSQL or a SQLite file; the in-memory test database cannot make a writer wait")
    first_is_writing = threading.Event()
    record_event = unit_actions.record_event

    def record_and_linger(*args: Any, **kwargs: Any) -> Event:
        event = record_event(*args, **kwargs)
        if threading.current_thread().name == "first":
            first_is_writing.set()
            time.sleep(0.5)  # still in its transaction: the second save arrives now
        return event

    monkeypatch.setattr(unit_actions, "record_event", record_and_linger)
    outcomes: dict[str, str] = {}

    def save(values: dict[str, Any]) -> None:
        name = threading.current_thread().name
        try:
            if name == "second":
                first_is_writing.wait()
            unit = Organisation.objects.get(code="YX-S1-G1")
            unit_actions.update_organisation(None, unit, read_version=1, **values)
            outcomes[name] = "saved"
        except StaleEdit:
            outcomes[name] = "refused"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, name="first", args=({"name": "城关社区工会", "members": 130},)),
        threading.Thread(target=save, name="second", args=({"name": "社区工会", "members": 120},)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == {"first": "saved", "second": "refused"}
    stored = Organisation.objects.get(code="YX-S1-G1")
    assert (stored.name, stored.members, stored.version) == ("城关社区工会", 130, 2)
