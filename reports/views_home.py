"""The home page, "Your tasks": what is waiting for the signed-in user (reports/home.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reports.home import home_page


@login_required
@require_GET
def home(request):
    """The user's tasks by role, and links to their councils' dashboards."""
    return render(request, "home.html", {"page": home_page(user=request.user)})
