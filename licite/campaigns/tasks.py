"""Background tasks, run by `licite worker` through Django's task API (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from licite.campaigns.actions import do_send_batch


@task(queue_name="email")
def send_messages(message_ids: list[int]) -> int:
    """Send a batch of the outbox over one connection; messages held back by their domain's rate
    (or an unreachable server) are enqueued again, each for later."""
    retry = do_send_batch(message_ids)
    for message_id, after in retry.items():
        send_messages.using(run_after=after).enqueue([message_id])
    return len(message_ids) - len(retry)
