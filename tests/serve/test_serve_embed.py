"""Embed tokens: minted with the shared secret, short-lived, and never wider than their scope."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from serve_support import EMBED_SECRET, Site

from learnlake.serve.auth.tokens import EmbedClaims, Signer
from learnlake.serve.dashboards import REGISTRY

SECRET = {"X-Embed-Secret": EMBED_SECRET}


def _mint(client: TestClient, **body: object) -> str:
    response = client.post("/api/v1/embed/token", json=body, headers=SECRET)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["url"] == f"/embed/course?token={data['token']}" and data["expires_in"] <= 900
    return str(data["token"])


def test_minting_needs_the_shared_secret(client: TestClient, site: Site) -> None:
    body = {"course": site.course_a}
    assert client.post("/api/v1/embed/token", json=body).status_code == 401
    assert (
        client.post("/api/v1/embed/token", json=body, headers={"X-Embed-Secret": "guess"}).status_code == 401
    )
    # an API token of an operator is not the shared secret
    assert (
        client.post(
            "/api/v1/embed/token", json=body, headers={"Authorization": f"Bearer {site.tokens['op']}"}
        ).status_code
        == 401
    )
    assert client.post("/api/v1/embed/token", json={}, headers=SECRET).status_code == 422
    mismatch = {"org": site.org_b, "course": site.course_a}
    assert client.post("/api/v1/embed/token", json=mismatch, headers=SECRET).status_code == 422


@pytest.mark.parametrize("chart", [c.id for c in REGISTRY["course"].charts])
def test_course_token_never_yields_another_course(client: TestClient, site: Site, chart: str) -> None:
    token = _mint(client, course=site.course_a)
    url = f"/embed/course/charts/{chart}"
    mine = client.get(url, params={"token": token})
    assert mine.status_code == 200, mine.text
    op = client.get(
        f"/api/v1/dashboards/course/charts/{chart}",
        params={"course": site.course_a},
        headers={"Authorization": f"Bearer {site.tokens['op']}"},
    )
    assert mine.json()["rows"] == op.json()["rows"]
    for params in ({"course": site.course_b}, {"org": site.org_b}):
        assert client.get(url, params={"token": token, **params}).status_code == 403


def test_course_token_rows_are_that_course(client: TestClient, site: Site) -> None:
    token = _mint(client, course=site.course_a)
    rows = client.get("/embed/course/charts/course_information", params={"token": token}).json()["rows"]
    assert [r["course_key"] for r in rows] == [site.course_a]
    page = client.get("/embed/course", params={"token": token})
    assert page.status_code == 200 and 'data-src="/embed/course/charts/' in page.text
    assert "<nav>" not in page.text  # no way out of the embed view


def test_token_is_not_an_api_credential_and_cannot_be_forged(client: TestClient, site: Site) -> None:
    token = _mint(client, course=site.course_a)
    assert client.get("/api/v1/dashboards", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert (
        client.get("/api/v1/dashboards/course/charts/video_plays", params={"token": token}).status_code == 401
    )
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.get("/embed/course/charts/video_plays", params={"token": forged}).status_code == 401
    assert client.get("/embed/course/charts/video_plays").status_code == 401
    assert client.get("/embed/operator", params={"token": token}).status_code in (403, 404)
    other_key = Signer("another installation's key").embed_token(EmbedClaims(course=site.course_b))
    assert client.get("/embed/course/charts/video_plays", params={"token": other_key}).status_code == 401


def test_tokens_expire() -> None:
    signer = Signer("k", embed_ttl_s=900)
    token = signer.embed_token(EmbedClaims(course="course-v1:A+B+C"), ttl_s=1)
    assert signer.embed_claims(token) == EmbedClaims(course="course-v1:A+B+C")
    time.sleep(2.1)
    assert signer.embed_claims(token) is None


def test_learner_token_shows_only_that_learner(client: TestClient, site: Site) -> None:
    token = _mint(client, learner=site.actor)
    response = client.get("/embed/me/charts/my_courses", params={"token": token})
    assert response.status_code == 200
    direct = client.get(
        "/api/v1/dashboards/me/charts/my_courses",
        headers={"Authorization": f"Bearer {site.tokens['learner']}"},
    )
    assert response.json()["rows"] == direct.json()["rows"]
    # a learner token on the course dashboard: every chart is limited to the learner's own rows
    enrolled = client.get("/embed/course/charts/course_information", params={"token": token}).json()["rows"]
    assert all(r["learners"] == 1 for r in enrolled)


def test_block_token_is_limited_to_the_block(client: TestClient, site: Site) -> None:
    op = {"Authorization": f"Bearer {site.tokens['op']}"}
    sql = (
        "SELECT split_part(object_id, '/xblock/', 2) AS block FROM xapi_events_all_parsed "
        "WHERE verb_id LIKE '%played' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    block = client.post("/api/v1/sql", json={"sql": sql}, headers=op).json()["rows"][0]["block"]
    token = _mint(client, block=block)
    rows = client.get("/embed/course/charts/video_plays", params={"token": token}).json()["rows"]
    assert len(rows) == 1 and rows[0]["plays"] > 0


def test_embedding_off_without_a_secret(site: Site) -> None:
    from learnlake.serve.app import create_app

    settings = site.settings.model_copy(
        update={"serve": site.settings.serve.model_copy(update={"embed_secret": None})}
    )
    with TestClient(create_app(settings)) as c:
        assert (
            c.post("/api/v1/embed/token", json={"course": site.course_a}, headers=SECRET).status_code == 404
        )
