from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from rich.table import Table

from licite.audit.actions import record
from licite.campaigns.actions import (
    STUCK_AFTER,
    CampaignNotSendable,
    Preview,
    campaign_feedback,
    campaign_status,
    day_and_time,
    do_create_campaign,
    do_queue_campaign,
    do_settle_stuck,
    preview_campaign,
)
from licite.campaigns.models import Campaign
from licite.campaigns.notices import NoticeUnavailable
from licite.campaigns.rendering import new_token, render_campaign_message
from licite.core.permissions import Perm
from licite.lib.commands import LiciteCommand, describe_validation_error
from licite.prospects.models import Audience, Prospect


class Command(LiciteCommand):
    permission = {
        "create": Perm.CREATE_CAMPAIGNS,
        "preview": Perm.VIEW_PROSPECTS,  # reads, as the campaign pages
        "status": Perm.VIEW_PROSPECTS,
        "send": Perm.SEND_CAMPAIGNS,
        "settle": Perm.SEND_CAMPAIGNS,
    }  # RULES F5: what `--as USER` must be allowed
    help = (
        "Create, preview, send and follow campaigns, only to the prospects the law allows (RULES C-E).\n\n"
        "Eligibility is decided per message: not suppressed, consent proved for consumers, a job that "
        "relates to the offer for professionals, within retention. `send` renders every message into the "
        "outbox; `licite worker` sends them, checking each again at send time. A campaign is sent once. "
        "`status` also reports the messages a stopped worker left 'sending'; `settle` queues again those "
        "never handed to the mail server and marks the others failed (never sent twice)."
    )
    example = (
        'licite campaign create "Audit achats 2026" --purpose "Prospecting purchasing managers" '
        '--offer "A purchasing audit" --functions achat,procurement '
        '--subject-fr "Votre audit achats" --subject-en "Your purchasing audit" '
        "--body-fr examples/body-fr.txt --body-en examples/body-en.txt"
    )
    examples = {
        "create": example,
        "preview": 'licite campaign preview "Audit achats 2026"',
        "send": 'licite campaign send "Audit achats 2026"',
        "status": 'licite campaign status "Audit achats 2026"',
        "settle": 'licite campaign settle "Audit achats 2026"',
    }

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{create,preview,send,status,settle}"
        )
        create = actions.add_parser("create", help="Declare a campaign")
        create.add_argument("name", help="The campaign's name, which the other subcommands take")
        create.add_argument("--purpose", required=True, help="Why the prospects are contacted, in a sentence")
        create.add_argument("--offer", required=True, help="What the message offers, in a sentence")
        create.add_argument(
            "--audience", choices=Audience.values, default=Audience.B2B,
            help="b2b: professionals (the default); b2c: consumers, who need consent",
        )  # fmt: skip
        create.add_argument(
            "--functions",
            default="",
            help=(
                "Comma-separated functions the offer concerns (RULES C3): a function of licite's table "
                "(purchasing, sales, marketing, hr, finance, it, legal, management...) or a word of job "
                "titles (achat), which reaches the titles sharing its stem and, if it is a title of the "
                "table, every title of its function"
            ),
        )
        for language in ("fr", "en"):
            create.add_argument(f"--subject-{language}", required=True, help="The message's subject")
            create.add_argument(
                f"--body-{language}", required=True, type=Path, help="A text file: the message"
            )
        create.add_argument("--link", default="", help="The offer's web page (clicks are recorded)")
        for name, text in (
            ("preview", "Eligible and excluded counts, and one rendered message"),
            ("send", "Render the messages into the outbox and queue them"),
            ("status", "Where the campaign's messages stand, and those a stopped worker left"),
            (
                "settle",
                "Settle what a stopped worker left 'sending': queued again or failed, never sent twice",
            ),
        ):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("name", help="The campaign's name")

    def handle(self, *args: Any, **options: Any) -> None:
        self.out = self.console()
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        bodies = {lang: _read(options[f"body_{lang}"]) for lang in ("fr", "en")}
        functions = [part.strip() for part in options["functions"].split(",") if part.strip()]
        try:
            campaign = do_create_campaign(
                self.actor, name=options["name"], purpose=options["purpose"], offer=options["offer"],
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
        self._excluded_titles(preview)
        if not preview.eligible:
            return
        prospect = Prospect.objects.get(pk=preview.eligible[0])
        try:
            rendered = render_campaign_message(
                prospect, campaign, new_token(), prospect.notice_sent_at is None
            )
        except NoticeUnavailable as exc:
            raise CommandError(str(exc)) from None
        record(self.actor, "prospect.viewed", prospect, via="cli campaign preview")
        self.stdout.write(
            f"\n--- one message ({rendered.language}) ---\nSubject: {rendered.subject}\n\n{rendered.text}"
        )

    def _send(self, options: dict[str, Any]) -> None:
        campaign = _get(options["name"])
        try:
            queued = do_queue_campaign(self.actor, campaign)
        except (NoticeUnavailable, CampaignNotSendable) as exc:
            raise CommandError(str(exc)) from None
        if not queued:
            raise CommandError(
                f"Campaign {campaign.name}: no prospect is eligible, nothing queued; it stays a draft. "
                f"`licite campaign preview {campaign.name}` says why each prospect is excluded."
            )
        self.stdout.write(f"{queued:,} messages queued in the outbox; `licite worker` sends them.")

    def _status(self, options: dict[str, Any]) -> None:
        campaign = _get(options["name"])
        status = campaign_status(campaign)
        title = f"Campaign {campaign.name}: {status.status}"
        if status.status == "sent":
            title += f" on {day_and_time(status.sent_on)}"
        table = Table("status", "reason", "messages", title=title)
        for state, reason, count in status.counts:
            table.add_row(state, reason or "-", f"{count:,}")
        self.out.print(table)
        feedback = campaign_feedback(campaign)
        if feedback:  # RULES G3: what came back, each now on the suppression list
            answers = ", ".join(f"{reason}: {count:,}" for reason, count in feedback.items())
            self.stdout.write(f"Since it was sent, on the suppression list: {answers}.")
        if status.stuck:
            minutes = int(STUCK_AFTER.total_seconds() // 60)
            self.stdout.write(
                f"{status.stuck:,} messages were being sent when a worker stopped (claimed more than "
                f"{minutes} minutes ago). Those never handed to the mail server go out with the next "
                "worker; those handed over may or may not have gone out, and licite never sends a "
                "message twice, so they stay unsent. Your mail server's or provider's log tells which "
                "went out (header X-Licite-Message: the message's number). Run `licite campaign settle "
                f"{campaign.name}` to settle them now; the failed ones' prospects keep no notice date, "
                "so their next message carries the notice again (docs/operations.md)."
            )

    def _settle(self, options: dict[str, Any]) -> None:
        campaign = _get(options["name"])
        settled = do_settle_stuck(self.actor, campaign)
        if not (settled.failed or settled.requeued or settled.cancelled):
            self.stdout.write(f"Campaign {campaign.name}: no message was left 'sending' by a stopped worker.")
            return
        campaign.refresh_from_db(fields=["status"])
        if settled.requeued:  # never handed to the mail server: provably never sent (docs/operations.md)
            self.stdout.write(
                f"{_messages(settled.requeued)} never reached the mail server: "
                "queued again for `licite worker`."
            )
        if settled.cancelled:
            self.stdout.write(
                f"{_messages(settled.cancelled)} cancelled (worker_stopped): "
                "claimed too many times, never sent."
            )
        self.stdout.write(
            f"{settled.failed:,} messages marked failed (worker_stopped), never to be sent again; "
            f"campaign {campaign.name}: {campaign.status}."
        )

    def _excluded_titles(self, preview: Preview) -> None:
        """RULES C3: why each job title was refused, grouped by reason, titles with their counts."""
        reasons = dict.fromkeys(group.why for group in preview.titles)
        for why in reasons:
            groups = [group for group in preview.titles if group.why == why]
            total = sum(group.count for group in groups)
            self.stdout.write(f"\n{total:,} excluded for their job title: {why} (RULES C3)")
            table = Table("job title", "prospects")
            for group in groups[:SHOWN_TITLES]:
                table.add_row(group.title or "(none)", f"{group.count:,}")
            if len(groups) > SHOWN_TITLES:
                rest = groups[SHOWN_TITLES:]
                table.add_row(f"... {len(rest):,} other titles", f"{sum(g.count for g in rest):,}")
            self.out.print(table)


SHOWN_TITLES = 20  # the most frequent excluded titles a preview lists, for each reason


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


def _messages(count: int) -> str:
    return f"{count:,} message" + ("" if count == 1 else "s")
