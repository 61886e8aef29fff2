"""More than one server, on loopback (issue 17.3; not a test): two gunicorn app servers, queue
workers and one PostgreSQL, with the users' requests spread across both servers.

    make bench-cluster
    # which is: PGPORT_TEST=54338 scripts/with-postgres.sh .venv/bin/python bench/cluster.py
    # a short trial: BENCH_CLUSTER_SECONDS=30 make bench-cluster   (or --seconds 30)

What it does, all on 127.0.0.1, stopping by itself (about 5 minutes; 3 for a 30 s trial):

1. Seeds the database as `make bench-load` does (bench/load_data.py: migrate, `load_demo`, 35
   programme officers and 15 board members over the councils).
2. Starts app server A exactly as `make serve` does (scripts/serve.sh: check, migrate, static
   files, gunicorn with gunicorn.conf.py), then app server B as a second server of the same
   release (gunicorn with the same settings; nothing shared with A but the database and the
   media storage), and --workers queue workers (`manage.py db_worker`, as docs/deploy.md
   starts them) at a lower CPU priority. DEBUG=False, HTTPS settings on, X-Forwarded-Proto sent
   as the TLS proxy would. The client alternates servers request by request (the proxy's
   round robin); each user's browser is one cookie jar used against both.
3. Checks, each printed as a CHECK line and counted in `cluster_errors` if it fails:
   * sessions: every user signs in on one server and reads their dashboard on the other;
   * a workbook previewed on A is confirmed on B (the figure it changes is read back from the
     database);
   * a rate limit counted across both: EXPORT_RATE_PER_MINUTE exports made alternately on A
     and B are allowed, the next on either is refused with 429 (neither server alone saw the
     limit).
4. Idle baseline: one dashboard request a second for --baseline seconds, alternating servers.
5. One server: for --seconds, the users read (dashboards, returns, the council list) at
   --rate requests a second (5) on server A only, while 5 threads keep 5 PDF exports of draft
   returns in flight on A (a draft is rendered afresh every time, never served from the last
   render). Each export follows the queue as a browser does: the 303 to the export's job page,
   polled until the file is ready, then the file.
6. Cluster: the same for --seconds, spread over A and B.
7. Prints `BENCH cluster_errors` (every request answered other than as expected, every failed
   check; 0 = PASS), `BENCH cluster_dashboard_p95_vs_idle` (dashboard p95 in the cluster phase
   over the idle baseline's; <= 2 = PASS) and `BENCH cluster_pdf_throughput_vs_one_server`
   (PDFs finished a minute in the cluster phase over the one-server phase; >= 0.9 = PASS: the
   renders are the workers' work, so spreading the pages over two app servers must cost no
   render throughput; see docs/performance.md). After a full run (--seconds >= 60, unless
   --no-docs) writes its tables into docs/performance.md between this script's markers; exits
   1 on any FAIL.
"""

import argparse
import contextlib
import datetime as dt
import http.client
import io
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.docs_block import docs_block_write  # noqa: E402
from bench.load import (  # noqa: E402
    _machine_busy,
    _postmaster,
    _proc_stats,
    _tree_cpu,
    ensure_database,
    free_port,
    server_environment,
    wait_for_health,
    wait_for_quiet,
)
from bench.load_client import Recorder, Session, fetch, percentile  # noqa: E402

PDF_IN_FLIGHT = 5
READS = (("dashboard", 6), ("round", 3), ("council_list", 1))
MAX_RATIO = 2.0
MIN_THROUGHPUT_RATIO = 0.9
# A render that takes longer than this (queue wait included) is an error.
PDF_DEADLINE_SECONDS = 300
WORKER_COMMAND = "manage.py db_worker --no-reload --interval 1"
# Renders are background work: the workers get the CPU the pages leave over.
WORKER_NICE = 19
# How often a job's page is asked again: as the page's htmx polls it.
JOB_POLL_SECONDS = 2


class Browser:
    """One user's browser behind the proxy: one cookie jar, a connection to each server."""

    def __init__(self, ports: list[int]):
        self.sessions = [Session(port) for port in ports]
        self.cookies: dict[str, str] = {}
        for session in self.sessions:
            session.cookies = self.cookies  # one jar, whichever server answers
        self.turn = 0

    def on(self, server: int) -> Session:
        return self.sessions[server]

    def next(self, servers: int) -> Session:
        """The next server in turn (the proxy's round robin over `servers` servers)."""
        self.turn = (self.turn + 1) % servers
        return self.sessions[self.turn]

    def close(self) -> None:
        for session in self.sessions:
            session.close()


class Checks:
    """The facts the run must show; each is printed as a CHECK line."""

    def __init__(self):
        self.results: list[tuple[str, bool, str]] = []

    def check(self, name: str, ok: bool, detail: str) -> bool:
        self.results.append((name, ok, detail))
        print(f"CHECK {name} {'PASS' if ok else 'FAIL'}: {detail}", flush=True)
        return ok

    @property
    def failed(self) -> int:
        return sum(1 for _, ok, _ in self.results if not ok)


def _is_sign_in(status: int, session: Session, body: bytes) -> bool:
    location = session.last_headers.get("location", "")
    to_sign_in = status in (301, 302) and "/accounts/login/" in location
    return to_sign_in or b'name="password"' in body


def check_sessions(browsers, plan, checks: Checks) -> None:
    """Every user signed in on one server reads their dashboard on the other."""
    good = 0
    bad = []
    for index, (browser, user) in enumerate(browsers):
        signed_on = index % 2
        other = browser.on(1 - signed_on)
        status, body, _ = other.request("GET", plan[user["council"]]["dashboard"])
        if status == 200 and not _is_sign_in(status, other, body):
            good += 1
        else:
            bad.append(f"{user['username']}: {status}")
    checks.check(
        "sessions_on_both_servers",
        not bad and good == len(browsers),
        f"{good} of {len(browsers)} users signed in on one server read their dashboard on the "
        f"other" + (f" (refused: {'; '.join(bad[:5])})" if bad else ""),
    )


def _multipart(fields: dict, file_field: str, filename: str, content: bytes):
    boundary = f"----svmonitor{uuid.uuid4().hex}"
    out = io.BytesIO()
    for name, value in fields.items():
        part = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        out.write(f"{part}{value}\r\n".encode())
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{filename}"\r\nContent-Type: application/vnd.openxmlformats-officedocument.'
        f"spreadsheetml.sheet\r\n\r\n".encode()
    )
    out.write(content)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _csrf(body: bytes) -> str | None:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    return match[1].decode() if match else None


def _follow_job(session: Session, location: str, deadline: float):
    """Poll a job's page (as its htmx does) until it is done or failed: (status, body) of the
    last page, or (None, reason)."""
    path = urlsplit(location).path or location
    while time.monotonic() < deadline:
        status, body, _ = session.request("GET", path)
        state = session.last_headers.get("x-job-status", "")
        if status != 200:
            return status, body
        if state in ("done", "failed") or not state:
            return status, body
        time.sleep(JOB_POLL_SECONDS)
    return None, b"the job did not finish in time"


def check_workbook(browser: Browser, slug: str, env: dict, workdir: Path, checks: Checks):
    """A workbook previewed on server A is confirmed on server B."""
    new_value = random.randint(700_000, 799_999)
    book = workdir / "cluster-import.xlsx"
    made = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "cluster_data.py"), "workbook", str(book), slug,
         str(new_value)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    if made.returncode != 0:
        checks.check("workbook_preview_a_confirm_b", False, made.stderr[-500:])
        return
    address = json.loads(made.stdout.strip().splitlines()[-1])
    server_a, server_b = browser.on(0), browser.on(1)
    page = f"/councils/{slug}/workbook/import/"
    status, body, _ = server_a.request("GET", page)
    token = _csrf(body)
    form, content_type = _multipart(
        {"csrfmiddlewaretoken": token or ""}, "workbook", "cluster.xlsx", book.read_bytes()
    )
    status, body, _ = server_a.request(
        "POST",
        page,
        body=form,
        headers={
            "Content-Type": content_type,
            "Origin": server_a.origin,
            "Referer": f"{server_a.origin}{page}",
        },
    )
    preview = re.search(rb'name="token" value="([0-9a-f]+)"', body)
    if status != 200 or not preview:
        checks.check(
            "workbook_preview_a_confirm_b",
            False,
            f"the preview on A answered {status} without a token to confirm",
        )
        return
    confirm_path = f"/councils/{slug}/workbook/import/confirm/"
    status, body, _ = server_b.request(
        "POST",
        confirm_path,
        body=urlencode({"csrfmiddlewaretoken": _csrf(body) or token, "token": preview[1]}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": server_b.origin,
            "Referer": f"{server_b.origin}{page}",
        },
    )
    if status in (302, 303):  # the import runs on the queue: follow its job page on B
        status, body = _follow_job(
            server_b, server_b.last_headers.get("location", ""), time.monotonic() + 120
        )
    read = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "cluster_data.py"), "value",
         str(address["measure"]), address["series"], address["period"]],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    stored = json.loads(read.stdout.strip().splitlines()[-1])["value"] if read.stdout else None
    ok = (
        status == 200
        and b"Workbook imported" in (body or b"")
        and stored is not None
        and float(stored) == new_value
    )
    checks.check(
        "workbook_preview_a_confirm_b",
        ok,
        f"previewed on A, confirmed on B ({status}); the figure was {address['was']}, the "
        f"database now holds {stored} (the workbook's {new_value})",
    )


def check_rate_limit(browser: Browser, slug: str, limit: int, checks: Checks) -> None:
    """`limit` exports alternately on A and B pass; the next on either is refused."""
    # All in one minute's window (the limit counts per clock minute).
    into = time.time() % 60
    if into > 40:
        time.sleep(61 - into)
    path = f"/councils/{slug}/workbook/template.xlsx"
    statuses = []
    for i in range(limit):
        status, _, _ = browser.on(i % 2).request("GET", path)
        statuses.append(status)
    over_a, _, _ = browser.on(0).request("GET", path)
    over_b, _, _ = browser.on(1).request("GET", path)
    per_server = (limit + 1) // 2
    ok = statuses == [200] * limit and over_a == 429 and over_b == 429
    checks.check(
        "rate_limit_across_servers",
        ok,
        f"limit {limit} a minute: {statuses.count(200)} exports alternately on A and B allowed "
        f"(at most {per_server} on either), the next refused on A with {over_a} and on B "
        f"with {over_b}",
    )


class Pdfs:
    """PDF exports of draft returns kept in flight (a draft is rendered afresh every time)."""

    def __init__(self, officers, plan, recorder: Recorder):
        self.officers = officers
        self.plan = plan
        self.recorder = recorder
        self.lock = threading.Lock()
        self.turn = 0
        self.finished: dict[str, list[float]] = defaultdict(list)  # phase -> finish times
        self.via_queue: dict[str, int] = defaultdict(int)

    def _next(self):
        with self.lock:
            browser, user = self.officers[self.turn % len(self.officers)]
            self.turn += 1
        return browser, user

    def loop(self, phase: str, servers: int, stop_at: float) -> None:
        exporter = None
        while time.monotonic() < stop_at:
            browser, user = self._next()
            entry = self.plan[user["council"]]
            # Its own connections (a download in another tab) with the user's cookies.
            if exporter is None:
                exporter = Browser([s.port for s in browser.sessions])
            exporter.cookies.clear()
            exporter.cookies.update(browser.cookies)
            self.export(phase, exporter.next(servers), entry["pdf"])
        if exporter is not None:
            exporter.close()

    def export(self, phase: str, session: Session, path: str) -> None:
        started = time.perf_counter()
        self.recorder.count(phase, "GET")
        try:
            status, body, _ = session.request("GET", path)
            queued = status in (302, 303)
            if queued:
                job = session.last_headers.get("location", "")
                status, body = _follow_job(session, job, time.monotonic() + PDF_DEADLINE_SECONDS)
                if status == 200 and session.last_headers.get("x-job-status") == "done":
                    result = re.search(rb'href="([^"]*/result/)"', body or b"")
                    target = result[1].decode() if result else urlsplit(job).path + "result/"
                    status, body, _ = session.request("GET", target)
        except (OSError, http.client.HTTPException) as exc:
            self.recorder.record(phase, "pdf", None, 0.0, False, f"{type(exc).__name__}: {exc}")
            return
        seconds = time.perf_counter() - started
        ok = status == 200 and (body or b"").startswith(b"%PDF-")
        self.recorder.record(
            phase,
            "pdf",
            status,
            seconds,
            ok,
            "" if ok else (body or b"")[:200].decode("utf-8", "replace"),
        )
        if ok:
            with self.lock:
                self.finished[phase].append(time.monotonic())
                self.via_queue[phase] += int(queued)


def run_readers(browsers, plan, recorder, phase, servers, seconds, rate) -> None:
    """The users read at `rate` requests a second in all, each through the round robin."""
    stop_at = time.monotonic() + seconds
    interval = len(browsers) / rate

    def loop(index, browser, user):
        rng = random.Random(index)
        reads = [page for page, weight in READS for _ in range(weight)]
        next_at = time.monotonic() + rng.uniform(0, interval)
        while next_at < stop_at:
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
            page = rng.choice(reads)
            recorder.count(phase, "GET")
            fetch(browser.next(servers), recorder, phase, page, plan[user["council"]][page])

    threads = [
        threading.Thread(target=loop, args=(i, b, u), daemon=True)
        for i, (b, u) in enumerate(browsers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)


def run_phase(phase, browsers, plan, recorder, pdfs, servers, seconds, rate, in_flight):
    """Readers and `in_flight` exports for `seconds`; returns PDFs finished a minute."""
    started = time.monotonic()
    stop_at = started + seconds
    pdf_threads = [
        threading.Thread(target=pdfs.loop, args=(phase, servers, stop_at), daemon=True)
        for _ in range(in_flight)
    ]
    for thread in pdf_threads:
        thread.start()
    run_readers(browsers, plan, recorder, phase, servers, seconds, rate)
    for thread in pdf_threads:
        thread.join(timeout=PDF_DEADLINE_SECONDS + 60)
    # Exports finished inside the phase's window, a minute.
    done = sum(1 for at in pdfs.finished[phase] if started <= at <= stop_at)
    return 60 * done / seconds, done


def run_baseline(browsers, plan, recorder, seconds) -> None:
    """One dashboard request a second, alternating servers and councils: nothing else runs."""
    readers = {}
    for browser, user in browsers:
        readers.setdefault(user["council"], browser)
    slugs = sorted(readers)
    started = time.monotonic()
    i = 0
    while time.monotonic() - started < seconds:
        slug = slugs[i % len(slugs)]
        recorder.count("baseline", "GET")
        fetch(readers[slug].on(i % 2), recorder, "baseline", "dashboard", plan[slug]["dashboard"])
        i += 1
        time.sleep(max(0.0, started + i - time.monotonic()))


def _background(nice: int) -> None:
    """Run in a background process before it starts (after setsid): the idle scheduling class,
    and its session's autogroup at `nice`. Linux groups a session's processes (autogroup) and
    shares the CPU between groups before nice is looked at, so a worker at nice 19 in its own
    session took as much CPU as an app server; the autogroup's nice is what counts across
    sessions (sched(7)), as a systemd unit's CPUWeight does (docs/deploy.md)."""
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    # A kernel without autogroups: nice and the idle class are all there is.
    with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as autogroup:
        autogroup.write(str(nice))


def start(command: list[str], env: dict, log: Path, nice: int = 0) -> subprocess.Popen:
    return subprocess.Popen(
        (["nice", "-n", str(nice)] if nice else []) + command,
        env=env,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=(lambda: _background(nice)) if nice else None,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def queue_available(env: dict) -> bool:
    """Whether this release has the queue worker command (the queue, issue 17.1)."""
    probe = subprocess.run(
        [sys.executable, "manage.py", "help", "db_worker"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    return probe.returncode == 0


class CpuMeter:
    """CPU seconds used by the app servers, the queue workers (with their render children),
    PostgreSQL, this client and the whole machine, between marks (from /proc)."""

    def __init__(self, servers: list[int], workers: list[int], pg_port: int):
        self.groups = {"app_servers": servers, "queue_workers": workers}
        self.pg_port = pg_port
        self.marks: dict[str, dict] = {}

    def mark(self, name: str) -> None:
        stats = _proc_stats()
        used = {
            group: sum(sum(_tree_cpu(pid, stats)) for pid in pids)
            for group, pids in self.groups.items()
        }
        master = _postmaster(self.pg_port, stats)
        used["postgresql"] = sum(_tree_cpu(master, stats)) if master else 0.0
        client = os.times()
        used["load_generator"] = client.user + client.system
        used["machine"] = _machine_busy()
        self.marks[name] = {"time": time.monotonic(), **used}

    def between(self, start: str, end: str) -> dict:
        a, b = self.marks[start], self.marks[end]
        wall = b["time"] - a["time"]
        used = {key: b[key] - a[key] for key in a if key != "time"}
        cores = {f"{key}_cores": round(value / wall, 2) for key, value in used.items()}
        ours = sum(value for key, value in used.items() if key != "machine")
        cores["everything_else_cores"] = round(max(0.0, used["machine"] - ours) / wall, 2)
        return cores


def bench_lines(result: dict) -> list[tuple[str, bool]]:
    errors = result["errors"]
    ratio = result["dashboard_p95_ratio"]
    throughput = result["pdf_throughput_ratio"]
    return [
        (f"BENCH cluster_errors {errors} target<=0 {'PASS' if not errors else 'FAIL'}", not errors),
        (
            f"BENCH cluster_dashboard_p95_vs_idle {ratio:.2f}x target<={MAX_RATIO:.2f}x "
            f"{'PASS' if ratio <= MAX_RATIO else 'FAIL'}",
            ratio <= MAX_RATIO,
        ),
        (
            f"BENCH cluster_pdf_throughput_vs_one_server {throughput:.2f}x "
            f"target>={MIN_THROUGHPUT_RATIO:.2f}x "
            f"{'PASS' if throughput >= MIN_THROUGHPUT_RATIO else 'FAIL'}",
            throughput >= MIN_THROUGHPUT_RATIO,
        ),
    ]


PAGE_NAMES = {
    "baseline/dashboard": "dashboard, idle baseline (1/s, both servers)",
    "one/dashboard": "dashboard, one server",
    "one/round": "return (round page), one server",
    "one/council_list": "council list, one server",
    "one/pdf": "PDF export of a draft through the queue (request to file), one server",
    "cluster/dashboard": "dashboard, two servers",
    "cluster/round": "return (round page), two servers",
    "cluster/council_list": "council list, two servers",
    "cluster/pdf": "PDF export of a draft through the queue (request to file), two servers",
}


def docs_text(result: dict, lines: list[tuple[str, bool]], checks: Checks) -> str:
    rows = [
        f"| {PAGE_NAMES.get(key, key)} | {row['count']:,} | {row['p50_ms']:.1f} ms | "
        f"{row['p95_ms']:.1f} ms | {row['p99_ms']:.1f} ms |"
        for key, row in result["latency"].items()
    ]
    load_before = ", ".join(f"{x:.1f}" for x in result["loadavg_before"])
    return (
        f"Last run: {dt.datetime.now():%d %B %Y %H:%M}, {result['cpus']} cores, PostgreSQL, "
        f"two gunicorn app servers (gunicorn.conf.py, {result['gunicorn_workers']} processes "
        f"each), {result['queue_workers']} queue workers in the idle "
        f"scheduling class at nice {WORKER_NICE} (their autogroups too), "
        f"{result['users']} users, "
        f"phases of {result['seconds']:g} s at {result['rate']:g} requests a second with "
        f"{PDF_IN_FLIGHT} PDF exports in flight (RENDER_SLOTS {result.get('render_slots', '?')}), "
        f"idle baseline {result['baseline_s']:g} s; "
        f"load average {load_before} before.\n\n"
        "| measure | value | target | result |\n|---|---|---|---|\n"
        + "\n".join(
            "| `{}` | {} | {} | {} |".format(
                *line.split()[1:3],
                line.split()[3].removeprefix("target"),
                "PASS" if ok else "**FAIL**",
            )
            for line, ok in lines
        )
        + "\n\n"
        + "\n".join(
            f"* {name.replace('_', ' ')}: {'PASS' if ok else '**FAIL**'}. {detail}."
            for name, ok, detail in checks.results
        )
        + "\n\n"
        f"PDFs finished: {result['pdfs_one']} in {result['seconds']:g} s with one app server "
        f"({result['pdf_per_minute_one']:.1f} a minute), {result['pdfs_cluster']} with two "
        f"({result['pdf_per_minute_cluster']:.1f} a minute); "
        f"{result['pdfs_via_queue']} exports in all went through the queue (a 303 to the "
        "job's page, polled until the file was ready). Dashboard p95 with two "
        f"servers under load "
        f"{result['latency'].get('cluster/dashboard', {}).get('p95_ms', float('nan')):.1f} ms "
        f"against {result['latency'].get('baseline/dashboard', {}).get('p95_ms', float('nan')):.1f}"
        f" ms idle: {result['dashboard_p95_ratio']:.2f}x. {result['request_errors']} requests "
        f"answered other than as expected; {result['failed_checks']} checks failed.\n\n"
        "| page, phase | requests | p50 | p95 | p99 |\n|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\nCPU in cores of "
        + f"{result['cpus']} (app servers, queue workers with their render children, "
        "PostgreSQL, the load generator, everything else on the machine): "
        + "; ".join(
            f"{phase} {c['app_servers_cores']:.2f}, {c['queue_workers_cores']:.2f}, "
            f"{c['postgresql_cores']:.2f}, {c['load_generator_cores']:.2f}, "
            f"{c['everything_else_cores']:.2f}"
            for phase, c in result["cpu"].items()
        )
        + ".\n"
        + (
            "\nErrors: "
            + "; ".join(
                f"{e['phase']}/{e['page']} {e['status']} ({e['detail'][:100]})"
                for e in result["error_samples"][:5]
            )
            + "\n"
            if result["error_samples"]
            else ""
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("BENCH_CLUSTER_SECONDS", 90)),
        help="each load phase, seconds (BENCH_CLUSTER_SECONDS; 30-60 for a trial)",
    )
    parser.add_argument("--baseline", type=float, default=None, help="idle phase, seconds")
    parser.add_argument("--rate", type=float, default=5, help="user reads a second in all")
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("BENCH_CLUSTER_WORKERS", 2))
    )
    parser.add_argument("--gunicorn-workers", type=int, default=2, help="processes per server")
    parser.add_argument(
        "--pdfs", type=int, default=PDF_IN_FLIGHT, help="exports in flight (0: reads alone)"
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--quiet-wait", type=float, default=300)
    args = parser.parse_args()
    if args.baseline is None:
        args.baseline = min(30.0, max(10.0, args.seconds / 2))
    write = not args.no_docs and args.seconds >= 60 and args.pdfs == PDF_IN_FLIGHT

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Run under scripts/with-postgres.sh (DATABASE_URL must be PostgreSQL)")
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("The bench only talks to a database on loopback")
    ensure_database(url)

    workdir = Path(tempfile.mkdtemp(prefix="svmonitor-cluster-"))
    ports = [free_port(), free_port()]
    while ports[1] == ports[0]:
        ports[1] = free_port()
    secret = secrets.token_urlsafe(50)
    limit = 10

    def environment(port: int) -> dict:
        env = server_environment(port, workdir)
        env.update(
            {
                # One deployment: one key, one database, one media storage (the renders).
                "SECRET_KEY": secret,
                "CSRF_TRUSTED_ORIGINS": ",".join(f"https://127.0.0.1:{p}" for p in ports),
                "GUNICORN_WORKERS": str(args.gunicorn_workers),
                "GUNICORN_ACCESS_LOG": str(workdir / f"access-{port}.log"),
                "EXPORT_RATE_PER_MINUTE": str(limit),
                # The workers are started on their own below (at a lower priority), as on a
                # deployment whose workers run apart from the app servers.
                "WORKERS_LOCAL": "0",
                # A render for each of this machine's cores across the deployment
                # (RENDER_SLOTS, counted in the database): the workers run in the idle
                # scheduling class (_background), so a page's thread that wakes takes a core
                # from a render at once and the renders get what the pages leave.
                "RENDER_SLOTS": os.environ.get("RENDER_SLOTS", str(os.cpu_count() or 2)),
            }
        )
        return env

    env_a, env_b = environment(ports[0]), environment(ports[1])
    print("Seeding (migrate, load_demo, bench users) ...", flush=True)
    seeded = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load_data.py"), "seed"],
        env=env_a, cwd=ROOT, capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    if seeded.returncode != 0:
        print(seeded.stdout[-3000:], seeded.stderr[-3000:], file=sys.stderr)
        return 1
    data = json.loads(seeded.stdout.strip().splitlines()[-1])
    plan = {entry["slug"]: entry for entry in data["councils"]}
    by_council = defaultdict(list)
    for user in data["users"]:
        if user["role"] == "officer":
            by_council[user["council"]].append(user)
    for slug, officers_here in by_council.items():
        for k, user in enumerate(officers_here):
            user["cells"] = plan[slug]["cells"][k :: len(officers_here)]
    processes: list[subprocess.Popen] = []
    browsers: list[tuple[Browser, dict]] = []
    recorder = Recorder()
    checks = Checks()
    queue = queue_available(env_a)
    try:
        print(f"Starting app server A as `make serve` does on 127.0.0.1:{ports[0]} ...", flush=True)
        server_a = start([str(ROOT / "scripts" / "serve.sh")], env_a, workdir / "server-a.log")
        processes.append(server_a)
        wait_for_health(ports[0], server_a)
        print(f"Starting app server B on 127.0.0.1:{ports[1]} ...", flush=True)
        server_b = start(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "svmonitor.wsgi"],
            {
                **env_b,
                "STATICFILES_BACKEND": "svmonitor.storage.FastCompressedManifestStaticFilesStorage",
            },
            workdir / "server-b.log",
        )
        processes.append(server_b)
        wait_for_health(ports[1], server_b)
        workers = 0
        worker_pids = []
        if queue:
            for i in range(args.workers):
                processes.append(
                    start(
                        [sys.executable, *WORKER_COMMAND.split()],
                        env_a,
                        workdir / f"worker-{i}.log",
                        nice=WORKER_NICE,
                    )
                )
                worker_pids.append(processes[-1].pid)
                workers += 1
            print(f"Started {workers} queue workers ({WORKER_COMMAND}) ...", flush=True)
        else:
            print(
                "No queue worker command in this release: PDFs render in the request.", flush=True
            )

        print(f"Signing in {len(data['users'])} users, alternately on A and B ...", flush=True)
        for index, user in enumerate(data["users"]):
            browser = Browser(ports)
            browser.on(index % 2).sign_in(user["username"])
            browsers.append((browser, user))
        check_sessions(browsers, plan, checks)
        officers = [(b, u) for b, u in browsers if u["role"] == "officer"]
        # One officer does the workbook and the rate-limit checks and no exports afterwards.
        checker, checker_user = officers[-1]
        exporters = officers[:-1]
        check_workbook(checker, checker_user["council"], env_a, workdir, checks)
        check_rate_limit(checker, checker_user["council"], limit, checks)

        # Warm every page in every server's processes.
        for _ in range(2 * args.gunicorn_workers):
            for slug, entry in plan.items():
                browser = next(b for b, u in browsers if u["council"] == slug)
                for server in (0, 1):
                    for page in ("dashboard", "round", "council_list"):
                        fetch(browser.on(server), Recorder(), "warm", page, entry[page])
        load_before = wait_for_quiet(seconds=args.quiet_wait)
        meter = CpuMeter(
            [server_a.pid, server_b.pid], worker_pids, urlsplit(url).port or 5432
        )  # fmt: skip
        print(f"Idle baseline: 1 dashboard a second for {args.baseline:g} s ...", flush=True)
        meter.mark("baseline_start")
        run_baseline(browsers, plan, recorder, args.baseline)
        meter.mark("baseline_end")
        pdfs = Pdfs(exporters, plan, recorder)
        print(f"One server: {args.rate:g} reads a second and {PDF_IN_FLIGHT} PDFs in flight on "
              f"A for {args.seconds:g} s ...", flush=True)  # fmt: skip
        meter.mark("one_start")
        per_minute_one, done_one = run_phase(
            "one", browsers, plan, recorder, pdfs, 1, args.seconds, args.rate, args.pdfs
        )
        meter.mark("one_end")
        print(f"Two servers: the same spread over A and B for {args.seconds:g} s ...", flush=True)
        meter.mark("cluster_start")
        per_minute_cluster, done_cluster = run_phase(
            "cluster", browsers, plan, recorder, pdfs, 2, args.seconds, args.rate, args.pdfs
        )  # fmt: skip
        meter.mark("cluster_end")
        for process in processes:
            if process.poll() is not None:
                checks.check(
                    "processes_stayed_up", False, f"pid {process.pid} exited {process.returncode}"
                )
    finally:
        for browser, _ in browsers:
            browser.close()
        for process in reversed(processes):
            stop(process)

    rows = {}
    for (phase, page), values in sorted(recorder.samples.items()):
        rows[f"{phase}/{page}"] = {
            "count": len(values),
            "p50_ms": round(percentile(values, 50) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1),
            "p99_ms": round(percentile(values, 99) * 1000, 1),
        }
    base = rows.get("baseline/dashboard", {}).get("p95_ms", float("nan"))
    loaded = rows.get("cluster/dashboard", {}).get("p95_ms", float("nan"))
    result = {
        "cpus": os.cpu_count(),
        "users": len(browsers),
        "gunicorn_workers": args.gunicorn_workers,
        "queue_workers": workers,
        "seconds": args.seconds,
        "baseline_s": args.baseline,
        "rate": args.rate,
        "render_slots": env_a["RENDER_SLOTS"],
        "limit": limit,
        "request_errors": len(recorder.errors),
        "failed_checks": checks.failed,
        "errors": len(recorder.errors) + checks.failed,
        "error_samples": recorder.errors[:10],
        "checks": checks.results,
        "latency": rows,
        "dashboard_p95_ratio": round(loaded / base, 2) if base else float("nan"),
        "pdfs_one": done_one,
        "pdfs_cluster": done_cluster,
        "pdfs_via_queue": sum(pdfs.via_queue.values()),
        "pdf_per_minute_one": round(per_minute_one, 2),
        "pdf_per_minute_cluster": round(per_minute_cluster, 2),
        "pdf_throughput_ratio": round(per_minute_cluster / per_minute_one, 2)
        if per_minute_one
        else 0.0,
        "cpu": {
            phase: meter.between(f"{phase}_start", f"{phase}_end")
            for phase in ("baseline", "one", "cluster")
        },
        "loadavg_before": load_before,
        "loadavg_after": list(os.getloadavg()),
        "logs": str(workdir),
    }
    print(json.dumps(result, indent=2, default=str))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    lines = bench_lines(result)
    for line, _ in lines:
        print(line, flush=True)
    if write:
        docs_block_write("cluster.py", docs_text(result, lines, checks), "More than one server")
    passed = all(ok for _, ok in lines)
    print("PASS" if passed else "FAIL", flush=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
