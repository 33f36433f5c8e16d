from __future__ import annotations

import contextlib
import email
import email.policy
import imaplib
import logging
import socket
import ssl
import time
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from licite.campaigns.inbound import do_handle_inbound
from licite.conf import ImapMailbox, SettingsError, imap_in_clear, parse_imap_url
from licite.lib.commands import LiciteCommand

log = logging.getLogger("licite.inbound")
# An IMAP keyword: a message a person has already read in their mail client is still handled.
DONE = "$LiciteDone"
CHANNEL = "mailto:imap"


class Command(LiciteCommand):
    help = (
        "Read the mailbox of LICITE_IMAP_URL: objections and replies (RULES E2, G3, F1).\n\n"
        "A message to the List-Unsubscribe mailto (unsubscribe+TOKEN@...) is an objection, "
        "recorded as the one-click link records it; a reply that asks to stop is one too; any "
        "other reply is a contact the prospect initiated, which restarts their retention. Each "
        "message handled is flagged $LiciteDone (or seen, where the server keeps no keywords), "
        "so a second run handles nothing twice. Nothing of a message is stored or logged."
    )
    example = "licite inbox --once"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Read the new messages once, then stop")
        parser.add_argument(
            "--interval", type=int, default=60, metavar="SECONDS",
            help="Without --once: seconds between two readings (default 60)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        mailbox = mailbox_or_error()
        if options["interval"] < 1:
            raise CommandError("--interval: at least 1 second")
        while True:
            counts = read_mailbox(mailbox)
            self.stdout.write(
                f"Messages read: {counts.total()} (objections: {counts['objection']}, "
                f"replies: {counts['reply']}, ignored: {counts['ignored']}, failed: {counts['failed']})."
            )
            if options["once"]:
                return
            time.sleep(options["interval"])


def mailbox_or_error() -> ImapMailbox:
    """The mailbox of LICITE_IMAP_URL; CommandError, in one line, when it is not set or not valid."""
    try:
        mailbox = parse_imap_url(settings.LICITE_IMAP_URL)
    except SettingsError as exc:
        raise CommandError(str(exc)) from None
    if mailbox is None:
        raise CommandError("LICITE_IMAP_URL is not set: give the mailbox, imaps://user:password@host/INBOX")
    return mailbox


def read_mailbox(mailbox: ImapMailbox) -> Counter[str]:
    """Handle every message not yet handled, flag each once handled; counts by verdict."""
    counts: Counter[str] = Counter()
    with _connected(mailbox) as imap:
        flag = _done_flag(imap, mailbox)
        unhandled = "UNSEEN" if flag == "\\Seen" else f"UNKEYWORD {DONE}"
        status, found = imap.uid("SEARCH", unhandled)
        for uid in found[0].split() if status == "OK" and found[0] else []:
            counts[_handle(imap, uid.decode(), flag)] += 1
    return counts


def _handle(imap: imaplib.IMAP4, uid: str, flag: str) -> str:
    status, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    raw = next((part[1] for part in data if isinstance(part, tuple)), None) if status == "OK" else None
    if not isinstance(raw, bytes):
        return "failed"
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    try:
        outcome = do_handle_inbound(message, channel=CHANNEL)
    except Exception as exc:  # left unflagged: the next reading tries it again
        log.error("inbound message %s not handled (%s): read again next time", uid, type(exc).__name__)
        return "failed"
    imap.uid("STORE", uid, "+FLAGS.SILENT", f"({flag})")
    return outcome.verdict


def _done_flag(imap: imaplib.IMAP4, mailbox: ImapMailbox) -> str:
    """$LiciteDone where the server keeps new keywords (PERMANENTFLAGS lists \\*), else \\Seen."""
    status, _ = imap.select(_quoted(mailbox.folder))
    if status != "OK":
        raise CommandError(f"LICITE_IMAP_URL: the server has no folder {mailbox.folder!r}")
    permanent = b" ".join(
        item or b"" for item in imap.response("PERMANENTFLAGS")[1] if isinstance(item, bytes)
    )
    return DONE if b"\\*" in permanent or DONE.encode() in permanent else "\\Seen"


@contextlib.contextmanager
def _connected(mailbox: ImapMailbox) -> Any:
    where = f"{mailbox.host}:{mailbox.port}"
    try:
        imap = _open(mailbox)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise CommandError(f"cannot reach the IMAP server {where} ({_reason(exc)})") from None
    try:
        try:
            imap.login(mailbox.user, mailbox.password)
        except imaplib.IMAP4.error:
            raise CommandError(
                f"the IMAP server {where} refused the user and password of LICITE_IMAP_URL"
            ) from None
        yield imap
    except (OSError, imaplib.IMAP4.abort) as exc:
        raise CommandError(f"the IMAP server {where} closed the connection ({_reason(exc)})") from None
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            imap.logout()


def _open(mailbox: ImapMailbox) -> imaplib.IMAP4:
    if mailbox.tls:
        return imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=30
        )
    imap = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=30)
    if imap_in_clear(mailbox):  # never a password in clear across a network
        imap.starttls(ssl.create_default_context())
    return imap


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    return (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)[:200]


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
