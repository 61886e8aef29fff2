"""The risk register's section of a return: shown and edited in place."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET, require_http_methods

from risks.kinds import RISK
from svmonitor.rated_views import rated_section_edit, rated_section_show


@login_required
@require_GET
def risk_update_show(request, slug, fy, n, pk):
    """A risk's section as the round page shows it (where Cancel returns to)."""
    return rated_section_show(request, slug, fy, n, pk, RISK)


@login_required
@require_http_methods(["GET", "POST"])
def risk_update_edit(request, slug, fy, n, pk):
    """Edit a risk's assurance level, narrative, impact and likelihood in place."""
    return rated_section_edit(request, slug, fy, n, pk, RISK)
