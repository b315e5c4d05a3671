"""A throwaway PostgreSQL 15 server for the test session.

Runs as the `postgres` OS user (root may not run postgres) in a fresh temp directory: unix
socket there (admin, trust) and TCP on 127.0.0.1 with a free port (password auth). Tests get
asyncpg URLs of a `hotline` role that may create databases.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_MAJOR = "15"
DEBIAN_PACKAGE = f"postgresql-{PG_MAJOR}"
ROLE = "hotline"
DATABASE = "hotline_test"


def find_bindir() -> Path:
    """The server binaries: $PG_BINDIR, Debian's layout, or PATH; fails telling what to install."""
    candidates = [os.environ.get("PG_BINDIR"), f"/usr/lib/postgresql/{PG_MAJOR}/bin"]
    on_path = shutil.which("initdb")
    candidates.append(str(Path(on_path).parent) if on_path else None)
    for candidate in filter(None, candidates):
        if (Path(candidate) / "initdb").is_file() and (Path(candidate) / "pg_ctl").is_file():
            return Path(candidate)
    pytest.fail(
        f"PostgreSQL {PG_MAJOR} server binaries (initdb, pg_ctl) not found: "
        f"install the Debian package {DEBIAN_PACKAGE} (apt-get install {DEBIAN_PACKAGE}) "
        "or set PG_BINDIR",
        pytrace=False,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self) -> None:
        if os.geteuid() != 0:
            pytest.skip("the throwaway PostgreSQL runs as user postgres via runuser, which needs root")
        try:
            self._user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail(f"no 'postgres' OS user: install the Debian package {DEBIAN_PACKAGE}", pytrace=False)
        self._bindir = find_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.password = secrets.token_hex(16)
        self._started = False

    def _run(self, *args: str) -> str:
        """Run a command as the postgres user; raise with its output (and the server log) on failure."""
        cmd = ["runuser", "-u", "postgres", "--", *args]
        proc = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no server log)"
            raise RuntimeError(
                f"{' '.join(args)} failed with exit code {proc.returncode}:\n"
                f"{proc.stdout}{proc.stderr}\n--- server log ---\n{tail}"
            )
        return proc.stdout

    def start(self) -> None:
        os.chown(self.root, self._user.pw_uid, self._user.pw_gid)
        self._run(str(self._bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip
        hba = self.data / "pg_hba.conf"
        hba.write_text("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
        os.chown(hba, self._user.pw_uid, self._user.pw_gid)
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(str(self._bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                  "-o", options, "-w", "-t", "60", "start")  # fmt: skip
        self._started = True
        self.psql(f"CREATE ROLE {ROLE} LOGIN CREATEDB PASSWORD '{self.password}'")
        self.create_database(DATABASE)

    def psql(self, sql: str, database: str = "postgres") -> str:
        psql = str(self._bindir / "psql")
        server = ["-h", str(self.root), "-p", str(self.port), "-U", "postgres", "-d", database]
        return self._run(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", *server, "-c", sql)

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql+asyncpg://{ROLE}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}" OWNER {ROLE}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            if self._started:
                self._run(str(self._bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
                self._started = False
        finally:
            shutil.rmtree(self.root)
