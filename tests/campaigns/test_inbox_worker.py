"""The mailbox is read by itself: with LICITE_IMAP_URL set, `licite worker` enqueues a reading on
LICITE_INBOX_SCHEDULE and runs it, against a real IMAP server on loopback (RULES E2, E3, G3)."""

from __future__ import annotations

import imaplib
import os
import signal
import subprocess
import time
from email.message import EmailMessage

from tests.campaigns.test_inbox_imap import dovecot  # noqa: F401  (the fixture: a real IMAP server)
from tests.conftest import LICITE, ROOT, run_licite
from tests.rights.test_purge_worker import prepared, query

MAILTO = "unsubscribe@acme.example"


def deliver(port: int, sender: str, subject: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, MAILTO, subject
    message.set_content("")
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login("licite", "secret")
    client.append("INBOX", None, None, message.as_bytes())  # type: ignore[arg-type]
    client.logout()


def test_the_worker_reads_the_mailbox_on_its_schedule_and_honours_an_objection(tmp_path, dovecot):  # noqa: F811
    env = prepared(
        tmp_path, LICITE_INBOX_SCHEDULE="*/2 * * * * *", LICITE_UNSUBSCRIBE_MAILTO=MAILTO,
        LICITE_IMAP_URL=f"imap://licite:secret@127.0.0.1:{dovecot}/INBOX",
    )  # fmt: skip
    deliver(dovecot, "jeanne@acme.example", "unsubscribe")
    worker = subprocess.Popen(
        [*LICITE, "worker", "--interval", "0.2"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while query(tmp_path, "SELECT 1 FROM prospects_prospect WHERE email LIKE 'jeanne%'"):
            assert time.monotonic() < deadline, "the worker never read the mailbox"
            assert worker.poll() is None, worker.communicate()
            time.sleep(0.3)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        _out, err = worker.communicate(timeout=30)
    assert query(tmp_path, "SELECT email FROM prospects_prospect") == [("paul@acme.example",)]
    assert query(tmp_path, "SELECT reason FROM rights_suppressionentry") == [("objection",)]
    tasks = "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path = ?"
    assert ("SUCCESSFUL",) in query(tmp_path, tasks, "licite.campaigns.tasks.read_inbox")
    assert "jeanne" not in err
    assert "secret" not in err


def test_the_inbox_schedule_is_shown_in_the_worker_help(tmp_path):
    env = {"LICITE_HOME": str(tmp_path), "LICITE_INBOX_SCHEDULE": "*/10 * * * *"}
    without = run_licite("worker", "--help", env=env)
    assert "LICITE_INBOX_SCHEDULE" in without.stdout
    assert "LICITE_IMAP_URL is not set: not read" in without.stdout
    with_url = run_licite(
        "worker", "--help", env={**env, "LICITE_IMAP_URL": "imaps://u:p@mail.example/INBOX"}
    )
    assert "'*/10 * * * *'" in with_url.stdout
    assert "not read" not in with_url.stdout
