"""The users of make load (tests/load/run.py starts this with LOAD_PLAN and LOAD_RESULTS set).

- Official (county, inspector, township, village): signs in through the login form, then opens the home
  dashboard, the household list, households, the township and village dashboards and the map of their
  scope, and reads stats/ and households/ from the API in the same session.
- Cadre: takes an API token, reads their households and revisits, posts revisits with a fresh client UUID;
  some are sent again with the same UUID (the phone did not hear the answer), some twice at the same moment
  (two syncs racing). A resend must answer 200 with the stored record.
- Staff (a fixed few): upload their 5,000-member roster to imports/ (dry run, a background job), follow
  the job, commit it, follow again; afterwards check the same file again (everything unchanged).

Every request is recorded with its kind (page, api_read, api_write, login) and whether the ramp was over;
at the end the records go to LOAD_RESULTS as JSON for run.py to report.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import re
import time
import uuid
from collections import defaultdict

import gevent
from locust import FastHttpUser, between, events, task
from urllib3 import encode_multipart_formdata

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())
HOSTS = PLAN["hosts"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
IMPORT_TIMEOUT = 240  # seconds a roster job may take under load before it counts as an error

# Full load begins when every user has been started and has signed in: until then the last users' sign-ins
# (PBKDF2 by design, about a third of a second of CPU each) compete with the requests being measured.
state = {"ramp_done": None, "started": time.monotonic(), "users": 0, "spawned": False, "signed_in": 0}
records: dict[str, dict] = defaultdict(lambda: {"kind": "", "ramp": [], "steady": [], "failures": 0})
failure_samples: list[str] = []
# uuids: every client UUID sent; answered: those whose send got an answer (a user stopped at the end of
# the run may leave one unanswered, which the server may or may not have stored).
revisits = {"posts": 0, "resends": 0, "simultaneous": 0, "uuids": set(), "answered": set()}
# What each phone still has to send: a revisit stays in its outbox until the server has answered 2xx (a
# user stopped at the end of the run may leave one in flight); run.py syncs what is left afterwards, as the
# phone would when it next has signal.
outbox: dict[str, dict] = {}
imports = {"committed": 0, "rechecked": 0, "seconds": [], "members": 0, "households": {}}
_host = itertools.count()
_official = itertools.count()
_cadre = itertools.count()
_staff = itertools.count()


def kind_of(name: str, method: str) -> str:
    if method == "CHECK":
        return "check"
    if name in ("/accounts/login/ POST", "/api/v1/auth/token/"):
        return "login"
    if name.startswith("/api/"):
        return "api_read" if method == "GET" else "api_write"
    return "page" if method == "GET" else "api_write"


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    r = records[name]
    r["kind"] = r["kind"] or kind_of(name, request_type)
    (r["steady"] if state["ramp_done"] else r["ramp"]).append(response_time)
    if exception is not None:
        r["failures"] += 1
        if len(failure_samples) < 50:
            failure_samples.append(f"{request_type} {name}: {exception}"[:300])


def fail(message: str) -> None:
    """A failure that is not one request's answer (a job that failed, a count that is wrong)."""
    events.request.fire(
        request_type="CHECK", name=message.split(":")[0], response_time=0, response_length=0,
        exception=AssertionError(message), context={},
    )  # fmt: skip


def _maybe_full_load() -> None:
    if state["ramp_done"] is None and state["spawned"] and state["signed_in"] >= state["users"]:
        state["ramp_done"] = time.monotonic()


def signed_in() -> None:
    """Called by each user at the end of on_start."""
    state["signed_in"] += 1
    _maybe_full_load()


@events.spawning_complete.add_listener
def _spawned(user_count, **kwargs):
    state["spawned"] = True
    state["users"] = user_count
    _maybe_full_load()


@events.quitting.add_listener
def _write(environment, **kwargs):
    now = time.monotonic()
    ramp_done = state["ramp_done"] or now
    out = {
        "users": state["users"],
        "ramp_seconds": ramp_done - state["started"],
        "steady_seconds": now - ramp_done,
        # The same window on the wall clock, for the runner's CPU samples.
        "steady_wall": [time.time() - (now - ramp_done), time.time()],
        "requests": dict(records),
        "failure_samples": failure_samples,
        "revisits": {
            **{k: v for k, v in revisits.items() if k not in ("uuids", "answered")},
            "distinct": len(revisits["uuids"]),
            "uuids": sorted(revisits["uuids"]),
            "answered": sorted(revisits["answered"]),
        },
        "outbox": list(outbox.values()),
        "imports": imports,
    }
    with open(os.environ["LOAD_RESULTS"], "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)


class RoundRobin(FastHttpUser):
    """Each user talks to one of the gunicorn instances, the next user to the next one."""

    abstract = True

    def __init__(self, environment):
        self.host = HOSTS[next(_host) % len(HOSTS)]
        super().__init__(environment)

    def get(self, path: str, name: str):
        """A page or API read that must answer 200 itself (a redirect to the login page is a failure)."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {answer.headers.get('Location') or ''}")
            return answer


class Official(RoundRobin):
    weight = 12
    wait_time = between(2, 6)

    def on_start(self):
        self.me = PLAN["officials"][next(_official) % len(PLAN["officials"])]
        self.households = self.me["households"]
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        token = CSRF.search(page.text or "")
        with self.client.post(
            "/accounts/login/",
            data=f"csrfmiddlewaretoken={token.group(1) if token else ''}&username={self.me['username']}"
            f"&password={PLAN['password']}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name="/accounts/login/ POST",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"登录未成功: {answer.status_code}")
        signed_in()

    def _scope_query(self) -> str:
        if self.me["village"]:
            return f"village={self.me['village']}"
        if self.me["township"]:
            return f"township={self.me['township']}"
        return ""

    @task(3)
    def home(self):
        self.get("/", "/")

    @task(3)
    def household_list(self):
        query = self._scope_query()
        page = random.choice((1, 1, 2, 3))
        self.get(f"/households/?{query}&page={page}", "/households/?…")

    @task(2)
    def household_search(self):
        self.get(f"/households/?q={random.choice('wlzhcy')}", "/households/?q=…")

    @task(5)
    def household(self):
        self.get(f"/households/{random.choice(self.households)}/", "/households/{id}/")

    @task(2)
    def unit_dashboard(self):
        if self.me["village"]:
            self.get(f"/villages/village/{self.me['village']}/", "/villages/village/{id}/")
        elif self.me["township"]:
            self.get(f"/villages/township/{self.me['township']}/", "/villages/township/{id}/")
        else:
            self.get("/villages/county/", "/villages/county/")

    @task(1)
    def battle_map(self):
        self.get("/villages/map/", "/villages/map/")

    @task(2)
    def api_stats(self):
        self.get(f"/api/v1/stats/?{self._scope_query()}", "/api/v1/stats/")

    @task(2)
    def api_households(self):
        self.get(f"/api/v1/households/?{self._scope_query()}&page=1", "/api/v1/households/")


class Cadre(RoundRobin):
    weight = 7
    wait_time = between(2, 6)

    def on_start(self):
        self.me = PLAN["cadres"][next(_cadre) % len(PLAN["cadres"])]
        answer = self.client.post(
            "/api/v1/auth/token/",
            json={"username": self.me["username"], "password": PLAN["password"]},
            name="/api/v1/auth/token/",
        )
        token = (answer.json() or {}).get("token") if answer.status_code == 200 else None
        self.auth = {"Authorization": f"Token {token}"}
        signed_in()

    def _payload(self) -> dict:
        # The server's day may already be tomorrow (Asia/Shanghai): a UTC date is never in its future.
        return {
            "household": random.choice(self.me["households"]),
            "visited_on": datetime.datetime.now(datetime.UTC).date().isoformat(),
            "kind": random.choice(("home", "home", "phone")),
            "situation": "户主在家，家庭成员身体健康，生产生活正常。",
            "problems": random.choice(("", "住房存在安全隐患。", "子女上学路途较远。")),
            "help_given": random.choice(("", "协调申报教育资助。", "讲解产业扶持政策。")),
            "client_uuid": str(uuid.uuid4()),
            "latitude": round(25.70 + random.random() * 0.2, 6),
            "longitude": round(101.80 + random.random() * 0.2, 6),
        }

    def _post(self, payload: dict, name: str, expect: tuple[int, ...]):
        revisits["posts"] += 1
        revisits["uuids"].add(payload["client_uuid"])
        outbox[payload["client_uuid"]] = {"payload": payload, "auth": self.auth["Authorization"]}
        with self.client.post(
            "/api/v1/revisits/", json=payload, headers=self.auth, name=name, catch_response=True
        ) as answer:
            if answer.status_code:
                revisits["answered"].add(payload["client_uuid"])
            if 200 <= answer.status_code < 300:
                outbox.pop(payload["client_uuid"], None)
            if answer.status_code not in expect:
                answer.failure(f"{answer.status_code} {answer.error or (answer.text or '')[:200]}")
            ok = 200 <= answer.status_code < 300
            return answer.status_code, (answer.json() or {}).get("id") if ok else None

    @task(2)
    def my_households(self):
        self.client.get("/api/v1/households/?page=1", headers=self.auth, name="/api/v1/households/ (干部)")

    @task(2)
    def revisit_history(self):
        household = random.choice(self.me["households"])
        self.client.get(
            f"/api/v1/revisits/?household={household}", headers=self.auth, name="/api/v1/revisits/?household="
        )

    @task(4)
    def post_revisit(self):
        payload = self._payload()
        status, stored = self._post(payload, "/api/v1/revisits/ POST", (201,))
        draw = random.random()
        if draw < 0.25 and status == 201:
            # The phone lost the answer and sends the same record again: the stored one comes back.
            revisits["resends"] += 1
            _, again = self._post(payload, "/api/v1/revisits/ POST（重发）", (200,))
            if again != stored:
                fail(f"重发返回了另一条记录: {stored} → {again}")
        elif draw < 0.35:
            # Two syncs racing with a third record: one stores it, the other gets it back.
            payload = self._payload()
            revisits["simultaneous"] += 1
            revisits["resends"] += 1
            pair = [
                gevent.spawn(self._post, payload, "/api/v1/revisits/ POST（同时发送）", (200, 201))
                for _ in range(2)
            ]
            gevent.joinall(pair)
            answers = sorted(g.value for g in pair if g.value)
            if len(answers) == 2 and (
                answers[0][1] != answers[1][1] or [a[0] for a in answers] != [200, 201]
            ):
                fail(f"同时发送的同一 UUID 未得到一条 201 和一条 200: {answers}")


class Staff(RoundRobin):
    fixed_count = len(PLAN["staff"])
    wait_time = between(10, 20)

    def on_start(self):
        self.me = PLAN["staff"][next(_staff) % len(PLAN["staff"])]
        answer = self.client.post(
            "/api/v1/auth/token/",
            json={"username": self.me["username"], "password": PLAN["password"]},
            name="/api/v1/auth/token/",
        )
        token = (answer.json() or {}).get("token") if answer.status_code == 200 else None
        self.auth = {"Authorization": f"Token {token}"}
        with open(self.me["roster"], "rb") as f:
            self.roster = f.read()
        self.committed = False
        imports["members"] = self.me["members"]
        imports["households"][self.me["username"]] = self.me["households"]
        signed_in()

    def _follow(self, record: dict) -> dict | None:
        """Polls the import's job until it ends; answers the record as it then stands."""
        started = time.monotonic()
        job = record.get("job") or {}
        while job.get("state") in ("queued", "running"):
            if time.monotonic() - started > IMPORT_TIMEOUT:
                fail(f"导入任务超时: 任务 {job.get('id')} {IMPORT_TIMEOUT} 秒后仍为 {job.get('state')}")
                return None
            gevent.sleep(1)
            job = self.client.get(f"/api/v1/jobs/{job['id']}/", headers=self.auth, name="/api/v1/jobs/{id}/")
            job = job.json() if job.status_code == 200 else {}
        answer = self.client.get(
            f"/api/v1/imports/{record['id']}/", headers=self.auth, name="/api/v1/imports/{id}/"
        )
        return answer.json() if answer.status_code == 200 else None

    @task
    def import_roster(self):
        body, content_type = encode_multipart_formdata(
            {
                "file": (f"花名册-{self.me['username']}.xlsx", self.roster, "application/octet-stream"),
                "dry_run": "true",
                "roster": "households",
            }
        )
        started = time.monotonic()
        answer = self.client.post(
            "/api/v1/imports/",
            data=body,
            headers={**self.auth, "Content-Type": content_type},
            name="/api/v1/imports/ POST",
        )
        if answer.status_code not in (200, 201, 202):
            return
        record = self._follow(answer.json())
        if record is None:
            return
        result = record["result"]
        if record["state"] != "checked":
            fail(f"花名册校验未通过: {record['state']} {result.get('errors', [])[:3]}")
            return
        if self.committed:
            imports["rechecked"] += 1
            if result["created"] or result["updated"]:
                fail(f"已导入的花名册再次校验应全部不变: {result}")
            return
        answer = self.client.post(
            f"/api/v1/imports/{record['id']}/commit/", headers=self.auth, name="/api/v1/imports/{id}/commit/"
        )
        if answer.status_code not in (200, 202):
            return
        record = self._follow(answer.json())
        if record is None:
            return
        if record["state"] != "committed" or record["result"]["created"] == 0:
            fail(f"花名册导入未完成: {record['state']} {record['result']}")
            return
        self.committed = True
        imports["committed"] += 1
        imports["seconds"].append(time.monotonic() - started)
