"""`kaohe serve`: kaohe under gunicorn, the production server, serving its static files itself (WhiteNoise).

Before the workers start it collects the static files (WhiteNoise serves them from STATIC_ROOT once DEBUG is
off), makes sure the database cache has its table, puts a SQLite database into write-ahead mode and loads
every view, template and message catalogue, so that the workers fork ready. It does not migrate: with several
app servers, the deploy runs `kaohe migrate` once, before starting them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, connection, connections
from django.template.loader import get_template
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver
from django.utils import translation
from gunicorn.app.base import BaseApplication

# gunicorn's usual line, plus how long the request took.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
MAX_WORKERS = 12
# A second thread per process keeps a slow page (an import, a large export) from holding up quick ones.
DEFAULT_THREADS = 2
DATABASE_CACHE = "django.core.cache.backends.db.DatabaseCache"


def available_cores() -> int:
    """The cores this process may run on (a container or systemd may allow fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_workers(cores: int) -> int:
    """Two processes per core: one computes while the other waits for the database. Measured with `make load`
    on 2 cores, 4 × 2 threads gave the best p95; 8 processes, or 4 threads each, spent more CPU per request."""
    return max(2, min(MAX_WORKERS, 2 * cores))


def gunicorn_options(bind: str, workers: int, threads: int, timeout: int, access_log: bool) -> dict[str, Any]:
    return {
        "bind": [bind],
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        # A worker takes only the connections its threads can serve at once, so that the others get the rest:
        # left to gunicorn (1000), a worker busy with slow requests keeps accepting and queues quick ones.
        "worker_connections": threads,
        # Then no thread waits on an idle kept-alive connection; the proxy keeps the browsers' ones alive.
        "keepalive": 0,
        "timeout": timeout,
        "graceful_timeout": 30,
        "accesslog": "-" if access_log else None,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "proc_name": "kaohe",
        # Django is loaded once, before the workers fork from this process.
        "preload_app": True,
        # Whether X-Forwarded-Proto is believed is Django's setting (BEHIND_PROXY), not gunicorn's as well.
        "secure_scheme_headers": {},
        # gunicorn's control socket sits at one fixed path per user: a second server on the machine would
        # take it over, and kaohe never uses it.
        "control_socket_disable": True,
    }


def create_cache_table() -> None:
    """The database cache's table (nothing to do for Redis). Servers started at once may race to create it."""
    tables = {cache["LOCATION"] for cache in settings.CACHES.values() if cache["BACKEND"] == DATABASE_CACHE}
    if not tables:
        return
    try:
        call_command("createcachetable", verbosity=0)
    except DatabaseError:
        if not tables <= set(connection.introspection.table_names()):
            raise


def warm_up() -> None:
    """What each process would otherwise do on its first requests (import every view, read the message
    catalogues, compile every template), done once here so that the workers fork warm."""
    get_resolver().url_patterns  # noqa: B018 (imports every view)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("Log in")
    for directory in _our_template_dirs():
        for path in directory.rglob("*.html"):
            get_template(path.relative_to(directory).as_posix())


def _our_template_dirs() -> list[Path]:
    """kaohe's template folders (Django's admin compiles its own when an operator first opens it)."""
    project = cast("list[Any]", settings.TEMPLATES[0]["DIRS"])
    folders = [*project, *get_app_template_dirs("templates")]
    return [Path(folder) for folder in folders if Path(folder).is_relative_to(settings.BASE_DIR)]


def use_write_ahead_log() -> None:
    """SQLite: pages keep reading while an import writes. The mode is kept in the database file."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")


class Command(BaseCommand):
    help = "Runs kaohe under gunicorn, the production server; static files are served by kaohe itself."

    def add_arguments(self, parser: CommandParser) -> None:
        cores = available_cores()
        parser.add_argument(
            "--bind", default=settings.SERVE_BIND, help="HOST:PORT or unix:PATH (KAOHE_BIND; 127.0.0.1:8000)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.SERVE_WORKERS or default_workers(cores),
            help=f"processes (WEB_CONCURRENCY; here {default_workers(cores)}: two per core)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.SERVE_THREADS or DEFAULT_THREADS,
            help=f"threads per process (KAOHE_THREADS; {DEFAULT_THREADS})",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=settings.SERVE_TIMEOUT,
            help="seconds before a request is cut (KAOHE_TIMEOUT)",
        )
        parser.add_argument("--no-access-log", action="store_true", help="do not log every request to stdout")
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="the static files are in STATIC_ROOT already"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        create_cache_table()
        use_write_ahead_log()
        warm_up()
        # The workers fork from this process: none may inherit its database connection.
        connections.close_all()
        KaoheServer(
            gunicorn_options(
                options["bind"],
                options["workers"],
                options["threads"],
                options["timeout"],
                not options["no_access_log"],
            )
        ).run()


class KaoheServer(BaseApplication):
    """gunicorn run in this process, configured from the command's options rather than its own command line."""

    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        from kaohe.wsgi import application

        return application
