"""What keeps several `licite worker` processes, on one machine or several, safe together.

- A heartbeat: each worker writes its row (host, pid, last beat) every LICITE_WORKER_BEAT_SECONDS
  (5); the readiness check (/api/ready) wants a beat within six of them (WorkerBeat.lost_after()).
- The same thread settles the outbox's dead claims (licite.campaigns.actions.do_settle_abandoned:
  a message claimed by a worker that stopped is sent again only if it provably never reached the
  mail server), so no message stays "sending" for good.
- The task backend: the database (django-tasks-db's db_worker) or Redis (django-tasks-rq, run by
  rq's worker); `backend_reachable` is what the readiness check asks of it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from rq.worker import SimpleWorker

log = logging.getLogger("licite.campaigns")
FORGOTTEN_AFTER = timedelta(days=1)  # the rows of workers gone this long are deleted


def uses_redis() -> bool:
    """Whether the tasks wait in Redis (LICITE_TASKS_BACKEND=redis) rather than in the database."""
    return str(settings.TASKS["default"]["BACKEND"]) == settings.TASK_BACKENDS["redis"]


def backend_reachable() -> bool:
    """The task backend answers: Redis's PING; the database backend is the database itself."""
    if not uses_redis():
        return True
    import django_rq

    try:
        return bool(django_rq.get_connection("default").ping())
    except Exception:  # any failure to reach it is a "no", said by /api/ready
        return False


def worker_alive(now: datetime | None = None) -> bool:
    """At least one `licite worker` beat within WorkerBeat.lost_after() (30 seconds by default)."""
    from licite.campaigns.models import WorkerBeat

    now = now or timezone.now()
    return WorkerBeat.objects.filter(beat_at__gte=now - WorkerBeat.lost_after()).exists()


class Heartbeat:
    """A daemon thread that beats for this process and settles dead claims, until stop()."""

    def __init__(self, every: float | None = None) -> None:
        self.every, self.pid = every or settings.LICITE_WORKER_BEAT_SECONDS, os.getpid()
        self.host = socket.gethostname()[:60]  # as in claimed_by (licite.campaigns.actions.worker_name)
        self.started_at = timezone.now()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="licite-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self._beat_once()  # in the caller's thread: a worker is ready as soon as it starts
        self.thread.start()
        return self

    def beat(self) -> None:
        """Write this worker's beat, forget long-gone workers, settle the dead claims."""
        from licite.campaigns.actions import do_settle_abandoned
        from licite.campaigns.models import WorkerBeat

        now = timezone.now()
        WorkerBeat.objects.update_or_create(
            host=self.host,
            pid=self.pid,
            defaults={"beat_at": now, "started_at": self.started_at, "backend": _backend_label()},
        )
        WorkerBeat.objects.filter(beat_at__lt=now - FORGOTTEN_AFTER).delete()
        do_settle_abandoned(now)

    def _run(self) -> None:
        while not self.stopping.wait(self.every):
            try:
                self._beat_once()
            finally:
                connection.close()  # this thread's own connection, opened again at the next beat

    def _beat_once(self) -> None:
        try:
            self.beat()
        except Exception as exc:  # a database busy or gone for a moment: beat again next time
            log.warning("worker heartbeat failed: %s", type(exc).__name__)

    def stop(self) -> None:
        """Stop beating and remove this worker's row: a worker stopped on purpose is not lost."""
        from licite.campaigns.models import WorkerBeat

        self.stopping.set()
        self.thread.join(timeout=self.every + 5)
        with contextlib.suppress(Exception):
            WorkerBeat.objects.filter(host=self.host, pid=self.pid).delete()


def _backend_label() -> str:
    return "redis" if uses_redis() else "database"


class LiciteRQWorker(SimpleWorker):
    """rq's worker running each task in its own process, like db_worker: no fork per task, so
    this process's claims are this process's (claimed_by is its pid), and a SIGKILL takes the
    task with it. Django's connections are renewed around each task, as around a request."""

    def subscribe(self) -> None:
        """rq's own, its listening thread waking every second rather than every minute: redis-py 8
        joins that thread when rq unsubscribes, so a worker's exit (SIGTERM, --batch) would
        otherwise wait up to a minute."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def execute_job(self, job: Any, queue: Any) -> Any:
        close_old_connections()
        try:
            return super().execute_job(job, queue)
        finally:
            close_old_connections()
