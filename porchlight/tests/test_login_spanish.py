"""The sign-in pages in Spanish say what each field wants, in the words the rest of the site uses."""

import pytest

from standins.browser import make_staff


@pytest.mark.django_db
def test_the_login_field_asks_for_a_username_or_email(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<label for="id_login">Usuario o correo electrónico:</label>' in page
    assert "Iniciar sesión:</label>" not in page
    assert "Mantener la sesión iniciada" in page


@pytest.mark.django_db
def test_the_code_page_names_two_step_verification_as_the_menu_does(client, agency):
    login = make_staff(agency, username="ana")
    client.post(
        "/accounts/login/",
        {"login": "ana", "password": login.password},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    page = client.get("/accounts/2fa/authenticate/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Verificación en dos pasos" in page and "doble factor" not in page
    assert "Escriba el código" in page
