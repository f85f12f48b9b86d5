"""Uploads of import files: one size cap (``settings.CCHC_MAX_UPLOAD_BYTES``) for every page.

:class:`SizeCapUploadHandler` stops reading a request whose body is above the cap (nothing is
written to disk) and marks the request; :func:`upload_problem` gives the translated message a
page shows for a missing, oversize or wrongly named file."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _

from cchc.core.importing import too_large_message


class SizeCapUploadHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: a request body above the cap is not read at all."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > settings.CCHC_MAX_UPLOAD_BYTES + 64 * 1024:
            self.request.upload_too_large = content_length
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.CCHC_MAX_UPLOAD_BYTES:
            self.request.upload_too_large = start + len(raw_data)
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_problem(
    request, upload, suffixes: set[str] | None = None, max_bytes: int | None = None
) -> str | None:
    """What is wrong with ``upload`` (translated), or None when it may be imported."""
    limit = max_bytes or settings.CCHC_MAX_UPLOAD_BYTES
    too_large = getattr(request, "upload_too_large", None)
    if too_large:
        return _("Không nhận tệp: %(why)s.") % {"why": too_large_message(too_large, limit)}
    if upload is None:
        return _("Chưa chọn tệp.")
    if suffixes and Path(upload.name).suffix.lower() not in suffixes:
        return _("Loại tệp không được hỗ trợ (cần %(kinds)s).") % {"kinds": ", ".join(sorted(suffixes))}
    if upload.size > limit:
        return _("Không nhận tệp: %(why)s.") % {"why": too_large_message(upload.size, limit)}
    return None
