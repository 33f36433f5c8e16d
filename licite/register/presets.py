"""The four activities every installation of licite runs, written once into the register by
`licite init` (and the demo), then the DPO's to edit (RULES H1).

- B2B prospecting rests on legitimate interest (RULES C3, C4), with the interest pursued.
- B2C prospecting rests on consent (RULES C1, C2, G5).
- The suppression list rests on a legal obligation (art. 6.1.c). GDPR art. 21.3 and CPCE
  L34-5 oblige the controller to stop prospecting whoever objects, for good; a later import of
  the same address from another source would start again unless the objection is remembered, so
  keeping the keyed hash is what the obligation itself requires (RULES F4, G4), and the CNIL asks
  for it to be kept at least 3 years. Legitimate interest would be the weaker choice: it would
  open a right to object to the very list that records the objection (art. 21.1 applies to
  6.1.e and f only), and its balancing test would weigh nothing that the law has not already
  decided. The list serves nothing else (RULES F4).
- Rights requests handling rests on a legal obligation (art. 6.1.c: arts. 12 to 22).

"Written once": an activity carries its preset key, and each preset written leaves an audit
entry; a preset already written, even one the DPO later deleted, is never written again, and an
existing activity is never overwritten. An activity of the same name that predates the presets
(an older demo's) takes the key instead of gaining a twin.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from licite.accounts.models import Organisation
from licite.audit.actions import record
from licite.audit.models import AuditEvent
from licite.register.models import ProcessingActivity, RegisterBasis

B2B = "b2b_prospecting"
B2C = "b2c_prospecting"
SUPPRESSION = "suppression_list"
RIGHTS = "rights_requests"
WRITTEN = "register.preset_written"

_PROSPECT_RETENTION = {
    "fr": "3 ans à compter de la collecte ou du dernier contact venu du prospect (réponse, clic) ; "
    "une ouverture de message n'est pas un contact.",
    "en": "3 years from collection or from the last contact initiated by the prospect (a reply, a "
    "click); an email open is not a contact.",
}
_CONSENT_RETENTION = {
    "fr": "Jusqu'au retrait du consentement, et au plus 3 ans après le dernier contact venu de la "
    "personne ; sans consentement dans le délai demandé, les données sont effacées.",
    "en": "Until consent is withdrawn, and at most 3 years after the last contact initiated by the "
    "person; without consent within the delay asked, the data is erased.",
}
_NO_TRANSFER = {"fr": "Aucun", "en": "None"}
_SALES = {"fr": "Équipes commerciale et marketing", "en": "Sales and marketing teams"}
_PROCESSORS = {
    "fr": "Nos sous-traitants techniques (envoi des messages, hébergement), liés par contrat",
    "en": "Our technical processors (email delivery, hosting), bound by contract",
}


def _security() -> list[dict[str, str]]:
    """What licite itself does, as the CNIL template's security measures (RULES F4, F5)."""
    rows = {
        "access_control": (
            "Comptes nominatifs ; seuls les rôles commercial, marketing et communication voient les "
            "prospects ; verrouillage après des échecs de connexion ; double authentification.",
            "Named accounts; only the sales, marketing and communication roles see prospects; lockout "
            "after failed logins; two-factor authentication.",
        ),
        "traceability": (
            "Journal d'audit chaîné (empreintes SHA-256) : chaque lecture, import, export et "
            "modification, sans donnée personnelle dans le journal.",
            "Chained audit trail (SHA-256): every read, import, export and change, with no personal "
            "data in the trail.",
        ),
        "software_protection": (
            "Mises à jour de sécurité de licite et de ses dépendances ; en-têtes de sécurité HTTP.",
            "Security updates of licite and its dependencies; HTTP security headers.",
        ),
        "backup": (
            "Sauvegarde régulière de la base, chiffrée, dont la restauration est testée.",
            "Regular encrypted backups of the database, whose restore is tested.",
        ),
        "encryption": (
            "HTTPS ; la liste repoussoir ne garde qu'une empreinte HMAC-SHA256 à clé secrète des adresses.",
            "HTTPS; the suppression list keeps only a keyed HMAC-SHA256 hash of the addresses.",
        ),
        "processor_control": (
            "Contrat article 28 avec chaque sous-traitant, recensé dans licite avec son pays et ses "
            "garanties.",
            "An Art. 28 contract with each processor, listed in licite with its country and safeguards.",
        ),
    }
    return [{"category": key, "details_fr": fr, "details_en": en} for key, (fr, en) in rows.items()]


def _row(category: str, fr: str, en: str, retention: dict[str, str]) -> dict[str, str]:
    return {
        "category": category, "description_fr": fr, "description_en": en,
        "retention_fr": retention["fr"], "retention_en": retention["en"],
    }  # fmt: skip


def _recipients(internal: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"category": "internal_service", "details_fr": internal["fr"], "details_en": internal["en"]},
        {"category": "processors", "details_fr": _PROCESSORS["fr"], "details_en": _PROCESSORS["en"]},
    ]


def _b2b() -> dict[str, Any]:
    return {
        "reference": "RT-01",
        "name": {
            "fr": "Prospection commerciale B2B par courrier électronique",
            "en": "B2B email prospecting",
        },
        "purpose_fr": "Prospecter par courrier électronique des professionnels, à leur adresse "
        "professionnelle, pour leur présenter nos produits et services en rapport avec leur fonction.",
        "purpose_en": "Prospecting professionals by email, at their work address, to present our "
        "products and services related to their job.",
        "sub_purposes_fr": [
            "Constituer le fichier de prospects à partir de sources identifiées et licites",
            "Informer chaque personne au plus tard un mois après la collecte (article 14 du RGPD)",
            "Envoyer les messages de prospection et suivre les réponses",
            "Prendre en compte sans délai les oppositions et désinscriptions",
            "Effacer les données à la fin de leur durée de conservation",
        ],
        "sub_purposes_en": [
            "Building the prospect file from identified, lawful sources",
            "Informing each person within one month of collection (GDPR art. 14)",
            "Sending prospecting messages and following up the replies",
            "Honouring objections and unsubscriptions at once",
            "Erasing the data at the end of its retention period",
        ],
        "legal_basis": RegisterBasis.LEGITIMATE_INTEREST,
        "legal_basis_justification_fr": "La prospection "
        "d'un professionnel à son adresse nominative est admise sans consentement préalable si le "
        "message est en rapport avec sa fonction, s'il a été informé et peut s'opposer simplement "
        "et gratuitement (article L34-5 du CPCE ; CNIL). Une mise en balance écrite est tenue pour "
        "chaque source.",
        "legal_basis_justification_en": "Prospecting a "
        "professional at their nominative work address is allowed without prior consent if the "
        "message relates to their job, and they were informed and can object simply and for free "
        "(CPCE L34-5; CNIL). A written balancing test is kept for each source.",
        "interest_pursued_fr": "Développer notre activité auprès d'entreprises dont les équipes "
        "peuvent avoir besoin de nos produits et services.",
        "interest_pursued_en": "Developing our business with companies whose staff may need our "
        "products and services.",
        "person_categories": ["prospects"],
        "data_subjects": {
            "fr": "Professionnels contactés à leur adresse électronique professionnelle nominative.",
            "en": "Professionals contacted at their nominative work email address.",
        },
        "data_categories": [
            _row(
                "identity",
                "Prénom, nom, adresse électronique professionnelle.",
                "First name, last name, work email address.",
                _PROSPECT_RETENTION,
            ),
            _row(
                "professional_life",
                "Fonction, entreprise et son domaine, pays ; téléphone "
                "professionnel seulement si l'activité le déclare.",
                "Job title, company and its "
                "domain, country; professional phone only if the activity declares it.",
                _PROSPECT_RETENTION,
            ),
            _row(
                "internet",
                "Événements des messages : envoi, rebond, clic, réponse, désinscription.",
                "Message events: sent, bounced, clicked, replied, unsubscribed.",
                _PROSPECT_RETENTION,
            ),
        ],
        "recipients": _recipients(_SALES),
        "retention": _PROSPECT_RETENTION,
    }


def _b2c() -> dict[str, Any]:
    return {
        "reference": "RT-02",
        "name": {
            "fr": "Offres par courrier électronique aux particuliers (consentement)",
            "en": "Email offers to consumers (consent)",
        },
        "purpose_fr": "Envoyer nos offres par courrier électronique aux particuliers qui ont "
        "accepté de les recevoir.",
        "purpose_en": "Sending our offers by email to consumers who agreed to receive them.",
        "sub_purposes_fr": [
            "Demander le consentement par un premier message qui dit qui nous sommes et d'où "
            "viennent les données",
            "Garder la preuve du consentement (date, moyen, texte)",
            "Envoyer les offres aux seules personnes qui ont consenti",
            "Prendre en compte sans délai les retraits du consentement",
        ],
        "sub_purposes_en": [
            "Asking for consent in a first message that says who we are and where the data came from",
            "Keeping the proof of consent (date, means, wording)",
            "Sending offers only to the persons who consented",
            "Honouring consent withdrawals at once",
        ],
        "legal_basis": RegisterBasis.CONSENT,
        "legal_basis_justification_fr": "Article L34-5 du "
        "CPCE : la prospection d'un particulier par courrier électronique exige son accord "
        "préalable, libre, spécifique et éclairé, dont licite garde la preuve.",
        "legal_basis_justification_en": "CPCE L34-5: prospecting a "
        "consumer by email needs their prior, free, specific and informed agreement, whose proof "
        "licite keeps.",
        "person_categories": ["prospects"],
        "data_subjects": {
            "fr": "Particuliers à qui le consentement est demandé, et ceux qui l'ont donné.",
            "en": "Consumers asked for their consent, and those who gave it.",
        },
        "data_categories": [
            _row(
                "identity",
                "Prénom, nom, adresse électronique.",
                "First name, last name, email address.",
                _CONSENT_RETENTION,
            ),
            _row(
                "internet",
                "Preuve du consentement (date, canal, version du texte) ; événements des messages.",
                "Proof of consent (date, channel, wording version); message events.",
                _CONSENT_RETENTION,
            ),
        ],
        "recipients": _recipients({"fr": "Équipe marketing", "en": "Marketing team"}),
        "retention": _CONSENT_RETENTION,
    }


def _suppression_retention() -> dict[str, str]:
    """From LICITE_SUPPRESSION_KEEP_YEARS, in a public reader's words (the privacy policy quotes it)."""
    years = settings.LICITE_SUPPRESSION_KEEP_YEARS
    if years:
        return {
            "fr": f"{years} ans à compter de la dernière opposition.",
            "en": f"{years} years from the latest objection.",
        }
    return {
        "fr": "Tant que nous prospectons, et au moins 3 ans à compter de l'opposition.",
        "en": "As long as we prospect, and at least 3 years from the objection.",
    }


def _suppression() -> dict[str, Any]:
    keep = _suppression_retention()
    return {
        "reference": "RT-03",
        "name": {"fr": "Liste repoussoir (oppositions à la prospection)", "en": "Suppression list"},
        "purpose_fr": "Ne plus jamais prospecter une personne qui s'y est opposée, a retiré son "
        "consentement, dont l'adresse est invalide ou qui n'a pas consenti, même si ses données "
        "sont importées à nouveau.",
        "purpose_en": "Never prospecting again a person who objected, withdrew consent, whose "
        "address is invalid or who did not consent, even if their data is imported again.",
        "legal_basis": RegisterBasis.LEGAL_OBLIGATION,
        "legal_basis_justification_fr": "Les articles "
        "21.3 du RGPD et L34-5 du CPCE imposent de cesser la prospection de la personne qui s'y "
        "oppose ; s'en souvenir est le seul moyen de le faire après un nouvel import. La liste ne "
        "sert à rien d'autre.",
        "legal_basis_justification_en": "GDPR art. 21.3 and "
        "CPCE L34-5 oblige us to stop prospecting whoever objects; remembering it is the only way "
        "to do so after a new import. The list serves nothing else.",
        "person_categories": ["prospects", "customers"],
        "data_subjects": {
            "fr": "Personnes qui se sont opposées, ont retiré leur consentement, n'ont pas consenti, "
            "dont l'adresse a rebondi ou qui ont signalé un message comme indésirable.",
            "en": "Persons who objected, withdrew or did not give consent, whose address bounced or "
            "who reported a message as spam.",
        },
        "data_categories": [
            _row(
                "identity",
                "Empreinte HMAC-SHA256 à clé secrète de l'adresse normalisée ; jamais l'adresse elle-même.",
                "Keyed HMAC-SHA256 hash of the normalized address; never the address itself.",
                keep,
            ),
            _row(
                "other",
                "Motif (opposition, retrait, rebond, plainte, effacement, absence de consentement) et date.",
                "Reason (objection, withdrawal, bounce, complaint, erasure, no consent) and date.",
                keep,
            ),
        ],
        "recipients": [
            {
                "category": "internal_service",
                "details_fr": "Personne ne consulte la liste : elle est vérifiée automatiquement avant "
                "chaque ajout de contacts et chaque envoi.",
                "details_en": "Nobody reads the list: it is checked automatically before contacts are "
                "added and before each sending.",
            }
        ],
        "retention": keep,
    }


def _rights() -> dict[str, Any]:
    answered = {
        "fr": "Durée de la demande, puis 5 ans après la réponse pour en garder la preuve "
        "(prescription civile). L'adresse est effacée dès qu'une demande d'effacement ou "
        "d'opposition est satisfaite.",
        "en": "While the request is open, then 5 years after the answer to prove it (civil "
        "limitation period). The address is erased as soon as an erasure or objection request is "
        "fulfilled.",
    }
    return {
        "reference": "RT-04",
        "name": {"fr": "Gestion des demandes d'exercice des droits", "en": "Rights requests handling"},
        "purpose_fr": "Recevoir les demandes d'accès, de rectification, d'effacement, d'opposition, "
        "de limitation et de portabilité, vérifier l'identité si un doute raisonnable existe, et y "
        "répondre dans le délai d'un mois.",
        "purpose_en": "Receiving requests for access, rectification, erasure, objection, "
        "restriction and portability, checking identity where there is a reasonable doubt, and "
        "answering them within one month.",
        "legal_basis": RegisterBasis.LEGAL_OBLIGATION,
        "legal_basis_justification_fr": "Les articles "
        "12 à 22 du RGPD imposent de répondre aux demandes des personnes dans un délai d'un mois.",
        "legal_basis_justification_en": "GDPR arts. 12 to 22 "
        "oblige us to answer the persons' requests within one month.",
        "person_categories": ["prospects", "other"],
        "data_subjects": {
            "fr": "Personnes qui exercent leurs droits (prospects et toute autre personne).",
            "en": "Persons who exercise their rights (prospects and anyone else).",
        },
        "data_categories": [
            _row(
                "identity",
                "Adresse électronique, nom s'il est donné, manière dont l'identité a "
                "été vérifiée (jamais de copie de pièce d'identité).",
                "Email address, name if given, how identity was checked (never a copy of an ID).",
                answered,
            ),
            _row(
                "other",
                "Type de demande, canal, dates de réception, d'échéance et de réponse.",
                "Kind of request, channel, dates of receipt, due date and answer.",
                answered,
            ),
        ],
        "recipients": [
            {
                "category": "internal_service",
                "details_fr": "Délégué à la protection des données et administrateurs de l'outil de "
                "prospection.",
                "details_en": "The data protection officer and the administrators of the prospecting tool.",
            }
        ],
        "retention": answered,
    }


PRESETS = {B2B: _b2b, B2C: _b2c, SUPPRESSION: _suppression, RIGHTS: _rights}


def build(key: str, language: str) -> ProcessingActivity:
    """The preset `key` as a new activity, its name and details in `language`."""
    spec = PRESETS[key]()
    name, subjects, retention = spec.pop("name"), spec.pop("data_subjects"), spec.pop("retention")
    internal = next(r for r in spec["recipients"] if r["category"] == "internal_service")
    external = _PROCESSORS if any(r["category"] == "processors" for r in spec["recipients"]) else {}
    return ProcessingActivity(
        preset=key, name=name[language], data_subjects=subjects[language],
        retention_fr=retention["fr"], retention_en=retention["en"],
        recipients_internal_fr=internal["details_fr"], recipients_internal_en=internal["details_en"],
        recipients_external_fr=external.get("fr", ""), recipients_external_en=external.get("en", ""),
        transfers_outside_eu_fr=_NO_TRANSFER["fr"], transfers_outside_eu_en=_NO_TRANSFER["en"],
        security_measures=_security(), software="licite", **spec,
    )  # fmt: skip


@transaction.atomic
def do_write_presets(actor: Any) -> list[ProcessingActivity]:
    """Write each preset never written before; return the activities written (RULES H1)."""
    organisation = Organisation.current()
    language = organisation.default_language if organisation else "fr"
    written = []
    for key in PRESETS:
        if AuditEvent.objects.filter(action=WRITTEN, detail__preset=key).exists():
            continue
        if ProcessingActivity.objects.filter(preset=key).exists():
            continue
        activity = build(key, language)
        names = [build(key, other).name for other in ("fr", "en")]
        existing = ProcessingActivity.objects.filter(name__in=names, preset="").first()
        if existing is not None:  # an older demo's activity: it becomes the preset, untouched
            existing.preset = key
            existing.save(update_fields=["preset"])
            activity = existing
        else:
            activity.full_clean()
            activity.save()
        record(actor, WRITTEN, activity, preset=key, adopted=existing is not None)
        written.append(activity)
    return written
