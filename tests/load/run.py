"""make load: the demo county on PostgreSQL under 200 simulated users, and what they saw.

    python -m tests.load.run [--users 200] [--spawn-rate 4] [--run-time 150] [--staff 4] [--cadres 80]

1. Recreates LOAD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/pt_load_run; the name must
   contain "load" and differ from DATABASE_URL's, as it is dropped), migrates it, loads the demo county
   and its logins (or copies them from the template NAME_demo an earlier run kept, unless the migrations
   or the demo changed since, or --fresh), and prepares the run's accounts and 5,000-member rosters
   (tests/load/prepare.py).
2. Starts two gunicorn instances on loopback ports and two Celery workers on REDIS_URL (required).
3. Runs locust headless (tests/load/locustfile.py): officials browsing dashboards, lists and households,
   data staff importing their rosters through the API, cadres posting revisits (some twice with the same
   UUID, some of those at the same moment). Each user is sent to the two instances in turn.
4. Sends again the revisits the phones had not heard answered when locust stopped, as a phone syncs its
   outbox when it next has signal.
5. Prints p50 / p95 / p99 per kind of request at full load (once every user has been started and has
   signed in), the errors, the revisits stored against the distinct UUIDs sent, and PASS / FAIL against
   the targets (issue 12); exits 1 on FAIL.

Everything it started is stopped at the end, also on Ctrl-C or SIGTERM. Not part of make test: it needs
minutes and the whole machine. Logs and locust's CSV files go to LOAD_ARTIFACTS (default artifacts/load/).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import environ
import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pt_load_run"
TARGETS_MS = {"page": 500, "api_read": 300}  # p95 at full load (issue 12)
KIND_LABELS = {
    "page": "页面",
    "api_read": "API 读",
    "api_write": "API 写",
    "login": "登录",
    "check": "检查",  # a job or an answer that was wrong, not a request of its own
}


def _admin_connection(config: dict):
    conn = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    conn.autocommit = True
    return conn


def demo_fingerprint() -> str:
    """What the demo database depends on: the migrations and the demo county's code and fixtures."""
    digest = hashlib.sha256()
    paths = sorted(ROOT.glob("*/migrations/*.py")) + sorted(ROOT.glob("demo/**/*.py"))
    paths += sorted(p for p in ROOT.glob("fixtures/**/*") if p.is_file())
    for path in paths:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def recreate_database(url: str, *, fresh: bool) -> tuple[str, bool]:
    """Drops and creates the run's database; answers (name, whether it holds the demo county already).

    Migrating and loading the demo county takes minutes, so the first run keeps a copy of the result
    as a template (NAME_demo, marked with demo_fingerprint()) and later runs start from it."""
    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    if "postgresql" not in config["ENGINE"]:
        sys.exit(f"负载测试需要 PostgreSQL 数据库，LOAD_DATABASE_URL 不是: {config['ENGINE']}")
    developer = os.environ.get("DATABASE_URL")
    # The database is dropped: refuse anything that could be someone's data.
    if "load" not in name or (developer and environ.Env.db_url_config(developer)["NAME"] == name):
        sys.exit(f"拒绝删除数据库 {name}：负载测试数据库名须含 load，且不能是 DATABASE_URL 的数据库。")
    conn = _admin_connection(config)
    with conn.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [f"{name}_demo"],
        )
        row = cursor.fetchone()
        cached = not fresh and row is not None and row[0] == demo_fingerprint()
        template = sql.SQL(" TEMPLATE {}").format(sql.Identifier(f"{name}_demo")) if cached else sql.SQL("")
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)) + template)
    conn.close()
    return name, cached


def keep_as_template(url: str) -> None:
    """Copies the freshly loaded database to NAME_demo for the next runs (no one may be connected)."""
    config = environ.Env.db_url_config(url)
    name, template = config["NAME"], f"{config['NAME']}_demo"
    conn = _admin_connection(config)
    with conn.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(template)))
        cursor.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(template), sql.Identifier(name))
        )
        cursor.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(template), sql.Literal(demo_fingerprint())
            )
        )
    conn.close()


def collectstatic_if_stale() -> None:
    """collectstatic for the production storage (manifest, compressed copies), when a static file is newer
    than the manifest: compressing every file again takes minutes on a busy machine."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.core.management import call_command

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        built = manifest.stat().st_mtime
        sources = (
            storage.path(path) for finder in get_finders() for path, storage in finder.list(["CACHE", ".*"])
        )
        if all(os.stat(source).st_mtime <= built for source in sources):
            return
    call_command("collectstatic", "--noinput", verbosity=0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """What the run starts, each in a session of its own, so stopping it stops its children too."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, process))
        return process

    def stop_all(self) -> None:
        for _, process in self.started:
            if process.poll() is None:
                self._signal(process, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _, process in self.started:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for name, process in self.started:
            # A group may outlive its leader (a worker still busy): kill what is left of each one.
            self._signal(process, signal.SIGKILL)
            if process.poll() is None:
                process.wait(timeout=5)
                print(f"  {name} 未及时退出，已强制结束", flush=True)
        self.started.clear()

    @staticmethod
    def _signal(process: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(process.pid, sig)  # the session leader's pid is its group's id
        except ProcessLookupError:
            pass


def wait_healthy(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{base}/healthz 在 {seconds:.0f} 秒内没有应答 200")


def sync_outbox(base: str, outbox: list[dict]) -> list[int]:
    """Sends again what the phones had not heard answered when the run stopped (as a phone does when it
    next has signal); answers each send's status (201 stored now, 200 it had arrived, else an error)."""
    statuses = []
    for item in outbox:
        request = urllib.request.Request(
            f"{base}/api/v1/revisits/",
            data=json.dumps(item["payload"]).encode(),
            headers={"Content-Type": "application/json", "Authorization": item["auth"]},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                statuses.append(answer.status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
        except OSError:
            statuses.append(0)
    return statuses


def wait_for_text(path: Path, text: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.5)
    raise RuntimeError(f"{path.name} 在 {seconds:.0f} 秒内没有出现 “{text}”")


# -- where the CPU went --------------------------------------------------------------------------------------

CPU_KINDS = {"gunicorn": "gunicorn", "celery": "Celery", "postgres": "PostgreSQL", "locust": "locust"}


def read_proc_stat(text: str) -> tuple[str, int, int]:
    """(command name, process group, CPU ticks) from a /proc/PID/stat line. The ticks count the process's
    own time and that of its children it has reaped: for the PostgreSQL server, the backends that have
    ended (each connection is a process of its own)."""
    head, _, rest = text.rpartition(")")
    fields = rest.split()
    # After the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    # cutime cstime …
    ticks = sum(int(f) for f in fields[11:15])
    return head.partition("(")[2], int(fields[2]), ticks


def cpu_sample(groups: dict[int, str]) -> dict[str, float]:
    """CPU seconds used so far: by the machine (``busy``, ``total``), by each kind of process this run
    started (``groups``: process group → kind), and by PostgreSQL (its processes, by name)."""
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as f:
        cpu = [int(v) for v in f.readline().split()[1:9]]
    sample = {"total": sum(cpu) / tick, "busy": (sum(cpu) - cpu[3] - cpu[4]) / tick}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                name, group, ticks = read_proc_stat(f.read())
        except (OSError, ValueError, IndexError):
            continue  # ended meanwhile
        kind = groups.get(group) or ("postgres" if name.startswith("postgres") else None)
        if kind:
            sample[kind] = sample.get(kind, 0.0) + ticks / tick
    return sample


class CpuSampler:
    """Samples cpu_sample() every few seconds in a thread while locust runs."""

    def __init__(self, processes: Processes, every: float = 2.0):
        self.groups = {p.pid: name.split("-")[0] for name, p in processes.started}
        self.every = every
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.samples.append((time.time(), cpu_sample(self.groups)))
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> CpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def cpu_split(samples: list[tuple[float, dict[str, float]]], start: float, stop: float) -> dict[str, float]:
    """Cores used on average between the samples nearest ``start`` and ``stop``: ``cores`` (the machine's),
    ``busy``, each kind, and ``other`` (busy less the kinds: the kernel, redis, this runner)."""
    if len(samples) < 2:
        return {}
    first = min(samples, key=lambda s: abs(s[0] - start))
    last = min(samples, key=lambda s: abs(s[0] - stop))
    seconds = last[0] - first[0]
    if seconds <= 0:
        return {}
    a, b = first[1], last[1]
    split = {kind: (b.get(kind, 0.0) - a.get(kind, 0.0)) / seconds for kind in CPU_KINDS}
    split["cores"] = (b["total"] - a["total"]) / seconds
    split["busy"] = (b["busy"] - a["busy"]) / seconds
    split["other"] = max(0.0, split["busy"] - sum(split[kind] for kind in CPU_KINDS))
    split["seconds"] = seconds
    return split


def print_cpu_split(split: dict[str, float]) -> None:
    if not split:
        print("满负载时的 CPU: 采样不足，未统计")
        return
    kinds = "、".join(f"{label} {split[kind]:.2f}" for kind, label in CPU_KINDS.items())
    print(
        f"满负载时的 CPU（{split['seconds']:.0f} 秒平均，单位：核）: 全机 {split['busy']:.2f} / {split['cores']:.2f}；"
        f"{kinds}、其他 {split['other']:.2f}"
    )


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (what a reader can check by counting)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
    return ordered[int(rank) - 1]


def report(results: dict, stored: dict[str, int], synced: list[int]) -> bool:
    """Prints the figures and the verdict; answers whether every target was met."""
    rows = results["requests"]
    print(
        f"\n满负载 {results['users']} 个用户（爬升并全部登录用了 {results['ramp_seconds']:.0f} 秒，之后）"
        f"{results['steady_seconds']:.0f} 秒内的响应时间（毫秒）:"
    )
    print(f"  {'类别':<8}{'请求':<42}{'次数':>7}{'p50':>8}{'p95':>8}{'p99':>8}{'错误':>6}")
    passed = True
    verdicts = []
    for kind in KIND_LABELS:
        named = sorted((name, r) for name, r in rows.items() if r["kind"] == kind)
        pooled: list[float] = []
        for name, r in named:
            times = r["steady"]
            pooled += times
            target = TARGETS_MS.get(kind)
            p95 = percentile(times, 95)
            mark = ""
            if target is not None and times:
                ok = p95 < target
                passed &= ok
                mark = "" if ok else f"  > {target} ms"
                if not ok:
                    verdicts.append(f"{name} p95 {p95:.0f} ms")
            print(
                f"  {KIND_LABELS[kind]:<8}{name:<42}{len(times):>7}{percentile(times, 50):>8.0f}"
                f"{p95:>8.0f}{percentile(times, 99):>8.0f}{r['failures']:>6}{mark}"
            )
        if named:
            print(
                f"  {KIND_LABELS[kind]:<8}{'（合计）':<40}{len(pooled):>7}{percentile(pooled, 50):>8.0f}"
                f"{percentile(pooled, 95):>8.0f}{percentile(pooled, 99):>8.0f}"
                f"{sum(r['failures'] for _, r in named):>6}"
            )
    ramp = sum(len(r["ramp"]) for r in rows.values())
    print(f"  （爬升阶段另有 {ramp:,} 次请求，计入错误数，不计入上表的响应时间）")
    for name, r in sorted(rows.items()):
        if name.startswith("/accounts/login/") or r["kind"] == "login":
            times = r["ramp"] + r["steady"]
            print(
                f"  爬升阶段的登录 {name}: {len(times)} 次，p50 {percentile(times, 50):.0f}、"
                f"p95 {percentile(times, 95):.0f} 毫秒（口令散列本就费时，仅供参考）"
            )

    failures = sum(r["failures"] for r in rows.values())
    print(f"\n错误: {failures}（全程，含爬升阶段）")
    for sample in results["failure_samples"][:10]:
        print(f"  {sample}")
    imports = results["imports"]
    print(
        f"花名册导入: {imports['committed']} 份提交（每份 {imports['members']:,} 名成员，"
        f"共 {sum(imports['households'].values()):,} 户），{imports['rechecked']} 次重新校验；"
        f"任务耗时（上传至完成）p50 {percentile(imports['seconds'], 50):.1f} 秒、"
        f"最长 {max(imports['seconds'], default=float('nan')):.1f} 秒"
    )
    revisits = results["revisits"]
    print(
        f"走访记录: 发送 {revisits['posts']:,} 次，其中同一 UUID 重发 {revisits['resends']:,} 次"
        f"（同时发送 {revisits['simultaneous']:,} 对）；不同 UUID {revisits['distinct']:,} 个，"
        f"库中这些 UUID 的记录 {stored['sent']:,} 条，运行期间新增记录 {stored['new']:,} 条"
    )
    if synced:
        print(
            f"  运行结束时手机上仍有 {len(synced)} 条未得到应答，之后重新同步：应答 "
            + "、".join(f"{code} × {synced.count(code)}" for code in sorted(set(synced)))
        )
    total = sum(len(r["steady"]) for r in rows.values())
    print(f"满负载吞吐量: {total / max(results['steady_seconds'], 1):.1f} 次请求/秒")

    checks = [
        ("页面 p95 < 500 ms、API 读 p95 < 300 ms", not verdicts, "；".join(verdicts)),
        ("错误数为 0", failures == 0, f"{failures} 个错误"),
        (
            # Every UUID sent stored exactly once, and nothing stored but what was sent; the sends left
            # unanswered at the stop have been synced again (each answered 201 or 200).
            "存储的走访记录数 = 发送的不同 UUID 数",
            stored["sent"] == revisits["distinct"] == stored["new"]
            and stored["answered"] == stored["answered_distinct"]
            and all(code in (200, 201) for code in synced),
            f"发送 {revisits['distinct']} 个 UUID，存储 {stored['sent']} 条，新增 {stored['new']} 条；"
            f"重新同步应答 {sorted(synced)}",
        ),
    ]
    print("\n目标:")
    for label, ok, detail in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}" + ("" if ok else f"（{detail}）"))
        passed &= ok
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=4, help="users started per second")
    parser.add_argument("--run-time", type=int, default=150, help="seconds of locust, ramp included")
    parser.add_argument("--staff", type=int, default=4, help="data staff, each importing one roster")
    parser.add_argument("--cadres", type=int, default=80, help="cadre accounts the cadre users share out")
    parser.add_argument("--roster-members", type=int, default=5000)
    parser.add_argument("--fresh", action="store_true", help="migrate and load the demo county again")
    parser.add_argument("--gunicorn-workers", type=int, default=2, help="per instance")
    parser.add_argument("--gunicorn-threads", type=int, default=4, help="per worker")
    args = parser.parse_args(argv)

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        sys.exit("需要 REDIS_URL（Celery 的消息队列），例如 redis://127.0.0.1:6379/0")
    url = os.environ.get("LOAD_DATABASE_URL", DEFAULT_URL)
    artifacts = Path(os.environ.get("LOAD_ARTIFACTS", ROOT / "artifacts" / "load"))
    artifacts.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="pt-load-"))
    processes = Processes(artifacts)

    def stop(signum, frame):
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    try:
        return _run(args, url, redis_url, artifacts, work, processes)
    except KeyboardInterrupt:
        print("\n已中断，正在停止所有进程…", flush=True)
        return 130
    finally:
        processes.stop_all()
        subprocess.run(["rm", "-rf", str(work)], check=False)


def _run(args, url: str, redis_url: str, artifacts: Path, work: Path, processes: Processes) -> int:
    started = time.perf_counter()
    name, cached = recreate_database(url, fresh=args.fresh)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "DEBUG": "0",  # production settings: no query log, manifest static files
        "SECRET_KEY": os.environ.get("SECRET_KEY", "load-only-secret-key"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: no TLS in front, as behind nginx without certificates.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_PROXY_SSL_HEADER": "0",
        "SECURE_HSTS_SECONDS": "0",
        # Users of one account share an address here: the production throttles would count them as one.
        "API_THROTTLE_USER": "1000000/hour",
        "API_THROTTLE_ANON": "1000000/hour",
        "MEDIA_ROOT": str(work / "media"),
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "poverty_tracker.settings",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tests.load.prepare import prepare

    if not cached:
        call_command("migrate", verbosity=0)
        call_command("load_demo", stdout=io.StringIO())
        call_command("demo_accounts", stdout=io.StringIO())
        connection.close()
        keep_as_template(url)
    print(
        f"数据库 {name}: 演示县{'取自模板 ' + name + '_demo' if cached else '已迁移并载入'}"
        f"（{time.perf_counter() - started:.0f} 秒）",
        flush=True,
    )
    collectstatic_if_stale()
    plan = prepare(directory=work, cadres=args.cadres, staff=args.staff, roster_members=args.roster_members)
    print(
        f"账号 {len(plan['officials'])} 个官员、{len(plan['cadres'])} 个干部、"
        f"{len(plan['staff'])} 个数据员账号，{len(plan['staff'])} 份 {args.roster_members:,} 人花名册"
        f"（{time.perf_counter() - started:.0f} 秒）",
        flush=True,
    )

    from assignments.models import Revisit

    revisits_before = Revisit.objects.count()
    connection.close()  # the servers and workers have the database to themselves

    subprocess.run(
        [str(BIN / "celery"), "-A", "poverty_tracker", "purge", "-f"],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
    )
    hosts = []
    for n in (1, 2):
        port = free_port()
        processes.start(
            f"gunicorn-{n}",
            [
                str(BIN / "gunicorn"),
                "--config=python:poverty_tracker.gunicorn_conf",
                "poverty_tracker.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                f"--workers={args.gunicorn_workers}",
                f"--threads={args.gunicorn_threads}",
                "--worker-class=gthread",
                "--timeout=120",
                "--graceful-timeout=5",
                # Longer than a user's pause, as behind nginx (keepalive 60 s): with gunicorn's 2 s a
                # request can meet a connection the server is just closing ("connection closed").
                "--keep-alive=75",
            ],
            env,
        )
        hosts.append(f"http://127.0.0.1:{port}")
    for n in (1, 2):
        processes.start(
            f"celery-{n}",
            [
                # Jobs yield the CPU to web requests, as docker-compose.yml's cpu_shares make them.
                "nice",
                "-n",
                "10",
                str(BIN / "celery"),
                "-A",
                "poverty_tracker",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                f"--hostname=load{n}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            {**env, "LOG_LEVEL": "INFO"},
        )
    for host in hosts:
        wait_healthy(host)
    for n in (1, 2):
        wait_for_text(artifacts / f"celery-{n}.log", "ready")
    print(f"已启动 gunicorn {' '.join(hosts)}，Celery 工作进程 2 个", flush=True)

    plan["hosts"] = hosts
    plan_path, results_path = work / "plan.json", artifacts / "results.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False))
    results_path.unlink(missing_ok=True)
    print(f"locust: {args.users} 个用户，每秒新增 {args.spawn_rate:g} 个，共 {args.run_time} 秒…", flush=True)
    locust = processes.start(
        "locust",
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "tests" / "load" / "locustfile.py"),
            "--headless",
            f"--users={args.users}",
            f"--spawn-rate={args.spawn_rate}",
            f"--run-time={args.run_time}s",
            f"--host={hosts[0]}",
            "--stop-timeout=60",  # users finish what they are doing
            "--only-summary",
            f"--csv={artifacts / 'locust'}",
            "--loglevel=WARNING",
        ],
        {**env, "LOAD_PLAN": str(plan_path), "LOAD_RESULTS": str(results_path)},
    )
    with CpuSampler(processes) as sampler:
        locust.wait(timeout=args.run_time + 120)
    if not results_path.exists():
        print(f"locust 没有写出结果，见 {artifacts / 'locust.log'}")
        return 1
    results = json.loads(results_path.read_text())

    sent, answered = results["revisits"].pop("uuids"), results["revisits"].pop("answered")
    synced = sync_outbox(hosts[0], results.pop("outbox", []))
    stored = {
        "sent": Revisit.objects.filter(client_uuid__in=sent).count(),
        "answered": Revisit.objects.filter(client_uuid__in=answered).count(),
        "answered_distinct": len(answered),
        "new": Revisit.objects.count() - revisits_before,
    }
    passed = report(results, stored, synced)
    if results.get("steady_wall"):
        print_cpu_split(cpu_split(sampler.samples, *results["steady_wall"]))
    print(f"\n共用时 {time.perf_counter() - started:.0f} 秒；日志和 CSV 在 {artifacts}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
