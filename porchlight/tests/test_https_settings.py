"""HTTPS settings: safe in production by default, relaxed only for development and the demo."""

from __future__ import annotations

import json

import pytest

from porchlight.tests.production import bare_env, porchlight, production_env

NAMES = [
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
]


def settings_of(env: dict[str, str]) -> dict[str, object]:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {NAMES + ['SECURE_PROXY_SSL_HEADER']!r}}}))"
    )
    result = porchlight(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_defaults_are_safe(tmp_path):
    values = settings_of(production_env(tmp_path))
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_without_a_tls_proxy_the_forwarded_proto_is_not_trusted(tmp_path):
    env = production_env(tmp_path)
    del env["BEHIND_TLS_PROXY"]
    values = settings_of(env)
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SECURE_SSL_REDIRECT"] is False  # it would redirect forever
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000


def test_environment_overrides(tmp_path):
    env = production_env(
        tmp_path, SECURE_HSTS_SECONDS="600", SECURE_COOKIES="0", SECURE_SSL_REDIRECT="0"
    )
    values = settings_of(env)
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_SSL_REDIRECT"] is False


def test_development_runs_on_plain_http(tmp_path):
    values = settings_of(bare_env(tmp_path, DEBUG="1"))
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SECURE_SSL_REDIRECT"] is False


@pytest.fixture
def behind_tls_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000


@pytest.mark.django_db
def test_the_proxy_says_https_and_gets_hsts(client, behind_tls_proxy):
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_plain_http_is_redirected_except_health_checks(client, behind_tls_proxy):
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="http")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    assert "Strict-Transport-Security" not in response
    # The load balancer's probe on the app's own port, without the proxy's header.
    assert client.get("/healthz").status_code == 200
