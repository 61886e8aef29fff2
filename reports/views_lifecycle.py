"""The return's lifecycle in the browser: open the next round, mark ready, sign off, record the
submission to DfE, reopen. Plain POST forms; errors re-render the round page beside the form."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from reports.forms import OpenRoundForm, ReopenForm, SubmissionForm
from reports.return_page import sign_off_state
from reports.views_return import render_round, sign_off_form
from svmonitor.access import council_for_user
from svmonitor.models import Agreement, SignOff
from svmonitor.pending import form_shown_at
from svmonitor.return_kinds import return_kinds
from svmonitor.roles import Action
from svmonitor.section_views import round_for_request, round_urls, service_errors_to_form
from svmonitor.sections import SAFETY_VALVE
from svmonitor.selectors import round_list_for_council, round_next_to_open
from svmonitor.services import (
    round_mark_ready,
    round_open_next,
    round_record_submission,
    round_reopen,
    round_sign_off,
)
from svmonitor.services.council import council_drafts_sharing_set

NO_CAPACITY = "Only the S151 officer or the director of children's services can sign off a return."


def _messages_of(error: ValidationError) -> list[tuple[str, str]]:
    """(message, field id) pairs for the page's error summary; these name no field."""
    return [(str(message), "") for message in error.messages]


@dataclass
class KindRounds:
    """One kind of return on the council's list: its rounds, latest first, and the next."""

    kind: object
    rounds: list = field(default_factory=list)
    upcoming: tuple[int, int] | None = None

    @property
    def upcoming_label(self) -> str:
        """E.g. "2025-26 Update 1 (May)"."""
        return self.kind.label(*self.upcoming) if self.upcoming else ""

    @property
    def draft(self):
        """The latest round if it is still a draft (the next cannot open until it is ready)."""
        return self.rounds[0] if self.rounds and self.rounds[0].status == "draft" else None


def _round_list_context(request, council, **extra):
    rounds = round_list_for_council(council=council, user=request.user)
    shown = [k for k in return_kinds() if k.slug in council.return_kinds]
    # A kind the council has stopped running still lists its rounds.
    shown += [
        k for k in return_kinds() if k not in shown and any(r.return_kind == k.slug for r in rounds)
    ]
    sections = []
    for kind in shown:
        of_kind = [r for r in rounds if r.return_kind == kind.slug]
        for r in of_kind:
            args = [council.slug, r.fy, r.update_number]
            r.detail_url = reverse(kind.url_name("round_detail"), args=args)
            r.tasks_url = reverse(kind.url_name("task_list"), args=args)
        upcoming = (
            round_next_to_open(council=council, return_kind=kind.slug)
            if kind.slug in council.return_kinds
            else None
        )
        sections.append(KindRounds(kind=kind, rounds=of_kind, upcoming=upcoming))
    return {
        "council": council,
        "rounds": rounds,
        "sections": sections,
        "several_kinds": len(sections) > 1 or not council.runs_safety_valve,
        **extra,
    }


@login_required
@require_GET
def round_list(request, slug):
    """The council's returns, latest first, with the button to open the next one."""
    council = council_for_user(request, slug, Action.VIEW)
    return render(request, "reports/round_list.html", _round_list_context(request, council))


@form_shown_at("reports:round_list")
@login_required
@require_POST
def round_drafts_sharing(request, slug):
    """The programme lead shares the council's draft returns with its DfE advisers, or stops."""
    council = council_for_user(request, slug, Action.SUBMIT)
    shared = request.POST.get("drafts_shared_with_dfe") == "yes"
    council_drafts_sharing_set(council=council, shared=shared, by=request.user)
    messages.success(
        request,
        "DfE advisers can now read draft returns."
        if shared
        else "DfE advisers now see submitted returns only.",
    )
    return redirect("reports:round_list", slug=council.slug)


@login_required
@require_POST
def round_open(request, slug):
    """Open a new draft round, carrying every section forward from the previous one."""
    council = council_for_user(request, slug, Action.SUBMIT)
    form = OpenRoundForm(request.POST)
    agreement = (
        Agreement.objects.for_user(request.user, Action.SUBMIT)
        .filter(council=council, superseded_by__isnull=True)
        .order_by("-date_signed", "-pk")
        .first()
    )
    if agreement is None:
        raise Http404("This council has no agreement.")
    errors: list[tuple[str, str]] = []
    if not form.is_valid():
        errors = [("Choose the year and update to open.", "")]
    else:
        try:
            new = round_open_next(
                agreement=agreement,
                financial_year=form.cleaned_data["financial_year"],
                update_number=form.cleaned_data["update_number"],
                return_kind=form.cleaned_data["return_kind"] or SAFETY_VALVE,
                by=request.user,
            )
        except ValidationError as error:
            errors = _messages_of(error)
        else:
            messages.success(
                request,
                f"{new.label} is open as a draft, carried forward from the previous update.",
            )
            # A draft is written task by task.
            return redirect(round_urls(new)["tasks"])
    context = _round_list_context(request, council, errors=errors)
    return render(request, "reports/round_list.html", context)


@form_shown_at("reports:round_detail")
@login_required
@require_POST
def round_ready(request, slug, fy, n, kind=SAFETY_VALVE):
    """The programme lead marks a complete draft ready for sign-off (its snapshot is frozen)."""
    round = round_for_request(request, slug, fy, n, Action.SUBMIT, kind=kind)
    try:
        round = round_mark_ready(round=round, by=request.user)
    except ValidationError as error:
        return render_round(request, round, lifecycle_errors=_messages_of(error))
    snapshot = sign_off_state(round=round, user=request.user).snapshot
    messages.success(
        request,
        hash_message("The return is ready for sign-off. Its content is frozen.", snapshot),
    )
    return redirect(round_urls(round)["round"])


@form_shown_at("reports:round_detail")
@login_required
@require_POST
def round_sign_off_view(request, slug, fy, n, kind=SAFETY_VALVE):
    """The S151 officer or the DCS signs the frozen snapshot, in the capacity of their role."""
    round = round_for_request(request, slug, fy, n, Action.SIGN_OFF, kind=kind)
    # The capacity comes from the user's role at the council, never from the form.
    state = sign_off_state(round=round, user=request.user)
    if not state.capacities_open:
        error = NO_CAPACITY
        if state.signed_capacities and any(s.signed_by_id == request.user.pk for s in state.live):
            error = "You have already signed off this return."
        return render_round(request, round, lifecycle_errors=[(error, "")])
    capacity = state.capacities_open[0]
    # The declaration is part of the sign-off: without the tick nothing is recorded.
    form = sign_off_form(state, request.POST)
    if not form.is_valid():
        return render_round(request, round, sign_off_form=form, lifecycle_errors=_form_errors(form))
    try:
        sign_off = round_sign_off(round=round, by=request.user, capacity=capacity)
    except ValidationError as error:
        return render_round(request, round, lifecycle_errors=_messages_of(error))
    messages.success(
        request,
        format_html(
            'Signed off as {}.<span class="app-message-detail">SHA-256 of the return you '
            'signed: <code class="app-hash">{}</code></span>',
            SignOff.Capacity(capacity).label,
            sign_off.snapshot_sha256,
        ),
    )
    return redirect(round_urls(round)["round"])


def hash_message(text: str, snapshot):
    """A success message with the frozen return's SHA-256 as small code, not banner text."""
    if snapshot is None:
        return text
    return format_html(
        '{}<span class="app-message-detail">SHA-256 of the frozen return: '
        '<code class="app-hash">{}</code></span>',
        text,
        snapshot.sha256,
    )


@form_shown_at("reports:round_detail")
@login_required
@require_POST
def round_submit(request, slug, fy, n, kind=SAFETY_VALVE):
    """The finance lead records the date the signed-off return was sent to DfE."""
    round = round_for_request(request, slug, fy, n, Action.RECORD_SUBMISSION, kind=kind)
    form = SubmissionForm(request.POST, round=round, auto_id="submit-%s")
    if form.is_valid():
        try:
            round_record_submission(
                round=round, by=request.user, submitted_on=form.cleaned_data["submitted_on"]
            )
        except ValidationError as error:
            service_errors_to_form(form, error)
        else:
            messages.success(request, "The submission to DfE is recorded.")
            return redirect(round_urls(round)["round"])
    return render_round(request, round, submission_form=form, lifecycle_errors=_form_errors(form))


@form_shown_at("reports:round_detail")
@login_required
@require_POST
def round_reopen_view(request, slug, fy, n, kind=SAFETY_VALVE):
    """Send a return back to draft with a reason; its sign-offs are voided, never deleted."""
    round = round_for_request(request, slug, fy, n, Action.SUBMIT, kind=kind)
    form = ReopenForm(request.POST, auto_id="reopen-%s")
    if form.is_valid():
        try:
            round_reopen(round=round, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            service_errors_to_form(form, error)
        else:
            messages.success(request, "The return is a draft again; its sign-offs are void.")
            return redirect(round_urls(round)["round"])
    return render_round(request, round, reopen_form=form, lifecycle_errors=_form_errors(form))


def _form_errors(form) -> list[tuple[str, str]]:
    """(message, field id) pairs for the page's error summary."""
    result = []
    for name, errors in form.errors.items():
        target = form[name].id_for_label if name in form.fields else ""
        result.extend((str(message), target) for message in errors)
    return result
