from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kaohe.standard.actions import make_default_standard
from kaohe.standard.files import as_json, as_yaml
from kaohe.standard.in_force import default_standard
from kaohe.standard.models import Standard


class Command(BaseCommand):
    help = (
        "kaohe standard export SLUG [--version N] [--format json|yaml]: prints a loaded standard. "
        "kaohe standard default SLUG:VERSION: makes that version the default."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        export = sub.add_parser("export", help="Print a standard with stable keys (the latest version by default).")
        export.add_argument("slug")
        export.add_argument("--version", type=int, dest="standard_version")
        export.add_argument("--format", choices=["json", "yaml"], default="json")
        default = sub.add_parser(
            "default", help="Make SLUG:VERSION the default: the version of every year without a cycle."
        )
        default.add_argument("spec", metavar="SLUG:VERSION")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        if verb == "default":
            self._make_default(options["spec"])
        else:
            self._export(options["slug"], options["standard_version"], options["format"])

    def _export(self, slug: str, standard_version: int | None, format: str) -> None:
        versions = Standard.objects.filter(slug=slug)
        if standard_version is not None:
            versions = versions.filter(version=standard_version)
        standard = versions.order_by("-version").first()
        if standard is None:
            raise CommandError(f"No standard {slug}" + (f" v{standard_version}" if standard_version else "") + ".")
        self.stdout.write(as_json(standard.doc) if format == "json" else as_yaml(standard.doc))

    def _make_default(self, spec: str) -> None:
        standard = _version_named(spec)
        previous = default_standard()
        if not make_default_standard(None, standard):
            self.stdout.write(f"{standard.slug} v{standard.version}: already the default")
            return
        was = f"{previous.slug} v{previous.version}" if previous else "none"
        self.stdout.write(f"{standard.slug} v{standard.version}: now the default (was {was})")


def _version_named(spec: str) -> Standard:
    """SLUG:VERSION, both required: choosing the default names the version exactly."""
    slug, _sep, version = spec.partition(":")
    if not slug or not version.isdigit():
        raise CommandError(_("Name the version as SLUG:VERSION, e.g. fangshan-2026-trial:2."))
    standard = Standard.objects.defer("document").filter(slug=slug, version=int(version)).first()
    if standard is None:
        raise CommandError(_("No version %(version)s of %(slug)s is loaded.") % {"version": version, "slug": slug})
    return standard
