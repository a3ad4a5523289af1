"""Structured logs: one JSON object a line, with the request id, the user id and, for requests, the duration.

The request id comes from the proxy's ``X-Request-ID`` when it sends a well-formed one, otherwise it is made
here; it is answered in the same header, stored on every Job the request starts, and set again while the
job runs in the worker, so one id follows a piece of work from the browser to Celery.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
user_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)

_WELL_FORMED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Attributes every LogRecord has; anything else passed with ``extra=`` is written as a field of its own.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def new_request_id(offered: str | None = None) -> str:
    """The proxy's id if it is well formed (never trust a header to be safe in a log), else a new one."""
    if offered and _WELL_FORMED.match(offered):
        return offered
    return uuid.uuid4().hex


_base_factory = logging.getLogRecordFactory()


def _record_factory(*args, **kwargs) -> logging.LogRecord:
    """Every record carries the request id and user id in force where it was made (a worker thread, a
    Celery job), whichever handler formats it later."""
    record = _base_factory(*args, **kwargs)
    record.request_id = request_id_var.get() or None
    record.user_id = user_id_var.get()
    return record


def install_record_factory() -> None:
    if logging.getLogRecordFactory() is not _record_factory:
        logging.setLogRecordFactory(_record_factory)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value if isinstance(value, str | int | float | bool | type(None)) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
