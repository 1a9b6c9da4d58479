"""The template editor in a real browser: an agency admin edits the Spanish words of the first
text, watches the preview's encoding, segments and cost per thousand texts change as they type
(an accent written plain to save a segment; an emoji that forces UCS-2), saves with a warning
about UCS-2, and then has a broken template refused with the reason. Desktop and phone, English
and Spanish, axe on each screen as on the console, the app's CSP on (the preview's script is a
file of our own, no inline script)."""

import re

import pytest
from playwright.sync_api import expect

from porchlight.audit.models import AuditEntry
from porchlight.notify.models import Rule, Template, Trigger
from standins.browser import DESKTOP, PHONE, look, make_staff, staff_login

VIEWPORTS = pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"]
)
ADDED = " ¿Dudas? Llámenos al {{ non_emergency_number }}."
EMOJI = " \U0001f46e"  # POLICE OFFICER: no GSM-7 spelling, so UCS-2 whatever the setting


@VIEWPORTS
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_edit_the_spanish_first_text_with_a_live_preview(page, live_server, agency, viewport, lang):
    rule = Rule.objects.get(agency=agency, trigger=Trigger.RECEIVED)
    spanish = Template.objects.get(rule=rule, language="es")
    original = spanish.body
    login = make_staff(agency, role="admin")
    login.user.is_staff = True  # the Django admin's own gate
    login.user.save()
    tag = f"{'phone' if viewport == PHONE else 'desktop'}-{lang}"
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])

    staff_login(page, live_server, login, next_path="/admin/notify/rule/")
    assert page.get_attribute("html", "lang") == lang
    look(page, f"rule-list-{tag}")

    page.locator(f"a[href='/admin/notify/rule/{rule.pk}/change/']").first.click()
    form = page.locator(".template-form").filter(
        has=page.locator("input.template-language[value='es']")
    )
    summary = form.locator(".template-preview-summary")
    cost = form.locator(".template-preview-cost")
    # The saved words, previewed on arrival: plain GSM-7, one segment, and what 1,000 cost.
    expect(summary).to_have_text(
        re.compile(r"^GSM-7, 1 (segment|segmento), \d+ (characters|caracteres)")
    )
    expect(cost).to_have_text(re.compile(r"^\$7\.90 (per 1,000 texts|por cada 1\.000 mensajes)"))
    expect(form.locator(".template-preview-text")).to_contain_text("tiene su llamada")

    # "á" has no GSM-7 equivalent: by default it goes as "a", which keeps the text GSM-7.
    form.locator("textarea.template-body").fill(original + ADDED)
    expect(summary).to_have_text(re.compile(r"^GSM-7, 2 (segments|segmentos)"))
    expect(cost).to_have_text(re.compile(r"^\$15\.80 "))
    expect(form.locator(".template-preview-flags li")).to_contain_text(["á"])
    expect(form.locator(".template-preview-text")).to_contain_text("Llamenos al 661-327-7111.")

    # An emoji has no GSM-7 spelling: the whole text goes as UCS-2, accents kept, and costs more.
    form.locator("textarea.template-body").fill(original + ADDED + EMOJI)
    expect(summary).to_have_text(re.compile(r"^UCS-2, 3 (segments|segmentos)"))
    expect(cost).to_have_text(re.compile(r"^\$23\.70 "))
    expect(form.locator(".template-preview-text")).to_contain_text("Llámenos al 661-327-7111.")
    look(page, f"rule-preview-{tag}")

    # Saved, with a warning that says what forces UCS-2.
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/notify/rule/$"))
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".messagelist .warning")).to_contain_text("UCS-2")
    expect(page.locator(".messagelist .warning")).to_contain_text("\U0001f46e")
    assert Template.objects.get(pk=spanish.pk).body == original + ADDED + EMOJI
    assert AuditEntry.objects.filter(action="admin.change", target_id=str(rule.pk)).exists()
    look(page, f"rule-saved-{tag}")

    # A broken template: the preview says why as it is typed, and saving refuses it.
    page.locator(f"a[href='/admin/notify/rule/{rule.pk}/change/']").first.click()
    form.locator("textarea.template-body").fill("Su llamada {{ numero }}")
    reason = 'Unknown field "numero"' if lang == "en" else 'Campo desconocido "numero"'
    expect(summary).to_contain_text(reason)
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    expect(form.locator(".errorlist")).to_contain_text(reason)
    assert Template.objects.get(pk=spanish.pk).body == original + ADDED + EMOJI
    look(page, f"rule-refused-{tag}")
