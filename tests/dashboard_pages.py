"""The dashboard as a board member reads it: its summary and every page it links to."""

import re

from django.urls import reverse

_LINKS = re.compile(r'<nav class="app-dashboard-pages".*?</nav>', re.S)
_HREF = re.compile(r'href="([^"]+)"')
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def dashboard_pages(client, council, query: str = "") -> dict[str, str]:
    """Each page of a council's dashboard by its h1 (the summary first), as the client sees
    them: the summary at `query` (e.g. "?round=2024-25/1"), then every page its list of the
    dashboard's pages links to. Each must answer 200."""
    url = reverse("reports:council_dashboard", args=[council.slug]) + query
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    summary = response.content.decode()
    pages = {_heading(summary): summary}
    nav = _LINKS.search(summary)
    for href in _HREF.findall(nav.group(0)) if nav else []:
        href = href.replace("&amp;", "&")
        if href.split("?")[0] == url.split("?")[0]:
            continue
        response = client.get(href)
        assert response.status_code == 200, (href, response.status_code)
        html = response.content.decode()
        pages[_heading(html)] = html
    return pages


def dashboard_html(client, council, query: str = "") -> str:
    """The HTML of every page of a council's dashboard, one after the other."""
    return "\n".join(dashboard_pages(client, council, query).values())


def _heading(html: str) -> str:
    found = _H1.search(html)
    return re.sub(r"\s+", " ", found.group(1)).strip() if found else ""
