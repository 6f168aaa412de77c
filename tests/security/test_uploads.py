"""Every upload: a file of the wrong type, or too big, gets a plain-English message (never the
framework's "Request Entity Too Large"), and an uploaded file is only ever served as a download
of its own checked type, never as a page (Content-Type, attachment, nosniff).

The uploads: consultation documents (served to residents), response imports, population
figures, codebook files and scorecard nominations (read, never served back).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from surveys import definitions
from surveys.documents import KINDS, MAX_BYTES
from tests import factories

PDF = b"%PDF-1.4\n" + b"0" * 100
HTML = b"<!DOCTYPE html><html><body><script>alert('xss-upload')</script></body></html>"
FRAMEWORK = "Request Entity Too Large"


def post_file(client, url, data: bytes, filename: str, **fields):
    """A multipart form built by hand: the test client spools a large upload to a temporary
    file it never closes."""
    parts = [
        f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--b\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    body = b"".join(parts) + b"--b--\r\n"
    return client.post(url, data=body, content_type="multipart/form-data; boundary=b")


@pytest.fixture
def officer(db):
    return factories.user("officer")


@pytest.fixture
def scorecard(db, officer):
    return definitions.build(
        db,
        definitions.available()["partnership-scorecard"],
        organisation_id=officer.organisation_id,
        title="Partnership Assessment Scorecard 2025",
        partners=["Craigmuir Council", "NHS Craigmuir"],
        closes_at=datetime(2025, 6, 30, tzinfo=UTC),
    )


def routes(item, scorecard):
    """(name, url, extra form fields, a good file name) for every upload."""
    return [
        ("documents", f"/manage/{item.id}/documents", {"title": "Plan"}, "plan.pdf"),
        ("responses", f"/manage/{item.id}/responses/import", {}, "responses.csv"),
        ("population", "/population/import", {}, "figures.csv"),
        ("codebook", "/codebooks/upload", {"name": "Priorities"}, "codebook.json"),
        ("nominations", f"/scorecard/{scorecard.id}/nominations/file", {}, "nominated.csv"),
    ]


def plain(response) -> str:
    text = response.get_data(as_text=True)
    assert FRAMEWORK not in text
    assert "<title>" in text  # our layout, not a bare framework page
    return text


@pytest.mark.parametrize(
    "route", ["documents", "responses", "population", "codebook", "nominations"]
)
def test_a_page_of_html_or_a_program_is_refused_in_plain_english(
    client, auth, db, officer, scorecard, route
):
    item = factories.consultation(officer.organisation)
    auth.login(officer)
    name, url, fields, good = dict((r[0], r) for r in routes(item, scorecard))[route]
    for data, filename in ((HTML, "page.html"), (HTML, good), (b"MZ\x90\x00\x03", "setup.exe")):
        response = post_file(client, url, data, filename, **fields)
        assert response.status_code in (400, 413), (name, filename, response.status_code)
        text = plain(response)
        assert "Error:" in text.split("</title>")[0] or "There is a problem" in text, (
            name,
            filename,
        )
        assert "xss-upload" not in text.split("<textarea")[0] or "&lt;script&gt;" in text


@pytest.mark.parametrize(
    "route", ["documents", "responses", "population", "codebook", "nominations"]
)
def test_a_file_far_too_big_is_explained_in_plain_english(
    client, auth, db, officer, scorecard, route
):
    item = factories.consultation(officer.organisation)
    auth.login(officer)
    name, url, fields, good = dict((r[0], r) for r in routes(item, scorecard))[route]
    huge = PDF + b"0" * (3 * MAX_BYTES)  # beyond every form's limit, so the body is refused
    response = post_file(client, url, huge, good, **fields)
    assert response.status_code == 413, name
    text = plain(response)
    assert "must be smaller than" in text or "too big" in text, name


@pytest.mark.parametrize("extension", ["html", "htm", "svg", "xhtml", "xml", "js", "swf"])
def test_documents_that_a_browser_would_run_are_refused(client, auth, officer, extension):
    item = factories.consultation(officer.organisation)
    auth.login(officer)
    response = post_file(
        client, f"/manage/{item.id}/documents", HTML, f"plan.{extension}", title="Plan"
    )
    assert response.status_code == 400
    assert "must be a PDF, Word" in plain(response)
    assert not item.documents


# What each accepted kind's first bytes look like; text kinds carry HTML to tempt a sniffer.
CONTENT = {
    "pdf": PDF,
    "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 50,
    "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 50,
    "docx": b"PK\x03\x04" + b"0" * 50,
    "xlsx": b"PK\x03\x04" + b"0" * 50,
    "odt": b"PK\x03\x04" + b"0" * 50,
    "ods": b"PK\x03\x04" + b"0" * 50,
    "csv": HTML,
    "txt": HTML,
    "png": b"\x89PNG\r\n\x1a\n" + b"0" * 50,
    "jpg": b"\xff\xd8\xff" + b"0" * 50,
    "jpeg": b"\xff\xd8\xff" + b"0" * 50,
    "gif": b"GIF89a" + b"0" * 50,
}


@pytest.mark.parametrize("extension", sorted(KINDS))
def test_an_uploaded_document_is_served_only_as_a_download_of_its_type(
    client, auth, officer, extension
):
    item = factories.consultation(officer.organisation)
    auth.login(officer)
    added = post_file(
        client,
        f"/manage/{item.id}/documents",
        CONTENT[extension],
        f"<b>plan</b>.{extension}",
        title="Plan",
    )
    assert added.status_code == 302, added.get_data(as_text=True)
    document = item.documents[0]
    auth.logout()
    response = client.get(f"/consultations/{item.slug}/documents/{document.id}")
    assert response.status_code == 200
    assert response.mimetype == KINDS[extension].content_type
    assert "html" not in response.headers["Content-Type"]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "<" not in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
