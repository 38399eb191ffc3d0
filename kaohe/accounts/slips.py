"""Login slips: the new accounts of an import with their initial passwords, printed or as xlsx.

The passwords exist in clear only in the one response that answers the import: the page of slips, which
carries the xlsx inside itself (a data: link) rather than leaving it anywhere to be downloaded later. No
session, cache, file or history holds them, so nothing stored can give them away, and once the page is
left they are gone: a forgotten one is reset on the account's page.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kaohe.accounts.actions import IssuedAccount
from kaohe.spreadsheets import XLSX_CONTENT_TYPE, ExportColumn, Format, report_title, safe_filename, write_report


def slip_columns() -> tuple[ExportColumn, ...]:
    return (
        ExportColumn(capfirst(_("unit code")), Format.CODE),
        ExportColumn(_("Unit"), width=30),
        ExportColumn(_("Full name"), width=16),
        ExportColumn(_("Username"), Format.CODE, width=20),
        ExportColumn(_("Initial password"), Format.CODE, width=20),
        ExportColumn(_("Log in at"), width=40),
    )


def slips_xlsx(issued: Sequence[IssuedAccount], login_url: str, filename: str) -> bytes:
    """One row a slip, formula-safe like every export (a name typed as =… stays text)."""
    rows = (
        (
            entry.account.organisation.code if entry.account.organisation else "",
            entry.account.organisation.name if entry.account.organisation else "",
            entry.account.first_name,
            entry.account.username,
            entry.password,
            login_url,
        )
        for entry in issued
    )
    title = report_title(_("Login slips"), filename, timezone.localdate().isoformat())
    return write_report(title, slip_columns(), rows, sheet_name=_("Login slips"))


def slips_filename() -> str:
    return safe_filename(f"{_('Login slips')}-{timezone.localtime():%Y%m%d-%H%M}.xlsx")


def as_data_uri(content: bytes) -> str:
    """The workbook inside the page's link: downloading it asks the server nothing."""
    return f"data:{XLSX_CONTENT_TYPE};base64,{base64.b64encode(content).decode('ascii')}"
