"""Schemathesis reads the live schema (/api/schema/) and sends every operation of it generated requests —
valid ones and absurd ones — as a signed-in person with a key, through the product's own WSGI application
and database. No request may get a server error, and every answer must be what the schema says: its status
documented, its body of the documented shape and type.

Generated path parameters are mixed with the codes, years and item numbers of a real district (云溪区 with
an open and a published cycle, records of every kind), so that requests reach past the 404s into the
checks behind them. KAOHE_SCHEMATHESIS_EXAMPLES sets the examples per operation (more finds more, slower).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kaohe.accounts.actions import create_api_token
from kaohe.assessments import actions
from kaohe.assessments.tests.conftest import assessment_of, fill_in
from kaohe.records.actions import create_record
from kaohe.records.kinds import KINDS
from kaohe.records.models import ActivityCategory
from kaohe.results.tests.conftest import TOTALS, publish_past_year

EXAMPLES = int(os.environ.get("KAOHE_SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# What a real district has, offered beside whatever the generator makes up.
KNOWN: dict[str, list[Any]] = {
    "code": ["YX", "YX-S1", "YX-S1-G1", "YX-S1-G2", "YX-D1", "LQ-S1-G1"],
    "year": [2025, 2026],
    "item": ["1.1", "6.1", "8"],
    "kind": ["activities", "documents", "teams", "funds", "honours", "stations"],
    "slug": ["fangshan-2026-trial"],
    "version": [1],
    "pk": [1, 2],
    "id": [1, 2],
}


@pytest.fixture
def district(tree, personas, standard, district_admin, grassroots_cadre) -> dict[str, Any]:
    """云溪区 with last year's cycle published and this year's open, 城关社区工会 self-assessed and submitted."""
    publish_past_year(district_admin, tree["YX"], 2025, standard, TOTALS)
    cycle = actions.open_cycle(
        district_admin,
        tree["YX"],
        2026,
        standard,
        self_deadline=datetime.date(2026, 11, 30),
        review_deadline=datetime.date(2026, 12, 20),
    )
    lecture = {"category": ActivityCategory.LECTURE, "name": "职工书屋读书会", "date": datetime.date(2026, 3, 5)}
    create_record(grassroots_cadre, KINDS["activities"], tree["YX-S1-G1"], {**lecture, "participants": 30})
    shequ = assessment_of(cycle, "YX-S1-G1")
    fill_in(grassroots_cadre, shequ)
    actions.submit_self_assessment(grassroots_cadre, shequ)
    return tree


def path_parameters_of_a_real_district(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    if not path_parameters:
        return st.just(path_parameters)
    mixed = {
        name: st.sampled_from([value, *KNOWN[name]]) if name in KNOWN else st.just(value)
        for name, value in path_parameters.items()
    }
    return st.fixed_dictionaries(mixed)


@pytest.fixture
def live_schema(district, settings) -> Iterator[Any]:
    settings.ALLOWED_HOSTS = ["*"]  # schemathesis's WSGI client names its own host
    with connection_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
        schema.hook("flatmap_path_parameters")(path_parameters_of_a_real_district)
        yield schema


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """Django's handler closes the database connection after each request (CONN_MAX_AGE 0), which would end
    the test's transaction on PostgreSQL; Django's own test client holds it open the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def fuzz_every_operation(schema: Any, key: str) -> list[str]:
    """Each operation's generated requests, valid and not; what went wrong, one line per operation."""
    faults = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _send_examples(operation, mode, key)
            except Exception as failure:  # reported with the others, so one run shows every fault
                faults.append(f"{operation.method.upper()} {operation.path} ({mode}): {failure}")
    return faults


def _send_examples(operation: Any, mode: GenerationMode, key: str) -> None:
    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: Any) -> None:
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)

    send()


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests every run: a failure here is one anyone can repeat
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing request is reported as it is
    database=None,
)


def test_the_district_admin_finds_no_server_error_and_no_answer_off_its_schema(live_schema, district_admin):
    key = create_api_token(district_admin, "schemathesis")[1]
    assert fuzz_every_operation(live_schema, key) == []


def test_a_grassroots_cadre_finds_no_server_error_and_no_answer_off_its_schema(live_schema, grassroots_cadre):
    key = create_api_token(grassroots_cadre, "schemathesis")[1]
    assert fuzz_every_operation(live_schema, key) == []


def test_the_fuzzing_reaches_every_operation(live_schema):
    operations = [result.ok() for result in live_schema.get_all_operations()]
    assert len(operations) >= 1
    assert {op.path for op in operations} >= {"/api/me/"}
