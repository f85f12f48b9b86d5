"""Domain errors: what a service tells a person when it refuses input. They are plain
exceptions, not Django's ``CommandError`` — the services serve pages, the API and background
jobs as well as the command line; the commands translate them (:mod:`cchc.core.commands`).

One file reader for every import: :func:`read_bytes` / :func:`read_text` give one translated
"file not found" and "not UTF-8 text" message."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _


class DomainError(Exception):
    """An error a person reads: a translated message and, for imports, the list of
    ``line N, column X: reason`` items it stands for."""

    def __init__(self, message: str, items: list[str] | None = None):
        self.items = list(items or [])
        super().__init__(message)


class InputFileError(DomainError):
    """A file that cannot be read at all: missing, not UTF-8, not the format it claims."""


def file_not_found(path: str | Path) -> InputFileError:
    return InputFileError(_("%(path)s: không tìm thấy tệp") % {"path": path})


def not_utf8(path: str | Path, exc: UnicodeDecodeError) -> InputFileError:
    return InputFileError(
        _("%(path)s: tệp không phải văn bản UTF-8 (byte %(at)s)") % {"path": path, "at": exc.start}
    )


def read_bytes(path: str | Path) -> bytes:
    """The bytes of an input file; a missing file (or a folder) is :class:`InputFileError`."""
    p = Path(path)
    try:
        return p.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise file_not_found(path) from None


def require_file(path: str | Path) -> Path:
    """``path`` as a Path if it is a readable file, else :class:`InputFileError`."""
    p = Path(path)
    if not p.is_file():
        raise file_not_found(path)
    return p


def read_text(path: str | Path, encoding: str = "utf-8-sig") -> str:
    """The text of an input file (UTF-8, a BOM allowed); missing or not UTF-8 is
    :class:`InputFileError`."""
    data = read_bytes(path)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
