"""Backups: one archive holding the database and every uploaded file, and putting them back exactly.

An archive is a gzip-compressed tar holding, in this order:

- `manifest.json`: kaohe's version, the database vendor, when, the rows of every table, the applied
  migrations, and every file with its size and SHA-256. First, so that a restore refuses a wrong archive
  before reading the rest.
- `database.sqlite3` (SQLite: a consistent copy made with SQLite's online backup API while the server runs)
  or `database.pgdump` (PostgreSQL: `pg_dump --format=custom` of the very snapshot the rows were counted in).
- `media/…`: every file under MEDIA_ROOT.

A restore checks everything it can before it changes anything (vendor, format, migrations, whether it would
overwrite data, every SHA-256), then replaces the database and makes MEDIA_ROOT hold exactly the backup's
files, and finally counts the rows again against the manifest.
"""

from __future__ import annotations

import dataclasses
import datetime
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

FORMAT = 1
MANIFEST_NAME = "manifest.json"
MEDIA_DIR = "media"
# On the 380 MB benchmark database gzip level 1 writes 106 MB in 3.7 s; level 6 needs 10.9 s for 98 MB.
COMPRESSLEVEL = 1
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message tells the person at the terminal why."""


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to MEDIA_ROOT, with forward slashes
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    kaohe_version: str
    vendor: str
    created_at: str  # ISO 8601, UTC
    database_member: str
    database_sha256: str
    tables: dict[str, int]  # rows per table
    migrations: list[tuple[str, str]]  # (app, name) applied
    files: list[StoredFile]
    format: int = FORMAT

    def to_json(self) -> bytes:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False, indent=2).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """Raises ValueError, KeyError or TypeError for anything but a manifest this code can read."""
        fields = json.loads(data)
        if fields.get("format") != FORMAT:
            raise ValueError(f"format {fields.get('format')!r}")
        files = [StoredFile(**stored) for stored in fields.pop("files")]
        for name in [fields["database_member"], *(stored.path for stored in files)]:
            _check_relative(name)
        migrations = [(app, name) for app, name in fields.pop("migrations")]
        return cls(**fields, files=files, migrations=migrations)

    @property
    def created(self) -> datetime.datetime:
        return timezone.localtime(datetime.datetime.fromisoformat(self.created_at))

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass(frozen=True)
class Contents:
    """What a database copy holds, counted inside the copy itself."""

    tables: dict[str, int]
    migrations: list[tuple[str, str]]


class Database(Protocol):
    vendor: str
    member: str

    def dump(self, into: Path) -> Contents: ...

    def load(self, dump: Path) -> None: ...


# Writing


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    manifest: Manifest
    size: int
    seconds: float

    def describe(self) -> str:
        return _(
            "%(file)s: %(rows)s rows in %(tables)s tables and %(files)s uploaded files, %(size)s, in %(seconds).1f s."
        ) % {
            "file": self.path,
            "rows": self.manifest.rows,
            "tables": len(self.manifest.tables),
            "files": len(self.manifest.files),
            "size": filesizeformat(self.size),
            "seconds": self.seconds,
        }


def write_backup(target: Path) -> BackupSummary:
    """Writes the archive beside `target` first and renames it only when complete: a backup that fails midway
    never leaves a truncated archive, nor replaces yesterday's good one."""
    started = time.monotonic()
    database = configured_database()
    if not target.parent.is_dir():
        raise BackupError(_("%(folder)s: no such folder") % {"folder": target.parent})
    try:
        # The copy of the database waits where the archive goes: the operator chose that disk for its size.
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".kaohe-backup-") as scratch:
            dump = Path(scratch) / database.member
            contents = database.dump(dump)
            # Listed after the database is copied, so that every file the copy names is there.
            files = list(_media_files())
            manifest = Manifest(
                kaohe_version=kaohe_version(),
                vendor=database.vendor,
                created_at=timezone.now().isoformat(),
                database_member=database.member,
                database_sha256=_sha256_of(dump),
                tables=contents.tables,
                migrations=contents.migrations,
                files=files,
            )
            _write_archive(target, manifest, dump)
    except OSError as error:
        raise BackupError(_("The backup could not be written: %(error)s") % {"error": error}) from error
    return BackupSummary(target, manifest, target.stat().st_size, time.monotonic() - started)


def _write_archive(target: Path, manifest: Manifest, dump: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    try:
        # Only the owner may read it: it holds every account's password hash and people's names.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=COMPRESSLEVEL) as archive:
                _add_bytes(archive, MANIFEST_NAME, manifest.to_json())
                _add_file(archive, manifest.database_member, dump, manifest.database_sha256)
                for stored in manifest.files:
                    _add_file(archive, f"{MEDIA_DIR}/{stored.path}", _media_root() / stored.path, stored.sha256)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    archive.addfile(_member(name, len(data)), io.BytesIO(data))


def _add_file(archive: tarfile.TarFile, name: str, path: Path, sha256: str) -> None:
    """Adds the file as it was hashed for the manifest; a file that changed since is refused, not archived."""
    try:
        file = path.open("rb")
    except FileNotFoundError:
        raise _changed_during_backup(name) from None
    with file:
        size = os.fstat(file.fileno()).st_size
        reader = _HashingReader(file, size, name)
        archive.addfile(_member(name, size), reader)
    if reader.hexdigest() != sha256:
        raise _changed_during_backup(name)


def _changed_during_backup(name: str) -> BackupError:
    return BackupError(_("%(file)s changed while it was being backed up: run the backup again.") % {"file": name})


def _member(name: str, size: int) -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.size = size
    member.mtime = int(time.time())
    member.mode = 0o600
    return member


class _HashingReader:
    """Hands tarfile a file's bytes and hashes them on the way; a file that shrank since is refused."""

    def __init__(self, file: IO[bytes], size: int, name: str):
        self._file, self._left, self._name = file, size, name
        self._hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        if not data and self._left:
            raise _changed_during_backup(self._name)
        self._left -= len(data)
        self._hash.update(data)
        return data

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _media_files() -> Iterable[StoredFile]:
    root = _media_root()
    for path in _media_paths():
        yield StoredFile(path.relative_to(root).as_posix(), path.stat().st_size, _sha256_of(path))


def _media_paths() -> Iterable[Path]:
    for directory, subdirectories, names in os.walk(_media_root()):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_file():
                yield path


# Restoring


@dataclass(frozen=True)
class RestoreSummary:
    source: Path
    manifest: Manifest
    migrations_pending: bool
    seconds: float

    def describe(self) -> list[str]:
        lines = [
            _(
                "Restored %(file)s, made %(time)s by kaohe %(version)s: %(rows)s rows in %(tables)s tables and "
                "%(files)s uploaded files, every file's SHA-256 checked, in %(seconds).1f s."
            )
            % {
                "file": self.source,
                "time": f"{self.manifest.created:%Y-%m-%d %H:%M}",
                "version": self.manifest.kaohe_version,
                "rows": self.manifest.rows,
                "tables": len(self.manifest.tables),
                "files": len(self.manifest.files),
                "seconds": self.seconds,
            }
        ]
        lines += [f"  {table}: {rows}" for table, rows in sorted(self.manifest.tables.items()) if rows]
        if self.migrations_pending:
            lines.append(_("This kaohe is newer than the backup: run `kaohe migrate` before starting the server."))
        return lines


def restore_backup(source: Path, force: bool = False) -> RestoreSummary:
    """Replaces the database and MEDIA_ROOT with the backup's; refuses to overwrite data unless `force`."""
    started = time.monotonic()
    database = configured_database()
    if not source.is_file():
        raise BackupError(_("%(file)s: no such file") % {"file": source})

    def accept(manifest: Manifest) -> None:
        _check_fits(manifest, database)
        if not force:
            _refuse_to_overwrite()

    try:
        with tempfile.TemporaryDirectory(prefix="kaohe-restore-") as scratch:
            staged = Path(scratch)
            manifest = _unpack(source, staged, accept)
            database.load(staged / manifest.database_member)
            _place_media(staged / MEDIA_DIR, manifest.files)
    except OSError as error:
        raise BackupError(_("The backup could not be restored: %(error)s") % {"error": error}) from error
    _check_rows(manifest)
    return RestoreSummary(source, manifest, _migrations_pending(), time.monotonic() - started)


def _unpack(source: Path, into: Path, accept: Callable[[Manifest], None]) -> Manifest:
    """Extracts every member into `into`, checking each against the manifest; `accept` may refuse the manifest
    before anything else is read."""
    try:
        with tarfile.open(source, mode="r:*") as archive:
            members = iter(archive)
            first = next(members, None)
            if first is None or first.name != MANIFEST_NAME or not first.isfile():
                raise _damaged(source, _("it has no manifest"))
            manifest = _manifest_from(source, _read_member(archive, first))
            accept(manifest)
            expected = {manifest.database_member: manifest.database_sha256}
            expected |= {f"{MEDIA_DIR}/{stored.path}": stored.sha256 for stored in manifest.files}
            for member in members:
                sha256 = expected.pop(member.name, None)
                if sha256 is None or not member.isfile():
                    raise _damaged(source, _("%(member)s is not in its manifest") % {"member": member.name})
                if _extract(archive, member, into / member.name) != sha256:
                    raise _damaged(source, _("%(member)s does not match its SHA-256") % {"member": member.name})
            if expected:
                raise _damaged(source, _("%(member)s is missing") % {"member": min(expected)})
    except tarfile.ReadError as error:
        raise _damaged(source, _("it is not a tar archive")) from error
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise _damaged(source, str(error)) from error
    return manifest


def _damaged(source: Path, why: str) -> BackupError:
    return BackupError(
        _("%(file)s is damaged or not a kaohe backup (%(why)s); nothing was restored.") % {"file": source, "why": why}
    )


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    extracted = archive.extractfile(member)
    if extracted is None:
        raise tarfile.ReadError(member.name)
    with extracted:
        return extracted.read()


def _manifest_from(source: Path, data: bytes) -> Manifest:
    try:
        return Manifest.from_json(data)
    except (ValueError, KeyError, TypeError) as error:
        raise _damaged(source, _("its manifest cannot be read: %(error)s") % {"error": error}) from error


def _extract(archive: tarfile.TarFile, member: tarfile.TarInfo, destination: Path) -> str:
    """Writes the member to `destination` and returns the SHA-256 of what was written."""
    extracted = archive.extractfile(member)
    if extracted is None:
        raise tarfile.ReadError(member.name)
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with extracted, destination.open("wb") as file:
        while chunk := extracted.read(CHUNK):
            digest.update(chunk)
            file.write(chunk)
    return digest.hexdigest()


def _check_fits(manifest: Manifest, database: Database) -> None:
    if manifest.vendor != database.vendor:
        raise BackupError(
            _(
                "This backup is of a %(backup)s database and kaohe is configured for %(configured)s: "
                "restore it into %(backup)s."
            )
            % {"backup": manifest.vendor, "configured": database.vendor}
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(f"{app}.{name}" for app, name in manifest.migrations if (app, name) not in known)
    if unknown:
        raise BackupError(
            _(
                "This backup was made by a newer kaohe (%(version)s; migrations unknown here: %(migrations)s): "
                "install that version first."
            )
            % {"version": manifest.kaohe_version, "migrations": ", ".join(unknown)}
        )


def _refuse_to_overwrite() -> None:
    held = _tables_holding_data()
    files = sum(1 for _path in _media_paths())
    if files:
        held.append(
            ngettext("%(count)s file under %(folder)s", "%(count)s files under %(folder)s", files)
            % {"count": files, "folder": _media_root()}
        )
    if held:
        raise BackupError(
            _(
                "This installation already holds data (%(held)s): restoring replaces all of it with the backup. "
                "Run the restore again with --force to go ahead."
            )
            % {"held": ", ".join(held)}
        )


def _tables_holding_data() -> list[str]:
    """kaohe's own tables that hold a row (a freshly migrated database holds only Django's bookkeeping)."""
    existing = set(connection.introspection.table_names())
    ours = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_config.name.startswith("kaohe.") and model._meta.db_table in existing
        }
    )
    with connection.cursor() as cursor:
        return [table for table in ours if _holds_a_row(cursor, table)]


def _holds_a_row(cursor: Any, table: str) -> bool:
    cursor.execute(f"SELECT 1 FROM {_quoted(table)} LIMIT 1")  # noqa: S608 (a table name from the catalogue, quoted)
    return cursor.fetchone() is not None


def _place_media(staged: Path, files: list[StoredFile]) -> None:
    """MEDIA_ROOT ends up holding exactly the backup's files: those added since the backup belonged to records
    the restored database no longer has."""
    root = _media_root()
    wanted = {root / stored.path for stored in files}
    for stored in files:
        destination = root / stored.path
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staged / stored.path, destination)
    for directory, _subdirectories, names in os.walk(root, topdown=False):
        folder = Path(directory)
        for name in names:
            if folder / name not in wanted:
                (folder / name).unlink()
        if folder != root and not any(folder.iterdir()):
            folder.rmdir()


def _check_rows(manifest: Manifest) -> None:
    try:
        with connection.cursor() as cursor:
            restored = _count_rows(cursor, manifest.tables)
    except DatabaseError as error:
        raise BackupError(_("The restored database cannot be read: %(error)s") % {"error": error}) from error
    for table, rows in manifest.tables.items():
        if restored[table] != rows:
            raise BackupError(
                _("After the restore %(table)s holds %(restored)s rows where the backup holds %(rows)s.")
                % {"table": table, "restored": restored[table], "rows": rows}
            )


def _migrations_pending() -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


# The databases


def configured_database() -> Database:
    if connection.vendor == "sqlite":
        return SqliteDatabase()
    if connection.vendor == "postgresql":
        return PostgresDatabase()
    raise BackupError(_("kaohe backs up SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": connection.vendor})


class SqliteDatabase:
    vendor = "sqlite"
    member = "database.sqlite3"

    def dump(self, into: Path) -> Contents:
        connection.ensure_connection()
        with closing(sqlite3.connect(into)) as copy:
            # One step: the source stays readable (and writers wait) for the second or two a copy takes, and
            # the copy is the database at one instant.
            connection.connection.backup(copy)
            cursor = copy.cursor()
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
            return _contents(cursor, [name for (name,) in cursor.fetchall()])

    def load(self, dump: Path) -> None:
        connection.ensure_connection()
        # Into the open database rather than over its file, so that every connection sees the restored data.
        with closing(sqlite3.connect(dump)) as copy:
            copy.backup(connection.connection)


class PostgresDatabase:
    vendor = "postgresql"
    member = "database.pgdump"

    def dump(self, into: Path) -> Contents:
        pg_dump = postgres_client("pg_dump", self._server_major())
        with transaction.atomic(), connection.cursor() as cursor:
            # pg_dump reads the snapshot the rows are counted in, so the manifest describes the dump exactly.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            contents = _contents(cursor, connection.introspection.table_names(cursor))
            self._run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={into}"])
        return contents

    def load(self, dump: Path) -> None:
        pg_restore = postgres_client("pg_restore", self._server_major())
        connections.close_all()  # no session of ours may hold a lock on a table pg_restore drops
        # One transaction: a restore that fails leaves the database as it was. No owners or grants: the new
        # machine's roles need not be the old one's.
        options = ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
        self._run([pg_restore, *options, "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}", str(dump)])

    def _server_major(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('server_version_num')::int / 10000")
            (major,) = cursor.fetchone()
        return int(major)

    def _run(self, command: list[str]) -> None:
        environment = libpq_environment()
        completed = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603 (pg_dump or pg_restore found on PATH, our own arguments)
        if completed.returncode:
            raise BackupError(
                _("%(tool)s failed: %(error)s") % {"tool": Path(command[0]).name, "error": completed.stderr.strip()}
            )


def postgres_client(tool: str, server_major: int) -> str:
    """The path of pg_dump or pg_restore, refused unless it is the server's major version: an older one cannot
    read the server, a newer one writes archives the server's own tools cannot read back."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(
            _(
                "%(tool)s is not installed: install the PostgreSQL %(major)s client "
                "(Debian: postgresql-client-%(major)s)."
            )
            % {"tool": tool, "major": server_major}
        )
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603 (a fixed command)
    found = re.search(r"(\d+)(?:\.\d+)*", output)
    client_major = int(found.group(1)) if found else None
    if client_major != server_major:
        raise BackupError(
            _(
                "%(tool)s is version %(client)s and the server PostgreSQL %(server)s: install the PostgreSQL "
                "%(server)s client (Debian: postgresql-client-%(server)s)."
            )
            % {"tool": tool, "client": client_major or output.strip(), "server": server_major}
        )
    return path


def libpq_environment() -> dict[str, str]:
    """The configured database as libpq's variables: the password never appears on a command line."""
    database = connection.settings_dict
    _args, extra = DatabaseClient.settings_to_cmd_args_env(database, [])
    variables = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGDATABASE": database.get("NAME"),
    }
    given = {name: str(value) for name, value in variables.items() if value}
    return {**os.environ, **given, **(extra or {})}


# Shared pieces


def _contents(cursor: Any, tables: list[str]) -> Contents:
    migrations: list[tuple[str, str]] = []
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [(app, name) for app, name in cursor.fetchall()]
    return Contents(_count_rows(cursor, sorted(tables)), migrations)


def _count_rows(cursor: Any, tables: Iterable[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quoted(table)}")  # noqa: S608 (a table name from the catalogue, quoted)
        (counts[table],) = cursor.fetchone()
    return counts


def _quoted(table: str) -> str:
    """A table name as SQLite and PostgreSQL both read it."""
    return '"' + table.replace('"', '""') + '"'


def _check_relative(path: str) -> None:
    """Refuses a file name that would land outside MEDIA_ROOT."""
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or ".." in parts or "\\" in path:
        raise ValueError(f"file name {path!r}")


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def kaohe_version() -> str:
    try:
        return metadata.version("kaohe")
    except metadata.PackageNotFoundError:
        return "unknown"
