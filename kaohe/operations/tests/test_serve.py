"""`kaohe serve` as an operator starts it: gunicorn, its static files, and app servers behind one proxy
that share nothing but the database and the file store."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import urllib.parse
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from kaohe.accounts.models import User
from kaohe.operations.load import Browser, form_fields, log_in_as, replaced
from kaohe.operations.serving import Server, served, servers

PASSWORD = "correct-horse-42"
SECRET_KEY = "one-secret-for-every-app-server-" + "k3Vq8" * 10
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
NEEDS_POSTGRESQL = "app servers share a PostgreSQL database: run with DATABASE_URL=postgres://…"


def test_serve_runs_kaohe_under_gunicorn_and_serves_its_static_files_from_a_fresh_checkout(tmp_path):
    database = tmp_path / "kaohe.sqlite3"
    env = {"KAOHE_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{database}"}

    with served(["--workers=1", "--threads=2"], env, logs=tmp_path) as server:
        browser = Browser(server.base_url)
        login = browser.get("/accounts/login/")
        stylesheet = browser.get("/static/vendor/bootstrap/bootstrap.min.css")

    assert login.status == 200
    assert {"username", "password", "csrfmiddlewaretoken"} <= {name for name, _ in form_fields(login.text, "username")}
    assert stylesheet.status == 200
    assert stylesheet.headers["content-type"].startswith("text/css")
    assert (tmp_path / "static" / "vendor" / "bootstrap" / "bootstrap.min.css").exists()
    assert '"GET /accounts/login/ HTTP/1.1" 200' in server.output()  # the access log, on stdout
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'kaohe_cache'").fetchone() == ("kaohe_cache",)


def url_of_the_test_database() -> str:
    """The database pytest-django made for the tests (test_…), as the servers' DATABASE_URL."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def can_log_in_on_the_servers(user: User) -> None:
    """The tests hash passwords with MD5, which production does not accept; a PBKDF2 of few rounds it does."""
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt", iterations=1000)
    user.save(update_fields=["password"])


@pytest.fixture(scope="module")
def app_servers(django_db_setup: Any, tmp_path_factory: Any) -> Iterator[list[Server]]:
    """Two app servers on the test database, started once for the stories below (each test's data is
    committed, transaction=True, so that the servers see it)."""
    if not ON_POSTGRESQL:
        pytest.skip(NEEDS_POSTGRESQL)
    store = tmp_path_factory.mktemp("store")
    env = {
        "DATABASE_URL": url_of_the_test_database(),
        "SECRET_KEY": SECRET_KEY,  # sessions are signed with it: every app server needs the same one
        "KAOHE_DATA_DIR": str(store),  # the file store (MEDIA_ROOT) both servers share
        "AXES_FAILURE_LIMIT": "2",
    }
    with servers(2, ["--workers=1", "--threads=2", "--no-collectstatic", "--no-access-log"], env, store) as both:
        yield both


@pytest.mark.skipif(not ON_POSTGRESQL, reason=NEEDS_POSTGRESQL)
@pytest.mark.django_db(transaction=True)
def test_a_person_logs_in_on_one_app_server_and_goes_on_on_the_other(app_servers, secondary_cadre):
    a, b = app_servers
    can_log_in_on_the_servers(secondary_cadre)
    on_a = Browser(a.base_url)
    on_b = Browser(b.base_url)
    on_b.cookies = on_a.cookies  # one browser; the proxy sends each of its requests to either server

    log_in_as(on_a, "chengguan", PASSWORD)
    tree = on_b.get("/units/")

    assert tree.status == 200
    assert "城关街道总工会" in tree.text
    assert "chengguan" in tree.text


@pytest.mark.skipif(not ON_POSTGRESQL, reason=NEEDS_POSTGRESQL)
@pytest.mark.django_db(transaction=True)
def test_records_imported_through_one_app_server_are_listed_by_the_other(app_servers, secondary_cadre):
    a, b = app_servers
    can_log_in_on_the_servers(secondary_cadre)
    on_a = Browser(a.base_url)
    on_b = Browser(b.base_url)
    on_b.cookies = on_a.cookies
    log_in_as(on_b, "chengguan", PASSWORD)
    activities = (
        "单位编码,活动类别,活动日期,活动名称,参加人数\n"
        "YX-S1-G1,大讲堂,2026-03-05,读书分享会,40\n"
        "YX-S1,大讲堂,2026-04-09,劳模讲堂,55\n"
    )

    form = on_b.get("/records/activities/import/")
    fields = form_fields(form.text, "csrfmiddlewaretoken")
    imported = on_a.post_file("/records/activities/import/", fields, "file", "activities.csv", activities.encode())
    listed = on_b.get("/records/activities/")

    assert imported.status == 302
    assert listed.status == 200
    assert "读书分享会" in listed.text
    assert "劳模讲堂" in listed.text


@pytest.mark.skipif(not ON_POSTGRESQL, reason=NEEDS_POSTGRESQL)
@pytest.mark.django_db(transaction=True)
def test_wrong_passwords_count_together_whichever_app_server_they_reach(app_servers, grassroots_cadre):
    a, b = app_servers
    can_log_in_on_the_servers(grassroots_cadre)

    for server in (a, b):  # AXES_FAILURE_LIMIT is 2 on both
        guess = Browser(server.base_url)
        page = guess.get("/accounts/login/")
        fields = replaced(form_fields(page.text, "username"), username="shequ", password="wrong-guess")
        assert guess.post("/accounts/login/", fields).status != 302
    person = Browser(a.base_url)
    page = person.get("/accounts/login/")
    fields = replaced(form_fields(page.text, "username"), username="shequ", password=PASSWORD)
    refused = person.post("/accounts/login/", fields)

    assert refused.status != 302
    assert "sessionid" not in person.cookies


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as redis:
            redis.sendall(b"PING\r\n")
            return redis.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def in_another_process(env: dict[str, str], code: str) -> str:
    script = f"import django; django.setup(); from django.core.cache import cache, caches; {code}"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "kaohe.settings", **env}
    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.mark.parametrize("where", ["database", "redis"])
def test_what_one_process_caches_another_reads(where, tmp_path):
    if where == "redis" and not redis_answers():
        pytest.skip("no Redis at 127.0.0.1:6379")
    env = {"KAOHE_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'kaohe.sqlite3'}"}
    if where == "redis":
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    key = f"kaohe-test-{uuid.uuid4().hex}"

    backend = in_another_process(
        env,
        "from django.core.management import call_command; call_command('createcachetable'); "
        f"cache.set('{key}', 'seen', 60); print(type(caches['default']).__name__)",
    )
    seen = in_another_process(env, f"print(cache.get('{key}')); cache.delete('{key}')")

    assert backend == {"database": "DatabaseCache", "redis": "RedisCache"}[where]
    assert seen == "seen"
