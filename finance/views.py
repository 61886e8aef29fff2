"""High Needs Block finance lines in the browser: every year and scenario of the agreement, each
line edited in place (htmx) or on its own page without JavaScript, and a line added for a year
and scenario that has none."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from finance.dsg_summary import dsg_computed_finance_fields
from finance.forms import FinanceLineAddForm, FinanceLineForm
from finance.models import FinanceLine
from finance.selectors import (
    FINANCE_ROWS,
    finance_agreement_for,
    finance_card,
    finance_page_build,
    money_input,
    money_text,
)
from finance.services import (
    FINANCE_FIELDS,
    FINANCE_YEARS_AFTER,
    finance_line_create,
    finance_line_save,
)
from svmonitor.access import council_action_required, object_for_user
from svmonitor.fy import fy_label
from svmonitor.pending import restored_data
from svmonitor.roles import Action
from svmonitor.section_views import edit_form_submit, service_errors_to_form

PAGE = "finance/finance_lines.html"
EDIT_PAGE = "finance/finance_line_edit.html"


def _page_url(council, anchor: str = "") -> str:
    url = reverse("finance:finance_lines", args=[council.slug])
    return f"{url}#{anchor}" if anchor else url


def _line_urls(council, line: FinanceLine) -> dict[str, str]:
    args = [council.slug, line.pk]
    return {
        "edit": reverse("finance:finance_line_edit", args=args),
        "show": reverse("finance:finance_line_show", args=args),
    }


def _add_url(council, year: int, scenario: str) -> str:
    query = urlencode({"year": year, "scenario": scenario})
    return f"{reverse('finance:finance_line_add', args=[council.slug])}?{query}"


def _line_for(request, pk: int, action: str) -> FinanceLine:
    # Scoped to the user (404 for another council's line) and to the council in the URL.
    queryset = FinanceLine.objects.filter(agreement__council=request.council).select_related(
        "agreement__council"
    )
    return object_for_user(request, queryset, action, pk=pk)


def _card_context(request, line: FinanceLine, **extra) -> dict:
    card = finance_card(line)
    card.urls = _line_urls(request.council, line)
    return {"council": request.council, "card": card, **extra}


def _form_initial(line: FinanceLine) -> dict:
    initial = {name: money_input(getattr(line, name)) for name, _label, _hint in FINANCE_ROWS}
    return {**initial, "reflects": line.reflects, "version": line.version}


@council_action_required(Action.VIEW)
@require_GET
def finance_lines(request, slug):
    """The agreement's finance lines by year and scenario, with deficit caps and payments."""
    council = request.council
    page = finance_page_build(council=council)
    for year in page.years:
        for card in year.cards:
            if card.line is not None:
                card.urls = _line_urls(council, card.line)
            else:
                card.add_url = _add_url(council, card.financial_year, card.scenario)
    return render(request, PAGE, {"council": council, "page": page})


@council_action_required(Action.VIEW)
@require_GET
def finance_line_show(request, slug, pk):
    """One line's card as the page shows it (where Cancel returns to)."""
    line = _line_for(request, pk, Action.VIEW)
    if not request.htmx:
        return redirect(_page_url(request.council, f"finance-line-{line.pk}"))
    return render(request, f"{PAGE}#finance-line", _card_context(request, line, refocus=True))


@council_action_required(Action.EDIT_FINANCE)
@require_http_methods(["GET", "POST"])
def finance_line_edit(request, slug, pk):
    """Edit one line's figures in place; a stale save shows theirs beside yours."""
    line = _line_for(request, pk, Action.EDIT_FINANCE)
    anchor = f"finance-line-{line.pk}"

    def save(data):
        values = {name: data[name] for name in FINANCE_FIELDS}
        finance_line_save(line=line, expected_version=data["version"], by=request.user, **values)

    def theirs(stale):
        figures = [
            (label, money_text(_decimal_or_none(stale.current.get(name))))
            for name, label, _hint in FINANCE_ROWS
        ]
        return {"figures": figures, "reflects": stale.current.get("reflects") or ""}

    computed = dsg_computed_finance_fields(agreement_id=line.agreement_id)
    form_class = FinanceLineForm.with_computed(
        computed.get((line.financial_year, line.scenario), ())
    )
    edit = edit_form_submit(
        request,
        form_class,
        anchor=anchor,
        initial=lambda: _form_initial(line),
        save=save,
        theirs=theirs,
    )
    if edit.saved:
        return _saved(request, line, anchor)
    context = _card_context(
        request,
        line,
        form=edit.form,
        conflict=edit.conflict,
        inline=bool(request.htmx),
        page_url=_page_url(request.council, anchor),
    )
    if request.htmx and not request.htmx.boosted:
        return render(request, f"{PAGE}#finance-line-form", context)
    return render(request, EDIT_PAGE, context)


def _decimal_or_none(value):
    return None if value in (None, "") else Decimal(str(value))


def _saved(request, line: FinanceLine, anchor: str):
    """After a save: the saved card for htmx, else back to the card on the page."""
    if not request.htmx:
        messages.success(request, f"{finance_card(line).title}: saved.")
        return redirect(_page_url(request.council, anchor))
    line.refresh_from_db()
    return render(request, f"{PAGE}#finance-line", _card_context(request, line, saved=True))


def _years(agreement) -> list[tuple[int, str]]:
    first = agreement.first_financial_year
    last = agreement.last_financial_year + FINANCE_YEARS_AFTER
    return [(year, fy_label(year)) for year in range(first, last + 1)]


@council_action_required(Action.EDIT_FINANCE)
@require_http_methods(["GET", "POST"])
def finance_line_add(request, slug):
    """Add the figures for a year and scenario that has none yet."""
    council = request.council
    agreement = finance_agreement_for(council=council)
    if agreement is None:
        raise Http404("This council has no agreement.")
    years = _years(agreement)
    kept = restored_data(request) if request.method == "GET" else None
    if kept is not None:
        # Typed before the user's session ended: shown again to check and save.
        form = FinanceLineAddForm(kept, years=years, auto_id="finance-add-%s")
        form.is_valid()
    elif request.method == "GET":
        initial = {
            "financial_year": request.GET.get("year", ""),
            "scenario": request.GET.get("scenario", ""),
        }
        form = FinanceLineAddForm(initial=initial, years=years, auto_id="finance-add-%s")
    else:
        form = FinanceLineAddForm(request.POST, years=years, auto_id="finance-add-%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                line = finance_line_create(
                    agreement=agreement,
                    financial_year=data["financial_year"],
                    scenario=data["scenario"],
                    by=request.user,
                    **{name: data[name] for name in FINANCE_FIELDS},
                )
            except ValidationError as error:
                service_errors_to_form(form, error)
            else:
                messages.success(request, f"{finance_card(line).title}: added.")
                return redirect(_page_url(council, f"finance-line-{line.pk}"))
    context = {
        "council": council,
        "form": form,
        "adding": True,
        "page_url": _page_url(council),
    }
    return render(request, EDIT_PAGE, context)
