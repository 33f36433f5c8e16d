"""Benchmark: the web pages of issue 22 against `/healthz`, through the real server, in the same run.

    python -m bench.web_bench [--prospects 1000000] [--clients 16] [--requests 20] [--json] [--out DIR]

The database: about `--prospects` prospects imported with `licite import` (the import benchmark's
messy file and builder), built once in `--out` (web-N/home) and reused by later runs, which only
migrate it. The server: `licite serve` (gunicorn, its default workers) on a free loopback port,
as users reach it. A marketing user (no second factor) logs in through the login form; its
session cookie is every client's.

The pages, after a warm-up (templates, translations, each worker's cached dashboard figures:
what a running server already has): `/healthz`, the prospects list's first page, a filtered page
(a legal basis and a source), a page deep in the list (the keyset `after` of a row among the
oldest), a search by a whole address, by a last name, by a company's whole name, and the
dashboard. Every request carries the session, as a logged-in browser does, /healthz's too: its
p95 is the floor of an authenticated request on the same server at the same moment. The run is
`--requests` rounds; in each, every page in turn (an order of its own each round) gets one burst
of `--clients` requests at once, and the next page starts when the burst has answered. A page
is thus timed under the same load as /healthz, a round apart at most, and a slow page shows in
its own figures only (mixed in with the others, it would slow /healthz as much as itself).

It prints p50, p95 and p99 per page and the ratio of its p95 to `/healthz`'s, keeps them in
web.json (`--json` prints that instead of the table), and exits 1 when a page misses the target
of issue 22: a p95 within 5x `/healthz`'s and under 150 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.import_bench import LICITE, OUT, ROOT, bench_env, licite_import, prospects_file

TARGET_MS = 150.0
TARGET_RATIO = 5.0
SEED = 22
USERNAME = "bench-marketing"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--prospects", type=int, default=1_000_000, help="About this many prospects")
    parser.add_argument("--clients", type=int, default=16, help="Concurrent clients (threads)")
    parser.add_argument("--requests", type=int, default=20, help="Requests of each page by each client")
    parser.add_argument("--workers", type=int, default=0, help="Server workers (default: licite serve's)")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON, not a table")
    parser.add_argument("--out", type=Path, default=OUT, help=f"Where the files and the figures go ({OUT})")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)  # the child process
    arguments = parser.parse_args()
    if arguments.prepare:
        print(json.dumps(prepare()))
        return 0
    env = database(arguments.out, arguments.prospects)
    sample = child(env)
    with server(env, arguments.out, arguments.workers) as port:
        cookie = log_in(port, sample["username"], sample["password"])
        pages = page_urls(sample)
        warm_up(port, cookie, pages, arguments.clients)
        timings = load(port, cookie, pages, arguments.clients, arguments.requests)
    result = figures(timings, sample["prospects"], arguments.clients, arguments.requests)
    (arguments.out / "web.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2) if arguments.json else table(result))
    return 0 if result["met"] else 1


# --- The database, the user and the sample ------------------------------------------------------


def database(out: Path, prospects: int) -> dict[str, str]:
    """The environment of a database of about `prospects` prospects, built on the first run (a
    marker says the import finished) and only migrated on the next ones."""
    home = out / f"web-{prospects}" / "home"
    env = bench_env(home)
    if (home / "built").exists():
        subprocess.run([*LICITE, "migrate", "--noinput"], env=env, cwd=ROOT, check=True, capture_output=True)
        return env
    shutil.rmtree(home, ignore_errors=True)  # an interrupted build
    licite_import(prospects_file(out, prospects), env)
    (home / "built").write_text(f"{prospects}\n")
    return env


def child(env: dict[str, str]) -> dict[str, Any]:
    """The user and the sample, from a process with Django set up on the benchmark's database."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.web_bench", "--prepare"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        sys.exit(f"the preparation failed: {done.stderr[-3000:]}")
    sample: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return sample


def prepare() -> dict[str, Any]:
    """A marketing user with a new password, and what the pages ask for: a whole address, a last
    name and a company's whole name of prospects drawn at random among the oldest tenth (a walk
    down the list from its newest rows would reach them last), the commonest basis and source,
    and a key among the oldest rows for the deep page."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licite.settings")
    django.setup()
    from django.db.models import Count, Max, Min

    from licite.accounts.models import User
    from licite.prospects.models import Prospect, Provenance

    password = secrets.token_urlsafe(18)
    user = User.objects.filter(username=USERNAME).first() or User(username=USERNAME, role="marketing")
    user.set_password(password)
    user.save()
    bounds = Prospect.objects.aggregate(first=Min("pk"), last=Max("pk"))
    first, last = bounds["first"], bounds["last"]
    picks = random.Random(SEED).sample(range(first, first + (last - first) // 10 + 1), 3)
    found = {pk: Prospect.objects.filter(pk__gte=pk).order_by("pk").first() for pk in picks}
    address, name, company = (found[pk] for pk in picks)
    bases = Prospect.objects.order_by().values_list("legal_basis").annotate(n=Count("pk"))
    sources = Provenance.objects.order_by().values_list("source_id").annotate(n=Count("pk"))
    return {
        "username": USERNAME,
        "password": password,
        "prospects": Prospect.objects.count(),
        "address": address.email if address else "",
        "name": name.last_name if name else "",
        "company": company.company if company else "",
        "basis": bases.order_by("-n")[0][0],
        "source": sources.order_by("-n")[0][0],
        "deep_after": first + 100,
    }


def page_urls(sample: dict[str, Any]) -> dict[str, str]:
    """The pages measured, by name."""
    return {
        "healthz": "/healthz",
        "list": "/prospects/",
        "filtered": "/prospects/?" + urlencode({"basis": sample["basis"], "source": sample["source"]}),
        "deep": "/prospects/?" + urlencode({"after": sample["deep_after"]}),
        "search address": "/prospects/?" + urlencode({"q": sample["address"], "field": "address"}),
        "search name": "/prospects/?" + urlencode({"q": sample["name"], "field": "name"}),
        "search company": "/prospects/?" + urlencode({"q": sample["company"], "field": "company"}),
        "dashboard": "/",
    }


# --- The server and its clients ---------------------------------------------------------------


class server:
    """`licite serve` on a free loopback port, stopped on exit; its log in `out`."""

    def __init__(self, env: dict[str, str], out: Path, workers: int) -> None:
        self.env, self.log_path, self.workers = env, out / "web-server.log", workers

    def __enter__(self) -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        command = [*LICITE, "serve", "--bind", f"127.0.0.1:{port}"]
        if self.workers:
            command += ["--workers", str(self.workers)]
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.process.poll() is None:
            with contextlib.suppress(OSError):  # not listening yet
                if request(port, "/healthz")[0] == 200:
                    return port
            time.sleep(0.2)
        self.__exit__()
        sys.exit(f"licite serve did not answer: {self.log_path.read_text()[-3000:]}")

    def __exit__(self, *_exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def request(
    port: int, path: str, cookie: str = "", method: str = "GET", body: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request on a new connection (gunicorn's sync workers close each one): status, the
    cookies set, and the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        return response.status, {name: morsel.value for name, morsel in cookies.items()}, content
    finally:
        connection.close()


def timed_request(port: int, path: str, cookie: str) -> tuple[float, int]:
    """Milliseconds from connecting to the last byte of the answer, and its status."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    return (time.perf_counter() - started) * 1000, response.status


def log_in(port: int, username: str, password: str) -> str:
    """The session cookie of a login through the real form (the marketing role needs no TOTP)."""
    _status, cookies, page = request(port, "/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.decode())
    if token is None or "csrftoken" not in cookies:
        sys.exit("the login page has no CSRF token")
    form = urlencode({"csrfmiddlewaretoken": token.group(1), "username": username, "password": password})
    status, cookies, _page = request(
        port, "/login/", f"csrftoken={cookies['csrftoken']}", method="POST", body=form
    )
    if status != 302 or "sessionid" not in cookies:
        sys.exit(f"the login failed (HTTP {status})")
    return f"sessionid={cookies['sessionid']}"


def warm_up(port: int, cookie: str, pages: dict[str, str], clients: int) -> None:
    """Every page, by every client at once, twice: each server worker gets each page."""
    with ThreadPoolExecutor(clients) as pool:
        for _round in range(2):
            for path in pages.values():
                burst(pool, port, path, cookie, clients)


def load(
    port: int, cookie: str, pages: dict[str, str], clients: int, requests: int
) -> dict[str, list[float]]:
    """The timed run, in `requests` rounds; in each, every page in turn (in an order of its own)
    gets one burst: `clients` requests at once. Milliseconds per page."""
    timings: dict[str, list[float]] = {name: [] for name in pages}
    order = list(pages)
    with ThreadPoolExecutor(clients) as pool:
        for number in range(requests):
            random.Random(SEED + number).shuffle(order)
            for name in order:
                timings[name] += burst(pool, port, pages[name], cookie, clients)
    return timings


def burst(pool: ThreadPoolExecutor, port: int, path: str, cookie: str, clients: int) -> list[float]:
    """`clients` requests of `path` at the same moment: their times, once all have answered."""
    answers = list(pool.map(lambda _client: timed_request(port, path, cookie), range(clients)))
    failed = sorted({status for _ms, status in answers if status != 200})
    if failed:
        sys.exit(f"{path.split('?')[0]} answered HTTP {failed}")
    return [ms for ms, _status in answers]


# --- The figures --------------------------------------------------------------------------------


def figures(timings: dict[str, list[float]], prospects: int, clients: int, requests: int) -> dict[str, Any]:
    """p50, p95 and p99 per page, and each p95 against /healthz's."""
    pages = {name: percentiles(values) for name, values in timings.items()}
    floor = pages["healthz"]["p95"]
    for name, page in pages.items():
        page["ratio_p95"] = round(page["p95"] / floor, 2)
        page["met"] = name == "healthz" or (page["p95"] <= TARGET_RATIO * floor and page["p95"] < TARGET_MS)
    return {
        "database": "sqlite",
        "prospects": prospects,
        "clients": clients,
        "requests_per_page": clients * requests,
        "target": f"p95 within {TARGET_RATIO:g}x /healthz's and under {TARGET_MS:g} ms",
        "pages": pages,
        "met": all(page["met"] for page in pages.values()),
    }


def percentiles(values: list[float]) -> dict[str, Any]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "requests": len(values),
        "p50": round(cuts[49], 1),
        "p95": round(cuts[94], 1),
        "p99": round(cuts[98], 1),
    }


def table(result: dict[str, Any]) -> str:
    lines = [
        f"sqlite, {result['prospects']:,} prospects, {result['clients']} clients,"
        f" {result['requests_per_page']} requests a page; target: {result['target']}",
        f"{'page':<16} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p95/healthz':>12}",
    ]
    for name, page in result["pages"].items():
        verdict = "" if name == "healthz" else "  met" if page["met"] else "  NOT met"
        lines.append(
            f"{name:<16} {page['p50']:>8.1f} {page['p95']:>8.1f} {page['p99']:>8.1f}"
            f" {page['ratio_p95']:>11.2f}x{verdict}"
        )
    lines.append("all pages met the target" if result["met"] else "some pages did NOT meet the target")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
