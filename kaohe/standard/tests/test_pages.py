"""The standard's pages, as the personas use them: everyone reads it laid out like the printed table; a
district administrator loads new versions; anyone compares two versions.

The page labels are translated later, so these tests look at the standard's own texts and at structure.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from kaohe.assessments.models import Cycle
from kaohe.history.models import Action, Event
from kaohe.standard.actions import load_standard
from kaohe.standard.document import StandardDocument, Target, parse_standard, to_data
from kaohe.standard.files import SHIPPED, read_standard_path
from kaohe.standard.models import Standard
from kaohe.standard.views import rule_note, target_in_words
from kaohe.tests.pins import pins

SLUG = "fangshan-2026-trial"
HEADINGS = {"district": "工作组（区总工会）", "secondary": "二级工会（乡镇街道、委局公司）", "direct": "区直属基层工作"}
DISTRICT_ONLY = "成立区级志愿者队伍，并形成一定规模。"  # 5.1, requirement 3 of the district column
REWORDED = "统计汇总本系统工会年度大讲堂活动开展情况，活动次数不低于所辖基层工会总数的4倍。"


# The standard's table, read back from the page -------------------------------------------------------------


@dataclass
class Cell:
    tag: str
    attributes: dict[str, str | None]
    text: str = ""

    @property
    def rowspan(self) -> int:
        return int(self.attributes.get("rowspan") or 1)


@dataclass
class TableReader(HTMLParser):
    rows: list[list[Cell]] = field(default_factory=list)
    inside: bool = False
    cell: Cell | None = None

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table" and "standard-table" in (attributes.get("class") or ""):
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = Cell(tag, attributes)
            self.rows[-1].append(self.cell)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif tag in ("td", "th"):
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.text += data


def table_of(response: Any) -> list[list[Cell]]:
    reader = TableReader()
    reader.feed(response.content.decode())
    return reader.rows


def row_of_item(rows: list[list[Cell]], content: str) -> list[Cell]:
    return next(row for row in rows if any(content in cell.text for cell in row))


def cell_with(rows: list[list[Cell]], text: str) -> Cell:
    return next(cell for row in rows for cell in row if text in cell.text)


def columns_per_row(rows: list[list[Cell]]) -> list[int]:
    """How many columns each row fills, counting the cells that reach down into it from rows above."""
    reaching_down: list[int] = []  # rows still to cover, one entry per spanning cell
    counts = []
    for row in rows:
        counts.append(len(row) + len(reaching_down))
        reaching_down = [left - 1 for left in reaching_down if left > 1]
        reaching_down += [cell.rowspan - 1 for cell in row if cell.rowspan > 1]
    return counts


# Fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture
def shipped() -> StandardDocument:
    return read_standard_path(SHIPPED / "fangshan-2026-trial.yaml")


@pytest.fixture
def standard(db: Any, shipped: StandardDocument) -> Standard:
    return load_standard(None, shipped)[0]


def revision_of(document: StandardDocument) -> dict[str, Any]:
    """Version 2: 4.1 re-pointed 5 → 7, 4.4 (5) replaced by 4.5 (3), a requirement of 6.1 reworded."""
    data = to_data(document)
    data["version"] = 2
    category = data["categories"][3]
    category["items"][0]["points"] = 7
    removed = category["items"].pop()
    category["items"].append({**removed, "number": "4.5", "content": "建立创建工作激励机制。", "points": 3})
    data["categories"][5]["items"][0]["requirements"]["secondary"][3]["text"] = REWORDED
    return data


@pytest.fixture
def revised(standard: Standard, shipped: StandardDocument) -> Standard:
    return load_standard(None, parse_standard(revision_of(shipped)))[0]


def detail_url(version: int = 1, **query: str) -> str:
    url = reverse("standard:detail", args=[SLUG, version])
    return url + "?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else url


def compare_url(old: int | str, new: int | str, slug: str = SLUG) -> str:
    return reverse("standard:compare", args=[slug]) + f"?from={old}&to={new}"


def yaml_upload(data: dict[str, Any], name: str = "fangshan-2026-trial.yaml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, yaml.safe_dump(data, allow_unicode=True).encode(), "application/x-yaml")


# The list ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["district_admin", "assessor", "secondary_cadre", "grassroots_cadre", "outsider"])
def test_everyone_logged_in_sees_the_versions_loaded(client, personas, standard, persona):
    client.force_login(personas[persona])

    response = client.get(reverse("standard:list"))

    assert response.status_code == 200
    assert "房山区总工会学习型工会创建工作评估考核标准及细则（试行）" in response.content.decode()
    assert detail_url(1) in response.content.decode()
    assert (reverse("standard:import") in response.content.decode()) == (persona == "district_admin")


def test_the_list_names_the_cycle_locking_a_version_and_offers_to_compare_versions(
    client, grassroots_cadre, revised, tree
):
    Cycle.objects.create(district=tree["YX"], year=2026, name="2026年度考核", standard=Standard.objects.get(version=1))
    client.force_login(grassroots_cadre)

    response = client.get(reverse("standard:list"))

    page = response.content.decode()
    assert "2026年度考核" in page
    assert detail_url(2) in page
    assert reverse("standard:compare", args=[SLUG]) in page
    assert [(group.slug, [s.version for s in group.versions]) for group in response.context["groups"]] == [
        (SLUG, [2, 1])
    ]


@pins("standard:list")
def test_the_list_costs_the_same_queries_however_many_versions_and_cycles(
    client, grassroots_cadre, revised, django_assert_num_queries
):
    for version in (1, 2):
        Cycle.objects.create(year=2026, name=f"考核{version}", standard=Standard.objects.get(version=version))
    client.force_login(grassroots_cadre)

    # session, user with their unit, the standards, their cycles
    with django_assert_num_queries(4):
        client.get(reverse("standard:list"))


@pytest.mark.parametrize(
    "url",
    [
        reverse("standard:list"),
        detail_url(1),
        reverse("standard:export", args=[SLUG, 1]),
        compare_url(1, 1),
        reverse("standard:import"),
    ],
)
def test_someone_not_logged_in_is_sent_to_log_in(client, standard, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# One version, laid out like the printed table ---------------------------------------------------------------


def test_the_table_shows_every_category_item_and_requirement_with_its_printed_number(
    client, grassroots_cadre, standard
):
    client.force_login(grassroots_cadre)

    response = client.get(detail_url(tier="all"))

    assert response.status_code == 200
    page = response.content.decode()
    document = standard.doc
    for category in document.categories:
        assert category.title in page
        for entry in category.items:
            assert entry.content in page
            for tier in HEADINGS:
                for requirement in entry.requirements[tier]:
                    assert f"{requirement.number}、{requirement.text}" in page


def test_the_table_has_the_printed_columns_and_spans_each_category(client, grassroots_cadre, standard):
    client.force_login(grassroots_cadre)

    rows = table_of(client.get(detail_url(tier="all")))

    heading, body = rows[0], rows[1:]
    assert [cell.text for cell in heading[3:6]] == list(HEADINGS.values())
    assert len(heading) == 7
    assert len(body) == 19  # one row per item
    assert set(columns_per_row(rows)) == {7}
    assert cell_with(body, "制度机制建设").rowspan == 4
    assert cell_with(body, "学习认识").rowspan == 1
    pooled_points = row_of_item(body, "创建激发了工会组织的活力")[-1]
    assert (pooled_points.text.strip(), pooled_points.rowspan) == ("20", 5)
    assert row_of_item(body, "以创建职工教育培训基地为载体")[-1].text.strip() == "15"


def test_the_direct_column_of_item_6_1_keeps_its_printed_numbers_1_and_4(client, grassroots_cadre, standard):
    client.force_login(grassroots_cadre)

    row = row_of_item(table_of(client.get(detail_url(tier="all"))), "以创建职工教育培训基地为载体")

    direct = row[-2].text
    assert "1、落实区总工会出台的关于工会会员教育培训意见等相关文件。" in direct
    assert "4、汇总工会年度职工素质教育大讲堂活动开展情况" in direct
    assert "2、" not in direct
    assert "3、" not in direct


def test_each_rule_of_an_item_is_noted_in_its_tier_column(client, grassroots_cadre, standard):
    client.force_login(grassroots_cadre)

    row = row_of_item(table_of(client.get(detail_url(tier="all"))), "以创建职工教育培训基地为载体")

    cells = dict(zip(HEADINGS, (cell.text for cell in row[-4:-1]), strict=True))
    item = standard.doc.items[9]  # 6.1: five rules over the three tiers
    for rule in item.rules:
        assert rule_note(rule) in cells[rule.tier]
    district_rule = rule_note(item.rules[0])  # 2000 lectures
    assert district_rule not in cells["secondary"] + cells["direct"]


def test_a_target_reads_as_a_constant_a_multiple_or_a_share():
    with translation.override("en"):
        assert target_in_words(Target("constant", Decimal(2000))) == "≥ 2000"
        assert (
            target_in_words(Target("multiple", Decimal(3), "grassroots_units"))
            == "≥ 3 × grassroots units under the unit"
        )
        assert target_in_words(Target("share", Decimal("0.8"), "members")) == (
            "≥ 80% of members of the unit and the units under it"
        )
        assert target_in_words(None) == "counted, no target"


def test_the_secondary_tier_alone_shows_only_its_column(client, secondary_cadre, standard):
    client.force_login(secondary_cadre)

    response = client.get(detail_url(tier="secondary"))

    rows = table_of(response)
    page = response.content.decode()
    assert len(rows[0]) == 5
    assert set(columns_per_row(rows)) == {5}
    headings = [cell.text for cell in rows[0]]
    assert HEADINGS["secondary"] in headings
    assert HEADINGS["district"] not in headings
    assert HEADINGS["direct"] not in headings  # in the table, that is: the tier filter still offers them
    assert DISTRICT_ONLY not in page
    assert "4、统计汇总本系统工会年度职工素质教育大讲堂活动开展情况" in page
    assert rule_note(standard.doc.items[9].rules[0]) not in page  # the district's 2000 lectures
    assert cell_with(rows[1:], "制度机制建设").rowspan == 4
    assert "export.xlsx?tier=secondary" in page  # the download holds what is shown


@pytest.mark.parametrize(
    ("persona", "column"),
    [
        ("district_admin", "district"),
        ("assessor", "district"),
        ("secondary_cadre", "secondary"),
        ("grassroots_cadre", "direct"),  # the shipped standard's grassroots_column
        ("outsider", "secondary"),  # a township federation of another district reads the same standard
    ],
)
def test_the_page_opens_on_the_column_of_the_users_own_unit(client, personas, standard, persona, column):
    client.force_login(personas[persona])

    response = client.get(detail_url())

    headings = [cell.text for cell in table_of(response)[0]]
    assert [heading for heading in headings if heading in HEADINGS.values()] == [HEADINGS[column]]
    page = response.content.decode()
    assert f'href="?tier={column}" id="own-column"' in page
    assert f"export.xlsx?tier={column}" in page  # the download holds what is shown
    assert 'href="?tier=all"' in page  # the others are a tap away


def test_the_page_shows_every_column_when_asked(client, secondary_cadre, standard):
    client.force_login(secondary_cadre)

    for tier in ("all", "all&tier=direct"):
        headings = [cell.text for cell in table_of(client.get(detail_url(tier=tier)))[0]]
        assert headings[3:6] == list(HEADINGS.values())
    two = [cell.text for cell in table_of(client.get(detail_url(tier="district&tier=direct")))[0]]
    assert two[3:5] == [HEADINGS["district"], HEADINGS["direct"]]


def test_the_download_without_a_tier_still_holds_every_column(client, grassroots_cadre, standard):
    client.force_login(grassroots_cadre)

    response = client.get(reverse("standard:export", args=[SLUG, 1]))

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    texts = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert set(HEADINGS.values()) <= texts


def test_the_import_page_says_what_was_wrong_before_what_the_file_should_hold(client, district_admin, shipped):
    data = to_data(shipped)
    data["categories"][0]["points"] = 5
    client.force_login(district_admin)

    page = client.post(reverse("standard:import"), {"file": yaml_upload(data)}).content.decode()

    assert page.index('id="import-errors"') < page.index('id="workbook-sheets"') < page.index('enctype="multipart')
    assert 'class="import-error"' in page  # a card per fault below md (kaohe.css .stack-below-md)


def test_an_unknown_tier_is_a_bad_request(client, grassroots_cadre, standard):
    client.force_login(grassroots_cadre)

    assert client.get(detail_url(tier="township")).status_code == 400
    assert client.get(reverse("standard:export", args=[SLUG, 1]) + "?tier=township").status_code == 400


def test_an_unknown_version_is_not_found(client, grassroots_cadre, standard):
    client.force_login(grassroots_cadre)

    assert client.get(detail_url(3)).status_code == 404
    assert client.get(reverse("standard:detail", args=["no-such-standard", 1])).status_code == 404


@pins("standard:detail")
def test_the_page_costs_the_same_queries_whatever_the_tier(
    client, grassroots_cadre, revised, django_assert_num_queries
):
    Cycle.objects.create(year=2026, name="2026年度考核", standard=revised)
    client.force_login(grassroots_cadre)

    # session, user with their unit, the version, its cycles, the version before it
    for query in ({}, {"tier": "direct"}):
        with django_assert_num_queries(5):
            client.get(detail_url(2, **query))


def test_the_version_downloads_as_xlsx_named_after_it(client, grassroots_cadre, standard):
    client.force_login(grassroots_cadre)

    response = client.get(reverse("standard:export", args=[SLUG, 1]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="{SLUG}-v1.xlsx"' in response["Content-Disposition"]
    assert response.content.startswith(b"PK")


def test_the_download_holds_the_tier_chosen(client, grassroots_cadre, standard):
    client.force_login(grassroots_cadre)

    response = client.get(reverse("standard:export", args=[SLUG, 1]) + "?tier=secondary")

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    texts = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert HEADINGS["secondary"] in texts
    assert HEADINGS["district"] not in texts
    assert HEADINGS["direct"] not in texts


# Two versions compared ---------------------------------------------------------------------------------------


def test_the_comparison_shows_each_change_of_the_revision(client, assessor, revised):
    client.force_login(assessor)

    response = client.get(compare_url(1, 2))

    assert response.status_code == 200
    page = response.content.decode()
    assert "建立创建工作激励机制。" in page  # 4.5 added
    assert "建立创建工作表彰奖励机制。" in page  # 4.4 removed
    assert "出台系列创建相关政策文件等。建立并完善各种学习和教育培训制度。" in page  # 4.1 re-pointed
    assert "5 → <strong>7</strong>" in page
    assert REWORDED in page
    assert "统计汇总本系统工会年度职工素质教育大讲堂活动开展情况，系统内职工素质教育大讲堂活动次数" in page
    for section in ("items-added", "items-removed", "items-repointed", "requirements-changed"):
        assert f'id="{section}"' in page
    assert 'id="no-differences"' not in page


def test_a_version_compared_with_itself_has_no_differences(client, grassroots_cadre, standard):
    client.force_login(grassroots_cadre)

    response = client.get(compare_url(1, 1))

    assert response.status_code == 200
    assert 'id="no-differences"' in response.content.decode()


@pytest.mark.parametrize(
    ("old", "new", "slug", "status"), [(1, 3, SLUG, 404), (1, 1, "no-such", 404), ("a", 1, SLUG, 400)]
)
def test_comparing_versions_that_do_not_exist_fails(client, grassroots_cadre, standard, old, new, slug, status):
    client.force_login(grassroots_cadre)

    assert client.get(compare_url(old, new, slug)).status_code == status


# Importing a version -----------------------------------------------------------------------------------------


def loaded_outcomes() -> list[str]:
    return [event.details["outcome"] for event in Event.objects.filter(action=Action.STANDARD_LOADED).order_by("pk")]


def test_a_district_admin_imports_the_standard_then_the_same_file_again(client, district_admin, shipped):
    client.force_login(district_admin)

    first = client.post(reverse("standard:import"), {"file": yaml_upload(to_data(shipped))})
    again = client.post(reverse("standard:import"), {"file": yaml_upload(to_data(shipped))}, follow=True)

    assert first.status_code == 302
    assert first.url == detail_url(1)
    assert again.redirect_chain == [(detail_url(1), 302)]
    assert [str(message) for message in again.context["messages"]]  # said what happened
    assert Standard.objects.get().source == "fangshan-2026-trial.yaml"
    assert loaded_outcomes() == ["created"]  # the second time changed nothing, so recorded nothing


def test_a_file_whose_points_do_not_add_up_loads_nothing_and_says_where(client, district_admin, shipped):
    data = to_data(shipped)
    data["categories"][0]["points"] = 5
    client.force_login(district_admin)

    response = client.post(reverse("standard:import"), {"file": yaml_upload(data)})

    assert response.status_code == 200
    page = response.content.decode()
    assert "<code>categories[0].points</code>" in page
    assert "<code>total_points</code>" in page
    assert response.context["errors"][0][0] == "categories[0].points"
    assert not Standard.objects.exists()


def test_a_version_a_cycle_uses_is_not_replaced_and_the_page_names_the_cycle(client, district_admin, standard, shipped):
    Cycle.objects.create(year=2026, name="2026年度考核", standard=standard)
    data = to_data(shipped)
    data["categories"][0]["items"][0]["content"] = "修订后的工作内容。"
    client.force_login(district_admin)

    response = client.post(reverse("standard:import"), {"file": yaml_upload(data)})

    assert response.status_code == 200
    assert "2026年度考核" in response.content.decode()
    assert Standard.objects.get().content_hash == standard.content_hash
    assert loaded_outcomes() == ["created"]


def test_a_version_no_cycle_uses_is_replaced(client, district_admin, standard, shipped):
    data = to_data(shipped)
    data["categories"][0]["items"][0]["content"] = "修订后的工作内容。"
    client.force_login(district_admin)

    response = client.post(reverse("standard:import"), {"file": yaml_upload(data, "修订.yaml")})

    assert response.status_code == 302
    assert Standard.objects.get().doc.items[0].content == "修订后的工作内容。"
    assert loaded_outcomes() == ["created", "replaced"]


def test_a_file_of_another_kind_is_refused(client, district_admin):
    client.force_login(district_admin)

    response = client.post(reverse("standard:import"), {"file": SimpleUploadedFile("标准.docx", b"PK\x03\x04")})

    assert response.status_code == 200
    assert response.context["errors"][0][0] == "(file)"
    assert not Standard.objects.exists()


@pytest.mark.parametrize("persona", ["assessor", "secondary_cadre", "grassroots_cadre", "outsider"])
def test_only_a_district_admin_may_import(client, personas, shipped, persona):
    client.force_login(personas[persona])

    assert client.get(reverse("standard:import")).status_code == 403
    assert client.post(reverse("standard:import"), {"file": yaml_upload(to_data(shipped))}).status_code == 403
    assert not Standard.objects.exists()


def test_another_districts_cycle_is_not_named_but_its_version_is_locked_all_the_same(client, outsider, revised, tree):
    Cycle.objects.create(district=tree["YX"], year=2026, name="云溪区2026年度考核", standard=revised)
    client.force_login(outsider)  # of 邻区

    listed = client.get(reverse("standard:list")).content.decode()
    shown = client.get(detail_url(2)).content.decode()

    assert "云溪区2026年度考核" not in listed
    assert "云溪区2026年度考核" not in shown
    assert "已锁定" in listed
    assert "已锁定" in shown
