"""A real `licite worker` killed (SIGKILL) in the middle of a batch, with a real SMTP server on
loopback: `licite campaign status` then says what happened and what to do, nothing is sent twice,
and what never reached the server is sent by the next worker."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.campaigns.conftest import Inbox
from tests.conftest import HEADER, LICITE, ROOT, free_port, run_licite
from tests.prospects.test_import_interrupted import prepared

SETUP = """
from licite.accounts.actions import do_set_organisation
from licite.register.models import ProcessingActivity
do_set_organisation(None, legal_name="Acme Conseil SAS", address="1 rue de la Paix, 75002 Paris",
    siren="912345675", contact_email="contact@acme-conseil.example", default_language="fr")
ProcessingActivity.objects.create(name="Prospection", purpose_fr="Prospection commerciale par courriel",
    purpose_en="Commercial prospecting by email", legal_basis="legitimate_interest",
    interest_pursued_fr="Développer notre activité", interest_pursued_en="Developing our business",
    data_subjects="Prospects", data_categories=["identity"], recipients_internal_fr="Équipe commerciale",
    recipients_internal_en="Sales team", security_measures=["access control"])
"""
BUYERS = HEADER + "".join(f"A;B;buyer{i}@acme{i}.example;Acheteuse;Acme {i};;;France\n" for i in range(3))


class SecondMessageHangs(Inbox):
    """Takes the first message, then keeps the second one waiting: the worker is mid-batch."""

    async def handle_DATA(self, server, session, envelope):
        if self.messages:
            await asyncio.sleep(60)
        return await super().handle_DATA(server, session, envelope)


def licite(env: dict[str, str], *args: str) -> str:
    done = run_licite(*args, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_worker_killed_mid_batch_is_reported_by_campaign_status(tmp_path):
    from aiosmtpd.controller import Controller

    inbox = SecondMessageHangs()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = prepared(tmp_path) | {
        "LICITE_EMAIL_BACKEND": "smtp", "LICITE_EMAIL_HOST": "127.0.0.1", "LICITE_EMAIL_PORT": str(port),
        "LICITE_BASE_URL": "https://licite.example", "LICITE_UNSUBSCRIBE_MAILTO": "unsubscribe@acme.example",
    }  # fmt: skip
    try:
        licite(env, "shell", "-c", SETUP)
        (tmp_path / "buyers.csv").write_text(BUYERS, encoding="utf-8")
        (tmp_path / "body.txt").write_text("Nous auditons vos achats.", encoding="utf-8")
        licite(env, "import", str(tmp_path / "buyers.csv"), "--source", "Salon")
        body = str(tmp_path / "body.txt")
        texts = ("--subject-fr", "Audit", "--subject-en", "Audit", "--body-fr", body, "--body-en", body)
        licite(
            env,
            "campaign",
            "create",
            "Audit",
            "--purpose",
            "p",
            "--offer",
            "o",
            "--functions",
            "acheteuse",
            *texts,
        )
        assert "3 messages queued" in licite(env, "campaign", "send", "Audit")
        worker = subprocess.Popen(
            [*LICITE, "worker", "--batch"], cwd=ROOT, env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not inbox.messages and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.05)
        time.sleep(0.5)  # the second message is on its way, and hangs
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    database = Path(env["LICITE_HOME"]) / "licite.sqlite3"
    with sqlite3.connect(database) as db:
        left = db.execute("SELECT status, attempts, sent_at FROM campaigns_outboundmessage").fetchall()
        assert left == [("sending", 1, None)] * 3  # even the one that went out
        # Twenty minutes later: longer than any batch takes, and its last heartbeat as old.
        db.execute("UPDATE campaigns_outboundmessage SET claimed_at = datetime(claimed_at, '-20 minutes')")
        db.execute("UPDATE campaigns_workerbeat SET beat_at = datetime(beat_at, '-20 minutes')")
    report = licite(env, "campaign", "status", "Audit")
    assert "Campaign Audit: sending" in report
    assert "3 messages were being sent when a worker stopped" in report
    assert "licite never sends a message twice, so they stay unsent" in report
    assert "`licite campaign settle Audit`" in report
    settled = licite(env, "campaign", "settle", "Audit")
    # The rule of a dead claim (docs/operations.md): the first went out and the second hung in
    # DATA, both handed to the server: never sent again; the third was claimed, never handed over.
    assert "1 message never reached the mail server: queued again for `licite worker`." in settled
    assert "2 messages marked failed (worker_stopped)" in settled
    assert "Campaign Audit: sending" in licite(env, "campaign", "status", "Audit")
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        licite(env | {"LICITE_EMAIL_PORT": str(port)}, "worker", "--batch")
    finally:
        controller.stop()
    assert [m["To"] for m in inbox.messages] == ["buyer2@acme2.example"]  # only the third, once
    assert "Campaign Audit: sent on" in licite(env, "campaign", "status", "Audit")
    refused = run_licite("campaign", "send", "Audit", env=env)
    assert refused.returncode == 1
    assert "Campaign Audit was already sent on" in refused.stderr
    assert "Traceback" not in refused.stderr
