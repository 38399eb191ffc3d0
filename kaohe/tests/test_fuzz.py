"""Whatever is thrown at them, the parsers and forms answer with a row or field error, never an exception.

Hypothesis makes the input: random cells (text with control characters and lone surrogates, huge ints,
NaN and infinities, dates, booleans, None) for every kind of record and for units, random bytes as csv
and xlsx, random mappings as a standard, random values for every field of the unit, record and people
forms. What a parser or form accepts is then written to the database (and rolled back), so "accepted"
also means "storable", on SQLite and PostgreSQL alike. Derandomized, so CI sees the same examples each run.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar

import pytest
import yaml
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaohe.accounts.forms import NewAccountForm
from kaohe.accounts.models import User
from kaohe.organisations.forms import OrganisationForm
from kaohe.organisations.importing import COLUMNS, plan_import
from kaohe.organisations.models import Organisation
from kaohe.organisations.tests.files import xlsx_bytes
from kaohe.records.forms import record_form
from kaohe.records.importing import plan_records
from kaohe.records.kinds import KINDS, Cell
from kaohe.spreadsheets import ImportRefused, read_table
from kaohe.standard.document import StandardInvalid, content_hash, parse_standard, to_data
from kaohe.standard.files import SHIPPED

pytestmark = pytest.mark.django_db
Result = TypeVar("Result")

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text that reaches every corner: control characters, lone surrogates, noncharacters, Chinese, long runs.
nasty_text = st.text(
    alphabet=st.one_of(
        st.characters(codec=None),  # every code point, surrogates included
        st.sampled_from(["\x00", "\x0b", "\x1b", "\x85", "\ud800", "\ufffe", "\t", "\n", "\r", "工", "="]),
    ),
    max_size=60,
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**31, 2**63 - 1, 10**10, 10**19, 10_000_000, 10_000_001]),
    st.builds(lambda: 10**5000),  # built, not listed: hypothesis would fail to write it out in its own repr
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
)
number_text = st.sampled_from(["1e19", "10000000000", "1e400", "-0", "1,000", "NaN", "Infinity", "1_0", "０１"])
cells = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    number_text,
    nasty_text,
    st.dates(),
    st.datetimes(),
    st.text(alphabet="0123456789-/.年月日 ", max_size=12),
)


def outcome(run: Callable[[], Result]) -> tuple[Result | None, ImportRefused | StandardInvalid | None]:
    """What the parser returned, or its refusal, which names at least one fault. Any other exception fails."""
    try:
        return run(), None
    except (ImportRefused, StandardInvalid) as refusal:
        refused = refusal
    assert refused.errors
    return None, refused


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each example writes what was accepted, then leaves the database as it found it."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def good_or(values: list[Any]) -> st.SearchStrategy[Any]:
    """Half the time a good value of the column, so that rows get past their first cell to the others."""
    return st.one_of(st.sampled_from(values), cells)


def record_cell(column: Any) -> st.SearchStrategy[Any]:
    good = {
        Cell.UNIT: ["YX-S1-G1", "YX-S1"],
        Cell.CHOICE: list(column.choices or {"": ""}),
        Cell.DATE: ["2026-03-05", datetime.date(2026, 3, 5)],
        Cell.INTEGER: ["12", 12.0],
        Cell.DECIMAL: ["12.50", 1200],
        Cell.TEXT: ["春季大讲堂"],
    }[column.cell]
    return good_or(good)


@pytest.mark.parametrize("slug", list(KINDS))
def test_random_cells_in_any_record_file_give_row_errors_or_storable_records(tree, slug):
    kind = KINDS[slug]
    row = st.fixed_dictionaries({column.heading: record_cell(column) for column in kind.columns})

    @FUZZ
    @given(rows=st.lists(row, min_size=1, max_size=3))
    def check(rows: list[dict[str, Any]]) -> None:
        before = kind.model._default_manager.count()
        planned, refused = outcome(lambda: plan_records(kind, list(enumerate(rows, start=2)), tree["YX"]))
        if refused or planned is None:
            assert kind.model._default_manager.count() == before
            return
        with rolled_back():
            kind.model._default_manager.bulk_create([record for _number, record in planned])

    check()


UNIT_GOOD: dict[str, list[Any]] = {
    "单位编码": ["YX-S1-G9", "YX-S1-G8"],
    "单位名称": ["新工会"],
    "上级单位编码": ["YX-S1", ""],
    "单位类别": ["基层工会", "乡镇街道总工会"],
    "会员人数": ["10", 10.0],
}


def test_random_cells_in_a_units_file_give_row_errors_or_a_storable_plan(tree):
    from kaohe.organisations.actions import import_organisations  # the writer the page calls

    row = st.fixed_dictionaries({heading: good_or(UNIT_GOOD[heading]) for heading in COLUMNS})

    @FUZZ
    @given(rows=st.lists(row, min_size=1, max_size=3))
    def check(rows: list[dict[str, Any]]) -> None:
        before = Organisation.objects.count()
        plan, refused = outcome(lambda: plan_import(list(enumerate(rows, start=2)), tree["YX"]))
        if refused or plan is None:
            assert Organisation.objects.count() == before
            return
        with rolled_back():
            import_organisations(None, plan, scope=tree["YX"], filename="units.csv")

    check()


GOOD_XLSX = xlsx_bytes([["YX-S1-G9", "新工会", "YX-S1", "基层工会", 10]])
GOOD_CSV = "单位编码,单位名称,上级单位编码,单位类别,会员人数\nYX-S1-G9,新工会,YX-S1,基层工会,10\n".encode()


def mutated(original: bytes) -> st.SearchStrategy[bytes]:
    """The file with a few bytes changed, cut short, or grown: damage that gets past the first check."""
    flips = st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(0, 255)), max_size=8)

    def damage(changes: list[tuple[int, int]], cut: int) -> bytes:
        content = bytearray(original)
        for position, value in changes:
            content[position] = value
        return bytes(content[:cut])

    return st.builds(damage, flips, st.integers(0, len(original)))


@pytest.mark.parametrize(("filename", "original"), [("units.xlsx", GOOD_XLSX), ("units.csv", GOOD_CSV)])
def test_random_bytes_as_a_table_give_a_table_or_a_refusal(db, filename, original):
    @FUZZ
    @given(content=st.one_of(st.binary(max_size=2000), mutated(original)))
    def check(content: bytes) -> None:
        outcome(lambda: read_table(io.BytesIO(content), filename, COLUMNS))

    check()


def test_an_xlsx_with_a_random_sheet_gives_a_table_or_a_refusal(db):
    @FUZZ
    @given(
        sheet=st.one_of(mutated(zipfile.ZipFile(io.BytesIO(GOOD_XLSX)).read("xl/worksheets/sheet1.xml")), st.binary())
    )
    def check(sheet: bytes) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(GOOD_XLSX)) as good, zipfile.ZipFile(buffer, "w") as damaged:
            for part in good.infolist():
                damaged.writestr(part, sheet if part.filename == "xl/worksheets/sheet1.xml" else good.read(part))
        outcome(lambda: read_table(io.BytesIO(buffer.getvalue()), "units.xlsx", COLUMNS))

    check()


# The standard

SHIPPED_DATA = yaml.safe_load((SHIPPED / "fangshan-2026-trial.yaml").read_text(encoding="utf-8"))
json_like = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers, nasty_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(nasty_text, st.integers(-3, 3)), inner, max_size=4)
    ),
    max_leaves=20,
)


def paths_of(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    children = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in children:
        yield from paths_of(value, (*path, key))


SHIPPED_PATHS = list(paths_of(SHIPPED_DATA))


def replaced(path: tuple[Any, ...], value: Any) -> Any:
    data = json.loads(json.dumps(SHIPPED_DATA))
    if not path:
        return value
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    target[last] = value
    return data


def test_random_mappings_as_a_standard_give_a_document_or_its_faults(db):
    @FUZZ
    @given(data=st.one_of(json_like, st.builds(replaced, st.sampled_from(SHIPPED_PATHS), json_like)))
    def check(data: Any) -> None:
        document, invalid = outcome(lambda: parse_standard(data, "fuzz.yaml"))
        if invalid or document is None:
            return
        # What is accepted is what the JSON column stores: no NaN, no infinity, no lone surrogate.
        json.dumps(to_data(document), allow_nan=False).encode("utf-8")
        content_hash(document)

    check()


# Forms


def as_typed(number: Any) -> str:
    # Decimal writes out any int; str() refuses one of more than 4,300 digits, which a browser may still send.
    return str(Decimal(number)) if isinstance(number, int) else str(number)


def fuzzed(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Form data with any of these fields replaced by anything one could type or paste."""
    typed = st.one_of(nasty_text, numbers.map(as_typed), number_text)
    return st.dictionaries(st.sampled_from(fields), typed, max_size=len(fields))


def test_random_values_in_the_unit_edit_form_give_field_errors_or_a_storable_unit(tree):
    unit = tree["YX-S1-G1"]
    opened = OrganisationForm(instance=unit, parent=unit.parent)
    initial = {name: opened[name].value() for name in opened.fields if opened[name].value() is not None}

    @FUZZ
    @given(values=fuzzed(list(opened.fields)))
    def check(values: dict[str, Any]) -> None:
        form = OrganisationForm(
            {**initial, **values}, instance=Organisation.objects.get(pk=unit.pk), parent=unit.parent
        )
        if form.is_valid():
            with rolled_back():
                form.instance.save()

    check()


RECORD_GOOD = {
    "activities": {"category": "training", "name": "读书会", "date": "2026-03-01", "participants": "30"},
    "documents": {"kind": "annual_plan", "title": "计划", "date": "2026-01-05"},
    "teams": {"team": "teachers", "name": "李老师"},
    "funds": {"amount": "1200.50", "date": "2026-02-01", "purpose": "购书"},
    "honours": {"level": "municipal", "title": "市级", "date": "2026-05-01"},
    "stations": {"name": "职工书屋", "area": "45.5"},
}


@pytest.mark.parametrize("slug", list(KINDS))
def test_random_values_in_a_record_form_give_field_errors_or_a_storable_record(tree, secondary_cadre, slug):
    kind = KINDS[slug]
    fields = list(record_form(kind, secondary_cadre).fields)

    @FUZZ
    @given(values=fuzzed(fields))
    def check(values: dict[str, Any]) -> None:
        form = record_form(kind, secondary_cadre, {"unit": "YX-S1-G1", **RECORD_GOOD[slug], **values})
        if form.is_valid():
            with rolled_back():
                kind.model(organisation=form.cleaned_data["unit"], **form.values()).save()
        else:
            assert not kind.model._default_manager.exists()

    check()


def test_random_values_in_the_people_form_give_field_errors_or_a_storable_account(tree, secondary_cadre):
    good = {
        "username": "xiaoli",
        "full_name": "李晓",
        "role": "cadre",
        "unit": "YX-S1-G2",
        "password1": "Xk9-learning-2026",
        "password2": "Xk9-learning-2026",
    }

    @FUZZ
    @given(values=fuzzed(list(good)))
    def check(values: dict[str, Any]) -> None:
        form = NewAccountForm({**good, **values}, manager=secondary_cadre)
        if form.is_valid():
            with rolled_back():
                account = User(username=form.cleaned_data["username"], first_name=form.cleaned_data["full_name"])
                account.set_password(form.cleaned_data["password1"])
                account.save()
        else:
            assert not User.objects.filter(username=form.data["username"]).exists()

    check()
