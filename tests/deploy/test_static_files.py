"""Production static files: hashed names, gzip and Brotli copies, served by whitenoise."""

import json
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import RequestFactory, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

FAST_STORAGE = "svmonitor.storage.FastCompressedManifestStaticFilesStorage"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """Run collectstatic once with the production storage; yield (root, manifest, seconds)."""
    root = tmp_path_factory.mktemp("static")
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": FAST_STORAGE}}
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        started = time.monotonic()
        call_command("collectstatic", interactive=False, verbosity=0)
        elapsed = time.monotonic() - started
        manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
        yield root, manifest, elapsed


def test_collectstatic_writes_hashed_and_compressed_files(collected):
    root, manifest, elapsed = collected
    hashed = manifest["css/app.css"]
    assert hashed != "css/app.css" and hashed.startswith("css/app.")
    assert (root / hashed).exists()
    assert (root / f"{hashed}.gz").exists()
    assert (root / f"{hashed}.br").exists()
    # A lower Brotli quality keeps a deploy quick even with plotly.js in the tree.
    assert elapsed < 60


def test_templates_link_the_hashed_names(collected):
    _, manifest, _ = collected
    assert static("css/app.css") == f"/static/{manifest['css/app.css']}"


@pytest.mark.django_db  # closing a response sends request_finished, which tidies connections
def test_whitenoise_serves_the_brotli_copy_with_a_long_cache(collected):
    root, manifest, _ = collected
    # whitenoise indexes the files when it starts, so start one on the collected tree.
    middleware = WhiteNoiseMiddleware(get_response=lambda request: None)
    middleware.add_files(str(root), prefix="static/")
    request = RequestFactory().get(
        f"/static/{manifest['css/app.css']}", HTTP_ACCEPT_ENCODING="br, gzip"
    )
    response = middleware(request)
    try:
        assert response.status_code == 200
        assert response["Content-Encoding"] == "br"
        assert "immutable" in response["Cache-Control"]
    finally:
        response.close()
