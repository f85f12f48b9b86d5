"""A throwaway PostgreSQL cluster on 127.0.0.1 for the benchmarks (the way .ci/run starts one):
Debian's binaries, a cluster in a temporary folder owned by the postgres user, a ``cchc`` role and
database; stopped and removed at the end."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Bulk loads: durability off, as .ci/run. Load tests keep the defaults (fsync and synchronous commit on).
FAST_LOAD = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


@contextmanager
def postgres_cluster(port: int, settings: str = "", prefix: str = "cchc-bench-pg.") -> Iterator[str]:
    """Yield the ``DATABASE_URL`` of a fresh cluster on ``127.0.0.1:port`` started with the extra
    server ``settings`` (``-c name=value …``)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not candidates:
        raise SystemExit(
            "PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql)"
        )
    pgbin = candidates[-1]
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)  # the postgres user must reach its data directory
    data, sock = root / "data", root / "sock"
    as_postgres = os.geteuid() == 0
    for d in (data, sock):
        d.mkdir()
        if as_postgres:
            shutil.chown(d, "postgres", "postgres")

    def pg(cmd: str) -> None:
        full = ["su", "postgres", "-c", cmd] if as_postgres else ["sh", "-c", cmd]
        subprocess.run(full, check=True, capture_output=True)

    pg(f"{pgbin}/initdb -D {data} -U postgres -A trust -E UTF8 --locale=C.UTF-8")
    pg(
        f"{pgbin}/pg_ctl -D {data} -l {sock}/pg.log -w start -o '-p {port} -c listen_addresses=127.0.0.1 -k {sock} {settings}'"
    )
    try:
        for sql in ("CREATE ROLE cchc LOGIN PASSWORD 'cchc' CREATEDB", "CREATE DATABASE cchc OWNER cchc"):
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-qc", sql], check=True
            )
        yield f"postgres://cchc:cchc@127.0.0.1:{port}/cchc"
    finally:
        pg(f"{pgbin}/pg_ctl -D {data} -m fast stop")
        shutil.rmtree(root, ignore_errors=True)
