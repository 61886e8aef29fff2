"""Authentication backends: sign-in throttling, and the account backend that bars demo users."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

# The demo loader puts every demo user in this group; they may sign in only while DEBUG is on.
DEMO_GROUP = "demo-accounts"


class ThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, skipped when there is no request (not a web sign-in)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        # Scripts and the test client's login() call authenticate() without a request; there
        # is no client to throttle, and axes would raise instead of answering "not me".
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _with_demo_flag(queryset):
    # One query tells us both the user and whether they are a demo account, so checking the
    # flag on every request costs nothing extra.
    demo_group = Group.objects.filter(name=DEMO_GROUP, user=OuterRef("pk"))
    return queryset.annotate(is_demo_account=Exists(demo_group))


class AccountBackend(ModelBackend):
    """Django's username/password backend, refusing demo accounts when DEBUG is off."""

    # ModelBackend.authenticate() and get_user() both ask user_can_authenticate(), so a demo
    # account is refused at sign-in and an existing session of one ends once DEBUG is off.
    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        if settings.DEBUG:
            return True
        is_demo = getattr(user, "is_demo_account", None)
        if is_demo is None:
            is_demo = user.groups.filter(name=DEMO_GROUP).exists()
        return not is_demo

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = _with_demo_flag(user_model._default_manager).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
