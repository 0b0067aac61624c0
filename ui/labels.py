"""How the dashboard names stored values (tones, roles, statuses, languages) in the current UI language."""

from babel import Locale

from core import i18n
from core.i18n import N_, _

TONES = {"professional": N_("professional"), "friendly": N_("friendly"), "casual": N_("casual"),
         "authoritative": N_("authoritative"), "witty": N_("witty"), "persuasive": N_("persuasive"),
         "informative": N_("informative")}
LENGTHS = {"short": N_("short"), "medium": N_("medium"), "long": N_("long")}
ROLES = {"writer": N_("writer"), "editor": N_("editor"), "admin": N_("admin")}
STATUSES = {"draft": N_("Draft"), "in_review": N_("In review"), "approved": N_("Approved"),
            "rejected": N_("Rejected"), "published": N_("Published")}
JOB_STATUSES = {"queued": N_("queued"), "running": N_("running"), "paused": N_("paused"),
                "cancelled": N_("cancelled"), "finished": N_("finished")}
ROW_STATUSES = {"pending": N_("pending"), "running": N_("running"), "succeeded": N_("succeeded"),
                "needs_review": N_("needs review"), "failed": N_("failed"), "cancelled": N_("cancelled")}
# core.sections' labels, which also go into prompts in English, as the editor's buttons name them
SECTIONS = {name: name for name in (N_("title"), N_("excerpt"), N_("SEO title and meta description"),
                                    N_("article body"), N_("product title"), N_("short description"),
                                    N_("long description"), N_("feature bullets"), N_("image alt text"))}
VOCABULARY = {"simple": N_("simple"), "moderate": N_("moderate"), "advanced": N_("advanced")}


def label(table: dict[str, str], value: str) -> str:
    """The translated label of value in one of the tables above (the value itself when it has none)."""
    return _(table[value]) if value in table else value


def tone(value: str) -> str:
    """A tone as shown in the current language."""
    return label(TONES, value)


def role(value: str) -> str:
    """A role as shown in the current language."""
    return label(ROLES, value)


def status(value: str) -> str:
    """An item's workflow status as shown in the current language."""
    return label(STATUSES, value)


def language_name(code: str) -> str:
    """A content language's name in the current UI language, from CLDR via Babel ("Persian", "persisch")."""
    return _capital(i18n.language_name(code)) if code else code


def own_name(code: str) -> str:
    """A UI language in its own script and language ("فارسی", "Deutsch"), for the language switch."""
    return _capital(Locale.parse(code).display_name)


def _capital(name: str) -> str:
    return name[:1].upper() + name[1:]
