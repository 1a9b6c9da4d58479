"""Agency admins map their RMS status codes and write the case settings in the admin: scoped
to their agency, audited, and the case rules come with the settings."""

import pytest

from porchlight.audit.models import AuditEntry
from porchlight.cases.defaults import DEFAULTS
from porchlight.cases.models import CaseSettings, RmsStatus
from porchlight.notify.models import Rule
from standins.browser import client_login, make_staff
from standins.builders import make_agency


@pytest.fixture
def staff_client(client, agency):
    def sign_in(role):
        client_login(client, make_staff(agency, role=role, username=role, is_staff=True))
        return client

    return sign_in


@pytest.mark.django_db
def test_an_admin_maps_a_status_code_for_their_agency_only(staff_client, agency):
    other = make_agency(slug="kern", ori="CA0150000")
    RmsStatus.objects.create(agency=other, code="ZZ", term="closed")
    client = staff_client("admin")
    r = client.post("/admin/cases/rmsstatus/add/", {
        "agency": agency.pk, "code": " exa ", "term": "exceptional_a",
        "wording": '{"en": "Your case is closed.", "es": "Su caso está cerrado."}',
    })  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    made = RmsStatus.objects.get(agency=agency)
    assert (made.code, made.term) == ("EXA", "exceptional_a")
    assert AuditEntry.objects.filter(action="admin.add", target_id=str(made.pk)).exists()
    page = client.get("/admin/cases/rmsstatus/").content.decode()
    # As link text in the list: a bare "ZZ" can turn up inside the page's random CSRF token.
    assert ">EXA</a>" in page and ">ZZ</a>" not in page


@pytest.mark.django_db
def test_wording_must_be_words_per_language(staff_client, agency):
    r = staff_client("admin").post("/admin/cases/rmsstatus/add/", {
        "agency": agency.pk, "code": "X", "term": "closed", "wording": '{"en": ""}',
    })  # fmt: skip
    assert r.status_code == 200 and not RmsStatus.objects.exists()


@pytest.mark.django_db
def test_case_settings_made_in_the_admin_bring_the_case_rules(staff_client, agency):
    before = Rule.objects.filter(agency=agency).count()
    r = staff_client("admin").post("/admin/cases/casesettings/add/", {
        "agency": agency.pk, "rms_feed": "on", "number_prefix": "BPD", "rights": "{}",
        "copy_where": "Records, 1601 Truxtun Ave", "copy_hours": "Mon-Fri 8-5", "copy_fee": "15.00",
    })  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    assert CaseSettings.objects.get(agency=agency).rms_feed
    assert Rule.objects.filter(agency=agency).count() == before + len(DEFAULTS)


@pytest.mark.django_db
def test_a_detective_cannot_change_the_mapping(staff_client, agency):
    r = staff_client("detective").post("/admin/cases/rmsstatus/add/", {
        "agency": agency.pk, "code": "X", "term": "closed", "wording": "{}",
    })  # fmt: skip
    assert r.status_code == 403 and not RmsStatus.objects.exists()
