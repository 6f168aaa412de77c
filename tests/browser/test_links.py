"""An officer creates tracked links and gets the embed snippet, in a real browser with axe-core."""

from __future__ import annotations

import re

import pytest

from tests.browser import scenario
from tests.browser.test_journeys import sign_in


def check(page, axe, label: str, width: int) -> None:
    """axe-core, and on a small phone no sideways scrolling (long short links must wrap)."""
    axe.check(label)
    if width == 320:
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"sideways scrolling on {label} at 320px"


@pytest.mark.parametrize("width", [1280, 320])
def test_officer_creates_links_and_gets_the_embed_snippet(make_page, base_url, width):
    page, axe = make_page(width=width)
    suffix = "" if width == 1280 else " (phone check)"
    sign_in(page, base_url, scenario.OFFICER)
    page.click("text=Parks and play areas")
    assert "Responses by channel" in page.inner_text("main")
    check(page, axe, "detail", width)

    page.click("text=Create a tracked link")
    assert page.inner_text("legend").strip() == "Where will you share it?"
    axe.check("new-link")
    page.click("button:has-text('Create link')")
    assert page.title().startswith("Error:")
    page.wait_for_function(
        "() => document.activeElement.closest('.govuk-error-summary') !== null", timeout=5000
    )
    summary = page.inner_text(".govuk-error-summary")
    assert "Enter a name for the link, like College website" in summary
    assert "Select where you will share the link" in summary
    check(page, axe, "new-link-errors", width)
    page.click(".govuk-error-summary a:has-text('Select where')")
    assert page.evaluate("document.activeElement.value") == "hub"  # the first radio

    # A name with a missing channel keeps the name on the error page.
    page.fill("#label", f"College website{suffix}")
    page.click("button:has-text('Create link')")
    assert page.input_value("#label") == f"College website{suffix}"
    page.check("input[value=embed]")
    page.click("button:has-text('Create link')")

    assert "Embed the survey on a partner website" in page.inner_text("h1")
    snippet = page.input_value("#snippet")
    match = re.fullmatch(
        rf'<iframe src="{re.escape(base_url)}/s/(\w+)" '
        r'title="Consultation: Parks and play areas" width="100%" height="900" '
        r'loading="lazy" style="border: 0; max-width: 100%;"></iframe>',
        snippet,
    )
    assert match, snippet
    assert page.get_attribute("#snippet", "readonly") is not None
    assert page.inner_text("label[for=snippet]") == "Embed code (HTML)"
    assert f"respond?via={match[1]}" in page.input_value("#plain-link")
    check(page, axe, "embed", width)

    # A second partner site: the page offers a choice between them.
    page.click("text=Create a link for another partner website")
    assert page.is_checked("input[value=embed]")
    page.fill("#label", f"Library website{suffix}")
    page.click("button:has-text('Create link')")
    assert page.get_by_label(f"Library website{suffix}", exact=True).is_checked()
    axe.check("embed-choice")
    page.get_by_label(f"College website{suffix}", exact=True).check()
    page.click("button:has-text('Show the snippet')")
    assert f"/s/{match[1]}" in page.input_value("#snippet")

    # The short link of an ordinary link counts a visit and opens the survey.
    page.click(".govuk-back-link")
    page.click("text=Create a tracked link")
    page.fill("#label", f"Facebook post{suffix}")
    page.check("input[value=hub]")
    page.click("button:has-text('Create link')")
    card = page.locator(".govuk-summary-card", has_text=f"Facebook post{suffix}")
    short = card.locator("dd >> nth=1").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(base_url)}/s/\w+", short)
    check(page, axe, "detail-with-links", width)
    page.goto(short)
    assert f"/consultations/{scenario.OPEN_SLUG}/respond/" in page.url
    assert page.url.endswith(f"/1?via={short[-10:]}")
    page.go_back()
    page.reload()
    card = page.locator(".govuk-summary-card", has_text=f"Facebook post{suffix}")
    assert card.locator("dd >> nth=2").inner_text().strip() == "1"

    page.goto(f"{base_url}/s/nosuchcode")
    assert "Link not found" in page.inner_text("h1")
    axe.check("short-link-not-found")
    assert not page.errors  # type: ignore[attr-defined]
