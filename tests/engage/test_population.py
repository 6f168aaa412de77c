"""Officers keep the partnership's population figures; JOG members read them."""

from __future__ import annotations

import io

from engage.population import services as population
from tests import factories


def test_officer_saves_figures_and_sees_them_again(client, auth, db):
    auth.login(factories.user(role="officer"))
    response = client.post(
        "/population/",
        data={
            "people-age_band-16-24": "2,350",
            "people-age_band-25-34": "3100",
            "source-age_band": "Census 2022, UV102a",
        },
    )
    assert response.status_code == 302
    figures = population.load(factories.session())
    assert figures.of("age_band") == {"16-24": 2350, "25-34": 3100}
    assert figures.sources["age_band"] == "Census 2022, UV102a"
    page = client.get("/population/").get_data(as_text=True)
    assert "Population figures saved" in page
    assert 'value="2,350"' in page
    assert 'value="3,100"' in page


def test_bad_figures_are_explained_and_everything_typed_is_kept(client, auth, db):
    auth.login(factories.user(role="officer"))
    response = client.post(
        "/population/",
        data={"people-age_band-16-24": "about 2000", "people-sex-female": "47,400"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Enter the number of people in the group “16 to 24” (What is your age?)" in page
    assert 'href="#people-age_band-16-24"' in page
    assert 'value="about 2000"' in page
    assert 'value="47,400"' in page
    assert population.load(factories.session()).people == {}


def test_saving_a_question_replaces_its_figures(client, auth, db):
    population.replace(factories.session(), "sex", {"female": 1, "male": 1})
    auth.login(factories.user(role="officer"))
    client.post("/population/", data={"people-sex-male": "44600"})
    assert population.load(factories.session()).of("sex") == {"male": 44600}


def test_import_merges_a_csv_and_reports_problems(client, auth, db):
    population.replace(factories.session(), "sex", {"female": 10, "male": 20}, source="Census")
    auth.login(factories.user(role="officer"))
    good = b"question,group,people\nsex,female,47400\nage_band,75 or over,8400\n"
    response = client.post(
        "/population/import",
        data={"file": (io.BytesIO(good), "figures.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    figures = population.load(factories.session())
    assert figures.of("sex") == {"female": 47400, "male": 20}
    assert figures.sources["sex"] == "Census"
    assert figures.of("age_band") == {"75-plus": 8400}

    bad = b"question,group,people\nsex,nobody,3\n"
    response = client.post(
        "/population/import",
        data={"file": (io.BytesIO(bad), "figures.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The file could not be imported" in page
    assert "Row 2: “nobody” is not a group of “What is your sex?”" in page

    response = client.post("/population/import", data={}, content_type="multipart/form-data")
    assert "Select a CSV file" in response.get_data(as_text=True)


def test_jog_members_read_but_cannot_change(client, auth, db):
    population.replace(factories.session(), "sex", {"female": 47400})
    auth.login(factories.user(role="jog"))
    page = client.get("/population/").get_data(as_text=True)
    assert "47,400" in page
    assert "Save population figures" not in page
    assert client.post("/population/", data={"people-sex-male": "1"}).status_code == 403
    assert client.post("/population/import", data={}).status_code == 403


def test_residents_cannot_see_the_figures(client, auth, db):
    auth.login(factories.user(role="resident"))
    assert client.get("/population/").status_code == 403
    auth.logout()
    assert client.get("/population/").status_code == 302
