"""`make load`: starts `kaohe serve` on the configured database and drives it with simulated people.

It is meant for the large district that `make bench` builds in var/bench (the demo logins `admin`,
`secondary`, `grassroots`); `make load` runs it on a copy. The people run in this process, the server in its
own (gunicorn and its workers), talking over loopback as a reverse proxy would. At the end it prints, per
page, the requests, the errors and p50/p95/max, and fails unless every page answered without an error and
with p95 ≤ 300 ms. What the people changed is put back (`load.restore`).

The pages that read the whole district (its figures overview, its records list) are not in the mix: they
are timed apart, one request at a time once the people have gone, and reported without a verdict.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import get_hasher
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.accounts.models import User
from kaohe.operations import load
from kaohe.operations.serving import Server, ServerFailed, busy_cpu_seconds, cpu_seconds_of, served
from kaohe.organisations.models import Organisation

# Timed apart from the mix, one request at a time: the two pages that read the whole district of 30,000 units
# and 1,000,000 activities. They are being made faster apart from this; in the mix, the overview is the
# secondary union's and the administrator's records list is narrowed to one system.
APART = (
    ("the district's figures overview (admin)", "admin", "/figures/"),
    ("the district's records list (admin)", "admin", "/records/activities/"),
)
APART_REQUESTS = 5


class Command(BaseCommand):
    help = "Starts `kaohe serve` and drives it with many simulated people; prints p50/p95/max per page."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=50, help="simulated people at once (50)")
        parser.add_argument("--seconds", type=float, default=60, help="how long they go on (60)")
        parser.add_argument("--think", type=float, default=5.0, help="mean pause between two pages, seconds (5)")
        parser.add_argument("--ramp", type=float, default=20, help="people log in spread over these seconds (20)")
        parser.add_argument("--workers", type=int, help="passed to `kaohe serve` (its default: from the cores)")
        parser.add_argument("--threads", type=int, help="passed to `kaohe serve`")

    def handle(self, *args: Any, **options: Any) -> None:
        systems = demo_systems()
        upgraded = load.hash_as_today()
        if upgraded:
            hasher = get_hasher().algorithm
            self.stdout.write(f"passwords re-hashed with {hasher} before the run: {', '.join(upgraded)}")
        serve_options = [f"--{name}={options[name]}" for name in ("workers", "threads") if options[name]]
        plan = load.Plan(options["users"], options["seconds"], options["think"], options["ramp"])
        try:
            with served(serve_options) as server:
                self.stdout.write(f"kaohe serve {' '.join(serve_options) or '(its defaults)'} at {server.base_url}")
                outcome = self._drive(server, plan, systems)
                self.stdout.write(f"the server's log: {server.log}")
        except ServerFailed as failed:
            raise CommandError(str(failed)) from failed
        self._report(outcome)
        self._verdict(outcome.run)

    def _drive(self, server: Server, plan: load.Plan, systems: dict[str, tuple[str, list[str]]]) -> Outcome:
        self.stdout.write(
            f"{plan.people} people log in within {plan.ramp:.0f} s, then work for {plan.seconds:.0f} s, "
            f"{plan.think:.1f} s between pages on average; load average before: {_load_average()}"
        )
        run = load.Run(server.base_url, plan, systems)
        cpu: dict[str, tuple[float, float]] = {}

        def note_cpu(moment: str) -> None:
            cpu[moment] = (busy_cpu_seconds(), cpu_seconds_of(server.process))

        try:
            took = run.drive(note_cpu)
            outcome = Outcome(run, took, _cpu_used(cpu, took, run), timed_apart(server.base_url))
        finally:
            restored, deleted = load.restore(run.notes, run.token)
            self.stdout.write(f"put back: {restored} edited notes, {deleted} imported activities deleted")
        return outcome

    def _report(self, outcome: Outcome) -> None:
        rows = load.summaries(outcome.run.recorder)
        self.stdout.write("\n".join(load.table(rows)))
        total = sum(row.requests for row in rows)
        errors = sum(row.errors for row in rows)
        self.stdout.write(
            f"all pages: {total} requests, {errors} errors; the work took {outcome.seconds:.0f} s; "
            f"load average after: {_load_average()}"
        )
        self.stdout.write(outcome.cpu)
        for page, times in outcome.run.recorder.pages.items():
            for fault in times.first_errors:
                self.stdout.write(f"  {page}: {fault}")
        self.stdout.write(f"\ntimed apart, {APART_REQUESTS} requests one at a time after the run (no verdict):")
        self.stdout.write("\n".join(load.table(outcome.apart)))

    def _verdict(self, run: load.Run) -> None:
        for crash in run.crashed:
            self.stderr.write(f"the driver failed: {crash}")
        failing = [row.page for row in load.summaries(run.recorder) if not row.ok]
        if failing or run.crashed:
            raise CommandError(f"not every page had 0 errors and p95 ≤ 300 ms: {', '.join(failing) or 'driver'}")
        self.stdout.write(self.style.SUCCESS("every page: 0 errors, p95 ≤ 300 ms"))


@dataclass(frozen=True)
class Outcome:
    run: load.Run
    seconds: float  # how long the work took
    cpu: str  # how much of the machine the server had
    apart: list[load.PageSummary]


def demo_systems() -> dict[str, tuple[str, list[str]]]:
    """Each demo login's unit and the codes of the units just under it (its own code if none)."""
    systems = {}
    for persona in load.PERSONAS:
        user = User.objects.filter(username=persona.username, is_active=True).select_related("organisation").first()
        if user is None or user.organisation is None:
            raise CommandError(
                f"no demo login {persona.username!r} here: `make load` runs on the large district that "
                "`make bench` builds in var/bench"
            )
        unit = user.organisation
        below = Organisation.objects.filter(parent=unit, is_active=True).order_by("code")
        systems[persona.username] = (unit.code, list(below.values_list("code", flat=True)) or [unit.code])
    return systems


def timed_apart(base_url: str) -> list[load.PageSummary]:
    recorder = load.Recorder()
    for page, username, path in APART:
        browser = load.Browser(base_url)
        load.log_in_as(browser, username)
        for _attempt in range(APART_REQUESTS):
            with contextlib.suppress(load.UnexpectedAnswer):  # counted as an error of the page
                recorder.timed(page, lambda: browser.get(path), 200)  # noqa: B023 (called at once)
    return load.summaries(recorder)


def _cpu_used(cpu: dict[str, tuple[float, float]], took: float, run: load.Run) -> str:
    """How much of the machine the server had during the work: on a shared machine, the figures above are
    only as good as that."""
    machine, served_by = (cpu["end"][index] - cpu["start"][index] for index in (0, 1))
    cores = os.cpu_count() or 1
    pages = run.recorder.pages.items()
    during = sum(len(times.seconds) for page, times in pages if not page.endswith(load.ARRIVING))
    per_request = served_by / during * 1000 if during > 0 else 0.0
    return (
        f"CPU during the work: the machine's {cores} cores were {machine / took:.2f} cores busy, "
        f"kaohe serve used {served_by / took:.2f} cores ({per_request:.0f} ms per request)"
    )


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())
