"""Times the way people read them: ISO UTC, local time, and "expires in 4 min".

Every function takes epoch milliseconds and never raises: a value outside what ``datetime`` can
show comes back as a plain description instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_YEAR_MS = 31_556_952_000  # the mean Gregorian year
_FAR_MS = 100 * _YEAR_MS  # beyond this, "in 4 d 3 h" reads worse than "in about 56,900 years"
_UNITS = (("d", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1_000))


def _datetime(ms: int) -> datetime | None:
    try:
        return datetime.fromtimestamp(ms / 1000, tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def year(ms: int) -> int:
    """The calendar year of an epoch time, also far outside what ``datetime`` can show."""
    dt = _datetime(ms)
    return dt.year if dt is not None else 1970 + int(ms // _YEAR_MS)


def iso_utc(ms: int) -> str:
    """``2023-11-14T22:13:20Z`` (milliseconds shown only when not zero); beyond year 9999,
    ``year 58,912``."""
    dt = _datetime(ms)
    if dt is None:
        return f"year {year(ms):,} ({ms} ms since 1970)"
    spec = "milliseconds" if ms % 1000 else "seconds"
    return dt.isoformat(timespec=spec).replace("+00:00", "Z")


def local(ms: int) -> str:
    """``2023-11-14 23:13:20 CET`` in this machine's time zone."""
    dt = _datetime(ms)
    if dt is None:
        return "out of range"
    try:
        here = dt.astimezone()
    except (OverflowError, ValueError, OSError):
        return "out of range"
    return here.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def duration(ms: int) -> str:
    """A duration in its two largest units: ``1 h 30 min``, ``45 s``, ``250 ms``; beyond a
    century, ``about 56,859 years``."""
    ms = abs(ms)
    if ms >= _FAR_MS:
        return f"about {ms // _YEAR_MS:,} years"
    for i, (unit, size) in enumerate(_UNITS):
        if ms >= size:
            big, rest = divmod(ms, size)
            text = f"{big} {unit}"
            if i + 1 < len(_UNITS) and rest // _UNITS[i + 1][1]:
                text += f" {rest // _UNITS[i + 1][1]} {_UNITS[i + 1][0]}"
            return text
    return f"{ms} ms"


def relative(ms: int, now_ms: int) -> str:
    """``in 4 min``, ``3 h 5 min ago``, ``now`` (within a second), or in years when far off."""
    delta = ms - now_ms
    if abs(delta) < 1000:
        return "now"
    if abs(delta) >= _FAR_MS:
        years = duration(delta)
        return f"in {years} (year {year(ms):,})" if delta > 0 else f"{years} ago"
    return f"in {duration(delta)}" if delta > 0 else f"{duration(delta)} ago"


@dataclass(frozen=True)
class TimeInfo:
    """One point in time of a token, shown three ways."""

    name: str  # the claim or field name: iat, exp, nbf, issued, expires, timestamp
    label: str  # "Issued at", "Expires", ...
    epoch_ms: int
    iso_utc: str
    local: str
    relative: str

    @classmethod
    def at(cls, name: str, label: str, epoch_ms: int, now_ms: int) -> TimeInfo:
        return cls(
            name, label, epoch_ms, iso_utc(epoch_ms), local(epoch_ms), relative(epoch_ms, now_ms)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "epochMs": self.epoch_ms,
            "utc": self.iso_utc,
            "local": self.local,
            "relative": self.relative,
        }
