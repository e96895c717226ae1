"""Over HTTP against gunicorn (4 sync workers) on the benchmark database: case creation through
the quick-entry form (cases/s, p50/p99), queue and case page latency, and each web worker's
resident memory afterwards. The load generator runs on the same 2-core machine."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from common import BENCH_URL, ROOT, percentiles

PORT = 8765
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
PER_CLIENT = int(os.environ.get("BENCH_REQUESTS", "150"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    def __init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{PORT}{path}"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def login(self, username: str) -> None:
        _, page = self.request("GET", "/login/")
        token = CSRF.search(page).group(1)  # type: ignore[union-attr]
        status, _ = self.request(
            "POST",
            "/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": "careloop-demo"},
        )
        assert status == 302, status


def creator(unit_id: str, samples: list[float], errors: list[int]) -> None:
    s = Session()
    s.login("advocate")
    _, page = s.request("GET", "/cases/new/")
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    for i in range(PER_CLIENT):
        form = {
            "csrfmiddlewaretoken": token,
            "unit": unit_id,
            "kind": "complaint",
            "reporter_type": "family",
            "channel": "phone",
            "contact_preference": "none",
            "language": "en",
            "narrative": f"HTTP benchmark {i}: dinner arrived cold again.",
        }
        t0 = time.perf_counter()
        status, _ = s.request("POST", "/cases/new/", form)
        samples.append((time.perf_counter() - t0) * 1000)
        if status != 302:
            errors.append(status)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pids: list[str]) -> float:
    """User plus system CPU seconds used so far by these processes."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def pids_of(pattern: str) -> list[str]:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True, check=False)
    return found.stdout.split()


def main() -> None:
    env = {
        **os.environ,
        "DATABASE_URL": BENCH_URL,
        "CARELOOP_DEBUG": "false",
        "CARELOOP_LOG_LEVEL": "WARNING",
        "CARELOOP_ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            str(WORKERS),
            "--access-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)
        s = Session()
        s.login("advocate")
        _, page = s.request("GET", "/cases/new/")
        unit_id = re.search(r'<option value="(\d+)">Riverside General Hospital', page)
        unit = unit_id.group(1) if unit_id else re.findall(r'<option value="(\d+)"', page)[0]
        samples: list[float] = []
        errors: list[int] = []
        threads = [
            threading.Thread(target=creator, args=(unit, samples, errors)) for _ in range(CLIENTS)
        ]
        web_pids, db_pids = pids_of("gunicorn config.wsgi"), pids_of("postgres")
        cpu_before = (cpu_seconds(web_pids), cpu_seconds(db_pids), time.process_time())
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        web_cpu = cpu_seconds(web_pids) - cpu_before[0]
        db_cpu = cpu_seconds(db_pids) - cpu_before[1]
        client_cpu = time.process_time() - cpu_before[2]
        print(
            f"HTTP case creation ({WORKERS} gunicorn workers, {CLIENTS} clients): "
            f"{len(samples) / elapsed:.0f} cases/s; {percentiles(samples)}; errors {len(errors)}"
        )
        n = max(1, len(samples))
        print(
            f"  CPU per created case: web {web_cpu / n * 1000:.1f} ms, PostgreSQL "
            f"{db_cpu / n * 1000:.1f} ms, load generator {client_cpu / n * 1000:.1f} ms; "
            f"the 2 cores offer {2 * elapsed / n * 1000:.1f} ms per case at this rate"
        )
        for label, path in (("queue", "/cases/?scope=all"), ("case", None)):
            times = []
            for _ in range(100):
                target = path
                if target is None:
                    _, queue = s.request("GET", "/cases/?scope=all")
                    target = re.findall(r'href="(/cases/\d+/)"', queue)[_ % 20]
                t0 = time.perf_counter()
                status, _body = s.request("GET", target)
                times.append((time.perf_counter() - t0) * 1000)
                assert status == 200, status
            print(f"HTTP {label} page: {percentiles(times)}")
        children = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        sizes = ", ".join(f"{rss_mb(int(pid)):.0f} MB" for pid in children)
        print(f"resident memory per web worker after the run: {sizes}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
