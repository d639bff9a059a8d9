"""The one error every route raises: LibreTranslate's shape, `{"error": "..."}` with a status."""

from __future__ import annotations


class ApiError(Exception):
    """An answer other than success: its HTTP status, its message, any extra headers
    (e.g. Retry-After with 429). app.py turns it into `{"error": message}`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
