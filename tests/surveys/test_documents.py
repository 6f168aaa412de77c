"""Which uploaded files become downloadable documents."""

from __future__ import annotations

import pytest

from surveys import documents
from surveys.errors import SurveyError

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def test_real_files_of_each_kind_are_accepted():
    assert documents.check_file("plan.pdf", PDF).content_type == "application/pdf"
    assert documents.check_file("data.CSV", b"area,count\nDrumlee,3\n").content_type == "text/csv"
    assert documents.check_file("map.png", b"\x89PNG\r\n\x1a\n....").label == "PNG image"
    assert documents.check_file("plan.docx", b"PK\x03\x04rest").label == "MS Word Document"
    assert documents.check_file("plan.odt", b"PK\x03\x04rest").label == "ODT"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("plan.pdf", b"", "is empty"),
        ("plan.exe", b"MZ\x90\x00", "must be a PDF"),
        ("plan", PDF, "must be a PDF"),
        ("page.html", b"<script>alert(1)</script>", "must be a PDF"),
        ("plan.pdf", b"<html><script>alert(1)</script>", "not a real PDF"),
        ("notes.txt", b"\xff\xfe\x00a\x00b", "UTF-8"),
        ("plan.pdf", PDF + b"0" * documents.MAX_BYTES, "smaller than 10 MB"),
    ],
)
def test_bad_files_are_refused_in_plain_words(name, data, message):
    with pytest.raises(SurveyError, match=message):
        documents.check_file(name, data)


def test_names_and_sizes():
    assert documents.safe_filename("C:\\Users\\me\\Plan 2027 (final).pdf") == "Plan 2027 final.pdf"
    assert documents.safe_filename('../../"evil"\r\n.pdf') == "evil.pdf"
    assert documents.human_size(900) == "900 bytes"
    assert documents.human_size(150_000) == "146 KB"
    assert documents.human_size(3 * 1024 * 1024) == "3.0 MB"
