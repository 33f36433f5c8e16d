"""Background tasks, run by `licite worker` through Django's task API (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from licite.campaigns.actions import do_send_message


@task(queue_name="email")
def send_message(message_id: int) -> str:
    """Send one message of the outbox; a message over its domain's rate is enqueued again later."""
    outcome = do_send_message(message_id)
    if outcome.retry_after is not None:
        send_message.using(run_after=outcome.retry_after).enqueue(message_id)
    return str(outcome.status)
