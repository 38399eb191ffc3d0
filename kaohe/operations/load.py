"""Many people using kaohe at once, measured from outside over HTTP, as `make load` runs it.

Each simulated person is a thread with its own `Browser` (cookies, a CSRF token, no redirects followed) that
logs in as one of the demo logins and then, with a pause to read between pages, opens the tree, figures and
records lists, edits a record and now and then imports a small file, as people in that role do. Every
request is timed from the first byte sent to the last byte read, and counted as an error unless it answered
what a person expects (the page, or the redirect after a form was accepted).

What the people change is put back afterwards (`restore`): the notes they edited get their old text
again and the activities they imported are deleted, both through the records' action functions.
"""

from __future__ import annotations

import contextlib
import http.client
import math
import random
import re
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie

from kaohe.organisations.demo import DEMO_PASSWORD

YEAR = 2026
# The note an edit writes, and the name every imported activity starts with: how `restore` finds them.
MARK = "负载测试"
IMPORT_ROWS = 5
TARGET_P95 = 0.300
REQUEST_TIMEOUT = 60.0
ARRIVING = " (arriving)"  # the logins before the work begins, named apart from those during it


# ---- a browser ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    text: str
    seconds: float


class Browser:
    """One person's browser: its cookies, a new connection per request (as a reverse proxy opens them), and
    redirects left for the caller to follow, so that each page is timed on its own."""

    def __init__(self, base_url: str, timeout: float = REQUEST_TIMEOUT):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, fields: Iterable[tuple[str, str]]) -> Response:
        body = urllib.parse.urlencode(list(fields)).encode()
        return self.request("POST", path, body, "application/x-www-form-urlencoded")

    def post_file(
        self, path: str, fields: Iterable[tuple[str, str]], name: str, filename: str, content: bytes
    ) -> Response:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in fields
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: text/csv\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body, f"multipart/form-data; boundary={boundary}")

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> Response:
        headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "zh-hans", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        self._keep_cookies(answer.msg.get_all("Set-Cookie") or [])
        headers_read = {name.lower(): value for name, value in answer.getheaders()}
        return Response(answer.status, headers_read, content.decode("utf-8", "replace"), seconds)

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)  # how Django deletes a cookie (logging out ends the session)
                else:
                    self.cookies[name] = morsel.value


class _FormReader(HTMLParser):
    """The fields of every form of a page, with the values the page fills in."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        name = values.get("name", "")
        if tag == "form":
            self.forms.append([])
        elif not self.forms or (not name and tag in {"input", "select", "textarea"}):
            return
        elif tag == "input":
            self._input(name, values)
        elif tag == "select":
            self._select, self._select_value = name, None
        elif tag == "option" and self._select is not None and (self._select_value is None or "selected" in values):
            self._select_value = values.get("value", "")
        elif tag == "textarea":
            self._textarea, self._text = name, []

    def _input(self, name: str, values: dict[str, str]) -> None:
        kind = values.get("type", "text")
        if kind in {"submit", "button", "file", "reset", "image"}:
            return
        if kind in {"checkbox", "radio"} and "checked" not in values:
            return
        self.forms[-1].append((name, values.get("value", "on" if kind in {"checkbox", "radio"} else "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            self.forms[-1].append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


def form_fields(html: str, containing: str) -> list[tuple[str, str]]:
    """What a browser would send for the first form of the page with a field named `containing`, as filled
    in (file inputs left out)."""
    reader = _FormReader()
    reader.feed(html)
    for fields in reader.forms:
        if any(name == containing for name, _value in fields):
            return fields
    raise LookupError(f"no form with a field {containing!r} on the page")


def replaced(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    return [(name, values.get(name, value)) for name, value in fields]


# ---- what is measured -----------------------------------------------------------------------------------


class UnexpectedAnswer(Exception):
    pass


@dataclass
class PageTimes:
    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)


class Recorder:
    """Every request's time and outcome, by page, from all people at once."""

    def __init__(self) -> None:
        self.pages: dict[str, PageTimes] = {}
        self._lock = threading.Lock()

    def timed(self, page: str, send: Callable[[], Response], expect: int) -> Response:
        """Sends one request; a wrong status or a failed connection counts as an error of that page."""
        started = time.perf_counter()
        try:
            response = send()
        except (OSError, http.client.HTTPException) as failure:
            self._add(page, time.perf_counter() - started, f"{type(failure).__name__}: {failure}")
            raise UnexpectedAnswer(page) from failure
        fault = "" if response.status == expect else f"status {response.status}, expected {expect}"
        self._add(page, response.seconds, fault)
        if fault:
            raise UnexpectedAnswer(page)
        return response

    def _add(self, page: str, seconds: float, fault: str) -> None:
        with self._lock:
            times = self.pages.setdefault(page, PageTimes())
            times.seconds.append(seconds)
            if fault:
                times.errors += 1
                if len(times.first_errors) < 3:
                    times.first_errors.append(fault)


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value that at least `share` of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass(frozen=True)
class PageSummary:
    page: str
    requests: int
    errors: int
    p50: float
    p95: float
    slowest: float

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.p95 <= TARGET_P95


def summaries(recorder: Recorder) -> list[PageSummary]:
    return [
        PageSummary(
            page,
            len(times.seconds),
            times.errors,
            percentile(times.seconds, 0.50),
            percentile(times.seconds, 0.95),
            max(times.seconds),
        )
        for page, times in recorder.pages.items()
    ]


def table(rows: list[PageSummary]) -> list[str]:
    width = max([len(row.page) for row in rows] + [4])
    lines = [f"{'page':<{width}}  {'requests':>8}  {'errors':>6}  {'p50':>7}  {'p95':>7}  {'max':>7}"]
    for row in rows:
        times = "  ".join(f"{seconds * 1000:>4.0f} ms" for seconds in (row.p50, row.p95, row.slowest))
        mark = "" if row.ok else "  ✗"
        lines.append(f"{row.page:<{width}}  {row.requests:>8}  {row.errors:>6}  {times}{mark}")
    return lines


# ---- who does what --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    """A demo login and what people with it do, each step with its weight."""

    username: str
    share: float  # of the simulated people
    steps: tuple[tuple[float, Callable[[Person], None]], ...]
    password: str = DEMO_PASSWORD


@dataclass
class Person:
    number: int  # among the people of the same persona: which record they edit
    persona: Persona
    unit: str  # the login's unit code
    below: list[str]  # codes of units in its system, to look at and to import for
    browser: Browser
    recorder: Recorder
    run: Run
    rng: random.Random
    record: int | None = None  # the activity this person edits, found on their records list

    def page(self, name: str) -> str:
        """A page as the table names it: the same address shows a district, a system or one unit by login."""
        return f"{name} ({self.persona.username})"

    def get(self, name: str, path: str, expect: int = 200) -> Response:
        return self.recorder.timed(self.page(name), lambda: self.browser.get(path), expect)

    def post(self, name: str, path: str, fields: list[tuple[str, str]], expect: int = 302) -> Response:
        return self.recorder.timed(self.page(name), lambda: self.browser.post(path, fields), expect)


def log_in_as(browser: Browser, username: str, password: str = DEMO_PASSWORD) -> Response:
    """Logs in without timing it: for checks around a run rather than in it."""
    fields = form_fields(browser.get("/accounts/login/").text, "username")
    answer = browser.post("/accounts/login/", replaced(fields, username=username, password=password))
    if answer.status != 302:
        raise UnexpectedAnswer(f"logging in as {username} answered {answer.status}")
    return answer


def log_in(person: Person, when: str = "") -> None:
    """The login page, then the login itself: most of its time is the password's hash (Argon2id, on purpose)."""
    page = person.recorder.timed(f"login page{when}", lambda: person.browser.get("/accounts/login/"), 200)
    persona = person.persona
    fields = replaced(form_fields(page.text, "username"), username=persona.username, password=persona.password)
    person.recorder.timed(f"log in{when}", lambda: person.browser.post("/accounts/login/", fields), 302)


def arrive(person: Person) -> None:
    log_in(person, ARRIVING)


def log_out_and_in(person: Person) -> None:
    tree = person.get("units tree", "/units/")
    fields = form_fields(tree.text, "csrfmiddlewaretoken")  # the first such form: Log out, in the menu
    person.recorder.timed("log out", lambda: person.browser.post("/accounts/logout/", fields), 302)
    log_in(person)


def look_at_tree(person: Person) -> None:
    person.get("units tree", "/units/")


def look_at_own_figures(person: Person) -> None:
    person.get("figures of one's unit", f"/figures/{person.unit}/")


def look_at_figures_below(person: Person) -> None:
    person.get("figures of a unit below", f"/figures/{person.rng.choice(person.below)}/")


def look_at_overview(person: Person) -> None:
    person.get("figures overview", "/figures/")


def look_at_records(person: Person) -> None:
    person.get("records list", "/records/activities/")


def look_at_records_of_a_system(person: Person) -> None:
    """The district's own list holds every record of the district; an administrator narrows it to a system."""
    code = person.rng.choice(person.below)
    person.get("records list of a system", f"/records/activities/?unit={code}&subtree=on")


def edit_a_record(person: Person) -> None:
    if person.record is None:
        person.record = person.run.record_to_edit(person, person.get("records list", "/records/activities/").text)
    path = f"/records/activities/{person.record}/edit/"
    page = person.get("edit form", path)
    fields = form_fields(page.text, "note")
    person.run.remember_note(person.record, dict(fields)["note"])
    note = f"{MARK} {person.run.token} {person.rng.randrange(10**9)}"
    person.post("save edit", path, replaced(fields, note=note))


def import_activities(person: Person) -> None:
    page = person.get("import form", "/records/activities/import/")
    fields = form_fields(page.text, "csrfmiddlewaretoken")  # the page's token: the import form needs no other
    content = person.run.activities_file(person)
    path = "/records/activities/import/"
    person.recorder.timed(
        person.page("import"), lambda: person.browser.post_file(path, fields, "file", "activities.csv", content), 302
    )


PERSONAS = (
    Persona(
        "admin",
        0.2,
        (
            (3, look_at_tree),
            (3, look_at_own_figures),
            (3, look_at_figures_below),
            (3, look_at_records_of_a_system),
            (0.1, log_out_and_in),
        ),
    ),
    Persona(
        "secondary",
        0.5,
        (
            (3, look_at_tree),
            (2, look_at_overview),
            (3, look_at_own_figures),
            (2, look_at_figures_below),
            (3, look_at_records),
            (1.5, edit_a_record),
            (0.4, import_activities),
            (0.1, log_out_and_in),
        ),
    ),
    Persona(
        "grassroots",
        0.3,
        (
            (3, look_at_tree),
            (3, look_at_own_figures),
            (3, look_at_records),
            (1.5, edit_a_record),
            (0.1, log_out_and_in),
        ),
    ),
)


def spread(people: int) -> list[Persona]:
    """`people` personas in the shares above (largest remainders), at least one of each."""
    counts = [max(1, int(people * persona.share)) for persona in PERSONAS]
    by_remainder = sorted(PERSONAS, key=lambda persona: people * persona.share % 1, reverse=True)
    for persona in by_remainder[: max(0, people - sum(counts))]:
        counts[PERSONAS.index(persona)] += 1
    return [persona for persona, count in zip(PERSONAS, counts, strict=True) for _ in range(count)]


# ---- a run ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    people: int
    seconds: float
    think: float  # mean pause between two pages; each pause is drawn from 0.5 to 1.5 times it
    ramp: float  # people arrive and log in at moments spread over these seconds, before the work begins
    seed: int = 2026


class Run:
    """People, each with a unit and the codes below it (`systems`), driving the server until time is up."""

    def __init__(self, base_url: str, plan: Plan, systems: dict[str, tuple[str, list[str]]]):
        self.base_url = base_url
        self.plan = plan
        self.systems = systems
        self.recorder = Recorder()
        self.token = uuid.uuid4().hex[:8]
        self.notes: dict[int, str] = {}  # record → its note before anyone edited it
        self._claimed: set[int] = set()
        self._lock = threading.Lock()
        self._imports = 0
        self.crashed: list[str] = []

    def people(self) -> list[Person]:
        rng = random.Random(self.plan.seed)  # noqa: S311 (made-up behaviour, not a secret)
        seen: dict[str, int] = {}
        people = []
        for persona in spread(self.plan.people):
            number = seen[persona.username] = seen.get(persona.username, -1) + 1
            unit, below = self.systems[persona.username]
            browser = Browser(self.base_url)
            own_rng = random.Random(rng.random())  # noqa: S311 (made-up behaviour, not a secret)
            people.append(Person(number, persona, unit, below, browser, self.recorder, self, own_rng))
        return people

    def drive(self, at_work: Callable[[str], None] = lambda moment: None) -> float:
        """Every person in a thread of their own: they arrive and log in, spread over the ramp; once all are
        in, they work for the planned seconds. Returns how long the work took; `at_work("start")` and
        `at_work("end")` are called as it begins and once everyone has stopped."""
        people = self.people()
        everyone_in = threading.Semaphore(0)
        work = _Start()
        threads = [
            threading.Thread(target=self._live, args=(person, everyone_in, work), daemon=True) for person in people
        ]
        arrival = time.perf_counter()
        for thread in threads:
            thread.start()
        for _person in people:
            everyone_in.acquire(timeout=max(0.0, arrival + self.plan.ramp + 2 * REQUEST_TIMEOUT - time.perf_counter()))
        at_work("start")
        started = work.begin(self.plan.seconds)
        for thread in threads:
            thread.join(self.plan.seconds + 2 * REQUEST_TIMEOUT)
        took = time.perf_counter() - started
        at_work("end")
        return took

    def _live(self, person: Person, everyone_in: threading.Semaphore, work: _Start) -> None:
        steps, weights = zip(*[(step, weight) for weight, step in person.persona.steps], strict=True)
        try:
            time.sleep(person.rng.uniform(0, self.plan.ramp))
            try:
                self._attempt(arrive, person)
            finally:
                everyone_in.release()
            deadline = work.wait()
            while self._pause_until(time.perf_counter() + self._think(person), deadline):
                self._attempt(person.rng.choices(steps, weights)[0], person)
        except Exception as crash:  # a fault of the driver itself, not of the server: say so, do not hide it
            self.crashed.append(f"{person.persona.username} #{person.number}: {type(crash).__name__}: {crash}")

    def _attempt(self, step: Callable[[Person], None], person: Person) -> None:
        # An unexpected answer is counted by the recorder; the person goes on with another page.
        with contextlib.suppress(UnexpectedAnswer):
            step(person)

    def _think(self, person: Person) -> float:
        return person.rng.uniform(0.5, 1.5) * self.plan.think

    @staticmethod
    def _pause_until(moment: float, deadline: float) -> bool:
        if moment >= deadline:
            return False
        time.sleep(max(0.0, moment - time.perf_counter()))
        return True

    # What people change, kept so that `restore` can put it back.

    def record_to_edit(self, person: Person, records_page: str) -> int:
        """A record from the person's list that no other person edits (people share the demo logins)."""
        links = [int(pk) for pk in _edit_links(records_page)]
        if not links:
            raise LookupError(f"{person.persona.username} has no record to edit")
        with self._lock:
            free = [pk for pk in links if pk not in self._claimed] or links
            record = free[0]
            self._claimed.add(record)
        return record

    def remember_note(self, record: int, note: str) -> None:
        with self._lock:
            self.notes.setdefault(record, note)

    def activities_file(self, person: Person) -> bytes:
        with self._lock:
            self._imports += 1
            number = self._imports
        lines = ["单位编码,活动类别,活动日期,活动名称,参加人数"]
        for row in range(IMPORT_ROWS):
            code = person.rng.choice(person.below)
            day = f"{YEAR}-{person.rng.randint(1, 12):02d}-{person.rng.randint(1, 28):02d}"
            lines.append(f"{code},大讲堂,{day},{MARK} {self.token} {number}-{row},{person.rng.randint(5, 80)}")
        return "\n".join(lines).encode()


class _Start:
    """The moment the work begins, once everyone has logged in, and the moment it ends."""

    def __init__(self) -> None:
        self._begun = threading.Event()
        self.deadline = 0.0

    def begin(self, seconds: float) -> float:
        started = time.perf_counter()
        self.deadline = started + seconds
        self._begun.set()
        return started

    def wait(self) -> float:
        self._begun.wait()
        return self.deadline


def _edit_links(page: str) -> list[str]:
    return re.findall(r'href="/records/activities/(\d+)/edit/"', page)


def hash_as_today() -> list[str]:
    """The demo logins' passwords hashed as kaohe hashes them now; returns the logins that were not.

    A district that `make bench` built before Argon2id holds PBKDF2 hashes, which Django re-makes at each
    person's first login: a third of a second, once, that says nothing about a login page in steady use. This
    is that same upgrade (Django's own, through check_password), done before the run on the copy."""
    from kaohe.accounts.models import User

    upgraded = []
    for persona in PERSONAS:
        user = User.objects.filter(username=persona.username).first()
        if user is None or not user.password:
            continue
        before = user.password
        user.check_password(persona.password)  # re-hashes and saves if the hash is not today's
        if user.password != before:
            upgraded.append(persona.username)
    return upgraded


def restore(notes: dict[int, str], token: str) -> tuple[int, int]:
    """Puts back what a run changed; returns (notes restored, imported activities deleted)."""
    from kaohe.records.actions import delete_record, update_record
    from kaohe.records.models import Activity

    restored = 0
    for record in Activity.objects.filter(pk__in=notes).select_related("organisation"):
        if record.note != notes[record.pk]:
            update_record(None, record, {"note": notes[record.pk]})
            restored += 1
    imported = list(Activity.objects.filter(name__startswith=f"{MARK} {token} ").select_related("organisation"))
    for record in imported:
        delete_record(None, record)
    return restored, len(imported)
