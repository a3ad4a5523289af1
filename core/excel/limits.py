"""Limits on uploaded workbooks, read from settings so a deployment can change them.

The lead declares them in settings.py; the defaults here hold until then. Each limit is checked before
the rows are read (size, compressed entries, the sheet's declared dimension) and again while reading.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Limits:
    max_bytes: int  # the uploaded file
    max_rows: int  # data rows per sheet
    max_uncompressed_bytes: int  # all entries of the .xlsx (a zip) once inflated
    max_ratio: int  # inflated ÷ compressed size of one entry: a zip bomb compresses far better than XML
    max_errors: int  # errors kept and reported; past it the list says it stops there
    async_rows: int  # larger imports run as a background job with progress

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            max_bytes=getattr(settings, "ROSTER_MAX_BYTES", 50 * 1024 * 1024),
            max_rows=getattr(settings, "ROSTER_MAX_ROWS", 200_000),
            max_uncompressed_bytes=getattr(settings, "ROSTER_MAX_UNCOMPRESSED_BYTES", 1024 * 1024 * 1024),
            max_ratio=getattr(settings, "ROSTER_MAX_COMPRESSION_RATIO", 200),
            max_errors=getattr(settings, "ROSTER_MAX_ERRORS", 5_000),
            async_rows=getattr(settings, "ROSTER_ASYNC_ROWS", 2_000),
        )
