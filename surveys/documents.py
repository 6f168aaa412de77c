"""Documents residents can download from a consultation's page: which files are accepted.

The type comes from the file's name and is checked against the file's first bytes, so a page
of HTML renamed to ``.pdf`` is refused rather than served. Functions take a Session and never
commit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy.orm import Session

from surveys.errors import SurveyError
from surveys.models import Consultation, Document

MAX_BYTES = 10 * 1024 * 1024
ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # Word 97-2003 and Excel 97-2003
TEXT = ()  # checked by decoding instead


@dataclass(frozen=True)
class Kind:
    content_type: str
    label: str  # as GOV.UK writes it in an attachment's link text
    magic: tuple[bytes, ...]


KINDS = {
    "pdf": Kind("application/pdf", "PDF", (b"%PDF-",)),
    "doc": Kind("application/msword", "MS Word Document", OLE),
    "docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "MS Word Document",
        ZIP,
    ),
    "odt": Kind("application/vnd.oasis.opendocument.text", "ODT", ZIP),
    "xls": Kind("application/vnd.ms-excel", "MS Excel Spreadsheet", OLE),
    "xlsx": Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "MS Excel Spreadsheet",
        ZIP,
    ),
    "ods": Kind("application/vnd.oasis.opendocument.spreadsheet", "ODS", ZIP),
    "csv": Kind("text/csv", "CSV", TEXT),
    "txt": Kind("text/plain", "Plain text", TEXT),
    "png": Kind("image/png", "PNG image", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": Kind("image/jpeg", "JPEG image", (b"\xff\xd8\xff",)),
    "jpeg": Kind("image/jpeg", "JPEG image", (b"\xff\xd8\xff",)),
    "gif": Kind("image/gif", "GIF image", (b"GIF87a", b"GIF89a")),
}
LABELS = {k.content_type: k.label for k in KINDS.values()}
WRONG_TYPE = (
    "The selected file must be a PDF, Word or OpenDocument text, spreadsheet, CSV, text file "
    "or image (PNG, JPEG or GIF)"
)


def safe_filename(name: str) -> str:
    """The file's own name without folders or characters that upset a download header."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._ -]+", "", ascii_name).strip(" .")
    return cleaned[-200:] or "document"


def check_file(filename: str, data: bytes) -> Kind:
    """The kind of an uploaded file, or a SurveyError in the words of the GOV.UK pattern."""
    if not data:
        raise SurveyError("The selected file is empty")
    if len(data) > MAX_BYTES:
        raise SurveyError(f"The selected file must be smaller than {MAX_BYTES // 1024**2} MB")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    kind = KINDS.get(extension)
    if kind is None:
        raise SurveyError(WRONG_TYPE)
    if kind.magic:
        if not data.startswith(kind.magic):
            raise SurveyError(f"The selected file is not a real {kind.label} file")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SurveyError(
                f"The selected file is not a {kind.label} file: save it as UTF-8 text"
            ) from None
        if "\x00" in text:
            raise SurveyError(f"The selected file is not a real {kind.label} file")
    return kind


def add_document(
    session: Session, consultation: Consultation, *, title: str, filename: str, data: bytes
) -> Document:
    kind = check_file(filename, data)
    document = Document(
        title=title.strip(),
        filename=safe_filename(filename),
        content_type=kind.content_type,
        size=len(data),
        data=data,
    )
    consultation.documents.append(document)
    session.flush()
    return document


def remove_document(session: Session, consultation: Consultation, document: Document) -> None:
    consultation.documents.remove(document)
    session.flush()


def describe(document: Document) -> str:
    """``PDF, 1.2 MB``: the type and size GOV.UK puts in an attachment's link."""
    return f"{LABELS.get(document.content_type, 'File')}, {human_size(document.size)}"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024**2:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024**2:.1f} MB"
