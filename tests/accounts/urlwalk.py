"""Walk the URLconf and build a concrete URL for every route from a council's objects.

A route whose kwargs this module cannot fill makes the access tests FAIL with a message saying
what to add, so a new URL cannot slip past them. To teach it a new kwarg:

* a plain value: add it to PLAIN_KWARGS;
* an object id named `<thing>_pk` / `<thing>_id`: make sure `<thing>` is a key of
  CouncilGraph.objects (tests/accounts/graph.py), or alias it in OBJECT_KWARGS;
* a bare `pk` / `id`: add the route's name to PK_ROUTES (or name the route after the object,
  e.g. "risks:risk_edit", and it is inferred).
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Routes any anonymous visitor may load. (Signing out when not signed in just goes to a page
# that asks for sign-in; it shows nothing.)
ANONYMOUS_ALLOWED = {
    "login",
    "healthz",
    "accessibility_statement",
    "admin:login",
    "admin:logout",
    # The data feed's OpenAPI description names fields and types, no council's data.
    "api:schema",
}

# URL kwargs that carry a value rather than name an object.
PLAIN_KWARGS = {
    "fy": lambda graph: graph.round.fy,
    "n": lambda graph: str(graph.round.update_number),
    "update_number": lambda graph: str(graph.round.update_number),
    "capacity": lambda graph: "s151",
    "section": lambda graph: "condition",  # reports:section_history: a condition update
    "kind": lambda graph: "driver",  # a headline list
    "key": lambda graph: "overview",  # reports:task_detail: the overview's task
    "topic": lambda graph: "financial_plan",  # overview:dsg_text_edit: a DSG plan text
    "code": lambda graph: graph.objects["measure"].code,  # reports:council_measure
    # reports:council_dashboard_part: the programme area's page of the dashboard
    "part": lambda graph: f"area-{graph.objects['programme_area'].pk}",
    "month": lambda graph: "2024-04",  # metrics:kpi_month
    "outcome": lambda graph: "dismiss",  # reports:task_suggestion_decide
    "year": lambda graph: "2025",  # metrics:cyp_grid: a census year
    "table": lambda graph: "age",  # metrics:cyp_grid: the table by age group
    "column": lambda graph: "5-10",  # metrics:cyp_column: an age group
}

# URL kwargs that name the council itself.
COUNCIL_KWARGS = {"slug", "council_slug"}

# Kwarg (without _pk/_id) -> key in CouncilGraph.objects, where the names differ.
OBJECT_KWARGS = {
    "area": "programme_area",
    "update": "condition_update",
    "contact": "key_contact",
    "event": "round_event",
    "card": "headline_card",
    "value": "measure_value",
    "line": "finance_line",
    "tier": "tier_change",
    "instalment": "payment",
    "definition": "rag_definition",
}

# Bare `pk`/`id` kwargs: route name -> key in CouncilGraph.objects, when not inferable.
PK_ROUTES: dict[str, str] = {
    "reports:section_history": "condition_update",  # with section=condition, see above
    "reports:dsg_section_history": "condition_update",
}

# Routes of the DSG plan's rounds (reports:dsg_*): their fy and n name the plan's update.
PLAN_ROUND_PREFIX = "dsg_"
# Routes that name an object no page of the graph's council has: a DSG plan update's section
# history (its parts keep their history under their own sections; none is a condition).
ROUTES_WITHOUT_OBJECTS = {"reports:dsg_section_history"}

# Routes that need query parameters (GET) or fields (POST) to name what they act on.
ROUTE_PARAMS = {
    "metrics:kpi_cell": lambda graph: {
        "measure": graph.objects["measure"].pk,
        "period": "2024-04",
        "series": graph.objects["series"].slug,
    },
}

# The admin is the site administrator's area (superusers see every council there); its routes
# are only checked to refuse anonymous and non-staff users. Kwargs used only by the admin:
ADMIN_KWARGS = {
    "object_id": "1",
    "content_type_id": "1",
    "url": "x",
    "pk": "1",
    "id": "1",
}


_client: Client | None = None


def client_as(user, *, token: bool = False) -> Client:
    """The one shared test client, signed in as `user` (None: signed out).

    Shared because each new Client sets up the middleware again, and WhiteNoise then rescans
    every static file (~0.2 s): with hundreds of URLs that was most of these tests' time.

    `token`: every request also carries a data feed token acting as `user` for each council
    the user holds a role at (api_token_header), so the feed's URLs (/api/, which take no
    session) are checked as that user too; other pages ignore the header.
    """
    global _client
    if _client is None:
        _client = Client()
    _client.cookies.clear()
    _client.defaults.pop("HTTP_AUTHORIZATION", None)
    if user is not None:
        _client.force_login(user)
        if token:
            _client.defaults.update(api_token_header(user))
    return _client


def api_token_header(user, councils=None) -> dict[str, str]:
    """The header of a data feed token acting as `user` for `councils` (default: every council
    the user holds a role at; none for a user with no role, as for one whose roles were taken
    away after the token was made).

    Made directly rather than through api_token_create, which refuses a token for a council
    its user cannot read: these tests check what the feed does when that is so anyway.
    """
    import secrets

    from api.models import ApiToken
    from api.services import TOKEN_PREFIX, token_sha256
    from svmonitor.models import LocalAuthority

    text = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name="URL walk", user=user, prefix=text[:12], key_sha256=token_sha256(text), created_by=user
    )
    if councils is None:
        councils = LocalAuthority.objects.filter(memberships__user=user).distinct()
    token.councils.set(councils)
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


class UnknownKwarg(Exception):
    """A route has a kwarg this module does not know how to fill."""


@dataclass(frozen=True)
class Route:
    """One URL pattern: its namespaced name, kwarg names and view callable."""

    name: str | None
    kwargs: tuple[str, ...]
    regex: str
    callback: object

    @property
    def is_admin(self) -> bool:
        return (self.name or "").startswith("admin:") or self.regex.startswith("admin/")

    @property
    def is_download(self) -> bool:
        """A file (PDF, Word, workbook): it has no forms to harvest, and is slow to render."""
        return self.regex.rstrip("$").endswith((".pdf", ".docx", ".xlsx", ".csv"))

    @property
    def required_action(self) -> str | None:
        """The action a view guarded by access.council_action_required demands."""
        return getattr(self.callback, "required_action", None)


def routes() -> list[Route]:
    """Every URL pattern in the project, flattened."""
    found: list[Route] = []

    def walk(patterns, namespace: str, prefix: str, kwargs: tuple[str, ...]) -> None:
        for pattern in patterns:
            regex = prefix + str(pattern.pattern)
            names = tuple(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                space = namespace
                if pattern.namespace:
                    space = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, space, regex, kwargs + names)
            elif isinstance(pattern, URLPattern):
                name = pattern.name
                if name and namespace:
                    name = f"{namespace}:{name}"
                found.append(Route(name, kwargs + names, regex, pattern.callback))

    walk(get_resolver().url_patterns, "", "", ())
    return found


def _object_key(route: Route, kwarg: str, graph) -> str:
    if kwarg in ("pk", "id"):
        if route.name in PK_ROUTES:
            return PK_ROUTES[route.name]
        short = route.name.split(":")[-1]
        # "condition_update_edit" -> "condition_update" (the longest object key that fits).
        keys = sorted(graph.objects, key=len, reverse=True)
        for key in keys:
            if short == key or short.startswith(key + "_"):
                return key
        raise UnknownKwarg(
            f"{route.name}: cannot tell which object `{kwarg}` is; add the route to PK_ROUTES "
            "in tests/accounts/urlwalk.py"
        )
    base = re.sub(r"_(pk|id|slug)$", "", kwarg)
    key = OBJECT_KWARGS.get(base, base)
    if key not in graph.objects:
        raise UnknownKwarg(
            f"{route.name}: unknown URL kwarg `{kwarg}`; teach tests/accounts/urlwalk.py to fill "
            "it (PLAIN_KWARGS, OBJECT_KWARGS or CouncilGraph.objects)"
        )
    return key


class NothingToName(Exception):
    """The route names an object of a kind the graph's council has none of yet."""


def _plan_task_key(route: Route, graph) -> str:
    """The first task of the DSG plan's update: what reports:dsg_task_* URLs name."""
    from reports.task_list import return_tasks

    rows = return_tasks(graph.plan_round).rows
    if not rows:
        raise NothingToName(f"{route.name}: no part of the DSG plan is registered")
    return rows[0].task.key


def fill(route: Route, graph) -> tuple[dict[str, str], bool]:
    """The kwargs for `route` from one council's graph, and whether they name that council."""
    values: dict[str, str] = {}
    names_council = False
    for kwarg in route.kwargs:
        if kwarg in COUNCIL_KWARGS:
            values[kwarg] = graph.council.slug
            names_council = True
        elif kwarg in ("fy", "n") and route.name.split(":")[-1].startswith(PLAN_ROUND_PREFIX):
            plan = graph.plan_round
            values[kwarg] = plan.fy if kwarg == "fy" else str(plan.update_number)
        elif kwarg == "key" and route.name.split(":")[-1].startswith(PLAN_ROUND_PREFIX):
            values[kwarg] = _plan_task_key(route, graph)
        elif kwarg in PLAIN_KWARGS:
            values[kwarg] = PLAIN_KWARGS[kwarg](graph)
        else:
            obj = graph.objects[_object_key(route, kwarg, graph)]
            if kwarg.endswith("_slug"):
                values[kwarg] = obj.slug
            elif kwarg == "code" or kwarg.endswith("_code"):
                values[kwarg] = obj.code
            else:
                values[kwarg] = str(obj.pk)
            names_council = True
    return values, names_council


def admin_url(route: Route) -> str | None:
    """A concrete URL for an admin route (None for the admin's unnamed catch-all)."""
    if not route.name:
        return None
    values = {}
    for kwarg in route.kwargs:
        if kwarg == "app_label":
            # The app-list pattern is an alternation of the registered app labels.
            values[kwarg] = re.search(r"\(\?P<app_label>([^|)]+)", route.regex).group(1)
        else:
            values[kwarg] = ADMIN_KWARGS[kwarg]
    return reverse(route.name, kwargs=values)


def url_for(route: Route, graph) -> tuple[str, bool]:
    """The route's URL filled from `graph`, and whether it names that council or its objects."""
    if not route.name:
        raise UnknownKwarg(f"the pattern {route.regex!r} has no name; every URL needs one")
    values, names_council = fill(route, graph)
    url = reverse(route.name, kwargs=values)
    if route.name in ROUTE_PARAMS:
        url += "?" + urlencode(ROUTE_PARAMS[route.name](graph))
        names_council = True
    return url, names_council


def post_data(url: str, data: dict) -> dict:
    """POST fields for a URL: its query parameters (what it acts on) plus `data`."""
    return {**dict(parse_qsl(urlsplit(url).query)), **data}


def app_routes() -> list[Route]:
    """Every route outside the admin."""
    return [route for route in routes() if not route.is_admin]


def app_urls(graph) -> list[tuple[Route, str, bool]]:
    """(route, URL, names the council) for every app route this module can fill.

    Routes it cannot fill are skipped here and reported by
    tests/test_url_access.py::test_every_route_has_a_name_and_fillable_kwargs.
    """
    found = []
    for route in app_routes():
        if route.name in ROUTES_WITHOUT_OBJECTS:
            continue
        try:
            url, names_council = url_for(route, graph)
        except (UnknownKwarg, NothingToName):
            continue
        found.append((route, url, names_council))
    return found


def response_text(response) -> str:
    """All the text a response carries: HTML/JSON body, PDF text, Word text, or every Excel
    cell."""
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    content_type = response.get("Content-Type", "")
    headers = " ".join(f"{key}: {value}" for key, value in response.items())
    if content_type.startswith("application/pdf"):
        return headers + "\n" + _pdf_text(content)
    if "spreadsheetml" in content_type:
        return headers + "\n" + _xlsx_text(content)
    if "wordprocessingml" in content_type:
        return headers + "\n" + _docx_text(content)
    return headers + "\n" + content.decode("utf-8", errors="replace")


def _pdf_text(content: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(content))
    parts = [page.extract_text() or "" for page in reader.pages]
    parts.append(str(reader.metadata or ""))
    return "\n".join(parts)


def _docx_text(content: bytes) -> str:
    from io import BytesIO

    import docx

    document = docx.Document(BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in (*section.header.paragraphs, *section.footer.paragraphs))
    props = document.core_properties
    parts += [props.title or "", props.subject or "", props.author or ""]
    return "\n".join(parts)


def _xlsx_text(content: bytes) -> str:
    from io import BytesIO

    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(content), read_only=True, data_only=False)
    parts = []
    for sheet in workbook.worksheets:
        parts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(value) for value in row if value is not None)
    workbook.close()
    return "\n".join(parts)


@dataclass
class HarvestedForm:
    """A POST form found on a page: where it posts and the fields it offers."""

    action: str
    fields: dict[str, str]


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[HarvestedForm] = []
        self._form: HarvestedForm | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            post = a.get("method", "get").lower() == "post" or "hx-post" in a
            action = a.get("hx-post") or a.get("action") or self.page_url
            self._form = HarvestedForm(action, {}) if post else None
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind == "radio" and "checked" not in a:
                # An unanswered group: answer with its first option so the form can save.
                self._form.fields.setdefault(a["name"], a.get("value", ""))
                return
            if kind == "checkbox" and "checked" not in a:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self._form.fields[a["name"]] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form.fields[a["name"]] = ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select not in self._form.fields or "selected" in a:
                self._form.fields[self._select] = value

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_forms(html: str, page_url: str) -> list[HarvestedForm]:
    """The POST forms (plain or hx-post) on a page, with the values they would submit."""
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms
