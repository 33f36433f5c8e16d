"""The CNIL inspection pack (RULES H, H2): one ZIP that shows prospecting is under control.

An index page links every part; each part is a file (HTML and PDF where a person reads, XLSX,
JSON lines). The index lists each file with its SHA-256 and size, and a SHA256SUMS file lets
anyone check the folder with `sha256sum -c`; `licite pack verify` does the same from the ZIP.
Nothing in it names a person of the database: figures are counts, requests are ids (not even a
part of a keyed hash: pseudonymous data, RULES F4), the sample messages go to a fictitious person.

It names the controller: without the organisation's profile (`licite init`) it is not written.
Its files are counted one way everywhere: every file of the ZIP, the index and SHA256SUMS
included (`Pack.files`, the audit entry, `licite pack` and `licite pack verify`).

The ZIP is written to a temporary file next to its destination and renamed over it once whole,
in the same transaction as its audit entry: an error leaves neither half a ZIP nor an entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licite.audit.actions import record

SUMS = "SHA256SUMS"
INDEX = "index.html"
LANGUAGES = ("fr", "en")
CHUNK = 1 << 20


class PackError(Exception):
    """The pack cannot be written or read as asked: the message says why, in one line."""


@dataclass(frozen=True)
class Request:
    """What the pack covers: its language, the period of the audit export, the moment and who."""

    language: str
    since: datetime | None
    now: datetime
    actor: Any
    scratch: Path  # a private directory for files streamed into the ZIP, removed afterwards


@dataclass
class Entry:
    name: str
    sha256: str
    size: int


@dataclass
class Part:
    """One part of the index: its files, or why it is not available."""

    key: str
    title: str
    entries: list[Entry] = field(default_factory=list)
    unavailable: str = ""


@dataclass(frozen=True)
class Pack:
    path: Path
    sha256: str
    size: int
    parts: tuple[Part, ...]
    files: int  # every file of the ZIP: the parts' files, the index and SHA256SUMS

    @property
    def unavailable(self) -> tuple[str, ...]:
        return tuple(part.key for part in self.parts if part.unavailable)


# --- Writing the ZIP ---------------------------------------------------------------------------


class _Writer:
    """A ZIP being written, which hashes each file as it goes in."""

    def __init__(self, handle: IO[bytes], now: datetime) -> None:
        self.zip = zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED)
        self.entries: list[Entry] = []
        # The files' time in the ZIP: the pack's, in licite's time zone (ZIP times have none).
        self.date_time = timezone.localtime(now).timetuple()[:6]

    def add(self, name: str, data: bytes) -> Entry:
        return self.add_stream(name, io.BytesIO(data))

    def add_stream(self, name: str, source: IO[bytes]) -> Entry:
        digest, size = hashlib.sha256(), 0
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        with self.zip.open(info, "w", force_zip64=True) as target:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                target.write(chunk)
                size += len(chunk)
        entry = Entry(name, digest.hexdigest(), size)
        self.entries.append(entry)
        return entry


def build_pack(actor: Any, out: Path, language: str, since: datetime | None = None) -> Pack:
    """Write the inspection pack to `out` and record it (its SHA-256, never personal data)."""
    if language not in LANGUAGES:
        raise PackError(_("--lang: expected fr or en, got %(language)s") % {"language": repr(language)})
    from licite.accounts.models import Organisation

    if Organisation.current() is None:
        raise PackError(_("the organisation's profile is not set: run `licite init` first"))
    fd, temporary = _temporary_next_to(out)
    try:
        with os.fdopen(fd, "w+b") as handle, tempfile.TemporaryDirectory(prefix="licite-pack-") as scratch:
            request = Request(language, since, timezone.now(), actor, Path(scratch))
            writer = _Writer(handle, request.now)
            with translation.override(language):
                parts = [_built(writer, key, title, builder, request) for key, title, builder in PARTS]
                writer.add(INDEX, _index(parts, request))
            writer.add(SUMS, _sums(writer.entries))
            writer.zip.close()
            handle.flush()
            os.fsync(handle.fileno())
            sha256, size = _file_digest(handle)
        pack = Pack(out, sha256, size, tuple(parts), files=len(writer.entries))  # SHA256SUMS included
        with transaction.atomic():
            record(
                actor, "pack.generated", None, sha256=sha256, size=size, files=pack.files,
                language=language, since=since.isoformat() if since else None,
                unavailable=list(pack.unavailable),
            )  # fmt: skip
            os.replace(temporary, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return pack


def _temporary_next_to(out: Path) -> tuple[int, str]:
    try:
        return tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    except OSError as exc:
        raise PackError(
            _("--out: cannot write in %(folder)s: %(reason)s")
            % {"folder": out.parent, "reason": exc.strerror}
        ) from None


def _file_digest(handle: IO[bytes]) -> tuple[str, int]:
    handle.seek(0)
    digest = hashlib.file_digest(handle, "sha256")  # type: ignore[arg-type]
    return digest.hexdigest(), handle.tell()


def _sums(entries: list[Entry]) -> bytes:
    """The `sha256sum -c` format: the digest, two spaces, the path (text mode)."""
    return "".join(f"{entry.sha256}  {entry.name}\n" for entry in entries).encode()


Files = list[tuple[str, bytes | Path]]
Builder = Callable[[Request], Files]


def _built(writer: _Writer, key: str, title: Any, builder: Builder, request: Request) -> Part:
    """The part's files, each added to the ZIP; or why the part is not available."""
    part = Part(key, str(title))
    try:
        files = builder(request)
    except Unavailable as exc:
        part.unavailable = str(exc)
        return part
    for name, data in files:
        if isinstance(data, Path):  # too large to hold in memory (the audit trail): streamed
            with data.open("rb") as source:
                part.entries.append(writer.add_stream(f"{key}/{name}", source))
        else:
            part.entries.append(writer.add(f"{key}/{name}", data))
    return part


class Unavailable(Exception):
    """A part that cannot be built here: the index says why."""


@contextlib.contextmanager
def _others(what: str) -> Iterator[None]:
    """A part built by another module of licite: missing (an older version) or failing on this
    database, the pack still comes out and the index says why. Their messages name no person."""
    try:
        yield
    except ImportError:
        raise Unavailable(_("not available: %(what)s is not part of this version") % {"what": what}) from None
    except Unavailable:
        raise
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise Unavailable(_("not available: %(reason)s") % {"reason": reason}) from None


# --- The index -----------------------------------------------------------------------------------


def _index(parts: list[Part], request: Request) -> bytes:
    from licite.accounts.models import Organisation

    organisation = Organisation.current()
    facts = (
        (_("Organisation"), organisation.legal_name if organisation else _("no organisation profile")),
        (_("Generated on"), day_time(request.now)),
        (_("Period"), _period(request.since, request.now)),
        (_("Language"), _("French") if request.language == "fr" else _("English")),
        (_("Generated by"), actor_label(request.actor)),
    )
    rows = "".join(_index_rows(part) for part in parts)
    return _INDEX.format(
        lang=request.language,
        title=html.escape(_("CNIL inspection pack")),
        intro=html.escape(
            _(
                "Each file of this pack is listed with its SHA-256 fingerprint and size. Check them "
                "with `sha256sum -c SHA256SUMS` in the extracted folder, or with `licite pack verify`."
            )
        ),
        facts="".join(
            f"<dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd>" for label, value in facts
        ),
        part=html.escape(_("Part")),
        file=html.escape(_("File")),
        size=html.escape(_("Size (bytes)")),
        sha=html.escape("SHA-256"),
        rows=rows,
    ).encode()


def _index_rows(part: Part) -> str:
    title = html.escape(part.title)
    if part.unavailable:
        return (
            f'<tr class="missing"><th>{title}</th><td colspan="3">{html.escape(part.unavailable)}</td></tr>'
        )
    rows = []
    for number, entry in enumerate(part.entries):
        head = f'<th rowspan="{len(part.entries)}">{title}</th>' if number == 0 else ""
        link = html.escape(entry.name, quote=True)
        size = f"{entry.size:,}".replace(",", "\u202f")  # a thin space between thousands
        rows.append(
            f'<tr>{head}<td><a href="{link}">{html.escape(entry.name)}</a></td>'
            f'<td class="n">{size}</td><td><code>{entry.sha256}</code></td></tr>'
        )
    return "".join(rows)


_INDEX = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; color: #1b1b1b; margin: 2rem auto; max-width: 64rem;
  padding: 0 1rem; }}
h1 {{ font-size: 1.6rem; margin-bottom: .3rem; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }}
dt {{ font-weight: 600; }} dd {{ margin: 0; }}
table {{ border-collapse: collapse; width: 100%; margin-top: 1rem; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }}
thead th {{ background: #f3f3f3; }}
tbody th {{ font-weight: 600; width: 14rem; }}
td.n {{ text-align: right; white-space: nowrap; }}
code {{ font-size: .72rem; word-break: break-all; }}
tr.missing td {{ color: #8a4b00; font-style: italic; }}
</style></head>
<body><h1>{title}</h1>
<dl>{facts}</dl>
<p>{intro}</p>
<table><thead><tr><th>{part}</th><th>{file}</th><th>{size}</th><th>{sha}</th></tr></thead>
<tbody>{rows}</tbody></table>
</body></html>
"""


def day_time(moment: datetime) -> str:
    return str(formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT"))


def day(moment: datetime) -> str:
    return str(formats.date_format(timezone.localtime(moment), "DATE_FORMAT"))


def _period(since: datetime | None, now: datetime) -> str:
    if since is None:
        return _("everything up to %(end)s") % {"end": day(now)}
    return _("from %(start)s to %(end)s") % {"start": day(since), "end": day(now)}


def actor_label(actor: Any) -> str:
    return actor if isinstance(actor, str) else getattr(actor, "username", "") or "system"


# --- The parts built elsewhere ---------------------------------------------------------------------


def _documents(stem: str, document: Any, formats_: tuple[str, ...] = ("html", "pdf")) -> Files:
    from licite.lib.documents import render

    return [(f"{stem}.{fmt}", render(document, fmt)) for fmt in formats_]


def _register(request: Request) -> Files:
    with _others(_("the register export")):
        from licite.register.export import export_register

        return [
            (f"register.{fmt}", export_register(fmt, request.language, request.now))
            for fmt in ("xlsx", "pdf")
        ]


def _balancing(request: Request) -> Files:
    with _others(_("the balancing tests")):
        from licite.prospects.balancing import balancing_document

        return _documents("balancing-tests", balancing_document(request.language))


def _privacy(request: Request) -> Files:
    with _others(_("the privacy policy")):
        from licite.register.privacy import privacy_document

        return _documents("privacy-policy", privacy_document(request.language), ("html",))


def _processors(request: Request) -> Files:
    with _others(_("the processors")):
        from licite.processors.export import processors_document

        return _documents("processors-and-transfers", processors_document(request.language))


def _compliance(request: Request) -> Files:
    with _others(_("the compliance check")):
        from licite.compliance.checks import run_checks
        from licite.compliance.report import compliance_document

        results = run_checks(request.now)
        return _documents("compliance-check", compliance_document(results, request.language, request.now))


def _breaches(request: Request) -> Files:
    with _others(_("the breach log")):
        from licite.compliance.report import breaches_document

        return _documents("breach-log", breaches_document(request.language, request.now))


def _training(request: Request) -> Files:
    with _others(_("the training records")):
        from licite.training.export import training_document

        return _documents("training-records", training_document(request.language))


# --- The parts built here ------------------------------------------------------------------------


def _document(title: str, request: Request, sections: list[Any], subtitle: str = "") -> Any:
    from licite.lib.documents import Document

    return Document(title, request.language, tuple(sections), subtitle=subtitle, generated_at=request.now)


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


# The notices: the first message and the consent request, as a fictitious person receives them.

SAMPLE_TOKEN = "sample0token"  # noqa: S105 (the links of a sample lead nowhere)
_SAMPLES = (
    # (file stem, legal basis, language)
    ("first-message-b2b-fr", "legitimate_interest", "fr"),
    ("first-message-b2b-en", "legitimate_interest", "en"),
    ("consent-request-b2c-fr", "consent", "fr"),
    ("consent-request-b2c-en", "consent", "en"),
)


def _notices(request: Request) -> Files:
    """RULES D1-D4, E1-E2: each message in French and in English, as sent (the .eml with its
    headers), its HTML body as displayed, and one readable document of all four."""
    with _others(_("the notice templates")):  # no organisation profile, say
        samples = _sample_emails()
    files: Files = []
    sections = []
    for stem, title, email in samples:
        if isinstance(email, str):
            sections.append(_notice_missing(title, email))
            continue
        files.append((f"{stem}.eml", email.message().as_bytes()))
        files.append((f"{stem}.html", str(email.alternatives[0][0]).encode()))
        sections.append(_notice_section(title, stem, email))
    intro = _(
        "Each message is addressed to a fictitious person collected from a fictitious source, so that "
        "it shows the notice exactly as the people in the database receive it. The .eml files are "
        "the messages as sent, headers included; the .html files are their HTML bodies."
    )
    from licite.lib.documents import Paragraph, Section

    document = _document(
        _("Information notices, as a person receives them"), request,
        [Section(_("About these samples"), (Paragraph(intro),)), *sections],
    )  # fmt: skip
    return [*_documents("notices", document), *files]


def _sample_title(basis: str, language: str) -> str:
    words = _("in French") if language == "fr" else _("in English")
    if basis == "consent":
        return _("Consent request to a consumer (B2C), %(language)s") % {"language": words}
    return _("First prospecting message to a professional (B2B), %(language)s") % {"language": words}


def _sample_emails() -> list[tuple[str, str, Any]]:
    """The four sample emails, rendered by licite's own code for fictitious records written in a
    transaction that is rolled back: nothing of them stays in the database, nothing of the
    database's people goes into them. A message that cannot be rendered gives its reason."""
    from licite.campaigns.notices import NoticeUnavailable, Sender

    sender = Sender.load()  # the pack is refused without the organisation's profile
    samples: list[tuple[str, str, Any]] = []
    with transaction.atomic():
        source = _sample_source()
        for stem, basis, language in _SAMPLES:
            title = _sample_title(basis, language)
            if basis not in sender.activities:  # the reason in the pack's language
                samples.append(
                    (stem, title, _("no processing activity with this legal basis in the register"))
                )
                continue
            try:
                samples.append((stem, title, _sample_email(source, basis, language, sender)))
            except NoticeUnavailable as exc:
                samples.append((stem, title, str(exc)))
        transaction.set_rollback(True)
    return samples


def _sample_source() -> Any:
    from licite.prospects.models import CollectionMethod, ExtractionAllowed, Source, SourceKind, Visibility

    return Source.objects.create(
        name="Salon Exemple 2026 – exposants (sample)", kind=SourceKind.EVENT,
        url="https://salon-exemple.example/exposants", method=CollectionMethod.MANUAL,
        extraction_allowed=ExtractionAllowed.YES, visibility=Visibility.PUBLIC,
    )  # fmt: skip


_SAMPLE_PEOPLE = {
    # basis: (first name, last name, address, job title, company)
    "legitimate_interest": ("Camille", "Exemple", "camille.exemple@entreprise-exemple.example",
                            "Responsable des achats", "Entreprise Exemple"),
    "consent": ("Dominique", "Exemple", "dominique.exemple.licitedemo@gmail.com", "", ""),
}  # fmt: skip


def _sample_email(source: Any, basis: str, language: str, sender: Any) -> Any:
    from licite.campaigns.actions import email_for
    from licite.campaigns.models import OutboundMessage
    from licite.campaigns.rendering import render_campaign_message, render_consent_request

    prospect = _sample_prospect(source, basis, language)
    if basis == "consent":
        rendered = render_consent_request(prospect, SAMPLE_TOKEN, _("our offers by email"))
        kind = OutboundMessage.Kind.CONSENT_REQUEST
    else:
        sender.activity(basis)  # no activity of this basis: NoticeUnavailable names it
        rendered = render_campaign_message(prospect, _sample_campaign(), SAMPLE_TOKEN, True, sender)
        kind = OutboundMessage.Kind.CAMPAIGN
    message = OutboundMessage(
        pk=0, kind=kind, to_address=prospect.email, language=rendered.language, subject=rendered.subject,
        body_text=rendered.text, body_html=rendered.html, includes_notice=True, token=SAMPLE_TOKEN,
    )  # fmt: skip
    return email_for(message)


def _sample_prospect(source: Any, basis: str, language: str) -> Any:
    from licite.core import clocks
    from licite.core.suppression import identity_hasher
    from licite.prospects.models import Audience, Prospect, ProspectStatus, Provenance

    first, last, address, job, company = _SAMPLE_PEOPLE[basis]
    address = address.replace("@", f".{language}@")
    collected = timezone.now() - timedelta(days=3)
    b2c = basis == "consent"
    prospect = Prospect.objects.create(
        email=address, key_hash=identity_hasher(settings.SUPPRESSION_KEY)(address),
        email_kind="private" if b2c else "nominative", first_name=first, last_name=last, job_title=job,
        company=company, company_domain="" if b2c else address.rpartition("@")[2], language=language,
        audience=Audience.B2C if b2c else Audience.B2B, legal_basis=basis,
        status=ProspectStatus.CONSENT_PENDING if b2c else ProspectStatus.ACTIVE, collected_at=collected,
        notice_due_at=clocks.notice_due_at(collected), retain_until=clocks.retain_until(collected),
    )  # fmt: skip
    Provenance.objects.create(prospect=prospect, source=source, page_url=source.url, collected_at=collected)
    return prospect


def _sample_campaign() -> Any:
    from licite.campaigns.models import Campaign

    return Campaign(
        name="sample", purpose="sample", offer="sample", functions=["purchasing"],
        subject_fr="Exemple : notre offre pour les équipes achats",
        subject_en="Sample: our offer for purchasing teams",
        body_fr="[Le texte de la campagne, écrit par l'équipe commerciale.]",
        body_en="[The campaign's text, written by the sales team.]",
    )  # fmt: skip


def _notice_section(title: str, stem: str, email: Any) -> Any:
    from licite.lib.documents import Fields, Paragraph, Section

    # Parsed back as a mail reader does: the headers decoded (RFC 2047), as a person reads them.
    message = message_from_bytes(email.message().as_bytes(), policy=policy.default)
    headers = tuple(
        (name, str(message[name]))
        for name in ("From", "To", "Subject", "List-Unsubscribe", "List-Unsubscribe-Post", "Message-ID")
        if message[name]
    )
    files = _("Files: %(eml)s (as sent), %(html)s (HTML body)") % {
        "eml": f"{stem}.eml",
        "html": f"{stem}.html",
    }
    return Section(
        title,
        (Paragraph(files),),
        sections=(
            Section(_("Headers"), (Fields(headers),)),
            Section(
                _("Text body"), tuple(Paragraph(text) for text in email.body.split("\n\n") if text.strip())
            ),
        ),
    )


def _notice_missing(title: str, reason: str) -> Any:
    from licite.lib.documents import Notice, Section

    return Section(title, (Notice(_("not available: %(reason)s") % {"reason": reason}, "failure"),))


# The rights requests (RULES G1).


def _rights(request: Request) -> Files:
    from licite.lib.documents import Fields, Notice, Paragraph, Section, Table
    from licite.rights import statistics
    from licite.rights.models import RequestChannel, RequestKind, RequestState

    today = timezone.localdate(request.now)
    totals = statistics.rights_totals(request.since, today)
    outcomes = _outcomes()
    lines = statistics.rights_log(request.since, today)
    rows = tuple(
        (
            str(line.id), str(RequestKind(line.kind).label),
            str(RequestChannel(line.channel).label), day(line.received_at),
            _due(line.due_on, line.extension_months), day(line.closed_at) if line.closed_at else "",
            str(RequestState(line.state).label), outcomes[line.outcome],
        )
        for line in lines
    )  # fmt: skip
    headers = (_("No."), _("Kind"), _("Channel"), _("Received"), _("Due"), _("Closed"),
               _("State"), _("Deadline"))  # fmt: skip
    summary = Fields(tuple((outcomes[name], str(count)) for name, count in totals.items()))
    blocks: list[Any] = [summary]
    if totals[statistics.MISSED] or totals[statistics.OVERDUE]:
        blocks.append(
            Notice(_("Some requests were not answered within their deadline (RULES G1)."), "failure")
        )
    else:
        blocks.append(Notice(_("Every request was answered within its deadline (RULES G1)."), "ok"))
    explain = _(
        "A request is due one calendar month after receipt, two more months when extended for "
        "complexity or volume (GDPR art. 12.3). Neither the address nor any part of its keyed hash "
        "is shown: the request's number is enough for the DPO to find it in licite."
    )
    log = Table(headers, rows) if rows else Paragraph(_("No request received in this period."))
    document = _document(
        _("Rights requests and their deadlines"), request,
        [Section(_("Summary"), (Paragraph(explain), *blocks)), Section(_("Log"), (log,))],
        subtitle=_period(request.since, request.now),
    )  # fmt: skip
    return _documents("rights-requests", document)


def _due(due_on: date, extension_months: int) -> str:
    """The due day, in the pack's language like the log's other dates, and the extension if any."""
    when = str(formats.date_format(due_on, "DATE_FORMAT"))
    if not extension_months:
        return when
    words = _("%(day)s (extended by %(months)s months)")
    return words % {"day": when, "months": extension_months}


def _outcomes() -> dict[str, str]:
    from licite.rights import statistics

    return {
        statistics.MET: _("answered in time"),
        statistics.MISSED: _("answered late"),
        statistics.OPEN: _("open, not yet due"),
        statistics.OVERDUE: _("open and overdue"),
    }


# The retention policy and the last purges (RULES F1-F4, C2, D2).

PURGE_ACTIONS = ("consent.expired",)
LAST_PURGES = 20


def _retention(request: Request) -> Files:
    from licite.lib.documents import Fields, Paragraph, Section

    document = _document(
        _("Retention policy and last purges"), request,
        [
            Section(_("Retention settings"), (Fields(_retention_settings()),)),
            Section(_("Retention by processing activity"), (_activity_retention(request.language),)),
            Section(_("Last purge runs"), (_purge_runs(),)),
            Section(
                _("Last erasures by the purge"),
                (Paragraph(_("Each batch of the purge leaves an audit entry with its counts.")),
                 _purge_batches()),
            ),
        ],
    )  # fmt: skip
    return _documents("retention-policy", document)


def _retention_settings() -> tuple[tuple[str, str], ...]:
    from licite.core.clocks import RETENTION_YEARS

    keep = settings.LICITE_SUPPRESSION_KEEP_YEARS
    last_chance = settings.LICITE_LAST_CHANCE_DAYS
    return (
        (_("Prospects (RULES F1)"),
         _("%(years)s years from collection or from the last contact the prospect initiated (a reply, "
           "a click; an open is not a contact)") % {"years": RETENTION_YEARS}),
        (_("Objection or consent withdrawn (RULES F3)"), _("prospecting data erased at once")),
        (_("Consumers asked for consent (RULES C2)"),
         _("erased %(days)s days after the request without consent (LICITE_CONSENT_DELAY_DAYS)")
         % {"days": settings.LICITE_CONSENT_DELAY_DAYS}),
        (_("Notice never sent (RULES D2)"),
         _("erased %(days)s days after its deadline (LICITE_NOTICE_GRACE_DAYS)")
         % {"days": settings.LICITE_NOTICE_GRACE_DAYS}),
        (_("Suppression list (RULES F4)"),
         _("kept %(years)s years after the latest objection (LICITE_SUPPRESSION_KEEP_YEARS)")
         % {"years": keep}
         if keep else _("kept for good (LICITE_SUPPRESSION_KEEP_YEARS is empty); at least 3 years")),
        (_("Message before the end of retention (RULES F1)"),
         _("%(days)s days before (LICITE_LAST_CHANCE_DAYS)") % {"days": last_chance}
         if last_chance else _("off (LICITE_LAST_CHANCE_DAYS is empty)")),
        (_("Purge schedule"),
         _("%(cron)s (cron, LICITE_PURGE_SCHEDULE), run by `licite worker`; `licite purge` runs it by hand")
         % {"cron": settings.LICITE_PURGE_SCHEDULE}),
    )  # fmt: skip


def _activity_retention(language: str) -> Any:
    from licite.lib.documents import Paragraph, Table
    from licite.register.models import ProcessingActivity

    standard = _("licite's standard retention (RULES F1)")
    rows = tuple(
        (
            activity.name,
            getattr(activity, f"retention_{language}") or standard,
            _by_category(activity, language),
        )
        for activity in ProcessingActivity.objects.all()
    )
    if not rows:
        return Paragraph(_("No processing activity in the register."))
    headers = (_("Processing activity"), _("Retention period or criteria"), _("By category of data"))
    return Table(headers, rows)


def _by_category(activity: Any, language: str) -> str:
    """RULES H1: the retention the register gives each category of data (the CNIL's template)."""
    from licite.register.models import DataCategory

    labels = dict(DataCategory.choices)
    return "\n".join(
        f"{labels.get(row['category'], row['category'])}: {row.get(f'retention_{language}', '')}"
        for row in activity.rows("data_categories")
        if row.get(f"retention_{language}")
    )


def _purge_runs() -> Any:
    """The daily purge's last runs, as the task queue keeps them, with their counts. Each run
    also leaves an audit entry, `purge.completed`, even one that erased nothing: the last
    erasures (`_purge_batches`) list it beside the entries of each batch."""
    from licite.lib.documents import Paragraph, Table

    try:
        from django_tasks_db.models import DBTaskResult

        from licite.rights.tasks import purge

        runs = list(
            DBTaskResult.objects.filter(task_path=purge.module_path, finished_at__isnull=False)
            .order_by("-finished_at")
            .values_list("finished_at", "status", "return_value")[:10]
        )
    except Exception:
        runs = []
    if not runs:
        return Paragraph(_("No run of the scheduled purge is recorded by the task queue."))
    rows = tuple(
        (day_time(at) if at else "", str(status), _counts(value or {})) for at, status, value in runs
    )
    return Table((_("Finished"), _("Status"), _("Counts")), rows)


def _purge_batches() -> Any:
    from django.db.models import Q

    from licite.audit.models import AuditEvent
    from licite.lib.documents import Paragraph, Table

    events = (
        AuditEvent.objects.filter(Q(action__startswith="purge.") | Q(action__in=PURGE_ACTIONS))
        .order_by("-sequence")
        .values_list("sequence", "at", "action", "detail")[:LAST_PURGES]
    )
    rows = tuple((f"#{seq}", day_time(at), action, _counts(detail)) for seq, at, action, detail in events)
    if not rows:
        return Paragraph(_("The purge has erased nothing yet."))
    return Table((_("Audit entry"), _("Date"), _("Step"), _("Counts")), rows)


def _counts(detail: dict[str, Any]) -> str:
    """The counts of an entry or a result: numbers only (an entry holds ids and counts)."""
    return ", ".join(f"{key}: {value}" for key, value in sorted(detail.items()) if isinstance(value, int))


# The suppression list (RULES F4) and the consent proofs (RULES G5).


def _suppression(request: Request) -> Files:
    from licite.lib.documents import Paragraph, Section, Table
    from licite.rights import statistics
    from licite.rights.models import SuppressionReason

    by_reason = tuple(
        (str(SuppressionReason(reason).label), str(count))
        for reason, count in statistics.suppression_by_reason()
    )
    by_month = tuple((month, str(count)) for month, count in statistics.suppression_by_month())
    total = sum(int(count) for _reason, count in by_reason)
    explain = _(
        "The suppression list keeps a keyed hash of each address (HMAC-SHA256, with a key kept outside "
        "the database), the reason and the date, and nothing else; it serves only to honour "
        "objections. %(total)s entries. The hashes themselves are not in this pack."
    ) % {"total": total}
    empty = Paragraph(_("The suppression list is empty."))
    document = _document(
        _("Suppression list statistics"), request,
        [
            Section(_("What it holds"), (Paragraph(explain),)),
            Section(_("By reason"), (Table((_("Reason"), _("Entries")), by_reason) if by_reason else empty,)),
            Section(_("By month"), (Table((_("Month"), _("Entries")), by_month) if by_month else empty,)),
        ],
    )  # fmt: skip
    return _documents("suppression-statistics", document)


def _consent(request: Request) -> Files:
    from licite.lib.documents import Fields, Paragraph, Section, Table
    from licite.rights import statistics

    counts = statistics.consent_counts()
    labels = _consent_labels()
    by_wording = tuple(
        (purpose, version, *(str(getattr(row, name)) for name in labels))
        for purpose, version, row in statistics.consent_by_wording()
    )
    by_state = tuple((label, str(getattr(counts, name))) for name, label in labels.items())
    explain = _(
        "Each consent record keeps when consent was asked, given, refused or withdrawn, through which "
        "channel, and the version of the wording the person saw (GDPR art. 7.1, RULES G5)."
    )
    table = (
        Table((_("Purpose"), _("Wording version"), *labels.values()), by_wording)
        if by_wording else Paragraph(_("No consent record."))
    )  # fmt: skip
    document = _document(
        _("Consent proofs"), request,
        [
            Section(_("What is proved"), (Paragraph(explain),)),
            Section(_("By state"), (Fields(by_state),)),
            Section(_("By purpose and wording version"), (table,)),
        ],
    )  # fmt: skip
    return _documents("consent-proofs", document)


def _consent_labels() -> dict[str, str]:
    return {
        "requested": _("requested"),
        "given": _("given and not withdrawn"),
        "refused": _("refused"),
        "withdrawn": _("withdrawn"),
        "pending": _("no answer yet"),
    }


# The audit trail (RULES H): its verification, and its export for the period.


def _audit(request: Request) -> Files:
    from licite.audit.actions import do_export, verify
    from licite.audit.chain import ChainError
    from licite.lib.documents import Fields, Notice, Paragraph, Section

    try:
        verdict = verify()
        result = Notice(
            _("The chain is intact: %(count)s entries, each linked to the one before by its keyed hash.")
            % {"count": verdict.length}, "ok",
        )  # fmt: skip
        warnings = tuple(Notice(warning, "warning") for warning in verdict.warnings)
        facts: tuple[tuple[str, str], ...] = (
            (_("Entries"), str(verdict.length)), (_("Last entry"), f"#{verdict.last.sequence}"),
            (_("Its hash"), verdict.last.hash),
        )  # fmt: skip
    except ChainError as exc:
        result, warnings, facts = (
            Notice(_("The chain is broken: %(reason)s") % {"reason": exc}, "failure"),
            (),
            (),
        )
    trail = request.scratch / "audit-trail.jsonl"
    exported = do_export(request.actor, trail, request.since)  # itself an entry of the trail
    explain = _(
        "Each entry's hash is HMAC-SHA256, keyed with a secret kept outside the database, of its content "
        "and of the previous entry's hash; the last entry is also kept in a file outside the database. "
        "audit-trail.jsonl holds %(count)s entries (%(period)s) with their hashes: whoever holds the "
        "key can check them again."
    ) % {"count": exported, "period": _period(request.since, request.now)}
    document = _document(
        _("Audit trail: verification and export"), request,
        [Section(_("Verification"), (result, *warnings, *((Fields(facts),) if facts else ()))),
         Section(_("Export"), (Paragraph(explain),))],
    )  # fmt: skip
    return [*_documents("audit-verification", document), ("audit-trail.jsonl", trail)]


# The security measures (RULES H1, F5).


def _security(request: Request) -> Files:
    from django.db.models import Count

    from licite.accounts.models import PROSPECT_ROLES, Role, User
    from licite.lib.documents import Bullets, Paragraph, Section, Table
    from licite.register.models import ProcessingActivity

    activities = tuple(
        _declared_measures(activity, request.language)
        for activity in ProcessingActivity.objects.only("name", "security_measures")
    )
    roles = {
        row["role"]: row["count"]
        for row in User.objects.filter(is_active=True).values("role").annotate(count=Count("pk")).order_by()
    }
    role_rows = tuple(
        (str(role.label), _yes_no(role in PROSPECT_ROLES), str(roles.get(role.value, 0))) for role in Role
    )
    document = _document(
        _("Security measures"), request,
        [
            Section(
                _("Declared in the register"),
                () if activities else (Paragraph(_("No processing activity in the register.")),),
                sections=activities,
            ),
            Section(_("Access by role (RULES F5)"), (
                Table((_("Role"), _("Sees prospects"), _("Active users")), role_rows),
            )),
            Section(_("What licite enforces"), (Bullets(_enforced()),)),
        ],
    )  # fmt: skip
    return _documents("security-measures", document)


def _declared_measures(activity: Any, language: str) -> Any:
    """RULES H1: the security measures of one activity of the register, by the CNIL's categories."""
    from licite.lib.documents import Paragraph, Section, Table
    from licite.register.models import SecurityMeasure

    labels = dict(SecurityMeasure.choices)
    rows = tuple(
        (str(labels.get(row["category"], row["category"])), row.get(f"details_{language}", ""))
        for row in activity.rows("security_measures")
    )
    if not rows:
        return Section(activity.name, (Paragraph(_("none declared")),))
    return Section(activity.name, (Table((_("Measure"), _("Details")), rows),))


def _enforced() -> tuple[str, ...]:
    https = settings.LICITE_BASE_URL.startswith("https://")
    email_tls = settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL
    return (
        _("Access by role: only administrators, the DPO, sales, marketing and communication staff see "
          "prospects; the administration pages cannot change legal state (consent, objections, audit)."),
        _("Audit trail: every action and every export is an entry chained by a keyed hash (HMAC-SHA256), "
          "its head kept outside the database; `licite audit verify` checks it."),
        _("Suppression list: a keyed hash of the address (HMAC-SHA256), its key kept outside the "
          "database; never the address."),
        _("Links in messages (unsubscribe, consent, rights): opaque random tokens of 256 bits, masked "
          "in the logs."),
        _("Logs and audit entries hold ids and counts, never an address or a name."),
        _("Public links in HTTPS (LICITE_BASE_URL): %(state)s.") % {"state": _yes_no(https)},
        _("Encrypted connection to the mail server (TLS): %(state)s.") % {"state": _yes_no(email_tls)},
        _("Data minimization at import: fields the purpose does not need are refused (RULES B6)."),
    )  # fmt: skip


PARTS: tuple[tuple[str, Any, Builder], ...] = (
    ("register", gettext_lazy("Register of processing activities"), _register),
    ("processors", gettext_lazy("Processors and transfers outside the EU"), _processors),
    ("balancing", gettext_lazy("Balancing tests (legitimate interest)"), _balancing),
    ("notices", gettext_lazy("Information notices, as a person receives them"), _notices),
    ("privacy", gettext_lazy("Privacy policy: the prospecting section"), _privacy),
    ("compliance", gettext_lazy("Compliance check"), _compliance),
    ("rights", gettext_lazy("Rights requests and their deadlines"), _rights),
    ("retention", gettext_lazy("Retention policy and last purges"), _retention),
    ("suppression", gettext_lazy("Suppression list statistics"), _suppression),
    ("consent", gettext_lazy("Consent proofs"), _consent),
    ("audit", gettext_lazy("Audit trail: verification and export"), _audit),
    ("breaches", gettext_lazy("Personal data breach log"), _breaches),
    ("training", gettext_lazy("Staff training records"), _training),
    ("security", gettext_lazy("Security measures"), _security),
)


# --- Verifying ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    files: int  # every file of the ZIP, SHA256SUMS included, as `licite pack` counts them
    problems: tuple[str, ...]
    sha256: str


def verify_pack(path: Path) -> Verification:
    """Check every file of the ZIP against SHA256SUMS, and that no file was added or removed."""
    try:
        with open(path, "rb") as handle:
            sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
        with zipfile.ZipFile(path) as archive:
            return Verification(*_checked(archive), sha256)
    except FileNotFoundError:
        raise PackError(_("no file %(path)s") % {"path": path}) from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackError(
            _("%(path)s is not a readable ZIP (%(error)s)") % {"path": path, "error": type(exc).__name__}
        ) from None


def _checked(archive: zipfile.ZipFile) -> tuple[int, tuple[str, ...]]:
    names = {info.filename for info in archive.infolist() if not info.is_dir()}
    if SUMS not in names:
        return 0, (f"{SUMS} is missing",)
    listed = dict(_parsed_sums(archive.read(SUMS).decode("utf-8", "replace")))
    problems = [f"{name}: not listed in {SUMS}" for name in sorted(names - set(listed) - {SUMS})]
    for name, expected in listed.items():
        if name not in names:
            problems.append(f"{name}: missing")
            continue
        digest = hashlib.sha256()
        with archive.open(name) as member:
            while chunk := member.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != expected:
            problems.append(f"{name}: SHA-256 does not match")
    return len(names), tuple(problems)


def _parsed_sums(text: str) -> Iterator[tuple[str, str]]:
    for line in text.splitlines():
        digest, _sep, name = line.partition("  ")
        yield name.lstrip("*"), digest.lower()


def recorded_at(sha256: str) -> datetime | None:
    """When this installation's audit trail recorded a pack of this SHA-256, if it did."""
    from licite.audit.models import AuditEvent

    events = AuditEvent.objects.filter(action="pack.generated", detail__sha256=sha256)
    event = events.order_by("sequence").first()
    return event.at if event is not None else None


def parse_since(value: str) -> datetime:
    """--since: a day, from its first moment in licite's time zone."""
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        raise PackError(
            _("--since: expected a date as YYYY-MM-DD, got %(value)s") % {"value": repr(value)}
        ) from None
    if start.tzinfo is None:
        start = timezone.make_aware(start)
    if start > timezone.now() + timedelta(days=1):
        raise PackError(_("--since: %(value)s is in the future") % {"value": value})
    return start
