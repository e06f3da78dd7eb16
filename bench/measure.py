"""Measure the product under load, against a server started exactly as `make run` starts it.

It starts `aftersales serve --no-worker --host 127.0.0.1 --port 8107 --workers 2` on the bench database
(DATABASE_URL, default the SQLite file var/bench.sqlite3) with AFTERSALES_HTTPS=0, waits for /healthz, gets bearer
tokens from POST /api/v1/auth/token and session cookies from the login form, and then drives each scenario with
wrk at concurrency 8 (2 client threads), bounded by a request count per scenario (and a time limit), on 127.0.0.1
only. Before the first scenario 1,000 pings warm the workers up (each loads what it serves and freezes it after its
200th answer, a one-time pause that belongs to no scenario). URLs and POST bodies rotate over lists of real ids read from the bench database, so that each request asks
for a different record or filter.

Per scenario it reports requests/s, p50, p95, p99 and max latency, and the responses that were not 2xx (there must
be none: any is a failure to investigate). A scenario whose first request answers 404 is skipped with a note (the
endpoint is not there yet). It prints a Markdown table and writes JSON to bench/results/.

Usage (from the project root; generate the data first with bench/generate.py):
    .venv/bin/python bench/measure.py                        # SQLite var/bench.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_bench .venv/bin/python bench/measure.py
Options: -n 2000 requests per scenario, --only NAME[,NAME], --server URL (use a running server), --max-seconds.
Needs wrk (`apt-get install -y wrk`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = f"sqlite:///{PROJECT / 'var' / 'bench.sqlite3'}"
ROLES = ("agent", "dispatcher", "engineer", "lead", "manager", "admin")
CONCURRENCY = 8
THREADS = 2

# Targets from the issue, in milliseconds of p99 (and requests/s for create).
TARGETS = {
    "create": {"p99_ms": 100, "min_rps": 300},
    "list": {"p99_ms": 150},
    "detail": {"p99_ms": 100},
    "dashboard": {"p99_ms": 300},
}

WRK_SCRIPT = r"""
-- Count-bounded wrk run over a list of paths (and bodies); written by bench/measure.py.
threads = {}
local paths, bodies = {}, {}
local limit, method, markers = 0, "GET", ""
local idx, statuses = 0, {}
-- Globals, so that done() can read them from each thread with thread:get().
answered, non2xx, status_text, start_ns, end_ns, tid = 0, 0, "", 0, 0, 0

local function now_ns()
  local f = io.popen("date +%s%N")
  local v = tonumber(f:read("*l"))
  f:close()
  return v
end

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  limit = tonumber(args[2])
  method = args[3]
  if args[4] ~= "-" then for line in io.lines(args[4]) do bodies[#bodies + 1] = line end end
  markers = args[5]
  idx = (tid * 7919) % #paths
  start_ns = now_ns()
end

function request()
  idx = idx % #paths + 1
  local body = nil
  if #bodies > 0 then body = bodies[(idx - 1) % #bodies + 1] end
  return wrk.format(method, paths[idx], nil, body)
end

function response(status, headers, body)
  answered = answered + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
    local parts = {}
    for k, v in pairs(statuses) do parts[#parts + 1] = k .. ":" .. v end
    status_text = table.concat(parts, ",")
  end
  if answered == limit then
    end_ns = now_ns()
    local f = io.open(markers .. "/" .. tid, "w")
    if f then f:close() end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local first, last, n, bad, texts = nil, 0, 0, 0, {}
  for _, t in ipairs(threads) do
    local s, e = t:get("start_ns"), t:get("end_ns")
    if first == nil or s < first then first = s end
    if e == 0 then e = now_ns() end
    if e > last then last = e end
    n = n + t:get("answered")
    bad = bad + t:get("non2xx")
    local st = t:get("status_text")
    if st ~= "" then texts[#texts + 1] = st end
  end
  io.write(string.format(
    'WRKJSON {"answered":%d,"elapsed_us":%.0f,"non2xx":%d,"statuses":"%s","errors_connect":%d,' ..
    '"errors_read":%d,"errors_write":%d,"errors_timeout":%d,"p50":%d,"p90":%d,"p95":%d,"p99":%d,' ..
    '"max":%d,"mean":%.1f}\n',
    n, (last - first) / 1000, bad, table.concat(texts, ","), summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
"""


@dataclass
class Scenario:
    """One thing a user does, measured on its own: a method, a rotation of paths, who asks, and its target."""

    name: str
    kind: str  # ping, create, list, detail, dashboard
    paths: list[str]
    headers: dict[str, str]
    method: str = "GET"
    bodies: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class Result:
    name: str
    kind: str
    example: str
    status: str  # ok, fail, skipped
    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    non2xx: int = 0
    statuses: str = ""
    socket_errors: int = 0
    target: str = ""
    meets_target: bool | None = None
    other_cpu: float | None = None  # cores used by processes other than server, its database backends and wrk
    note: str = ""


# ----------------------------------------------------------------------------------------------------------------
# HTTP helpers (stdlib only; used for set-up and probes, never for the load itself)


def call(base: str, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes, list[str]]:
    parsed = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        cookies = resp.headers.get_all("Set-Cookie") or []
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, cookies
    finally:
        conn.close()


def cookie_values(set_cookies: list[str]) -> dict[str, str]:
    out = {}
    for line in set_cookies:
        name, _, rest = line.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


def get_token(base: str, username: str, password: str) -> str:
    status, _h, data, _c = call(base, "POST", "/api/v1/auth/token",
                                json.dumps({"username": username, "password": password}).encode(),
                                {"Content-Type": "application/json"})
    if status != 200:
        raise RuntimeError(f"token for {username}: HTTP {status} {data[:200]!r}")
    return json.loads(data)["token"]


def login_session(base: str, username: str, password: str) -> str:
    """Sign in through the login form; returns the Cookie header value for pages."""
    status, _h, data, cookies = call(base, "GET", "/login/")
    if status != 200:
        raise RuntimeError(f"GET /login/: HTTP {status}")
    jar = cookie_values(cookies)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', data)
    if not match or "csrftoken" not in jar:
        raise RuntimeError("no CSRF token on the login page")
    form = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrfmiddlewaretoken": match.group(1).decode()}).encode()
    status, _h, data, cookies = call(base, "POST", "/login/", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={jar['csrftoken']}",
        "Referer": f"{base}/login/", "Origin": base})
    jar.update(cookie_values(cookies))
    if status not in (302, 303) or "sessionid" not in jar:
        raise RuntimeError(f"login as {username}: HTTP {status} (wrong password? locked out?)")
    return f"sessionid={jar['sessionid']}; csrftoken={jar['csrftoken']}"


# ----------------------------------------------------------------------------------------------------------------
# The server, started as `make run` starts it


class Server:
    """`aftersales serve --no-worker` on the bench database; stopped (with its gunicorn workers) when done."""

    def __init__(self, url: str, port: int, workers: int, log: Path, threads: int = 1) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.url, self.port, self.workers, self.log, self.threads = url, port, workers, log, threads
        self.proc: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(DATABASE_URL=self.url, AFTERSALES_HTTPS="0", DJANGO_SETTINGS_MODULE="aftersales.config.settings")
        return env

    def start(self) -> None:
        with socket_probe(self.port) as busy:
            if busy:
                raise RuntimeError(f"port {self.port} is in use; stop that server or pass --port")
        aftersales = str(Path(sys.executable).parent / "aftersales")
        # As `make run`: migrations applied (new apps arrive with new tables), static files collected (pages use
        # the manifest), then the production server.
        subprocess.run([aftersales, "migrate", "--noinput"], env=self.env(), check=True,  # noqa: S603
                       stdout=subprocess.DEVNULL)
        collected = subprocess.run([aftersales, "collectstatic", "--noinput"], env=self.env(),  # noqa: S603
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        if collected.returncode:
            last = collected.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            print("warning: collectstatic failed (pages may answer 500 without a static manifest): "
                  + " ".join(last), file=sys.stderr, flush=True)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = self.log.open("wb")
        self.proc = subprocess.Popen(  # noqa: S603
            [aftersales, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(self.workers), "--threads", str(self.threads)],
            env=self.env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}); see {self.log}")
            try:
                status, _h, _d, _c = call(self.base, "GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("the server did not answer /healthz within 90 s")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()  # serve stops gunicorn on SIGTERM
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # our own process group (start_new_session)
            self.proc.wait(timeout=10)


class socket_probe:  # noqa: N801 - used as a context manager
    def __init__(self, port: int) -> None:
        self.port = port

    def __enter__(self) -> bool:
        import socket

        with socket.socket() as s:
            s.settimeout(0.5)
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def __exit__(self, *exc: object) -> None:
        return None


# ----------------------------------------------------------------------------------------------------------------
# Test data: real ids from the bench database


def setup_django(url: str) -> None:
    """This script reads ids from (and cleans up) the bench database through the product's models."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    os.environ.setdefault("AFTERSALES_HTTPS", "0")
    if str(PROJECT / "src") not in sys.path:
        sys.path.insert(0, str(PROJECT / "src"))
    import django

    django.setup()


def sample_ids(url: str, seed: int) -> dict[str, Any]:
    """Ids to rotate over: requests across states, equipment for new requests, provinces for filters."""
    setup_django(url)
    from django.db import connection
    from django.db.models import Count, Max, Min

    from aftersales.core.models import Region
    from aftersales.customers.models import Equipment
    from aftersales.servicedesk.models import ServiceRequest

    rng = random.Random(seed)
    bounds = ServiceRequest.objects.aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["hi"] is None:
        raise RuntimeError("the bench database has no service requests; run bench/generate.py first")
    total = ServiceRequest.objects.count()
    lo, hi = bounds["lo"], bounds["hi"]
    # Mostly random requests (the archive), some of the open ones (the daily work).
    request_ids = [rng.randint(lo, hi) for _ in range(800)]
    open_ids = list(ServiceRequest.objects.exclude(state__in=["closed", "resolved"]).order_by("-id")
                    .values_list("id", flat=True)[:2000])
    request_ids += rng.sample(open_ids, min(200, len(open_ids)))
    existing = set(ServiceRequest.objects.filter(id__in=request_ids).values_list("id", flat=True))
    request_ids = [i for i in request_ids if i in existing]
    rng.shuffle(request_ids)
    eq_bounds = Equipment.objects.aggregate(lo=Min("id"), hi=Max("id"))
    eq_ids = [rng.randint(eq_bounds["lo"], eq_bounds["hi"]) for _ in range(600)]
    equipment = list(Equipment.objects.filter(id__in=eq_ids).values_list("id", "customer_id")[:500])
    provinces = [row["province"] for row in ServiceRequest.objects.values("province").annotate(n=Count("id"))
                 .order_by("-n")[:5] if row["province"]]
    hubei = Region.objects.filter(code="420000").values_list("id", flat=True).first()
    # Engineers' booked days, from random work orders: (engineer, local day) for the day list, days for the board.
    from django.utils import timezone

    from aftersales.fieldservice.models import WorkOrder

    wo_bounds = WorkOrder.objects.aggregate(lo=Min("id"), hi=Max("id"))
    booked: list[tuple[int, str]] = []
    if wo_bounds["hi"] is not None:
        wo_ids = [rng.randint(wo_bounds["lo"], wo_bounds["hi"]) for _ in range(400)]
        rows = WorkOrder.objects.filter(id__in=wo_ids, engineer__isnull=False, appointment_start__isnull=False)
        booked = [(engineer, timezone.localtime(start).date().isoformat())
                  for engineer, start in rows.values_list("engineer_id", "appointment_start")[:300]]
    today = timezone.localdate()
    # The board is mostly opened on the days around today; some days from the archive.
    board_days = [(today + dt.timedelta(days=d)).isoformat() for d in range(-3, 4)] * 20 + [d for _e, d in booked]
    rng.shuffle(board_days)
    result = {"vendor": connection.vendor, "requests_total": total, "request_ids": request_ids,
              "equipment": equipment, "provinces": provinces, "hubei": hubei, "booked": booked,
              "board_days": board_days}
    connection.close()
    return result


BENCH_SUMMARY = "压测报修 "  # the summary prefix of the requests the create scenario makes


def remove_created(url: str) -> int:
    """Delete the requests an earlier create scenario made (with their SLA clocks and audit entries): thousands of
    fresh `new` requests are not realistic data and would slow the dispatcher's and agent's dashboards."""
    setup_django(url)
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from aftersales.core.models import AuditEntry
    from aftersales.servicedesk.models import ServiceRequest
    from aftersales.sla.models import ClockEvent, SlaClock

    made = ServiceRequest.objects.filter(summary__startswith=BENCH_SUMMARY, work_orders__isnull=True)
    ids = list(made.values_list("id", flat=True))
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        with transaction.atomic():
            ClockEvent.objects.filter(clock__request_id__in=chunk).delete()
            SlaClock.objects.filter(request_id__in=chunk).delete()
            AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(ServiceRequest),
                                      object_id__in=chunk).delete()
            ServiceRequest.objects.filter(id__in=chunk).delete()
    if ids and connection.vendor == "sqlite":
        # The deletes above grew the write-ahead log; readers right after would search it until a checkpoint.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if ids and connection.vendor == "postgresql":
        # Autovacuum may be off (it is on the bench machine): dead rows and index entries would slow what follows.
        with connection.cursor() as cursor:
            for table in ("sla_clockevent", "sla_slaclock", "core_auditentry", "servicedesk_servicerequest"):
                # Not ANALYZE: the data is back as generated, and so are its statistics.
                cursor.execute(f"VACUUM {table}")
    connection.close()
    return len(ids)


def filter_queries(provinces: list[int], rng: random.Random) -> list[str]:
    """Every combination of state × severity × province the dispatcher would filter by, shuffled."""
    states = ["new", "triaged", "dispatched", "in_progress", "waiting_customer", "resolved", "closed"]
    queries = [f"state={s}&severity={v}&province={p}"
               for s in states for v in ("general", "important", "urgent") for p in provinces]
    rng.shuffle(queries)
    return queries


def scenarios(base: str, data: dict[str, Any], tokens: dict[str, str], cookies: dict[str, str],
              rng: random.Random) -> list[Scenario]:
    def bearer(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}", "Accept": "application/json"}

    def session(role: str) -> dict[str, str]:
        return {"Cookie": cookies[role]}

    ids = data["request_ids"]
    queries = filter_queries(data["provinces"], rng)
    symptoms = ["开机 10 分钟后高压报警停机", "启动困难，冒黑烟", "出水温度偏高", "断路器频繁跳闸", "无法自启动"]
    bodies = [json.dumps({"customer_id": customer, "equipment_id": eq, "channel": "api", "type": "repair",
                          "summary": f"{BENCH_SUMMARY}{i}", "symptom": rng.choice(symptoms),
                          "contact_name": "张经理", "contact_phone": "138 0027 1234"}, ensure_ascii=False)
              for i, (eq, customer) in enumerate(data["equipment"])]
    out = [
        Scenario("ping (framework ceiling)", "ping", ["/api/v1/ping"], {"Accept": "application/json"}),
        Scenario("create request (API, agent)", "create", ["/api/v1/service-requests"],
                 {**bearer("agent"), "Content-Type": "application/json"}, method="POST", bodies=bodies),
        Scenario("filtered list (API, dispatcher)", "list",
                 [f"/api/v1/service-requests?{q}" for q in queries], bearer("dispatcher")),
        Scenario("filtered list (page, dispatcher)", "list", [f"/requests/?{q}" for q in queries],
                 session("dispatcher")),
        Scenario("request detail (API, dispatcher)", "detail", [f"/api/v1/service-requests/{i}" for i in ids],
                 bearer("dispatcher")),
        Scenario("request timeline (API, dispatcher)", "detail",
                 [f"/api/v1/service-requests/{i}/timeline" for i in ids], bearer("dispatcher")),
        Scenario("request detail (page, dispatcher)", "detail", [f"/requests/{i}/" for i in ids],
                 session("dispatcher")),
        Scenario("dispatch board (page, dispatcher)", "board", [f"/work/board/?day={d}" for d in data["board_days"]],
                 session("dispatcher")),
    ]
    if data["booked"]:
        out.append(Scenario("an engineer's day (API, dispatcher)", "list",
                            [f"/api/v1/work-orders?engineer={e}&appointment_from={d}&appointment_to={d}"
                             "&sort=appointment" for e, d in data["booked"]], bearer("dispatcher")))
    out += [Scenario(f"dashboard (page, {role})", "dashboard", ["/"], session(role)) for role in ROLES]
    return out


# ----------------------------------------------------------------------------------------------------------------
# Running one scenario


def probe(base: str, sc: Scenario) -> tuple[int, str]:
    """One request before the load: a 404 means the endpoint is not there yet; a redirect is followed once."""
    body = sc.bodies[0].encode() if sc.bodies else None
    status, headers, data, _c = call(base, sc.method, sc.paths[0], body, sc.headers)
    if status in (301, 302, 303, 307, 308) and sc.method == "GET":
        target = urllib.parse.urlsplit(headers.get("location", ""))
        if target.path and not target.path.startswith("/login"):
            sc.note = (sc.note + f" {sc.paths[0]} redirects to {target.path}; measured there.").strip()
            sc.paths = [target.path + (f"?{target.query}" if target.query else "")]
            status, headers, data, _c = call(base, sc.method, sc.paths[0], body, sc.headers)
    return status, data[:300].decode("utf-8", "replace")


def run_wrk(base: str, sc: Scenario, count: int, max_seconds: int, workdir: Path,
            close: bool = True) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if not wrk:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    run = Path(tempfile.mkdtemp(dir=workdir))
    script = run / "bounded.lua"
    script.write_text(WRK_SCRIPT)
    (run / "paths.txt").write_text("\n".join(sc.paths) + "\n")
    bodies = "-"
    if sc.bodies:
        (run / "bodies.txt").write_text("\n".join(sc.bodies) + "\n")
        bodies = str(run / "bodies.txt")
    markers = run / "done"
    markers.mkdir()
    per_thread = math.ceil(count / THREADS)
    cmd = [wrk, "-t", str(THREADS), "-c", str(CONCURRENCY), "-d", f"{max_seconds}s", "--timeout", "30s",
           "--latency", "-s", str(script)]
    for key, value in sc.headers.items():
        cmd += ["-H", f"{key}: {value}"]
    if close:
        # gunicorn's sync workers close the connection after every answer. Unless the client says so too, wrk
        # waits on the closed keep-alive connection and reports 0.5–4 s tails that do not exist (ab shows none).
        cmd += ["-H", "Connection: close"]
    cmd += [base, "--", str(run / "paths.txt"), str(per_thread), sc.method, bodies, str(markers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    # wrk sleeps for the whole -d; once every thread has reached its count, interrupt it (it then reports).
    while proc.poll() is None:
        if len(list(markers.iterdir())) >= THREADS:
            proc.send_signal(signal.SIGINT)
            break
        time.sleep(0.05)
    output, _ = proc.communicate(timeout=max_seconds + 60)
    text = output.decode("utf-8", "replace")
    match = re.search(r"WRKJSON (\{.*\})", text)
    if not match:
        raise RuntimeError(f"wrk gave no result:\n{text}")
    shutil.rmtree(run, ignore_errors=True)
    return json.loads(match.group(1))


def judge(res: Result) -> None:
    target = TARGETS.get(res.kind)
    if not target:
        return
    parts = [f"p99 < {target['p99_ms']} ms"]
    ok = res.p99_ms < target["p99_ms"]
    if "min_rps" in target:
        parts.insert(0, f"≥ {target['min_rps']} req/s")
        ok = ok and res.rps >= target["min_rps"]
    res.target = ", ".join(parts)
    res.meets_target = ok


def cpu_snapshot(server_pgid: int | None, database: str) -> tuple[float, dict[int, float]]:
    """CPU seconds the machine has spent busy, and per process those of our server, its database backends
    (and their parallel workers) and this script with its finished wrk runs (pid 0)."""
    tick = os.sysconf("SC_CLK_TCK")
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    total = (user + nice + system + irq + softirq + steal) / tick
    ours: dict[int, float] = {}
    if server_pgid:
        marker = f" {database} " if database else None
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                stat = (proc / "stat").read_text()
                rest = stat[stat.rindex(")") + 2:].split()
                mine = int(rest[2]) == server_pgid
                if not mine and marker and "postgres" in stat[:stat.rindex(")")]:
                    cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
                    mine = marker in cmdline or "parallel worker" in cmdline
                if mine:
                    ours[int(proc.name)] = (int(rest[11]) + int(rest[12])) / tick
            except (OSError, ValueError, IndexError):
                continue
    own = os.times()
    ours[0] = own.user + own.system + own.children_user + own.children_system
    return total, ours


def ours_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU our processes used between two snapshots; a process that ended in between is not counted."""
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in after.items())


def measure(base: str, sc: Scenario, count: int, warmup: int, max_seconds: int, workdir: Path,
            server_pgid: int | None = None, database: str = "", close: bool = True) -> Result:
    example = sc.paths[0]
    res = Result(name=sc.name, kind=sc.kind, example=example, status="ok", note=sc.note)
    try:
        status, text = probe(base, sc)
    except OSError as exc:
        res.status, res.note = "fail", f"probe failed: {exc}"
        return res
    res.example, res.note = sc.paths[0], sc.note
    if status == 404:
        res.status, res.note = "skipped", f"{example} answers 404 (not there yet?)"
        return res
    if not 200 <= status < 300:
        res.status, res.note = "fail", f"{example} answers {status}: {text[:160]}"
        return res
    if warmup:
        run_wrk(base, sc, warmup, max_seconds, workdir, close)
    before = cpu_snapshot(server_pgid, database)
    out = run_wrk(base, sc, count, max_seconds, workdir, close)
    after = cpu_snapshot(server_pgid, database)
    if server_pgid and out["elapsed_us"]:
        res.other_cpu = round(max(0.0, (after[0] - before[0]) - ours_delta(before[1], after[1]))
                              / (out["elapsed_us"] / 1e6), 2)
    res.requests = int(out["answered"])
    res.rps = round(res.requests / (out["elapsed_us"] / 1e6), 1) if out["elapsed_us"] else 0.0
    res.p50_ms, res.p95_ms = round(out["p50"] / 1000, 1), round(out["p95"] / 1000, 1)
    res.p99_ms, res.max_ms = round(out["p99"] / 1000, 1), round(out["max"] / 1000, 1)
    res.non2xx, res.statuses = int(out["non2xx"]), out["statuses"]
    res.socket_errors = sum(int(out[k]) for k in ("errors_connect", "errors_read", "errors_write", "errors_timeout"))
    if res.requests < count:
        res.note = (res.note + f" stopped by the {max_seconds} s limit after {res.requests} requests.").strip()
    judge(res)
    if res.non2xx:
        res.status = "fail"
        res.note = (res.note + f" non-2xx answers (status:count) {res.statuses}.").strip()
    if res.socket_errors:
        res.note = (res.note + f" {res.socket_errors} socket errors (connection closed or reset).").strip()
        if res.socket_errors > max(1, res.requests // 100):
            res.status = "fail"
    return res


def markdown(results: list[Result], meta: dict[str, Any]) -> str:
    lines = [
        f"Measured {meta['date']} on {meta['machine']}; {meta['vendor']} with {meta['requests_total']:,} service "
        f"requests; server `{meta['server']}`; wrk -c {CONCURRENCY} -t {THREADS}, {meta['count']} "
        "requests per scenario.",
        "",
        "| scenario | req/s | p50 ms | p95 ms | p99 ms | max ms | non-2xx | target | meets | other CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for r in results:
        if r.status == "skipped" or (r.status == "fail" and not r.requests):
            lines.append(f"| {r.name} | – | – | – | – | – | – | {r.target} | {r.status}: {r.note} | |")
            continue
        meets = "" if r.meets_target is None else ("yes" if r.meets_target else "**no**")
        if r.status == "fail":
            meets = f"**fail** ({r.note})"
        lines.append(f"| {r.name} | {r.rps:,.0f} | {r.p50_ms} | {r.p95_ms} | {r.p99_ms} | {r.max_ms} | "
                     f"{r.non2xx} | {r.target} | {meets} | {'' if r.other_cpu is None else r.other_cpu} |")
    lines += ["", "other CPU: cores used during the scenario by processes other than the server, its database "
              "backends and wrk (of 2). Above ~0.2 the machine was shared and the figures are pessimistic."]
    return "\n".join(lines)


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores {cpu}{mem}, {platform.system()} {platform.release()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=2000, help="requests per scenario")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured requests before each scenario")
    parser.add_argument("--max-seconds", type=int, default=120, help="time limit per scenario")
    parser.add_argument("--port", type=int, default=8107)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1,
                        help="gunicorn threads per worker; 1 is what `make run` (aftersales serve) uses")
    parser.add_argument("--server", default="", help="measure a server that is already running at this URL")
    parser.add_argument("--only", default="", help="comma-separated words; run the scenarios whose name has one")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--results", default=str(PROJECT / "bench" / "results"))
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL") or DEFAULT_SQLITE
    password = os.environ.get("AFTERSALES_DEMO_PASSWORD") or "bench-password"
    rng = random.Random(args.seed)
    setup_django(url)
    removed = remove_created(url)
    if removed:
        print(f"removed {removed:,} requests an earlier create scenario made", flush=True)
    data = sample_ids(url, args.seed)
    results_dir = Path(args.results)
    results_dir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="aftersales-bench-"))
    server = None
    if args.server:
        base = args.server.rstrip("/")
        if urllib.parse.urlsplit(base).hostname not in ("127.0.0.1", "localhost"):
            parser.error("--server must be on 127.0.0.1")
    else:
        server = Server(url, args.port, args.workers, PROJECT / "var" / "bench-server.log", args.threads)
        base = server.base
    results: list[Result] = []

    def on_term(signum: int, frame: Any) -> None:
        raise SystemExit(1)  # so that `finally` stops the server

    signal.signal(signal.SIGTERM, on_term)
    try:
        if server:
            print(f"starting the server on {base} ({data['vendor']}, {data['requests_total']:,} requests) …",
                  flush=True)
            server.start()
        tokens = {role: get_token(base, role, password) for role in ("agent", "dispatcher")}
        cookies = {role: login_session(base, role, password) for role in ROLES}
        wanted = [w.strip().lower() for w in args.only.split(",") if w.strip()]
        all_scenarios = scenarios(base, data, tokens, cookies, rng)
        # A fresh server's workers first load what they serve and then, after their 200th answer, collect and freeze
        # it (aftersales/core/gunicorn_worker.py): a one-time pause of ~100 ms that belongs to no scenario.
        print("warming the server up (1,000 pings) …", flush=True)
        run_wrk(base, all_scenarios[0], 1000, args.max_seconds, workdir, close=False)
        for sc in all_scenarios:
            if wanted and not any(w in sc.name.lower() for w in wanted):
                continue
            print(f"- {sc.name} …", end=" ", flush=True)
            res = measure(base, sc, args.count, args.warmup, args.max_seconds, workdir,
                          server_pgid=server.proc.pid if server and server.proc else None,
                          database=urllib.parse.urlsplit(url).path.lstrip("/") if url.startswith("postgres") else "",
                          close=False)  # `aftersales serve` runs threaded workers: keep-alive
            results.append(res)
            if sc.kind == "create":
                remove_created(url)  # before the dashboards: they count and list the open requests
            if res.requests:
                print(f"{res.rps:,.0f} req/s, p50 {res.p50_ms} ms, p99 {res.p99_ms} ms, non-2xx {res.non2xx}, "
                      f"other CPU {res.other_cpu}"
                      f"{' — ' + res.note if res.note else ''}", flush=True)
            else:
                print(f"{res.status}: {res.note}", flush=True)
    finally:
        if server:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    now = dt.datetime.now(dt.UTC)
    meta = {"date": now.strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(), "vendor": data["vendor"],
            "requests_total": data["requests_total"], "count": args.count, "concurrency": CONCURRENCY,
            "client": f"wrk -t {THREADS} -c {CONCURRENCY}",
            "server": f"aftersales serve --workers {args.workers} --threads {args.threads}"}
    table = markdown(results, meta)
    print()
    print(table)
    name = f"measure-{data['vendor']}-{data['requests_total']}-{now:%Y%m%dT%H%M%SZ}.json"
    (results_dir / name).write_text(json.dumps({"meta": meta, "results": [asdict(r) for r in results],
                                                "markdown": table}, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten: {results_dir / name}")
    failed = [r for r in results if r.status == "fail"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
