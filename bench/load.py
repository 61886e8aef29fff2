"""Quarter-end load bench (not a test): gunicorn + PostgreSQL on loopback under 50 users.

    make bench-load
    # which is: PGPORT_TEST=54339 scripts/with-postgres.sh .venv/bin/python bench/load.py

What it does, all on 127.0.0.1, stopping by itself (about 3 minutes):

1. Creates the database, migrates, loads the demo councils (`load_demo`) and 50 officers
   spread over them.
2. Starts the production server exactly as `make serve` does (scripts/serve.sh: check --deploy,
   collectstatic with hashed + compressed files, gunicorn with gunicorn.conf.py), with
   DEBUG=False, HTTPS settings on and X-Forwarded-Proto: https sent as a TLS proxy would.
3. Signs the 50 users in through the real sign-in form.
4. Baseline: one dashboard request a second for --baseline seconds.
5. Load: the 50 users make --rate requests a second in all (dashboard, round page, council
   list) for --duration seconds while 5 threads keep 5 PDF exports of draft rounds in flight
   (a draft is rendered afresh every time, never served from storage).
6. Prints the latencies and errors; exits 1 unless there were no errors and the dashboard's
   p95 under load is at most --max-ratio times its p95 at 1 request a second.
"""

import argparse
import http.client
import json
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-" + "load-password-2024"
USER_COUNT = 50
PDF_THREADS = 5
# The users' mix of pages (weights): what a board member or officer opens at quarter-end.
PAGE_MIX = (("dashboard", 5), ("round", 3), ("council_list", 2))


# ----------------------------------------------------------------------------------------------
# Seeding (runs in a child process with Django set up against the bench database)
# ----------------------------------------------------------------------------------------------


def seed() -> None:
    """Migrate, load the demo councils, add the bench users; print the URLs as JSON."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.urls import Resolver404, resolve

    from svmonitor.models import LocalAuthority, Membership, ReportingRound
    from svmonitor.roles import Role

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    call_command("load_demo", verbosity=0)

    councils = []
    for council in LocalAuthority.objects.order_by("slug"):
        rounds = ReportingRound.objects.filter(agreement__council=council)
        latest = rounds.order_by("-financial_year", "-update_number").first()
        draft = rounds.filter(status="draft").order_by("-financial_year", "-update_number").first()
        if latest is None:
            continue
        base = f"/councils/{council.slug}/"
        entry = {
            "slug": council.slug,
            "dashboard": base,
            "round": f"{base}rounds/{latest.fy}/{latest.update_number}/",
            "council_list": "/councils/",
        }
        chosen = draft or latest
        entry["pdf"] = f"{base}rounds/{chosen.fy}/{chosen.update_number}/report.pdf"
        entry["pdf_is_draft"] = draft is not None
        for key in ("dashboard", "round", "council_list", "pdf"):
            try:
                resolve(entry[key])
            except Resolver404:
                entry[key] = None
        councils.append((council, entry))
    if not councils:
        raise SystemExit("load_demo made no council with a round")

    # One hash for all: hashing 50 passwords one by one would take the best part of a minute.
    hashed = make_password(PASSWORD)
    users = []
    user_model = get_user_model()
    for i in range(USER_COUNT):
        council, entry = councils[i % len(councils)]
        user, _ = user_model.objects.update_or_create(
            username=f"bench-officer-{i:02d}",
            defaults={"password": hashed, "email": f"bench{i}@example.org", "is_active": True},
        )
        Membership.objects.get_or_create(user=user, council=council, role=Role.OFFICER)
        users.append({"username": user.username, "council": entry["slug"]})
    print(json.dumps({"councils": [entry for _, entry in councils], "users": users}))


# ----------------------------------------------------------------------------------------------
# HTTP client side
# ----------------------------------------------------------------------------------------------


class Session:
    """One user's keep-alive connection and cookies, speaking as if through a TLS proxy."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.last_headers: dict[str, str] = {}

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
                "Origin": f"https://127.0.0.1:{self.port}",
                "Referer": f"https://127.0.0.1:{self.port}/accounts/login/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{username} could not sign in (status {status})")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


class Recorder:
    """Latencies by (phase, page) and every error, from many threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples = defaultdict(list)
        self.errors = []

    def record(self, phase: str, page: str, status, seconds: float, ok: bool, detail=""):
        with self.lock:
            if ok:
                self.samples[(phase, page)].append(seconds)
            else:
                self.errors.append(
                    {"phase": phase, "page": page, "status": status, "detail": detail[:200]}
                )


def fetch(session: Session, recorder: Recorder, phase: str, page: str, path: str) -> None:
    try:
        status, body, seconds = session.request("GET", path)
    except (OSError, http.client.HTTPException) as exc:
        recorder.record(phase, page, None, 0.0, False, f"{type(exc).__name__}: {exc}")
        return
    ok = status == 200 and (page != "pdf" or body.startswith(b"%PDF-"))
    detail = "" if ok else body[:200].decode("utf-8", "replace")
    recorder.record(phase, page, status, seconds, ok, detail)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database(url: str) -> None:
    """Create the bench database on the throw-away server if it is not there."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def server_environment(port: int, workdir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "svmonitor.settings",
            "DEBUG": "False",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
            "TRUST_X_FORWARDED_PROTO": "True",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_ACCESS_LOG": str(workdir / "access.log"),
            "LOG_LEVEL": "WARNING",
            "MEDIA_ROOT": str(workdir / "media"),
        }
    )
    return env


def wait_for_health(port: int, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped during start-up (exit {server.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not answer /healthz in time")


def run_baseline(port, users, plan, recorder, seconds: float) -> None:
    """One dashboard request a second, alternating councils, from one signed-in user each."""
    by_council = {}
    for session, user in users:
        by_council.setdefault(user["council"], session)
    sessions = list(by_council.items())
    started = time.monotonic()
    i = 0
    while time.monotonic() - started < seconds:
        slug, session = sessions[i % len(sessions)]
        fetch(session, recorder, "baseline", "dashboard", plan[slug]["dashboard"])
        i += 1
        time.sleep(max(0.0, started + i - time.monotonic()))


def run_load(port, users, plan, recorder, seconds: float, rate: float, pdf_threads: int):
    """The users at `rate` requests a second in all, with PDF exports kept in flight."""
    import random

    stop_at = time.monotonic() + seconds
    interval = len(users) / rate  # each user's gap between requests
    pages = [page for page, weight in PAGE_MIX for _ in range(weight)]
    sent = [0]
    sent_lock = threading.Lock()

    def user_loop(index: int, session: Session, user: dict) -> None:
        chooser = random.Random(index)
        next_at = time.monotonic() + chooser.uniform(0, interval)
        while True:
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if time.monotonic() >= stop_at:
                return
            page = chooser.choice(pages)
            path = plan[user["council"]][page]
            if path is None:
                page, path = "dashboard", plan[user["council"]]["dashboard"]
            fetch(session, recorder, "load", page, path)
            with sent_lock:
                sent[0] += 1
            next_at += interval

    pdf_turn = [0]
    pdf_lock = threading.Lock()

    def pdf_loop() -> None:
        # Each export is by the next user in turn, so one user's per-minute export limit
        # is never what the bench measures; it has its own connection (a browser downloading
        # a PDF while the user reads on in another tab), with the user's cookies.
        exporter = Session(port)
        while time.monotonic() < stop_at:
            with pdf_lock:
                session, user = users[pdf_turn[0] % len(users)]
                pdf_turn[0] += 1
            exporter.cookies = dict(session.cookies)
            fetch(exporter, recorder, "load", "pdf", plan[user["council"]]["pdf"])
        exporter.close()

    threads = [
        threading.Thread(target=user_loop, args=(i, session, user), daemon=True)
        for i, (session, user) in enumerate(users)
    ]
    if all(entry["pdf"] for entry in plan.values()):
        threads += [threading.Thread(target=pdf_loop, daemon=True) for _ in range(pdf_threads)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return sent[0] / (time.monotonic() - started)


def _proc_stats() -> dict[int, tuple[int, float, float]]:
    """pid -> (parent pid, own CPU seconds, reaped children's CPU seconds), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After "(command)": [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime.
        stats[int(entry)] = (
            int(fields[1]),
            (int(fields[11]) + int(fields[12])) / tick,
            (int(fields[13]) + int(fields[14])) / tick,
        )
    return stats


def _tree_cpu(root: int, stats: dict) -> tuple[float, float]:
    """Own and reaped-children CPU seconds of a process and all its living descendants."""
    own = reaped = 0.0
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid not in stats:
            continue
        own += stats[pid][1]
        reaped += stats[pid][2]
        todo += [child for child, (parent, _, _) in stats.items() if parent == pid]
    return own, reaped


def _postmaster(port: int, stats: dict) -> int | None:
    for pid in stats:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                argv = handle.read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"postgres") and f"-p {port}".encode() in b" ".join(argv):
            return pid
    return None


class CpuMeter:
    """CPU seconds used by the server, its PDF children, PostgreSQL and this client, per phase."""

    def __init__(self, server_pid: int, pg_port: int):
        self.server_pid = server_pid
        self.pg_port = pg_port
        self.marks = {}

    def mark(self, name: str) -> None:
        stats = _proc_stats()
        server_own, server_reaped = _tree_cpu(self.server_pid, stats)
        master = _postmaster(self.pg_port, stats)
        pg_own, pg_reaped = _tree_cpu(master, stats) if master else (0.0, 0.0)
        client = os.times()
        self.marks[name] = {
            "time": time.monotonic(),
            # Workers' own time is the pages; finished render children are reaped into it.
            "pages": server_own,
            "pdf_children": server_reaped,
            "postgresql": pg_own + pg_reaped,
            "load_generator": client.user + client.system,
        }

    def between(self, start: str, end: str, requests: int) -> dict:
        a, b = self.marks[start], self.marks[end]
        wall = b["time"] - a["time"]
        used = {key: b[key] - a[key] for key in a if key != "time"}
        result = {f"{key}_cores": round(value / wall, 2) for key, value in used.items()}
        if requests:
            result["pages_cpu_ms_per_request"] = round(1000 * used["pages"] / requests, 1)
        return result


def summarise(recorder: Recorder) -> dict:
    rows = {}
    for (phase, page), values in sorted(recorder.samples.items()):
        rows[f"{phase}/{page}"] = {
            "count": len(values),
            "p50_ms": round(percentile(values, 50) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1),
            "p99_ms": round(percentile(values, 99) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
        }
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=120, help="load phase, seconds")
    parser.add_argument("--baseline", type=float, default=30, help="1 req/s phase, seconds")
    parser.add_argument("--rate", type=float, default=20, help="user requests a second in all")
    parser.add_argument("--pdf-threads", type=int, default=PDF_THREADS)
    parser.add_argument("--max-ratio", type=float, default=2.0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    load_before = list(os.getloadavg())
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Run under scripts/with-postgres.sh (DATABASE_URL must be PostgreSQL)")
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("The bench only talks to a database on loopback")
    ensure_database(url)

    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="svmonitor-bench-"))
    port = free_port()
    env = server_environment(port, workdir)
    print(f"Seeding (migrate, load_demo, {USER_COUNT} users) ...", flush=True)
    seeded = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--seed"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if seeded.returncode != 0:
        print(seeded.stdout[-3000:], seeded.stderr[-3000:], file=sys.stderr)
        return 1
    data = json.loads(seeded.stdout.strip().splitlines()[-1])
    plan = {entry["slug"]: entry for entry in data["councils"]}

    print(f"Starting the server as `make serve` does on 127.0.0.1:{port} ...", flush=True)
    server_log = (workdir / "server.log").open("w")
    server = subprocess.Popen(
        [str(ROOT / "scripts" / "serve.sh")],
        env=env,
        cwd=ROOT,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    recorder = Recorder()
    sessions: list[tuple[Session, dict]] = []
    try:
        wait_for_health(port, server)
        print(f"Signing in {len(data['users'])} users ...", flush=True)
        for user in data["users"]:
            session = Session(port)
            session.sign_in(user["username"])
            sessions.append((session, user))
        # Warm every page once in every worker (first requests import lazily, fill caches).
        by_council = {user["council"]: session for session, user in sessions}
        for _ in range(3):
            for slug, entry in plan.items():
                for page in ("dashboard", "round", "council_list", "pdf"):
                    if entry[page]:
                        fetch(by_council[slug], Recorder(), "warm", page, entry[page])
        meter = CpuMeter(server.pid, urlsplit(url).port or 5432)
        print(f"Baseline: 1 dashboard request a second for {args.baseline:g} s ...", flush=True)
        meter.mark("baseline_start")
        run_baseline(port, sessions, plan, recorder, args.baseline)
        meter.mark("baseline_end")
        print(
            f"Load: {len(sessions)} users at {args.rate:g} req/s with {args.pdf_threads} PDF "
            f"exports in flight for {args.duration:g} s ...",
            flush=True,
        )
        meter.mark("load_start")
        achieved = run_load(
            port, sessions, plan, recorder, args.duration, args.rate, args.pdf_threads
        )
        meter.mark("load_end")
    finally:
        for session, _ in sessions:
            session.close()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        server_log.close()

    rows = summarise(recorder)
    counts = defaultdict(int)
    for (phase, _), values in recorder.samples.items():
        counts[phase] += len(values)
    cpu = {
        "baseline": meter.between("baseline_start", "baseline_end", counts["baseline"]),
        "load": meter.between("load_start", "load_end", counts["load"]),
    }
    base = rows.get("baseline/dashboard", {}).get("p95_ms", float("nan"))
    loaded = rows.get("load/dashboard", {}).get("p95_ms", float("nan"))
    ratio = loaded / base if base else float("nan")
    result = {
        "users": len(sessions),
        "target_rate": args.rate,
        "achieved_rate": round(achieved, 2),
        "pdf_threads": args.pdf_threads if all(e["pdf"] for e in plan.values()) else 0,
        "pdf_rounds_are_drafts": all(e["pdf_is_draft"] for e in plan.values()),
        "duration_s": args.duration,
        "baseline_s": args.baseline,
        "errors": len(recorder.errors),
        "error_samples": recorder.errors[:10],
        "latency": rows,
        "dashboard_p95_ratio": round(ratio, 2),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        # Other work on the machine skews every number: recorded so a reader can judge.
        "loadavg_before": load_before,
        "loadavg_after": list(os.getloadavg()),
        "server_log": str(workdir / "server.log"),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    passed = not recorder.errors and ratio <= args.max_ratio and achieved >= 0.95 * args.rate
    print("PASS" if passed else "FAIL", flush=True)
    return 0 if passed else 1


if __name__ == "__main__":
    if sys.argv[1:] == ["--seed"]:
        sys.path.insert(0, str(ROOT))
        seed()
    else:
        sys.exit(main())
