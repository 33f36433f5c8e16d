from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db.models import Count
from django.utils import timezone
from rich.table import Table

from licite.audit.actions import record
from licite.campaigns.actions import do_create_campaign, do_queue_campaign, preview_campaign
from licite.campaigns.models import Campaign
from licite.campaigns.notices import NoticeUnavailable
from licite.campaigns.rendering import new_token, render_campaign_message
from licite.lib.commands import LiciteCommand, describe_validation_error
from licite.prospects.models import Audience, Prospect


class Command(LiciteCommand):
    help = (
        "Create, preview, send and follow campaigns, only to the prospects the law allows (RULES C-E).\n\n"
        "Eligibility is decided per message: not suppressed, consent proved for consumers, a job that "
        "relates to the offer for professionals, within retention. `send` renders every message into the "
        "outbox; `licite worker` sends them, checking each again at send time."
    )
    example = (
        'licite campaign create "Audit achats 2026" --purpose "Prospecting purchasing managers" '
        '--offer "A purchasing audit" --functions "achats,procurement,acheteur" '
        '--subject-fr "Votre audit achats" --subject-en "Your purchasing audit" '
        "--body-fr body-fr.txt --body-en body-en.txt"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,preview,send,status}")
        create = actions.add_parser("create", help="Declare a campaign")
        create.add_argument("name")
        create.add_argument("--purpose", required=True)
        create.add_argument("--offer", required=True, help="What the message offers, in a sentence")
        create.add_argument("--audience", choices=Audience.values, default=Audience.B2B)
        create.add_argument(
            "--functions",
            default="",
            help="Comma-separated professions or functions the offer concerns (RULES C3)",
        )
        for language in ("fr", "en"):
            create.add_argument(f"--subject-{language}", required=True)
            create.add_argument(
                f"--body-{language}", required=True, type=Path, help="A text file: the message"
            )
        create.add_argument("--link", default="", help="The offer's web page (clicks are recorded)")
        for name, text in (
            ("preview", "Eligible and excluded counts, and one rendered message"),
            ("send", "Render the messages into the outbox and queue them"),
            ("status", "Where the campaign's messages stand"),
        ):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        self.out = self.console()
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        bodies = {lang: _read(options[f"body_{lang}"]) for lang in ("fr", "en")}
        functions = [part.strip() for part in options["functions"].split(",") if part.strip()]
        try:
            campaign = do_create_campaign(
                None, name=options["name"], purpose=options["purpose"], offer=options["offer"],
                audience=options["audience"], functions=functions, subject_fr=options["subject_fr"],
                subject_en=options["subject_en"], body_fr=bodies["fr"], body_en=bodies["en"],
                link_url=options["link"],
            )  # fmt: skip
        except ValidationError as exc:
            raise CommandError(describe_validation_error(exc)) from None
        self.stdout.write(
            f"Campaign created: {campaign.name} ({campaign.audience}, functions: "
            f"{', '.join(campaign.functions) or 'none'})"
        )

    def _preview(self, options: dict[str, Any]) -> None:
        campaign = _get(options["name"])
        preview = preview_campaign(campaign, timezone.now())
        table = Table("", "prospects", title=f"Campaign {campaign.name}")
        for label, count in preview.counts.items():
            if count or label == "eligible":
                table.add_row(label.replace("_", " "), f"{count:,}")
        self.out.print(table)
        if not preview.eligible:
            return
        prospect = Prospect.objects.get(pk=preview.eligible[0])
        try:
            rendered = render_campaign_message(
                prospect, campaign, new_token(), prospect.notice_sent_at is None
            )
        except NoticeUnavailable as exc:
            raise CommandError(str(exc)) from None
        record(None, "prospect.viewed", prospect, via="cli campaign preview")
        self.stdout.write(
            f"\n--- one message ({rendered.language}) ---\nSubject: {rendered.subject}\n\n{rendered.text}"
        )

    def _send(self, options: dict[str, Any]) -> None:
        campaign = _get(options["name"])
        try:
            queued = do_queue_campaign(None, campaign)
        except NoticeUnavailable as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{queued:,} messages queued in the outbox; `licite worker` sends them.")

    def _status(self, options: dict[str, Any]) -> None:
        campaign = _get(options["name"])
        table = Table("status", "reason", "messages", title=f"Campaign {campaign.name}: {campaign.status}")
        rows = campaign.messages.values("status", "status_reason").annotate(n=Count("id")).order_by("status")
        for row in rows:
            table.add_row(row["status"], row["status_reason"] or "-", f"{row['n']:,}")
        self.out.print(table)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read it as UTF-8 text ({exc})") from None


def _get(name: str) -> Campaign:
    campaign = Campaign.objects.filter(name=name).first()
    if campaign is None:
        raise CommandError(f"no campaign named {name!r}")
    return campaign
