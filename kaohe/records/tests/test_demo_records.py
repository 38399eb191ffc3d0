import pytest
from django.core.management import call_command

from kaohe.records.models import Activity, ActivityCategory

pytestmark = pytest.mark.django_db


def test_the_demo_district_gets_a_year_of_records_once(tree, capsys):
    call_command("demo_records", "--year", "2026", "--if-empty")
    count = Activity.objects.count()
    call_command("demo_records", "--year", "2026", "--if-empty")

    assert Activity.objects.count() == count > 0
    assert Activity.objects.filter(category=ActivityCategory.LECTURE, date__year=2026).exists()
    assert set(Activity.objects.values_list("date__year", flat=True)) == {2026}
    assert "no demo records were added" in capsys.readouterr().out
