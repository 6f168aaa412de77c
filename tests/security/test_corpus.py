"""The checks in corpus.py catch each payload when it is NOT escaped, and pass it when it is:
without this, a clean result from test_stored_xss.py could mean a blind checker."""

from __future__ import annotations

import pytest
from markupsafe import escape

from tests.security import corpus

HTML_VECTORS = [v for v in corpus.VECTORS if "<" in v or v.startswith("{{") or "javascript" in v]


def page(body: str) -> str:
    return f'<!DOCTYPE html><html><head><title>t</title></head><body><p title="{body}">x</p>' + (
        f"<p>{body}</p><textarea>{body}</textarea></body></html>"
    )


@pytest.mark.parametrize("vector", [v for v in HTML_VECTORS if "<" in v])
def test_each_vector_is_caught_raw_and_passes_escaped(vector):
    assert corpus.html_problems(f"<div>{vector}</div>"), vector
    assert not corpus.html_problems(page(str(escape(vector))))


def test_attribute_breakouts_are_caught():
    assert corpus.html_problems('<input value=""><b id=xss-dq>dq</b>">')
    assert corpus.html_problems("<input value=''><b id=xss-sq>sq</b>'>")


def test_script_urls_and_evaluated_templates_are_caught():
    assert corpus.html_problems("<a href=\"javascript:alert('xss-md')\">md</a>")
    assert corpus.html_problems("<a href=' jav&#x09;ascript:alert(1)'>x</a>")
    assert corpus.html_problems(f"<p>{corpus.TEMPLATE_RESULT}</p>")
    assert not corpus.html_problems("<p>{{7*7777}}</p>")


def test_the_payload_fits_the_fields():
    assert len(corpus.packed(200)) <= 200
    assert corpus.packed(200).startswith("=HYPERLINK")
    assert corpus.packed(None) == corpus.PAYLOAD


def test_svg_checks():
    assert corpus.svg_problems('<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>')
    assert corpus.svg_problems('<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>')
    safe = '<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;script&gt;xss&lt;/script&gt;</text></svg>'
    assert not corpus.svg_problems(safe)


def test_formula_checks():
    assert corpus.formula_cells(["=1+1", "+cmd", "@SUM(1)", "-2+3", "\t=x"]) == [
        "=1+1",
        "+cmd",
        "@SUM(1)",
        "-2+3",
        "\t=x",
    ]
    assert corpus.formula_cells(["'=1+1", "-3", "-2.5", "plain", 4, None]) == []
