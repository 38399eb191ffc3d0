"""云溪区's whole year, through the API alone: every person of the district runs a script with their own key.

The district admin opens the cycle; each unit's cadre self-assesses every item and attaches a file;
城关街道 returns 城关社区工会's assessment with a comment and gets it back with the missing file; each reviewer
scores (城关小学工会 loses points on 6.1, with a reason); the admin publishes; everyone reads the ranking.
No action function, model or page is touched after the accounts exist: what a script can do is the test.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.accounts.models import Role
from kaohe.api.tests.conftest import client_with_key
from kaohe.conftest import make_user

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
YEAR = 2026


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def assessment(code: str, rest: str = "") -> str:
    return f"/api/assessments/{YEAR}/{code}/{rest}"


def self_assess(script: Any, code: str) -> None:
    """Every item at full points with an explanation, a file for 6.1's first requirement, then submitted."""
    for item in ok(script.get(assessment(code)))["items"]:
        sent = {"self_score": str(item["points"]), "explanation": "见台账与佐证材料", "version": item["version"]}
        ok(script.patch(assessment(code, f"items/{item['number']}/self/"), sent, format="json"))
    upload = {"file": SimpleUploadedFile("签到表.pdf", PDF, "application/pdf"), "requirement": "1"}
    ok(script.post(assessment(code, "items/6.1/evidence/"), upload), 201)
    submit(script, code)


def submit(script: Any, code: str) -> None:
    version = ok(script.get(assessment(code)))["version"]
    assert ok(script.post(assessment(code, "submit/"), {"version": version}, format="json"))["status"] == "submitted"


def review(script: Any, code: str, lower: dict[str, str] | None = None) -> None:
    """Each item's final score is its self-score, except those lowered; with a reason (a final score off the
    figures' proposal needs one too); then marked reviewed."""
    lower = lower or {}
    for item in ok(script.get(assessment(code)))["items"]:
        number = item["number"]
        final = lower.get(number, str(item["self_score"]))
        sent = {
            "final_score": final,
            "reason": "签到表不全" if number in lower else "材料齐全",
            "version": item["version"],
        }
        ok(script.patch(assessment(code, f"items/{number}/review/"), sent, format="json"))
    version = ok(script.get(assessment(code)))["version"]
    ok(script.post(assessment(code, "review-complete/"), {"version": version}, format="json"))


def test_a_whole_year_runs_through_the_api_alone(tree, standard, personas):
    cadres = {
        code: make_user(f"cadre-{code.lower()}", Role.CADRE, tree[code])
        for code in ("YX-S1-G2", "YX-S2", "YX-S2-G1", "YX-D1")
    }
    admin, assessor = client_with_key(personas["district_admin"]), client_with_key(personas["assessor"])
    chengguan, shequ = client_with_key(personas["secondary_cadre"]), client_with_key(personas["grassroots_cadre"])
    scripts = {"YX": admin, "YX-S1": chengguan, "YX-S1-G1": shequ} | {c: client_with_key(u) for c, u in cadres.items()}

    # The district admin opens the year.
    opened = ok(admin.post("/api/cycles/", {"year": YEAR, "self_deadline": "2026-11-30"}, format="json"), 201)
    assert opened["progress"]["total"] == 7

    # Every unit self-assesses and submits; 城关社区工会 forgets nothing but the second lecture's sign-in sheet.
    for code, script in scripts.items():
        self_assess(script, code)

    # 城关街道 returns it with a comment on 6.1; the cadre reads it, adds the file and submits again.
    version = ok(chengguan.get(assessment("YX-S1-G1")))["version"]
    comment = {"item_comments": {"6.1": "请补充第二讲的签到表"}, "version": version}
    assert ok(chengguan.post(assessment("YX-S1-G1", "return/"), comment, format="json"))["status"] == "returned"
    item = ok(shequ.get(assessment("YX-S1-G1", "items/6.1/")))
    assert "请补充第二讲的签到表" in str(item)
    upload = {"file": SimpleUploadedFile("第二讲签到表.pdf", PDF, "application/pdf"), "requirement": "2"}
    ok(shequ.post(assessment("YX-S1-G1", "items/6.1/evidence/"), upload), 201)
    submit(shequ, "YX-S1-G1")

    # The reviewers: 城关街道 its two grassroots unions, 区教委 its school, the district's assessor the rest.
    review(chengguan, "YX-S1-G1")
    review(chengguan, "YX-S1-G2", lower={"6.1": "10"})
    review(scripts["YX-S2"], "YX-S2-G1", lower={"6.1": "12.5"})
    for code in ("YX", "YX-S1", "YX-S2", "YX-D1"):
        review(assessor, code)
    assert "final_total" not in ok(shequ.get(assessment("YX-S1-G1")))  # the reviewer's until publication

    # The admin publishes.
    assert ok(admin.post(f"/api/cycles/{YEAR}/publish/"))["published"] == 7

    # 城关社区工会 sees its total, grade and both rounds; its files download.
    final = ok(shequ.get(assessment("YX-S1-G1")))
    assert (final["status"], Decimal(str(final["final_total"])), final["grade"]) == ("published", 100, "优秀")
    evidence = [e for item in final["items"] for e in item["evidence"]]
    assert len(evidence) == 2
    assert all(shequ.get(e["download"]).status_code == 200 for e in evidence)

    # The ranking, read as each reader may: 城关街道's system; across the district; and by the admin.
    within = ok(chengguan.get(f"/api/results/{YEAR}/ranking/", {"group": "grassroots", "system": "YX-S1"}))
    assert [(row["code"], row["rank"], Decimal(str(row["total"]))) for row in within["results"]] == [
        ("YX-S1-G1", 1, Decimal(100)),
        ("YX-S1-G2", 2, Decimal(95)),
    ]
    across = ok(admin.get(f"/api/results/{YEAR}/ranking/", {"group": "grassroots_district"}))
    assert [(row["code"], row["rank"]) for row in across["results"]] == [
        ("YX-S1-G1", 1),
        ("YX-S2-G1", 2),
        ("YX-S1-G2", 3),
    ]
    secondary = ok(admin.get(f"/api/results/{YEAR}/ranking/", {"group": "secondary"}))
    assert [(row["code"], row["rank"]) for row in secondary["results"]] == [("YX-S1", 1), ("YX-S2", 1)]

    # 城关小学工会's sheet says where it lost its points, and why.
    sheet = ok(scripts["YX-S1-G2"].get(f"/api/results/{YEAR}/YX-S1-G2/"))
    rows = [row for category in sheet["categories"] for row in category["rows"]]
    lost = [row for row in rows if row["final_score"] < row["points"]]
    assert [(row["number"], row["final_score"], row["words"]) for row in lost] == [("6.1", 10, "签到表不全")]
    assert Decimal(str(sheet["final_total"])) == 95
