from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe.access import (
    Do,
    SeeButNotChange,
    can,
    can_move_or_deactivate,
    get_organisation,
    scope_root_or_404,
    visible_organisations,
)
from kaohe.forms import posted
from kaohe.history.models import Event
from kaohe.organisations import actions, queries
from kaohe.organisations.forms import ImportForm, MoveForm, OrganisationForm, SearchForm
from kaohe.organisations.importing import CATEGORY, CODE, COLUMNS, MEMBERS, NAME, PARENT, read_units_file
from kaohe.organisations.models import FILE_NAME_OF_CATEGORY, Organisation
from kaohe.spreadsheets import (
    ExportColumn,
    Format,
    ImportRefused,
    export_response,
    report_title,
    with_units_under,
    write_report,
    write_xlsx,
)
from kaohe.versions import saved_or_current_shown

# The units file (kaohe.organisations.importing), each column typed: codes stay text, member counts numbers.
EXPORT_COLUMNS = (
    ExportColumn(CODE, Format.CODE),
    ExportColumn(NAME, width=30),
    ExportColumn(PARENT, Format.CODE),
    ExportColumn(CATEGORY, width=16),
    ExportColumn(MEMBERS, Format.COUNT),
)


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    root = scope_root_or_404(request.user)
    search = SearchForm(request.GET)
    found = None
    if search.is_valid() and search.cleaned_data["q"]:
        found = queries.search(visible_organisations(request.user), search.cleaned_data["q"])
    totals, page = queries.children_page(root, request.GET.get("page"))
    context = {
        "root": root,
        "totals": totals,
        "children": page,
        "page": page,
        "search": search,
        "found": found,
        "may_restructure": can(request.user, Do.RESTRUCTURE, root),
    }
    return render(request, "organisations/tree.html", context)


@login_required
def children(request: HttpRequest, code: str) -> HttpResponse:
    """The units under one unit, as rows of the tree: what htmx loads when a branch opens (its first page,
    as a list), and when "more" is clicked in it (the next page's rows, put in place of the link)."""
    unit = get_organisation(request.user, code)
    _totals, page = queries.children_page(unit, request.GET.get("page"))
    context = {"parent": unit, "children": page, "more_in_place": True}
    partial = "branch-rows" if page.number > 1 else "branch"
    return render(request, f"organisations/tree.html#{partial}", context)


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_organisation(request.user, code)
    root = scope_root_or_404(request.user)
    totals, page = queries.children_page(unit, request.GET.get("page"), include_inactive=True)
    context = {
        "unit": unit,
        "ancestors": [a for a in queries.ancestors_of(unit) if a.is_within(root)],
        "totals": totals,
        "children": page,
        "page": page,
        "events": Event.objects.filter(organisation=unit).select_related("actor")[:20],
        "may_edit": can(request.user, Do.EDIT, unit),
        "may_add": can(request.user, Do.RESTRUCTURE, unit),
        "may_move": can_move_or_deactivate(request.user, unit),
    }
    return render(request, "organisations/detail.html", context)


@login_required
def create(request: HttpRequest, code: str) -> HttpResponse:
    parent = get_organisation(request.user, code, Do.RESTRUCTURE)
    form = OrganisationForm(posted(request), parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            unit = actions.create_organisation(request.user, parent=parent, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(unit)s was added.") % {"unit": unit})
            return redirect("organisations:detail", code=unit.code)
    return render(request, "organisations/form.html", {"form": form, "parent": parent, "unit": None})


@login_required
def edit(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_organisation(request.user, code, Do.EDIT)
    form = OrganisationForm(posted(request), instance=unit, parent=unit.parent)
    if not can_move_or_deactivate(request.user, unit):
        del form.fields["category"]  # one's own unit's category is set by the unit above
    if request.method == "POST" and form.is_valid():
        saved = saved_or_current_shown(
            form,
            lambda: actions.update_organisation(
                request.user, unit, read_version=form.read_version, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, _("%(unit)s was saved.") % {"unit": saved})
            return redirect("organisations:detail", code=unit.code)
    return render(request, "organisations/form.html", {"form": form, "parent": unit.parent, "unit": unit})


@login_required
def move(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_organisation(request.user, code)
    if not can_move_or_deactivate(request.user, unit):
        raise SeeButNotChange
    form = MoveForm(posted(request), edited=unit, user=request.user)
    if request.method == "POST" and form.is_valid():
        moved = _moved_as_asked(request, unit, form)
        if moved is not None:
            messages.success(request, _("%(unit)s now belongs to %(parent)s.") % {"unit": unit, "parent": moved.parent})
            return redirect("organisations:detail", code=unit.code)
    return render(request, "organisations/move.html", {"form": form, "unit": unit})


def _moved_as_asked(request: HttpRequest, unit: Organisation, form: MoveForm) -> Organisation | None:
    """The unit under the parent the form names, or None with the reason on the form."""
    new_parent = form.cleaned_data["new_parent"]  # one of the user's subtree (UnitChoiceField)
    return saved_or_current_shown(
        form,
        lambda: actions.move_organisation(request.user, unit, new_parent, read_version=form.read_version),
        refusals_on="new_parent",
    )


@login_required
@require_POST
def set_active(request: HttpRequest, code: str, active: bool) -> HttpResponse:
    unit = get_organisation(request.user, code)
    if not can_move_or_deactivate(request.user, unit):
        raise SeeButNotChange
    try:
        if active:
            actions.reactivate_organisation(request.user, unit)
            messages.success(request, _("%(unit)s is active again.") % {"unit": unit})
        else:
            actions.deactivate_organisation(request.user, unit)
            messages.success(request, _("%(unit)s was deactivated.") % {"unit": unit})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("organisations:detail", code=unit.code)


@login_required
def import_units(request: HttpRequest) -> HttpResponse:
    root = scope_root_or_404(request.user)
    if not can(request.user, Do.RESTRUCTURE, root):
        raise PermissionDenied
    form = ImportForm(posted(request), request.FILES if request.method == "POST" else None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            plan = read_units_file(upload, upload.name, root)
            summary = actions.import_organisations(request.user, plan, scope=root, filename=upload.name)
        except ImportRefused as refused:
            errors = refused.errors
        else:
            messages.success(
                request,
                _("Imported %(file)s: %(created)s units added, %(updated)s updated, %(unchanged)s unchanged.")
                % {"file": upload.name, **summary.__dict__},
            )
            return redirect("organisations:tree")
    return render(request, "organisations/import.html", {"form": form, "errors": errors, "columns": COLUMNS})


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    scope_root_or_404(request.user)
    # Headings only, in row 1: a sheet to fill in, not a report (imports find the headings either way).
    content = write_xlsx(_("Unit roster"), COLUMNS, [])
    return export_response(content, f"{_('Units import template')}.xlsx", ascii_filename="units-template.xlsx")


@login_required
def export_units(request: HttpRequest, code: str) -> HttpResponse:
    """The unit's subtree in the import layout: edit it in Excel and import it back."""
    unit = get_organisation(request.user, code, Do.EXPORT)
    units = Organisation.objects.subtree_of(unit).order_by("path")
    rows = (
        (
            org.code,
            org.name,
            org.ancestor_codes[-1] if org.ancestor_codes else "",
            FILE_NAME_OF_CATEGORY[org.category],
            org.members,
        )
        for org in units.iterator(chunk_size=2000)
    )
    title = report_title(_("Unit roster"), with_units_under(unit.name))
    content = write_report(title, EXPORT_COLUMNS, rows, sheet_name=_("Unit roster"))
    return export_response(content, f"{_('Unit roster')}-{unit.code}.xlsx", ascii_filename=f"units-{unit.code}.xlsx")
