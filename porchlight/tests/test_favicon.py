"""Every kind of page links Porchlight's icon, and the icon is served."""

import pytest

ICON = '<link rel="icon" href="/static/porchlight/favicon.svg" type="image/svg+xml">'


@pytest.mark.django_db
def test_public_sign_in_console_admin_and_api_docs_pages_link_the_icon(client, staff_client):
    pages = ["/", "/accounts/login/", "/api/v1/docs", "/t/AAAAAAAAAAAAAAAAAAAAAAAA"]
    for path in pages:
        assert ICON in client.get(path).content.decode(), path
    signed_in = staff_client("admin")
    user = signed_in.login_info.user
    user.is_staff = True  # the Django admin's own gate
    user.save()
    for path in ["/console/", "/admin/", "/admin/notify/rule/"]:
        r = signed_in.get(path)
        assert r.status_code == 200 and ICON in r.content.decode(), path


def test_the_icon_is_a_small_svg():
    from django.contrib.staticfiles import finders

    found = finders.find("porchlight/favicon.svg")
    assert found is not None
    with open(found, encoding="utf-8") as icon:
        text = icon.read()
    assert text.startswith("<svg") and len(text) < 2000
