"""Records for the demo district, so that its figures pages show something to read: a year's activities,
funds and honours, some units well ahead of their targets and some behind."""

import datetime
import random
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from kaohe.organisations.models import Category, Organisation
from kaohe.records.models import Activity, ActivityCategory, EducationFund, Honour, HonourLevel

TOPICS = ["职工读书分享会", "安全生产讲座", "法律知识讲座", "心理健康讲座", "技能提升课堂", "劳模工匠讲堂"]


class Command(BaseCommand):
    help = "Adds a year of demo records to every active unit (only where none exist with --if-empty)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=datetime.date.today().year)
        parser.add_argument("--if-empty", action="store_true")

    def handle(self, *args: Any, year: int, if_empty: bool, **options: Any) -> None:
        if if_empty and Activity.objects.exists():
            self.stdout.write("Records exist already; no demo records were added.")
            return
        rng = random.Random(year)  # noqa: S311 (made-up demo data, not a secret)
        units = list(Organisation.objects.filter(is_active=True))
        activities, funds, honours = [], [], []
        for unit in units:
            activities += _activities(rng, unit, year)
            if rng.random() < 0.6:
                funds.append(
                    EducationFund(
                        organisation=unit,
                        amount=Decimal(rng.randrange(2, 200) * 500),
                        date=_day(rng, year),
                        purpose="职工教育培训",
                    )
                )
            if rng.random() < 0.15:
                level = rng.choice([HonourLevel.DISTRICT] * 6 + [HonourLevel.MUNICIPAL] * 3 + [HonourLevel.NATIONAL])
                honours.append(Honour(organisation=unit, level=level, title="先进职工之家", date=_day(rng, year)))
        with transaction.atomic():
            Activity.objects.bulk_create(activities, batch_size=2000)
            EducationFund.objects.bulk_create(funds)
            Honour.objects.bulk_create(honours)
        self.stdout.write(
            f"{len(activities)} activities, {len(funds)} fund entries, {len(honours)} honours for {year}."
        )


def _day(rng: random.Random, year: int) -> datetime.date:
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def _activities(rng: random.Random, unit: Organisation, year: int) -> list[Activity]:
    lectures = rng.randint(0, 9) if unit.category in (Category.GRASSROOTS, Category.DIRECT) else rng.randint(5, 40)
    if unit.category == Category.DISTRICT:
        meetings = [ActivityCategory.TRAINING] * 3 + [ActivityCategory.LEADING_GROUP_MEETING] * 2
    else:
        meetings = [ActivityCategory.OFFICE_MEETING] * rng.randint(0, 4)
    made = [
        Activity(
            organisation=unit,
            category=ActivityCategory.LECTURE,
            name=rng.choice(TOPICS),
            date=_day(rng, year),
            participants=max(1, int(unit.members * rng.uniform(0.05, 0.35))),
            speaker="",
            place="职工之家",
        )
        for _ in range(lectures)
    ]
    made += [
        Activity(
            organisation=unit,
            category=category,
            name=str(category.label),
            date=_day(rng, year),
            participants=rng.randint(5, 30),
        )
        for category in meetings
    ]
    return made
