from kaohe.assessments import actions
from kaohe.assessments.tests.conftest import assessment_of, fill_in, submitted


def test_smoke(client, personas, cycle):
    submitted(personas["secondary_cadre"], cycle, "YX-S1-G2") if False else None
    g2 = assessment_of(cycle, "YX-S1-G2")
    from kaohe.accounts.models import Role
    from kaohe.conftest import make_user
    from kaohe.organisations.models import Organisation
    c2 = make_user("g2", Role.CADRE, Organisation.objects.get(code="YX-S1-G2"))
    fill_in(c2, g2); actions.submit_self_assessment(c2, g2)
    d1 = assessment_of(cycle, "YX-D1")
    c3 = make_user("d1", Role.CADRE, Organisation.objects.get(code="YX-D1"))
    fill_in(c3, d1); actions.submit_self_assessment(c3, d1)
    for name, user in personas.items():
        client.force_login(user)
        r = client.get("/")
        assert r.status_code == 200, name
        open(f"/tmp/todo_scratch/{name}.html", "wb").write(r.content)
