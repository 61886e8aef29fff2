"""Workbook pages: upload with a preview then confirm, template and export downloads.

The preview (a dry run) runs in the request; the confirm queues the import as a background job
(workbook/jobs.py) and sends the person to the job's page, which shows the outcome."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from svmonitor.access import council_action_required, council_for_user, refuse
from svmonitor.job_views import job_page_response
from svmonitor.jobs import job_handler, job_request
from svmonitor.models import LocalAuthority
from svmonitor.pending import form_shown_at
from svmonitor.ratelimit import rate_limited
from svmonitor.roles import Action
from workbook.exporter import workbook_export
from workbook.importer import workbook_import
from workbook.jobs import WORKBOOK_IMPORT
from workbook.previews import PreviewFile, preview_find, preview_keep, upload_read
from workbook.safety import DEFAULT_MAX_BYTES, WorkbookRefused

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPIRED = "This upload has expired or was changed. Upload the workbook again."


class WorkbookUploadForm(forms.Form):
    """The file to import."""

    workbook = forms.FileField(label="Workbook (.xlsx)")

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        limit = getattr(settings, "WORKBOOK_MAX_BYTES", DEFAULT_MAX_BYTES)
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1048576:.1f} MB; the limit is "
                f"{limit / 1048576:.0f} MB."
            )
        return upload


def upload_required(view):
    """Guard an upload view like council_action_required(UPLOAD), with one addition.

    A site administrator may import into a slug no council has yet: the workbook creates it.
    """

    @wraps(view)
    def wrapped(request, slug, *args, **kwargs):
        if request.user.is_superuser and not LocalAuthority.objects.filter(slug=slug).exists():
            request.council = None
        else:
            council_for_user(request, slug, Action.UPLOAD)
        return view(request, slug, *args, **kwargs)

    guarded = login_required(wrapped)
    guarded.required_action = Action.UPLOAD  # read by the role x action matrix test
    return guarded


def _page(request, slug, council, **context):
    template = "workbook/workbook_upload.html"
    if request.htmx and not request.htmx.boosted and "result" in context:
        template += "#result"
    return render(request, template, {"slug": slug, "council": council, **context})


@upload_required
@rate_limited("upload", methods=("POST",))
@require_http_methods(["GET", "POST"])
def workbook_upload(request, slug):
    """Upload a workbook and show what importing it would create, change and leave."""
    council = request.council
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    if request.method == "GET" or not form.is_valid():
        return _page(request, slug, council, form=form)
    upload = form.cleaned_data["workbook"]
    content = upload_read(upload)
    try:
        result = workbook_import(
            file=PreviewFile(content, upload.name),
            council_slug=slug,
            dry_run=True,
            by=request.user,
            filename=upload.name,
        )
    except WorkbookRefused as refusal:
        form.add_error("workbook", str(refusal))
        return _page(request, slug, council, form=form)
    token = ""
    if result.ok and result.has_changes:
        # Kept in the database with the stamps (how each row to change stood in this
        # preview; the confirm refuses any row that moved since), so any server can confirm.
        token = preview_keep(
            user=request.user,
            content=content,
            filename=upload.name,
            council_slug=slug,
            stamps=result.stamps,
        )
    return _page(request, slug, council, form=WorkbookUploadForm(), preview=result, token=token)


@form_shown_at("workbook:workbook_upload", keep=False)
@upload_required
@rate_limited("upload")
@require_POST
def workbook_confirm(request, slug):
    """Import the previewed workbook: the file previewed, over the rows as they were previewed."""
    council = request.council
    preview = preview_find(user=request.user, token=request.POST.get("token", ""))
    if preview is None or preview.create or preview.council_slug != slug:
        return _page(
            request, slug, council, form=WorkbookUploadForm(), result=None, expired=EXPIRED
        )
    return _import_queued(request, preview, council=council)


def _import_queued(request, preview, *, council):
    """Queue the import of a previewed file (workbook/jobs.py) and show its job: the job's
    status region for htmx (swapped into the page, where it polls), else a 303 to its page.
    The job takes the file from the database (ImportPreview), so any worker can run it."""
    job = job_request(
        kind=WORKBOOK_IMPORT,
        by=request.user,
        council=council,
        params={
            "token": preview.token,
            "slug": preview.council_slug,
            "name": preview.filename,
            "create": preview.create,
        },
    )
    if request.htmx and not request.htmx.boosted:
        return job_page_response(request, job, job_handler(WORKBOOK_IMPORT))
    response = redirect("jobs:job_status", job.pk)
    response.status_code = 303
    return response


def _download(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@council_action_required(Action.EXPORT)
@rate_limited("export")
@require_GET
def workbook_export_download(request, slug):
    """Everything the council holds, as the workbook format."""
    council = request.council
    data = workbook_export(council=council, user=request.user)
    return _download(data, f"{council.slug}-svmonitor.xlsx")


@council_action_required(Action.EXPORT)
@rate_limited("export")
@require_GET
def workbook_template_download(request, slug):
    """The blank template (the same for every council: it carries no council's data)."""
    council = request.council
    data = workbook_export(council=None, template=True)
    return _download(data, f"{council.slug}-svmonitor-template.xlsx")


def administrator_required(view):
    """Site administrators only (the ADMINISTER action, held by no council role): anyone else
    signed in gets an audited 403, on GET and POST alike."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise refuse(request, action=Action.ADMINISTER)
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _setup_page(request, **context):
    template = "workbook/council_setup.html"
    if request.htmx and not request.htmx.boosted and "result" in context:
        template += "#result"
    return render(request, template, context)


@administrator_required
@rate_limited("upload", methods=("POST",))
@require_http_methods(["GET", "POST"])
def council_setup(request):
    """Add a council: download the blank template, upload it filled in, see what it creates."""
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    if request.method == "GET" or not form.is_valid():
        return _setup_page(request, form=form)
    upload = form.cleaned_data["workbook"]
    content = upload_read(upload)
    try:
        result = workbook_import(
            file=PreviewFile(content, upload.name),
            council_slug=None,
            create=True,
            dry_run=True,
            by=request.user,
            filename=upload.name,
        )
    except WorkbookRefused as refusal:
        form.add_error("workbook", str(refusal))
        return _setup_page(request, form=form)
    token = ""
    if result.ok and result.has_changes:
        token = preview_keep(
            user=request.user,
            content=content,
            filename=upload.name,
            council_slug=result.council_slug,
            stamps=result.stamps,
            create=True,
        )
    return _setup_page(request, form=WorkbookUploadForm(), preview=result, token=token)


@form_shown_at("workbook:council_setup", keep=False)
@administrator_required
@rate_limited("upload")
@require_POST
def council_setup_confirm(request):
    """Create the council from the previewed workbook, as it was previewed."""
    preview = preview_find(user=request.user, token=request.POST.get("token", ""))
    if preview is None or not preview.create:
        return _setup_page(request, form=WorkbookUploadForm(), result=None, expired=EXPIRED)
    return _import_queued(request, preview, council=None)


@administrator_required
@rate_limited("export")
@require_GET
def council_setup_template(request):
    """The blank template: instructions, and one example row a sheet (import skips them)."""
    return _download(workbook_export(council=None, template=True), "svmonitor-template.xlsx")
