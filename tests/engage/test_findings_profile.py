"""JOG members see who took part, never a group of fewer than 10."""

from __future__ import annotations

import secrets

from surveys import services
from surveys.base import utcnow
from tests import factories


def respond(item, **equalities) -> None:
    q1 = item.questions[0]
    answers = {q1.id: services.get_type(q1.type).parse(q1, ["o1"])}
    services.submit_response(
        factories.session(),
        item,
        answers,
        token=secrets.token_urlsafe(24),
        now=utcnow(),
        equalities=equalities,
    )


def test_who_took_part_suppresses_small_groups(client, auth, db):
    item = factories.consultation()
    item.equalities = True
    for _ in range(14):
        respond(item, age_band="16-24")
    for _ in range(25):
        respond(item, age_band="25-34")
    for _ in range(3):
        respond(item, age_band="65-74")
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    assert "Who took part" in page
    table = page.split("What is your age?")[1].split("</table>")[0]
    assert ">25<" in table
    assert ">3<" not in table
    assert ">14<" not in table  # else 3 could be worked out from the total
    assert "Fewer than 10" in table


def test_too_few_answers_show_no_breakdown(client, auth, db):
    item = factories.consultation()
    item.equalities = True
    for _ in range(9):
        respond(item, age_band="16-24")
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    assert "Fewer than 10 people answered the equalities questions" in page
    # (The choice results' group form still offers age, as a choice of table to draw.)
    profile = page.split('id="who-took-part"')[1].split("</section>")[0]
    assert "What is your age?" not in profile


def test_who_took_part_is_read_against_the_population(client, auth, db):
    from engage.population import services as population

    population.replace(
        factories.session(),
        "age_band",
        {"16-24": 1000, "25-34": 1000, "65-74": 1000},
        source="Census 2022",
    )
    item = factories.consultation()
    item.equalities = True
    for _ in range(40):
        respond(item, age_band="25-34")
    for _ in range(12):
        respond(item, age_band="65-74")
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    table = page.split("What is your age?")[1].split("</table>")[0]
    assert "population: Census 2022" in table
    assert "Share of population" in table
    row = table.split("16 to 24")[1].split("</tr>")[0]
    assert "Under-represented" in row  # nobody aged 16 to 24, a third of the area
    row = table.split("25 to 34")[1].split("</tr>")[0]
    assert "77%" in row
    assert "33%" in row
    assert "Over-represented" in row
