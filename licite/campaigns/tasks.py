"""Background tasks, run by `licite worker` through Django's task API (django-tasks)."""

from __future__ import annotations

import logging

from django.core.management.base import CommandError
from django_tasks import task

from licite.campaigns.actions import do_send_batch

log = logging.getLogger("licite.inbound")


@task(queue_name="email")
def send_messages(message_ids: list[int]) -> int:
    """Send a batch of the outbox over one connection; messages held back by their domain's rate
    (or an unreachable server) are enqueued again by do_send_batch, each for later."""
    retry = do_send_batch(message_ids)
    return len(message_ids) - len(retry)


@task()
def read_inbox() -> dict[str, int]:
    """RULES E2, E3, G3, F1: read the mailbox of LICITE_IMAP_URL once, as `licite inbox --once`
    does; `licite worker` enqueues it on LICITE_INBOX_SCHEDULE. Counts by verdict in its result."""
    from licite.campaigns.management.commands.inbox import mailbox_or_error, read_mailbox

    try:
        counts = read_mailbox(mailbox_or_error())
    except CommandError as exc:  # one line, without the password: read again on the next turn
        log.error("inbox not read: %s", exc)
        return {"failed_reading": 1}
    return dict(counts)
