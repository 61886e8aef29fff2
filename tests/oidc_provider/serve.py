"""Run the throw-away provider: `python -m tests.oidc_provider.serve` with OIDC_PROVIDER_CONFIG
naming the test's JSON file (its database path, RSA key, client and people).

Migrates its own SQLite file, creates the people and svmonitor's client registration, prints
READY and the port it listens on (a free one), then serves on 127.0.0.1 until it is killed.
"""

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    config = settings.CONFIG
    call_command("migrate", verbosity=0, interactive=False)
    for username, person in config["people"].items():
        User.objects.create_user(username, email=person["email"], password=person["password"])
    client = config["client"]
    Application.objects.create(
        name="svmonitor",
        client_id=client["id"],
        client_secret=client["secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=client["redirect_uri"],
        post_logout_redirect_uris=client["post_logout_redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server(
        "127.0.0.1",
        0,
        get_wsgi_application(),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    print("READY", server.server_port, flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
