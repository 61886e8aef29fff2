"""The PDF renderer reads nothing from the network or outside static/."""

import http.server
import threading
from pathlib import Path

import pytest
from django.conf import settings

from reports.pdf.fetcher import RefusedURL, StaticOnlyFetcher, static_root
from reports.pdf.render import pdf_from_html
from tests.pdf.conftest import pdf_text

STATIC = Path(settings.BASE_DIR) / "static"


@pytest.fixture
def web_server():
    """A real HTTP server on localhost that counts the requests it gets."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"p { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/secret",
        "https://example.org/logo.png",
        "ftp://example.org/file",
        "file:///etc/passwd",
        # Climbing out of static/ with ".." is caught after the path is resolved.
        f"file://{STATIC}/css/../../pyproject.toml",
        "file://otherhost" + str(STATIC / "css" / "pdf.css"),
        (STATIC / "fonts" / "no-such-font.ttf").as_uri(),
    ],
)
def test_it_refuses_anything_but_static_files_and_data(url):
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher().fetch(url)


def test_it_refuses_a_symlink_out_of_static(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    (root / "leak.css").symlink_to("/etc/hostname")
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher(root=root).fetch((root / "leak.css").as_uri())


def test_it_serves_the_shipped_stylesheet_fonts_and_data_uris():
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch((static_root() / "css" / "pdf.css").as_uri())
    assert css.content_type == "text/css"
    assert b"@font-face" in css.read()
    font = fetcher.fetch((static_root() / "fonts" / "DejaVuSans.ttf").as_uri())
    assert font.read()[:4] == b"\x00\x01\x00\x00"
    data = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert data.read() == b"hello"


@pytest.mark.parametrize("bounded", [False, True])
def test_a_render_with_hostile_urls_reads_nothing_outside_static(web_server, bounded):
    base, hits = web_server
    secret = Path(settings.BASE_DIR) / "pyproject.toml"
    html = f"""<html lang="en"><head><title>t</title>
      <link rel="stylesheet" href="{base}/style.css">
      <link rel="stylesheet" href="css/pdf.css"></head>
      <body><p>Visible text</p>
      <img src="{base}/pixel.png" alt="remote">
      <img src="{secret.as_uri()}" alt="local file">
      <object data="{secret.as_uri()}" type="text/plain">fallback</object>
      <iframe src="{secret.as_uri()}"></iframe>
      </body></html>"""
    pdf = pdf_from_html(html, bounded=bounded)
    text = pdf_text(pdf)
    assert "Visible text" in text
    assert hits == []
    assert "svmonitor" not in text  # pyproject.toml's content never reaches the PDF
