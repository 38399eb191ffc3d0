"""Starting and stopping `kaohe serve` in a process of its own, for `kaohe load` and for tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kaohe.operations.load import Browser

STARTUP_SECONDS = 90
# Production settings, but plain HTTP: the server is reached over loopback, where no proxy adds TLS.
PLAIN_HTTP = {"DEBUG": "0", "HTTPS": "0", "ALLOWED_HOSTS": "127.0.0.1"}


class ServerFailed(Exception):
    pass


@dataclass(frozen=True)
class Server:
    base_url: str
    log: Path
    process: subprocess.Popen[Any]

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def served(options: list[str], env: Mapping[str, str] | None = None, logs: Path | None = None) -> Iterator[Server]:
    """`kaohe serve` on a free loopback port until the block ends; its workers are stopped with it. Its output
    goes to a file in `logs` (the temporary folder if None)."""
    with servers(1, options, env, logs) as (server,):
        yield server


@contextmanager
def servers(
    count: int, options: list[str], env: Mapping[str, str] | None = None, logs: Path | None = None
) -> Iterator[list[Server]]:
    """Several `kaohe serve` at once, as app servers behind one proxy; all stopped at the end, whatever happens."""
    started: list[Server] = []
    try:
        for port in free_ports(count):
            started.append(start(port, options, env, logs))
        for server in started:
            wait_until_serving(server)
        yield started
    finally:
        for server in started:
            stop(server.process)


def start(port: int, options: list[str], env: Mapping[str, str] | None, logs: Path | None) -> Server:
    command = [sys.executable, "-m", "kaohe.manage", "serve", f"--bind=127.0.0.1:{port}", *options]
    environment = {**os.environ, **PLAIN_HTTP, **(env or {})}
    with tempfile.NamedTemporaryFile("w", prefix="kaohe-serve-", suffix=".log", dir=logs, delete=False) as log:
        # A session of its own, so that stopping it can reach the workers even if the master is gone.
        process = subprocess.Popen(  # noqa: S603 (our own command, no shell)
            command, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Server(f"http://127.0.0.1:{port}", Path(log.name), process)


def free_ports(count: int) -> list[int]:
    """Ports free on loopback now, all different (each probe holds its port until all are chosen)."""
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]


def wait_until_serving(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerFailed(f"kaohe serve stopped at start:\n{server.output()[-3000:]}")
        try:
            if Browser(server.base_url, timeout=5).get("/accounts/login/").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise ServerFailed(f"kaohe serve did not answer within {STARTUP_SECONDS} s:\n{server.output()[-3000:]}")


def stop(process: subprocess.Popen[Any]) -> None:
    """gunicorn finishes the requests in flight on SIGTERM; whatever is left of its session is killed."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(ProcessLookupError):  # the workers ended with their master, as they should
        os.killpg(process.pid, signal.SIGKILL)


def cpu_seconds_of(process: subprocess.Popen[Any]) -> float:
    """The CPU time used so far by a server and its workers (they share its session); Linux only, else 0."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # a process that ended meanwhile
        if int(fields[3]) == process.pid:  # the session; then user and system time at fields 14 and 15 of stat
            ticks += int(fields[11]) + int(fields[12])
    return ticks / _ticks_per_second()


def busy_cpu_seconds() -> float:
    """The CPU time the whole machine has spent busy since it started (all cores); Linux only, else 0."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, *rest = (int(value) for value in first)
    return (user + nice + system + sum(rest[:3])) / _ticks_per_second()  # irq, softirq, steal


def _ticks_per_second() -> int:
    return os.sysconf("SC_CLK_TCK")
