"""`make bench`: the figures of issue 4 measured on a district of 30,000 units and 1,000,000 activities.

Builds the data set once (or reuses it) in whatever database the settings point at, then times what users
wait for: every figure of every unit, one unit's figures page, and importing 100,000 activity rows (rolled
back afterwards, so the data set stays as it was); then the round's (kaohe.assessments.bench, rolled back
too): opening a cycle for every unit, the progress page, a unit's item page and the home page.
"""

from __future__ import annotations

import datetime
import io
import itertools
import random
import statistics
import time
import warnings
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

from kaohe.accounts.models import User
from kaohe.assessments.bench import bench_round
from kaohe.figures.compute import MEETING_CATEGORIES, compute_figures
from kaohe.operations.load import hash_as_today
from kaohe.organisations.models import Category, Organisation
from kaohe.records import totals
from kaohe.records.models import Activity, ActivityCategory
from kaohe.results.bench import bench_results
from kaohe.standard.files import SHIPPED
from kaohe.standard.in_force import standard_in_force

UNITS = 30_000
ACTIVITIES = 1_000_000
IMPORT_ROWS = 100_000
YEAR = 2026
BATCH = 20_000


class RolledBack(Exception):
    pass


class Command(BaseCommand):
    help = "Builds (or reuses) 30,000 units and 1,000,000 activities, then times the figures and an import."

    def handle(self, *args: Any, **options: Any) -> None:
        warnings.filterwarnings("ignore", message="No directory at")  # static files are not collected here
        self.stdout.write(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        self._prepare()
        standard = standard_in_force(YEAR)
        assert standard is not None  # noqa: S101 (for mypy: the bench loads a standard first)
        units = list(Organisation.objects.filter(is_active=True))
        computed = self._report(
            f"all figures of all {len(units):,} units", 1.5, lambda: compute_figures(units, YEAR, standard.doc), 3
        )
        self._report(
            "the same, grouping the records themselves instead of their yearly totals",
            3.0,
            lambda: compute_figures(units, YEAR, standard.doc, from_records=True),
        )
        by_hand = self._report("the same sums by hand-written SQL", 1.5, partial(hand_written_sums, YEAR), 3)
        self.stdout.write(f"ratio compute_figures ÷ hand-written SQL: {computed / by_hand:.2f}× (goal ≤ 1.5×)")
        self._report_unit_pages()
        self._report_overview()
        self._report("importing 100,000 activity rows", 30.0, self._import_and_roll_back)
        bench_round(self._report, self.stdout.write, YEAR, standard)  # issue 8: the round, rolled back
        bench_results(self._report, self.stdout.write, YEAR, standard)  # issue 9: results, rolled back

    def _prepare(self) -> None:
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)  # the dashboards keep their tables there
        call_command("load_standard", str(SHIPPED / "fangshan-2026-trial.yaml"), stdout=io.StringIO())
        if Organisation.objects.count() < UNITS:
            self.stdout.write("building 30,000 units …")
            call_command("demo", "--scale", "large", stdout=io.StringIO())
        missing = ACTIVITIES - Activity.objects.count()
        if missing > 0:
            self.stdout.write(f"adding {missing:,} activities …")
            started = time.perf_counter()
            _insert_activities(missing)
            # Plain SQL passes the records' own upkeep of their yearly totals by: they are made again.
            totals.rebuild()
            self.stdout.write(f"  done in {time.perf_counter() - started:.1f} s")
        upgraded = hash_as_today()
        if upgraded:
            self.stdout.write(f"demo logins re-hashed as passwords are hashed now: {', '.join(upgraded)}")
        with connection.cursor() as cursor:
            # Planners choose indexes by table statistics, which a bulk load leaves stale until autovacuum runs.
            cursor.execute("ANALYZE")

    def _report(self, what: str, target_seconds: float, work: Callable[[], Any], repeat: int = 1) -> float:
        timings = []
        for _attempt in range(repeat):
            started = time.perf_counter()
            work()
            timings.append(time.perf_counter() - started)
        took = statistics.median(timings)
        verdict = "ok" if took < target_seconds else "TOO SLOW"
        shown = f"{took * 1000:.0f} ms" if target_seconds < 1 else f"{took:.2f} s"
        target = f"{target_seconds * 1000:.0f} ms" if target_seconds < 1 else f"{target_seconds:g} s"
        self.stdout.write(f"{what}: {shown} (target < {target}) {verdict}")
        return took

    @override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False)
    def _report_unit_pages(self) -> None:
        client = Client()
        client.force_login(User.objects.get(username="admin"))
        units = (
            ("the district federation", "YX"),
            ("a secondary union", "YX-S001"),
            ("a grassroots union", "YX-S001-G0001"),
        )
        for label, code in units:
            url = f"/figures/{code}/?year={YEAR}"
            assert client.get(url).status_code == 200  # noqa: S101 (a sanity check that also warms templates, translations)
            self._report(f"one unit's figures page ({label})", 0.2, partial(client.get, url), repeat=5)

    @override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False)
    def _report_overview(self) -> None:
        client = Client()
        client.force_login(User.objects.get(username="admin"))
        for sort in ("lecture_count", "lecture_participation_rate"):
            url = f"/figures/?year={YEAR}&sort={sort}&order=desc"
            assert client.get(url).status_code == 200  # noqa: S101 (the bench's own sanity check)
            self._report(
                f"the district's figures overview sorted by {sort}, first page", 0.5, partial(client.get, url), 3
            )

    def _import_and_roll_back(self) -> None:
        from kaohe.records.importing import import_records
        from kaohe.records.kinds import KINDS

        content = _activities_csv(IMPORT_ROWS)
        try:
            with transaction.atomic():
                count = import_records(None, KINDS["activities"], io.BytesIO(content), "bench.csv", None)
                assert count == IMPORT_ROWS  # noqa: S101 (the bench's own sanity check)
                raise RolledBack
        except RolledBack:
            pass


def _insert_activities(count: int) -> None:
    """Plain batched INSERTs: the ORM would build a million objects for nothing."""
    from kaohe.records.kinds import KINDS

    columns = "organisation_id, category, name, date, participants, speaker, place, note, created_at, updated_at"
    sql = f"INSERT INTO records_activity ({columns}, fingerprint) VALUES (%s, %s, %s, %s, %s, '', '', '', %s, %s, %s)"  # noqa: S608 (fixed SQL: only the constant column list is interpolated)
    fields = ("organisation", "category", "name", "date", "participants")  # the first five values of a row
    rows = _activity_rows(count)
    with transaction.atomic(), connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, BATCH)):
            # The fingerprint the import and the actions store with every activity, so that imports find these.
            fingerprints = [KINDS["activities"].fingerprint_of(dict(zip(fields, row, strict=False))) for row in batch]
            cursor.executemany(sql, [(*row, fingerprint) for row, fingerprint in zip(batch, fingerprints, strict=True)])


def _activity_rows(count: int) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(YEAR)  # noqa: S311 (made-up benchmark data, not a secret)
    unit_ids = list(Organisation.objects.values_list("pk", flat=True))
    categories = [ActivityCategory.LECTURE] * 6 + [c.value for c in ActivityCategory]
    now = timezone.now()
    first_day = datetime.date(YEAR, 1, 1)
    for number in range(count):
        yield (
            rng.choice(unit_ids),
            rng.choice(categories),
            f"活动{number}",
            first_day + datetime.timedelta(days=rng.randrange(365)),
            rng.randint(5, 80),
            now,
            now,
        )


def _activities_csv(rows: int) -> bytes:
    rng = random.Random(rows)  # noqa: S311 (made-up benchmark data, not a secret)
    codes = list(Organisation.objects.filter(category=Category.GRASSROOTS).values_list("code", flat=True))
    lines = ["单位编码,活动类别,活动日期,活动名称,参加人数"]
    lines += [f"{rng.choice(codes)},大讲堂,{_random_day(rng)},读书分享会{n},{rng.randint(5, 80)}" for n in range(rows)]
    return "\n".join(lines).encode()


def _random_day(rng: random.Random) -> str:
    return f"{YEAR}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def hand_written_sums(year: int) -> None:
    """What compute_figures must add up, written by hand in SQL with the same filters (active units of the
    district, the year's dates), then added up each unit's path in Python: the yardstick for its speed."""
    start, end = f"{year}-01-01", f"{year}-12-31"
    in_scope = "SELECT id FROM organisations_organisation WHERE path LIKE '/YX/%%' AND is_active"
    meetings = ", ".join(f"'{category}'" for category in MEETING_CATEGORIES)
    queries = [
        "SELECT id, code, path, members, category FROM organisations_organisation WHERE path LIKE %s AND is_active",
        f"SELECT organisation_id, COUNT(*), SUM(participants) FROM records_activity WHERE category = 'lecture' "  # noqa: S608 (fixed SQL built from constants)
        f"AND date BETWEEN %s AND %s AND organisation_id IN ({in_scope}) GROUP BY organisation_id",
        f"SELECT organisation_id, category, COUNT(*) FROM records_activity WHERE category IN ({meetings}) "  # noqa: S608 (fixed SQL built from constants)
        f"AND date BETWEEN %s AND %s AND organisation_id IN ({in_scope}) GROUP BY organisation_id, category",
        f"SELECT organisation_id, SUM(amount) FROM records_educationfund WHERE date BETWEEN %s AND %s "  # noqa: S608 (fixed SQL built from constants)
        f"AND organisation_id IN ({in_scope}) GROUP BY organisation_id",
        f"SELECT organisation_id, level, COUNT(*) FROM records_honour WHERE date BETWEEN %s AND %s "  # noqa: S608 (fixed SQL built from constants)
        f"AND organisation_id IN ({in_scope}) GROUP BY organisation_id, level",
    ]
    with connection.cursor() as cursor:
        cursor.execute(queries[0], ["/YX/%"])
        units = cursor.fetchall()
        results = []
        for sql in queries[1:]:
            cursor.execute(sql, [start, end])
            results.append(cursor.fetchall())
    lectures = {row[0]: row[1:] for row in results[0]}
    totals: dict[str, list[int]] = {}
    for pk, _code, path, members, _category in units:
        count, participants = lectures.get(pk, (0, 0))
        for above in path.strip("/").split("/"):
            total = totals.setdefault(above, [0, 0, 0])
            total[0] += count
            total[1] += participants or 0
            total[2] += members
