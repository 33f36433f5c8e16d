"""gunicorn, embedded, so that `licite serve` needs no separate configuration file."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from licite.lib.logmask import MaskTokens, mask_tokens


class AccessLogger(Logger):
    """gunicorn's logs, with the tokens of public links masked (they are credentials)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(MaskTokens())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        atoms["U"] = mask_tokens(str(atoms.get("U", "")))
        return atoms


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
            "logger_class": AccessLogger,
        }
    ).run()


if __name__ == "__main__":  # started by `licite serve`, in a fresh interpreter
    import sys

    serve(sys.argv[1], int(sys.argv[2]))
