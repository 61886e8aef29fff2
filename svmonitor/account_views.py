"""The account page's settings: switching e-mail reminders on or off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from svmonitor.services.account import account_reminders_set

CHOOSE = "Choose whether svmonitor should e-mail you reminders."


@login_required
@require_POST
def account_reminders(request):
    """Switch the signed-in user's e-mail reminders on or off (through the service, audited)."""
    choice = request.POST.get("email_reminders")
    if choice not in ("on", "off"):
        messages.error(request, CHOOSE)
        return redirect("account_detail")
    account_reminders_set(user=request.user, by=request.user, enabled=choice == "on")
    messages.success(
        request,
        "E-mail reminders are on." if choice == "on" else "E-mail reminders are off.",
    )
    return redirect("account_detail")
