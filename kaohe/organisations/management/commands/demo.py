from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from kaohe.accounts.models import Role, User
from kaohe.assessments import demo as demo_round
from kaohe.organisations import actions, demo
from kaohe.organisations.importing import plan_import
from kaohe.organisations.models import Organisation

DEMO_USERS = [
    # username, role, unit code, full name
    ("admin", Role.DISTRICT_ADMIN, demo.DISTRICT_CODE, "王芳"),
    ("assessor", Role.ASSESSOR, demo.DISTRICT_CODE, "李强"),
    ("secondary", Role.CADRE, f"{demo.DISTRICT_CODE}-S001", "张敏"),
    ("grassroots", Role.CADRE, f"{demo.DISTRICT_CODE}-S001-G0001", "刘洋"),
]


class Command(BaseCommand):
    help = (
        "Builds the fictional district 云溪区 with demo users (password kaohe-demo-2026); at district scale also "
        "last year's published assessment cycle and this year's, open, with units in every state."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["district", "large"], default="district")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any unit exists.")

    def handle(self, *args: Any, scale: str, if_empty: bool, **options: Any) -> None:
        if if_empty and Organisation.objects.exists():
            self.stdout.write("The database already holds units; the demo district was not loaded.")
            return
        rows = demo.district_rows() if scale == "district" else demo.large_rows()
        with transaction.atomic():
            plan = plan_import(list(enumerate(rows, start=2)), scope=None)
            summary = actions.import_organisations(None, plan, scope=None, filename=f"demo --scale {scale}")
            create_demo_users()
        self.stdout.write(
            f"Demo district ({scale}): {summary.created} units added, {summary.updated} updated. "
            f"Logins: {', '.join(name for name, *_ in DEMO_USERS)}; password {demo.DEMO_PASSWORD}"
        )
        if scale == "district":  # the large district is the benchmark's, which opens its own cycle
            for line in demo_round.build_round():
                self.stdout.write(line)


def create_demo_users() -> None:
    for username, role, code, full_name in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=username)
        user.role = role
        user.organisation = Organisation.objects.get(code=code)
        user.first_name = full_name
        # People are managed on kaohe's own pages, under its access rules; Django's admin site is for the
        # operators `kaohe createsuperuser` makes. A demo database from before loses the flags here.
        user.is_staff = user.is_superuser = False
        user.set_password(demo.DEMO_PASSWORD)
        user.save()
