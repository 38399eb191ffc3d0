"""The cycle's commands: open_cycle, import_cycle, cycle_status and assessment, their exact JSON and refusals."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kaohe.assessments import actions
from kaohe.assessments.models import Cycle, Status
from kaohe.assessments.tests.conftest import assessment_of, fill_in, review_all, submitted
from kaohe.organisations.models import Organisation


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# open_cycle ------------------------------------------------------------------------------------------------


def test_open_cycle_opens_the_named_districts_year(tree, standard):
    out = run(
        "open_cycle", "2026", "--standard", "fangshan-2026-trial", "--district", "YX", "--self-deadline", "2026-11-30"
    )
    cycle = Cycle.objects.get(district__code="YX", year=2026)
    assert "7" in out
    assert cycle.standard == standard
    assert str(cycle.self_deadline) == "2026-11-30"
    assert cycle.assessments.count() == 7


def test_open_cycle_takes_a_version_and_the_only_district_when_there_is_one(tree, standard):
    for code in ("LQ-S1-G1", "LQ-S1", "LQ"):  # leaves one district federation
        Organisation.objects.get(code=code).delete()
    run("open_cycle", "2026", "--standard", f"fangshan-2026-trial:{standard.version}")
    assert Cycle.objects.get().district.code == "YX"


def test_open_cycle_asks_which_district_when_there_are_several(tree, standard):
    with pytest.raises(CommandError, match="--district"):
        run("open_cycle", "2026", "--standard", "fangshan-2026-trial")


def test_opening_a_year_twice_is_refused_with_a_message(cycle):
    with pytest.raises(CommandError, match="2026"):
        run("open_cycle", "2026", "--standard", "fangshan-2026-trial", "--district", "YX")
    assert Cycle.objects.count() == 1


@pytest.mark.parametrize(
    "args",
    [
        ["2026", "--standard", "no-such-standard", "--district", "YX"],
        ["2026", "--standard", "fangshan-2026-trial:99", "--district", "YX"],
        ["2026", "--standard", "fangshan-2026-trial:x", "--district", "YX"],
        ["2026", "--standard", "fangshan-2026-trial", "--district", "NOPE"],
        ["2026", "--standard", "fangshan-2026-trial", "--district", "YX-S1"],  # not a district federation
        ["1999", "--standard", "fangshan-2026-trial", "--district", "YX"],
        ["2026", "--standard", "fangshan-2026-trial", "--district", "YX", "--self-deadline", "2026-02-30"],
        [
            "2026",
            "--standard",
            "fangshan-2026-trial",
            "--district",
            "YX",
            "--self-deadline",
            "2026-12-20",
            "--review-deadline",
            "2026-11-30",
        ],
    ],
)
def test_open_cycle_refuses_bad_arguments(tree, standard, args):
    with pytest.raises(CommandError):
        run("open_cycle", *args)
    assert not Cycle.objects.exists()


def test_the_command_exits_non_zero_when_refused(cycle, monkeypatch, capsys):
    from kaohe.manage import main

    monkeypatch.setattr(
        "sys.argv", ["kaohe", "open_cycle", "2026", "--standard", "fangshan-2026-trial", "--district", "YX"]
    )
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code != 0
    assert "2026" in capsys.readouterr().err


# import_cycle ----------------------------------------------------------------------------------------------


def past_file(tmp_path, rows: list[str]):
    path = tmp_path / "2025.csv"
    path.write_text("单位编码,条目,得分\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


NUMBERS = ["1.1", "2.1", "2.2", "3.1", "4.1", "4.2", "4.3", "4.4", "5.1", "6.1", "6.2", "6.3", "6.4", "7.1", "8"]


def test_import_cycle_brings_a_year_in_published(tmp_path, tree, standard):
    path = past_file(tmp_path, [f"YX-D1,{number},2" for number in NUMBERS])
    out = run("import_cycle", "2025", str(path), "--standard", "fangshan-2026-trial", "--district", "YX")
    cycle = Cycle.objects.get(year=2025)
    assert cycle.imported
    assert assessment_of(cycle, "YX-D1").final_total == 30
    assert "1" in out
    assert "6" in out  # six active units of YX are not in the file


def test_import_cycle_lists_the_faults_and_brings_nothing_in(tmp_path, tree, standard):
    path = past_file(tmp_path, [f"YX-D1,{number},2" for number in NUMBERS[:-1]] + ["NOPE,8,1"])
    err = io.StringIO()
    with pytest.raises(CommandError, match="2"):
        call_command(
            "import_cycle", "2025", str(path), "--standard", "fangshan-2026-trial", "--district", "YX", stderr=err
        )
    assert "NOPE" in err.getvalue()
    assert "YX-D1" in err.getvalue()  # its item 8 is missing
    assert not Cycle.objects.exists()


def test_import_cycle_refuses_a_year_that_has_a_cycle_and_a_missing_file(tmp_path, cycle):
    path = past_file(tmp_path, [f"YX-D1,{number},2" for number in NUMBERS])
    with pytest.raises(CommandError, match="2026"):
        run("import_cycle", "2026", str(path), "--standard", "fangshan-2026-trial", "--district", "YX")
    with pytest.raises(CommandError, match="no such file"):
        run("import_cycle", "2025", str(tmp_path / "nope.csv"), "--standard", "fangshan-2026-trial", "--district", "YX")


# cycle_status ----------------------------------------------------------------------------------------------


def test_cycle_status_prints_every_assessment_as_json(cycle, personas):
    g1 = submitted(personas["grassroots_cadre"], cycle, "YX-S1-G1")
    items = list(g1.items.all())
    actions.review_item(personas["secondary_cadre"], items[0], final_score="3.5", reason="一次")
    actions.review_item(personas["secondary_cadre"], items[1], final_score="4")
    fill_in(personas["district_admin"], assessment_of(cycle, "YX"), score="1")

    rows = json.loads(run("cycle_status", "2026", "--json", "--district", "YX"))

    assert [row["org"] for row in rows] == ["YX", "YX-D1", "YX-S1", "YX-S1-G1", "YX-S1-G2", "YX-S2", "YX-S2-G1"]
    by_code = {row["org"]: row for row in rows}
    assert by_code["YX-S1-G1"] == {
        "org": "YX-S1-G1",
        "tier": "grassroots",
        "status": "submitted",
        "self_total": 100,
        "final_total": 7.5,  # the final scores so far, before publication
    }
    assert by_code["YX"] == {"org": "YX", "tier": "district", "status": "draft", "self_total": 15, "final_total": None}
    assert by_code["YX-D1"] == {
        "org": "YX-D1",
        "tier": "direct",
        "status": "not_started",
        "self_total": None,
        "final_total": None,
    }
    assert isinstance(by_code["YX-S1-G1"]["self_total"], int)


def test_cycle_status_after_publication_prints_the_fixed_totals(cycle, personas):
    admin = personas["district_admin"]
    for code in ("YX", "YX-S1", "YX-S1-G1", "YX-S1-G2", "YX-S2", "YX-S2-G1", "YX-D1"):
        assessment = assessment_of(cycle, code)
        fill_in(admin, assessment, score="2")
        actions.submit_self_assessment(admin, assessment)
    for assessment in cycle.assessments.select_related("organisation", "cycle"):
        review_all(personas["assessor"], assessment)  # the actions do not decide access: any reviewer will do
    actions.publish_cycle(admin, cycle)
    rows = json.loads(run("cycle_status", "2026", "--json", "--district", "YX"))
    assert {row["status"] for row in rows} == {"published"}
    assert {row["final_total"] for row in rows} == {30}


def test_cycle_status_without_json_prints_a_table(cycle):
    out = run("cycle_status", "2026", "--district", "YX")
    lines = out.splitlines()
    assert lines[0].split() == ["org", "tier", "status", "self_total", "final_total"]
    assert lines[1].split() == ["YX", "district", "not_started", "—", "—"]
    assert len(lines) == 8


def test_cycle_status_finds_the_only_cycle_of_the_year_and_refuses_a_year_without_one(cycle):
    assert len(json.loads(run("cycle_status", "2026", "--json"))) == 7
    with pytest.raises(CommandError, match="2025"):
        run("cycle_status", "2025", "--json")
    with pytest.raises(CommandError):
        run("cycle_status", "2026", "--district", "LQ")


def test_cycle_status_asks_which_district_when_several_have_the_year(cycle, tree, standard, district_admin):
    actions.open_cycle(district_admin, tree["LQ"], 2026, standard)
    with pytest.raises(CommandError, match="--district"):
        run("cycle_status", "2026", "--json")
    assert [row["org"] for row in json.loads(run("cycle_status", "2026", "--json", "--district", "LQ"))] == [
        "LQ",
        "LQ-S1",
        "LQ-S1-G1",
    ]


# assessment ------------------------------------------------------------------------------------------------


def test_assessment_prints_one_unit_item_by_item(cycle, personas):
    g1 = submitted(personas["grassroots_cadre"], cycle, "YX-S1-G1")
    actions.review_item(personas["secondary_cadre"], g1.items.get(number="1.1"), final_score="3.5", reason="一次")

    shown = json.loads(run("assessment", "2026", "YX-S1-G1", "--json"))

    assert list(shown) == ["org", "tier", "status", "items", "self_total", "final_total", "grade"]
    assert (shown["org"], shown["tier"], shown["status"]) == ("YX-S1-G1", "grassroots", "submitted")
    assert [item["item"] for item in shown["items"]] == [
        "1.1", "2.1", "2.2", "3.1", "4.1", "4.2", "4.3", "4.4", "5.1", "6.1", "6.2", "6.3", "6.4", "7.1", "8",
    ]  # fmt: skip
    assert shown["items"][0] == {"item": "1.1", "points": 4, "proposed": None, "self": 4, "final": 3.5}
    six_one = shown["items"][9]
    assert six_one == {"item": "6.1", "points": 15, "proposed": 0, "self": 15, "final": None}  # no lectures yet
    assert shown["items"][14]["points"] == 20  # category 8 pooled
    assert (shown["self_total"], shown["final_total"], shown["grade"]) == (100, 3.5, None)
    assert isinstance(shown["items"][0]["points"], int)


def test_assessment_shows_the_published_total_and_grade(cycle, personas):
    admin = personas["district_admin"]
    for assessment in cycle.assessments.select_related("organisation", "cycle"):
        fill_in(admin, assessment)
        actions.submit_self_assessment(admin, assessment)
        review_all(personas["assessor"], assessment, score=Decimal("2"))
    actions.publish_cycle(admin, cycle)
    shown = json.loads(run("assessment", "2026", "YX-D1", "--json"))
    assert (shown["status"], shown["final_total"], shown["grade"]) == (Status.PUBLISHED, 30, "不合格")


def test_assessment_without_json_prints_a_table(cycle):
    out = run("assessment", "2026", "YX-D1")
    lines = out.splitlines()
    assert lines[0].split() == ["YX-D1", "direct", "not_started"]
    assert lines[1].split() == ["item", "points", "proposed", "self", "final"]
    assert lines[2].split()[:2] == ["1.1", "4"]
    assert lines[-1].startswith("self_total")


def test_assessment_refuses_a_unit_without_one(cycle):
    with pytest.raises(CommandError, match="NOPE"):
        run("assessment", "2026", "NOPE", "--json")
    with pytest.raises(CommandError):
        run("assessment", "2025", "YX-D1")
