"""Findings stay with the partners who run a consultation and the JOG until publication."""

from __future__ import annotations

from engage.reports import services as reports
from surveys.base import utcnow
from tests import factories


def test_other_partners_officers_wait_for_publication(client, auth, db):
    item = factories.consultation(status="closed", title="Bins and recycling")
    report = reports.request_findings_report(db, item, requested_by_id=None)
    db.flush()
    urls = [
        f"/findings/{item.id}",
        f"/findings/{item.id}/answers.csv",
        f"/reports/consultations/{item.id}",
        f"/reports/{report.id}",
    ]
    auth.login(factories.user(role="officer"))  # a different partner
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert "Bins and recycling" not in client.get("/findings/").get_data(as_text=True)

    item.published_at = utcnow()
    db.flush()
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert "Bins and recycling" in client.get("/findings/").get_data(as_text=True)


def test_owners_and_the_jog_read_findings_before_publication(client, auth, db):
    item = factories.consultation(status="closed")
    for user in (
        factories.user(role="officer", organisation_=item.organisation),
        factories.user(role="jog"),
        factories.user(role="admin"),
    ):
        auth.login(user)
        assert client.get(f"/findings/{item.id}").status_code == 200
        auth.logout()
