from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.standard.files import as_json, as_yaml
from kaohe.standard.models import Standard


class Command(BaseCommand):
    help = "kaohe standard export SLUG [--version N] [--format json|yaml]: prints a loaded standard."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        export = sub.add_parser("export", help="Print a standard with stable keys (the latest version by default).")
        export.add_argument("slug")
        export.add_argument("--version", type=int, dest="standard_version")
        export.add_argument("--format", choices=["json", "yaml"], default="json")

    def handle(
        self, *args: Any, verb: str, slug: str, standard_version: int | None, format: str, **options: Any
    ) -> None:
        versions = Standard.objects.filter(slug=slug)
        if standard_version is not None:
            versions = versions.filter(version=standard_version)
        standard = versions.order_by("-version").first()
        if standard is None:
            raise CommandError(f"No standard {slug}" + (f" v{standard_version}" if standard_version else "") + ".")
        self.stdout.write(as_json(standard.doc) if format == "json" else as_yaml(standard.doc))
