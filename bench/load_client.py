"""The client side of the benches: a user's keep-alive session speaking as through the TLS
proxy, the forms a page carries, and an officer's edits made as the browser's htmx makes them
(bench/load.py, bench/lcp.py)."""

import html
import http.client
import math
import re
import threading
import time
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

from bench.load_data import PASSWORD

CONFLICT_NOTICE = b"Someone else saved this section while you were editing"
# A user who meets a conflict saves again over the version now stored, up to this many times.
RESAVES = 3


class Session:
    """One user's keep-alive connection and cookies, speaking as if through a TLS proxy."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.last_headers: dict[str, str] = {}
        # What the browser sees behind the TLS proxy (a test's live server speaks plain HTTP).
        self.origin = f"https://127.0.0.1:{port}"

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=180)
        return self.conn

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        """Return (status, body bytes, seconds). Raises on a connection failure."""
        all_headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Accept-Encoding": "identity",
            "User-Agent": "svmonitor-bench",
        }
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        started = time.perf_counter()
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=all_headers)
                response = conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed (e.g. a worker recycled): reconnect
                # once; a second failure is a real error.
                conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        elapsed = time.perf_counter() - started
        self.last_headers = {k.lower(): v for k, v in response.getheaders()}
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data, elapsed

    def sign_in(self, username: str) -> None:
        status, body, _ = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not match:
            raise RuntimeError(f"sign-in page answered {status} without a CSRF token")
        form = urlencode(
            {
                "csrfmiddlewaretoken": match[1].decode(),
                "username": username,
                "password": PASSWORD,
            }
        )
        status, _, _ = self.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}/accounts/login/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{username} could not sign in (status {status})")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


class FormReader(HTMLParser):
    """The fields of the first POST form in a page or fragment, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.action = None
        self._in_form = self._done = False
        self._select = self._textarea = None
        self._options: list[tuple[str, bool]] = []
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._done:
            return
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._in_form, self.action = True, attrs.get("action")
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button"):
                self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value") or "", "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _ in self._options[:1]
            ]
            self.fields += [(self._select, v) for v in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the one newline that may follow <textarea>.
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def form_fields(body: bytes) -> list[tuple[str, str]]:
    reader = FormReader()
    reader.feed(body.decode("utf-8", "replace"))
    return reader.fields


def field(fields: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in fields if key == name), None)


def replaced(fields, name: str, values: list[str]) -> list[tuple[str, str]]:
    """The fields with every value of `name` replaced by `values` (in the first one's place)."""
    out, placed = [], False
    for key, value in fields:
        if key != name:
            out.append((key, value))
        elif not placed:
            out += [(name, v) for v in values]
            placed = True
    if not placed:
        out += [(name, v) for v in values]
    return out


class Recorder:
    """Latencies by (phase, page), every error, conflict and accepted save, from many threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples = defaultdict(list)
        self.errors = []
        self.requests = defaultdict(int)  # (phase, "GET"/"POST") -> count
        self.sent_at = defaultdict(list)  # phase -> when each request was sent
        self.saves = []
        self.conflicts = defaultdict(int)  # "contested" / "by chance" -> reported conflicts
        self.gave_up = 0

    def record(self, phase: str, page: str, status, seconds: float, ok: bool, detail=""):
        with self.lock:
            if ok:
                self.samples[(phase, page)].append(seconds)
            else:
                self.errors.append(
                    {"phase": phase, "page": page, "status": status, "detail": detail[:300]}
                )

    def count(self, phase: str, method: str) -> None:
        with self.lock:
            self.requests[(phase, method)] += 1
            self.sent_at[phase].append(time.monotonic())

    def saved(self, save: dict) -> None:
        with self.lock:
            self.saves.append(save)


# How often a waiting export looks at its job page (the browser's htmx polls every 2 s; the
# bench looks more often so the time recorded is the render's, not the poll's).
JOB_POLL_SECONDS = 0.25
JOB_WAIT_SECONDS = 300


def export_follow(session: Session, path: str):
    """(status, body, seconds) of an export as a person waits for it (issue 17): the request
    that queues the render (a 303 to its job page, or 200 with a kept file), the job page read
    until the job is done or failed (its X-Job-Status header), then the result."""
    started = time.perf_counter()
    status, body, _ = session.request("GET", path)
    if status != 303:
        return status, body, time.perf_counter() - started
    job = urlsplit(session.last_headers["location"]).path
    deadline = started + JOB_WAIT_SECONDS
    while True:
        status, body, _ = session.request("GET", job)
        state = session.last_headers.get("x-job-status", "")
        if status != 200 or state in ("done", "failed") or time.perf_counter() > deadline:
            break
        time.sleep(JOB_POLL_SECONDS)
    if state == "done":
        status, body, _ = session.request("GET", job.rstrip("/") + "/result/")
    return status, body, time.perf_counter() - started


def fetch(session: Session, recorder: Recorder, phase: str, page: str, path: str) -> None:
    try:
        if page == "pdf":
            status, body, seconds = export_follow(session, path)
        else:
            status, body, seconds = session.request("GET", path)
    except (OSError, http.client.HTTPException) as exc:
        recorder.record(phase, page, None, 0.0, False, f"{type(exc).__name__}: {exc}")
        return
    ok = status == 200 and (page != "pdf" or body.startswith(b"%PDF-"))
    detail = "" if ok else body[:200].decode("utf-8", "replace")
    recorder.record(phase, page, status, seconds, ok, detail)


# ----------------------------------------------------------------------------------------------
# Edits, as the browser's htmx makes them
# ----------------------------------------------------------------------------------------------

HTMX = {"HX-Request": "true"}


class Editor:
    """One officer's edits: GET a form, POST it back; conflicts reported and saved again."""

    def __init__(self, port: int, recorder: Recorder, phase: str, name: str):
        self.port, self.recorder, self.phase, self.name = port, recorder, phase, name
        self.counter = 0

    def token(self) -> str:
        self.counter += 1
        return f"LT{self.name}-{self.counter}"

    def get_form(self, session: Session, page: str, path: str):
        """The edit form's fields, or None after recording the error."""
        self.recorder.count(self.phase, "GET")
        try:
            status, body, seconds = session.request("GET", path, headers=HTMX)
        except (OSError, http.client.HTTPException) as exc:
            self.recorder.record(self.phase, page, None, 0.0, False, f"{exc!r}")
            return None
        fields = form_fields(body) if status == 200 else []
        ok = bool(fields) and field(fields, "csrfmiddlewaretoken") is not None
        self.recorder.record(
            self.phase, page, status, seconds, ok, body[:300].decode(errors="replace")
        )
        return fields if ok else None

    def post(self, session: Session, page: str, path: str, fields, referer: str):
        """(status, body, trigger) of one POST, or None after recording a failed request."""
        self.recorder.count(self.phase, "POST")
        try:
            status, body, seconds = session.request(
                "POST",
                path,
                body=urlencode(fields),
                headers={
                    **HTMX,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": session.origin,
                    "Referer": f"{session.origin}{referer}",
                },
            )
        except (OSError, http.client.HTTPException) as exc:
            self.recorder.record(self.phase, page, None, 0.0, False, f"{exc!r}")
            return None
        trigger = session.last_headers.get("hx-trigger", "")
        return status, body, seconds, trigger

    def section_edited(self, fields, target: dict, token: str):
        """The form's fields with this save's own words in place; the save's record."""
        if target["kind"] == "headlines":
            texts = [f"Headline {token}: demand held at plan.", f"Second headline {token}."]
            record = {"texts": texts}
            return replaced(fields, "texts", texts), record
        text = f"Progress {token}: reviewed at the board, actions on track; figures to follow."
        return replaced(fields, target["field"], [text]), {"text": text}

    def section_save(
        self, session: Session, target: dict, fields, round_path: str, pacer=None
    ) -> int:
        """POST an edited section form; on a reported conflict, save again over the version
        now stored. Returns how many conflicts it met."""
        page = f"save_{target['kind']}"
        version_name = "seen" if target["kind"] == "headlines" else "version"
        token = self.token()
        fields, record = self.section_edited(fields, target, token)
        own = record.get("text") or record["texts"][0]
        conflicts = 0
        for attempt in range(1 + RESAVES):
            if attempt and pacer is not None:
                pacer.wait()  # the user reads the conflict, then saves again
            posted_version = field(fields, version_name)
            answer = self.post(session, page, target["edit"], fields, round_path)
            if answer is None:
                return conflicts
            status, body, seconds, trigger = answer
            if status == 200 and "round-changed" in trigger:
                self.recorder.record(self.phase, page, status, seconds, True)
                version = posted_version if version_name == "seen" else int(posted_version)
                self.recorder.saved(
                    {"target": target["id"], "token": token, "version": version, **record}
                )
                return conflicts
            if status in (200, 409) and CONFLICT_NOTICE in body:
                again = form_fields(body)
                kept = html.escape(own, quote=False).encode() in body and own in [
                    v for _, v in again
                ]
                if not kept or field(again, version_name) in (None, posted_version):
                    self.recorder.record(
                        self.phase,
                        page,
                        status,
                        seconds,
                        False,
                        "conflict reported without the user's own text or the stored version",
                    )
                    return conflicts
                self.recorder.record(self.phase, f"{page}_conflict", status, seconds, True)
                with self.recorder.lock:
                    self.recorder.conflicts["total"] += 1
                conflicts += 1
                fields = again
                continue
            detail = re.sub(rb"\s+", b" ", body[:2000]).decode("utf-8", "replace")
            errors = re.findall(r'govuk-error-message">(.*?)</', detail)
            reason = "; ".join(errors) if errors else detail
            self.recorder.record(self.phase, page, status, seconds, False, reason)
            return conflicts
        with self.recorder.lock:
            self.recorder.gave_up += 1
        return conflicts

    def kpi_save(self, session: Session, entry: dict, cell: dict, value: int) -> None:
        """Key one KPI figure in its grid cell (GET the cell's form, POST the figure)."""
        address = {k: cell[k] for k in ("measure", "series", "period")}
        fields = self.get_form(
            session, "kpi_cell_form", f"{entry['kpi_cell']}?{urlencode(address)}"
        )
        if fields is None:
            return
        self.kpi_post(session, entry, cell, fields, value)

    def kpi_post(self, session, entry, cell, fields, value: int) -> None:
        answer = self.post(
            session,
            "save_kpi",
            entry["kpi_cell"],
            replaced(fields, "value", [str(value)]),
            entry["kpi_grid"],
        )
        if answer is None:
            return
        status, body, seconds, trigger = answer
        ok = status == 200 and "kpi-changed" in trigger
        self.recorder.record(
            self.phase, "save_kpi", status, seconds, ok, body[:300].decode(errors="replace")
        )
        if ok:
            self.recorder.saved({"target": cell["id"], "value": value})
