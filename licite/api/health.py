"""Liveness and readiness, without a token: what a load balancer and a monitor ask."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema, Status

log = logging.getLogger("licite.api")
router = Router(tags=["health"], auth=None)


class Health(Schema):
    status: str


@router.get("/healthz", response=Health, summary="The app answers and reaches its database")
def healthz(request: HttpRequest) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok"}


class Readiness(Schema):
    status: str  # "ready" or "not ready"
    database: bool  # the database answers
    worker: bool  # a `licite worker` beat within 30 seconds (six LICITE_WORKER_BEAT_SECONDS)
    task_backend: bool  # the task queue answers (Redis's PING; the database backend is the database)


@router.get(
    "/ready",
    response={200: Readiness, 503: Readiness},
    summary="Ready to work: the database, a live worker and the task queue answer (503 if not)",
)
def ready(request: HttpRequest) -> Status[dict[str, object]]:
    """What a load balancer or a monitor asks before sending work: the database answers, at
    least one `licite worker` wrote its heartbeat within 30 seconds (it beats every 5 seconds,
    LICITE_WORKER_BEAT_SECONDS; six missed: WorkerBeat.lost_after), and the task backend
    answers. 503 otherwise, naming the part that failed; the failure's detail goes to the log."""
    from licite.campaigns.workers import backend_reachable, worker_alive

    database = _database_answers()
    checks = {
        "database": database,
        "worker": database and _safely(worker_alive),
        "task_backend": _safely(backend_reachable),
    }
    ok = all(checks.values())
    return Status(200 if ok else 503, {"status": "ready" if ok else "not ready", **checks})


def _database_answers() -> bool:
    return _safely(_select_one)


def _select_one() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return True


def _safely(check: Callable[[], bool]) -> bool:
    try:
        return check()
    except Exception:  # a part that fails to answer is "not ready", never a 500
        log.warning("readiness: %s failed", check.__name__, exc_info=True)
        return False
