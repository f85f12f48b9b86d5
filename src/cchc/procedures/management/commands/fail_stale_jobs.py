"""``cchc fail-stale-jobs``: mark failed the running import jobs whose worker died.

A running job writes a heartbeat every few seconds; one silent for longer than
``CCHC_JOB_STALE_SECONDS`` (default 300) lost its worker and is marked failed, so its page stops
saying "running" and offers "Chạy lại". Run it from cron every few minutes (docs/operations.md);
the worker and the job pages run the same check."""

from __future__ import annotations

from cchc.core.commands import BaseCommand
from cchc.procedures.jobs import fail_stale_jobs, stale_after


class Command(BaseCommand):
    help = "Mark failed the running jobs without a heartbeat for CCHC_JOB_STALE_SECONDS (default 300)."

    def handle(self, *args, **options) -> None:
        n = fail_stale_jobs()
        self.stdout.write(f"stale jobs marked failed: {n} (no heartbeat for {stale_after()} s)")
