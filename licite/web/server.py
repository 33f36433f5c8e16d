"""gunicorn, embedded, so that `licite serve` needs no separate configuration file."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from licite.wsgi import application

        return application


def serve(bind: str, workers: int) -> None:
    _Server(
        {
            "bind": bind,
            "workers": workers,
            "accesslog": "-",
            # No query strings in the access log: tokens and searches may carry personal data.
            "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
            "timeout": 60,
        }
    ).run()
