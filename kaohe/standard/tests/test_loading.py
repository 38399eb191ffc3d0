"""Loading standards: a bad file is refused whole with the path of each fault; versions live side by side;
a version a cycle uses never changes."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from kaohe.assessments.models import Cycle
from kaohe.history.models import Action, Event
from kaohe.standard.actions import Loaded, StandardLocked, load_standard
from kaohe.standard.document import StandardInvalid, parse_standard
from kaohe.standard.files import SHIPPED, read_standard
from kaohe.standard.models import Standard

pytestmark = pytest.mark.django_db

SHIPPED_FILE = SHIPPED / "fangshan-2026-trial.yaml"


@pytest.fixture
def data() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED_FILE.read_text(encoding="utf-8"))


def faults(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(StandardInvalid) as invalid:
        parse_standard(data, "revised.yaml")
    return invalid.value.errors


def paths(data: Any) -> list[str]:
    return [path for path, _message in faults(data)]


def test_items_that_do_not_add_up_to_their_category_are_refused(data):
    data["categories"][3]["items"][1]["points"] = 6

    assert faults(data) == [("categories[3].points", "条目分值之和为 21 分，与类别分值 20 分不符。")]


def test_categories_that_do_not_add_up_to_the_total_are_refused(data):
    data["total_points"] = 120

    assert faults(data) == [("total_points", "各类别分值之和为 100 分，与总分 120 分不符。")]


def test_an_item_without_requirements_for_a_tier_is_refused(data):
    del data["categories"][0]["items"][0]["requirements"]["secondary"]
    data["categories"][5]["items"][0]["requirements"]["direct"] = []

    assert paths(data) == [
        "categories[0].items[0].requirements.secondary",
        "categories[5].items[0].requirements.direct",
    ]


def test_an_indicator_kaohe_does_not_compute_is_refused(data):
    data["categories"][5]["items"][0]["rules"][0]["indicator"] = "lecture_hours"

    [(path, message)] = faults(data)
    assert path == "categories[5].items[0].rules[0].indicator"
    assert "lecture_hours" in message


def test_repeated_numbering_is_refused(data):
    data["categories"][1]["items"][1]["number"] = "2.1"
    data["categories"][2]["number"] = 2
    data["categories"][0]["items"][0]["requirements"]["district"][1]["number"] = 1

    assert set(paths(data)) == {
        "categories[1].items[1].number",
        "categories[2].number",
        "categories[0].items[0].requirements.district",
    }


def test_points_off_the_half_point_grid_and_pooled_items_with_points_are_refused(data):
    data["categories"][0]["items"][0]["points"] = 3.7
    data["categories"][7]["items"][2]["points"] = 4

    assert {"categories[0].items[0].points", "categories[7].items[2].points"} <= set(paths(data))


def test_a_target_without_comparison_or_of_an_unknown_kind_is_refused(data):
    rules = data["categories"][5]["items"][0]["rules"]
    rules[0]["comparison"] = None
    rules[1]["target"]["of"] = "employees"
    rules[2]["target"] = {"kind": "percent", "value": 80}

    assert paths(data) == [
        "categories[5].items[0].rules[0].comparison",
        "categories[5].items[0].rules[1].target.of",
        "categories[5].items[0].rules[2].target.kind",
        "categories[5].items[0].rules[2].comparison",
    ]


def test_a_file_that_is_not_yaml_says_where(tmp_path: Path):
    with pytest.raises(StandardInvalid) as invalid:
        read_standard(io.BytesIO(b"slug: x\ncategories: [\n  - oops: :\n"), "broken.yaml")

    [(where, message)] = invalid.value.errors
    assert where.startswith("第 ")
    assert "YAML" in message


def test_a_refused_file_loads_nothing(tmp_path: Path, data):
    data["categories"][0]["points"] = 5
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    with pytest.raises(CommandError, match="未载入"):
        call_command("load_standard", str(bad))

    assert not Standard.objects.exists()


def test_loading_the_shipped_file_twice_changes_nothing(capsys):
    call_command("load_standard", str(SHIPPED_FILE))
    call_command("load_standard", str(SHIPPED_FILE))

    assert Standard.objects.count() == 1
    assert capsys.readouterr().out.splitlines() == [
        "fangshan-2026-trial v1: created",
        "fangshan-2026-trial v1: unchanged",
    ]
    assert Event.objects.filter(action=Action.STANDARD_LOADED).count() == 1


def test_a_revised_version_loads_beside_the_old_one(data):
    load_standard(None, parse_standard(data))
    revised = copy.deepcopy(data)
    revised["version"] = 2
    revised["categories"][0]["items"][0]["content"] = "修订后的工作内容。"

    _standard, outcome = load_standard(None, parse_standard(revised))

    assert outcome == Loaded.CREATED
    assert list(Standard.objects.values_list("version", flat=True)) == [2, 1]
    assert Standard.objects.get(version=1).doc.items[0].content == "开展学习化社会专题学习或专题培训，每年不少于两次。"


def test_a_version_no_cycle_uses_may_still_be_corrected(data):
    load_standard(None, parse_standard(data))
    data["categories"][0]["items"][0]["content"] = "更正。"

    standard, outcome = load_standard(None, parse_standard(data))

    assert outcome == Loaded.REPLACED
    assert standard.doc.items[0].content == "更正。"


def test_a_version_a_cycle_uses_can_never_change_and_the_refusal_names_the_cycle(data, tmp_path: Path):
    standard, _ = load_standard(None, parse_standard(data))
    Cycle.objects.create(year=2026, name="2026年度考核", standard=standard)
    data["categories"][0]["items"][0]["content"] = "偷偷修改。"
    revised = tmp_path / "revised.yaml"
    revised.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    with pytest.raises(StandardLocked, match="2026年度考核"):
        load_standard(None, parse_standard(data))
    with pytest.raises(CommandError, match="2026年度考核"):
        call_command("load_standard", str(revised))

    assert Standard.objects.get().doc.items[0].content == "开展学习化社会专题学习或专题培训，每年不少于两次。"


def test_the_same_content_under_a_used_version_is_accepted_as_unchanged(data):
    standard, _ = load_standard(None, parse_standard(data))
    Cycle.objects.create(year=2026, name="2026年度考核", standard=standard)

    assert load_standard(None, parse_standard(data))[1] == Loaded.UNCHANGED


def test_the_json_export_has_stable_keys(capsys):
    call_command("load_standard", str(SHIPPED_FILE))
    capsys.readouterr()

    call_command("standard", "export", "fangshan-2026-trial", "--format", "json")

    exported = json.loads(capsys.readouterr().out)
    item = exported["categories"][5]["items"][0]
    assert list(exported) == ["slug", "version", "title", "total_points", "tiers", "grassroots_column", "categories"]
    assert list(item) == ["number", "content", "points", "requirements", "rules"]
    assert list(item["requirements"]) == ["district", "secondary", "direct"]
    assert item["requirements"]["direct"][1] == {
        "number": 4,
        "text": "汇总工会年度职工素质教育大讲堂活动开展情况，职工素质教育大讲堂活动次数不低于5次。"
        "参培人数不低于工会会员总数的80%。",
    }
    assert item["rules"][1] == {
        "indicator": "lecture_count",
        "tier": "secondary",
        "comparison": "gte",
        "target": {"kind": "multiple", "factor": 3, "of": "grassroots_units"},
    }
    assert exported == yaml.safe_load(SHIPPED_FILE.read_text(encoding="utf-8"))


def test_exporting_an_unknown_standard_fails():
    with pytest.raises(CommandError):
        call_command("standard", "export", "no-such-standard")
