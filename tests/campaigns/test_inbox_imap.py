"""`licite inbox` against a real IMAP server on loopback (Debian's dovecot, started with a
configuration of its own): the mailto objects, a reply is a contact, nothing is handled twice."""

from __future__ import annotations

import getpass
import grp
import imaplib
import io
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.management import call_command

from licite.campaigns.actions import do_queue_campaign
from licite.campaigns.models import ContactEvent
from licite.prospects.models import Prospect
from licite.rights.models import SuppressionEntry
from tests.campaigns.test_campaigns import EMILY, JEANNE, purchasing_campaign, run_worker
from tests.campaigns.test_inbound import MAILBOX, mailto
from tests.conftest import free_port, run_licite

pytestmark = pytest.mark.django_db(transaction=True)
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
CONFIG = """\
base_dir = {home}/run
state_dir = {home}/state
log_path = {home}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {home}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={home}/mail/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {user}
  }}
  unix_listener stats-writer {{
    user = {user}
  }}
}}
"""


@pytest.fixture
def dovecot():
    """A dovecot of its own on a free loopback port, its files in a temporary folder (as nobody
    when the tests run as root, dovecot refusing to run mail as root: so the folder is not
    under pytest's own, which only root may enter)."""
    if not os.access(DOVECOT, os.X_OK):
        pytest.skip("dovecot is not installed (.ci/run installs dovecot-imapd)")
    home = Path(tempfile.mkdtemp(prefix="licite-dovecot-"))
    user = "nobody" if os.geteuid() == 0 else getpass.getuser()
    group = grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name
    port = free_port()
    (home / "dovecot.conf").write_text(CONFIG.format(home=home, user=user, group=group, port=port))
    (home / "passwd").write_text("licite:{PLAIN}secret\n")
    if os.geteuid() == 0:
        for path in (home, home / "passwd"):
            shutil.chown(path, user, group)
    subprocess.run([DOVECOT, "-c", str(home / "dovecot.conf")], check=True)
    _wait_for(port)
    yield port
    os.kill(int((home / "run" / "master.pid").read_text()), signal.SIGTERM)
    shutil.rmtree(home, ignore_errors=True)


def _wait_for(port: int) -> None:
    for _ in range(100):
        try:
            imaplib.IMAP4("127.0.0.1", port).logout()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("dovecot did not start")


@pytest.fixture
def imap(dovecot, settings):
    settings.LICITE_IMAP_URL = f"imap://licite:secret@127.0.0.1:{dovecot}/INBOX"
    client = imaplib.IMAP4("127.0.0.1", dovecot)
    client.login("licite", "secret")
    yield client
    client.logout()


@pytest.fixture
def sent(prospects, smtp):
    do_queue_campaign(None, purchasing_campaign())
    run_worker()
    return {address: smtp.to(address)[0] for address in (JEANNE, EMILY)}


def deliver(imap: imaplib.IMAP4, *, sender: str, to: str, text: str, flags: str = "", **headers: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, headers.pop("subject", "Re: audit")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    imap.append("INBOX", flags or None, None, message.as_bytes())  # type: ignore[arg-type]


def inbox() -> str:
    out = io.StringIO()
    call_command("inbox", "--once", stdout=out)
    return out.getvalue()


def test_the_mailto_objects_and_a_reply_is_a_contact_through_a_real_imap_server(sent, imap):
    deliver(imap, sender=JEANNE, to=mailto(sent[JEANNE]), text="", subject="unsubscribe")
    deliver(imap, sender=EMILY, to=MAILBOX, text="Call me on Tuesday.", In_Reply_To=sent[EMILY]["Message-ID"])
    assert "Messages read: 2 (objections: 1, replies: 1, ignored: 0, failed: 0)." in inbox()
    assert not Prospect.objects.filter(email=JEANNE).exists()
    assert SuppressionEntry.objects.get().reason == "objection"
    assert ContactEvent.objects.get(kind="reply").prospect.email == EMILY


def test_a_second_reading_handles_nothing_twice(sent, imap):
    deliver(imap, sender=EMILY, to=MAILBOX, text="Call me.", In_Reply_To=sent[EMILY]["Message-ID"])
    inbox()
    assert "Messages read: 0 " in inbox()
    assert ContactEvent.objects.filter(kind="reply").count() == 1


def test_a_message_someone_already_read_in_their_mail_client_is_still_handled(sent, imap):
    deliver(imap, sender=JEANNE, to=mailto(sent[JEANNE]), text="", flags="(\\Seen)")
    assert "objections: 1" in inbox()
    assert not Prospect.objects.filter(email=JEANNE).exists()


def test_a_wrong_password_is_one_clear_line(sent, imap, settings):
    settings.LICITE_IMAP_URL = settings.LICITE_IMAP_URL.replace("secret", "wrong")
    with pytest.raises(Exception, match="refused the user and password") as error:
        inbox()
    assert "wrong" not in str(error.value)


def test_an_unreachable_server_is_one_line_without_a_traceback(tmp_path: Path):
    url = f"imap://licite:hunter2@127.0.0.1:{free_port()}/INBOX"
    done = run_licite("inbox", "--once", env={"LICITE_IMAP_URL": url, "LICITE_HOME": str(tmp_path)})
    assert done.returncode != 0
    assert "cannot reach the IMAP server 127.0.0.1:" in done.stderr
    assert "Traceback" not in done.stderr
    assert "hunter2" not in done.stderr


def test_a_malformed_imap_url_is_refused_naming_the_variable(tmp_path: Path):
    done = run_licite(
        "inbox", "--once", env={"LICITE_IMAP_URL": "ftp://x:pw@h/", "LICITE_HOME": str(tmp_path)}
    )
    assert done.returncode != 0
    assert "LICITE_IMAP_URL" in done.stderr
    assert "Traceback" not in done.stderr
    assert "pw@" not in done.stderr
