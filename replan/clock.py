"""Time, once for every domain: the current UTC time and its ISO 8601 form with the zone."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time in UTC, zone-aware."""
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """Return the time with its zone: SQLite hands back naive UTC times."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso(moment: datetime | None) -> str | None:
    """Return a time in ISO 8601 with its zone."""
    moment = aware(moment)
    return None if moment is None else moment.isoformat()
