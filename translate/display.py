"""Names and messages as they are safe to show: one line, no control characters."""

from __future__ import annotations

import os


def display_name(path: os.PathLike | str | bytes) -> str:
    """A file name as it is safe to print on a terminal.

    A name of printable characters is shown as it is. Any other name is quoted, with its
    control and invisible characters escaped (\\n, \\x1b, \\u202e), and each byte that is not
    UTF-8 as \\xNN, so that no name can break a line, forge one, or send escape sequences.
    """
    text = os.fsdecode(path)
    if text.isprintable():
        return text
    return "'" + "".join("\\" + ch if ch in "\\'" else _escape(ch) for ch in text) + "'"


def utf8_name(name: str) -> str:
    """A file name as valid UTF-8 text: bytes that are not UTF-8 become \\xNN (for files
    such as outputs, which must be UTF-8 whatever the name)."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def one_line(message: str) -> str:
    """`message` with every non-printable character escaped, so it stays one line."""
    return message if message.isprintable() else "".join(_escape(ch) for ch in message)


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8 (Python's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if ch.isprintable():
        return ch
    if ch in "\n\t\r":
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
