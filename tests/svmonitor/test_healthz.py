import pytest


@pytest.mark.django_db
def test_healthz_answers_when_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_home_refuses_anonymous(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"] or "login" in response["Location"]
