"""Account URLs under /accounts/. Names are not namespaced: Django's auth views and settings
(LOGIN_URL = "login", "password_change_done") expect these plain names."""

from django.contrib.auth import views as django_auth_views
from django.urls import path

from svmonitor import account_views, auth_views, sso_views

urlpatterns = [
    path("login/", auth_views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.SignOutView.as_view(), name="logout"),
    # Single sign-on (404 unless configured): the provider's redirect URI is sso/callback/.
    path("sso/start/", sso_views.SignInStartView.as_view(), name="sso_start"),
    path("sso/callback/", sso_views.sign_in_callback, name="sso_callback"),
    path("", auth_views.account_detail, name="account_detail"),
    path("reminders/", account_views.account_reminders, name="account_reminders"),
    path(
        "password/",
        auth_views.AccountPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/done/",
        django_auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("two-factor/setup/", auth_views.totp_setup, name="totp_setup"),
    path("two-factor/verify/", auth_views.totp_verify, name="totp_verify"),
]
