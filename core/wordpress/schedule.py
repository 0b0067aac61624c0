"""Scheduled posts in the site's own time zone, as WordPress' editor does it.

A time without an offset is the site's local time: its `timezone_string` (an IANA zone, with DST) or,
when the site is set to a fixed offset, its `gmt_offset`, both read from the REST API index.
WordPress gets `date_gmt`, so no one has to guess which zone a bare time was in.
"""

from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import ValidationFailedError
from ..i18n import _


def site_zone(index: dict) -> tuple[tzinfo, str]:
    """The site's time zone and its name (e.g. "Asia/Tehran", "UTC+5:30") from the REST index."""
    name = str(index.get("timezone_string") or "")
    if name:
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        offset = float(index.get("gmt_offset") or 0)
    except (TypeError, ValueError):
        offset = 0.0
    if not offset:
        return timezone.utc, "UTC"
    hours, minutes = divmod(round(abs(offset) * 60), 60)
    label = f"UTC{'+' if offset > 0 else '-'}{hours}" + (f":{minutes:02d}" if minutes else "")
    return timezone(timedelta(hours=offset), label), label


def in_site_time(when: datetime, zone: tzinfo, zone_name: str) -> datetime:
    """An aware datetime: `when` as is if it has an offset, else read as the site's local time.

    ValidationFailedError for a local time the site's clocks skip (the hour lost when DST starts).
    """
    if when.tzinfo is not None:
        return when
    local = when.replace(tzinfo=zone)
    if local.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != when:
        raise ValidationFailedError(_("{when:%Y-%m-%d %H:%M} does not exist in the site's time zone ({zone_name}): "
                                      "the clocks go forward then. Pick another time.")
                                    .format(when=when, zone_name=zone_name))
    return local


def date_gmt(when: datetime) -> str:
    """The `date_gmt` field WordPress expects: UTC, no offset, to the second."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
