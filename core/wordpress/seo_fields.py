"""The Yoast and Rank Math fields ContentCraft writes: which a site lets it write, and which a post kept.

Sites drop post meta silently when a key is not registered for the REST API, or when a plugin's
sanitising empties it, so the only proof a field was saved is reading the post back.
"""

from ..i18n import N_, _

SEO_FIELDS = {
    "yoast": ("_yoast_wpseo_title", "_yoast_wpseo_metadesc", "_yoast_wpseo_focuskw"),
    "rank_math": ("rank_math_title", "rank_math_description", "rank_math_focus_keyword"),
}
SEO_NAMESPACES = {"yoast": "yoast/v1", "rank_math": "rankmath/v1"}
FIELD_LABELS = {
    "_yoast_wpseo_title": N_("Yoast SEO title"), "_yoast_wpseo_metadesc": N_("Yoast meta description"),
    "_yoast_wpseo_focuskw": N_("Yoast focus keyphrase"), "rank_math_title": N_("Rank Math title"),
    "rank_math_description": N_("Rank Math description"), "rank_math_focus_keyword": N_("Rank Math focus keyword"),
}


def plugins_in_use(meta_keys: set[str], namespaces: set[str]) -> list[str]:
    """SEO plugins the site runs (REST namespace) or exposes at least one field of."""
    return [plugin for plugin, keys in SEO_FIELDS.items()
            if SEO_NAMESPACES[plugin] in namespaces or any(key in meta_keys for key in keys)]


def unwritable(meta_keys: set[str], namespaces: set[str]) -> list[str]:
    """Fields of the plugins in use that the REST API does not let ContentCraft write."""
    return [key for plugin in plugins_in_use(meta_keys, namespaces) for key in SEO_FIELDS[plugin]
            if key not in meta_keys]


def wanted(values: dict[str, str], meta_keys: set[str], namespaces: set[str]) -> dict[str, str]:
    """The non-empty field values meant for the plugins in use, writable or not."""
    keys = {key for plugin in plugins_in_use(meta_keys, namespaces) for key in SEO_FIELDS[plugin]}
    return {key: value for key, value in values.items() if key in keys and value}


def not_kept(wanted_values: dict[str, str], post: dict) -> list[str]:
    """The fields whose value the post (read back in edit context) does not hold."""
    meta = post.get("meta") or {}
    return [key for key, value in wanted_values.items() if str(meta.get(key) or "") != value]


def describe(keys: list[str]) -> str:
    """'Yoast focus keyphrase (_yoast_wpseo_focuskw), …' for a warning."""
    return ", ".join(f"{_(FIELD_LABELS[key]) if key in FIELD_LABELS else key} ({key})" for key in keys)


def dropped_warning(keys: list[str]) -> list[str]:
    """The warning naming fields a site did not keep (none when keys is empty)."""
    if not keys:
        return []
    return [_("The site did not keep these SEO fields: {fields}. Register them for the REST API (the ContentCraft "
              "connector does) or set them in WordPress.").format(fields=describe(keys))]
