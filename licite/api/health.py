"""Liveness and readiness, without a token: what a load balancer and a monitor ask."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["health"], auth=None)


class Health(Schema):
    status: str


@router.get("/healthz", response=Health, summary="The app answers and reaches its database")
def healthz(request: HttpRequest) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok"}
