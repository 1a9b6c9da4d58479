"""Praise becomes a commendation that reaches the officer: on their console page, and by email
when their record asks for it."""

import pytest
import time_machine
from django.core import mail

from porchlight.feedback.models import Commendation, Officer
from porchlight.feedback.tests.calls import BADGE, CLEARED, OFFICER, answer, cleared_call


@pytest.mark.django_db(transaction=True)
def test_praise_reaches_the_officer_on_their_page_and_by_email(client, agency, staff_client):
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency)
    # The CAD named the unit's officer: they are on the call, and in the roster now.
    officer = Officer.objects.get(agency=agency, badge=BADGE)
    assert officer.name == OFFICER
    officer.email = "d.reyes@bakersfieldpd.example.org"
    officer.email_commendations = True
    officer.save()

    answer(
        client,
        call,
        overall="5",
        officer="5",
        to_officer="Officer Reyes was so kind to my mother. Call me at 661 555 0142.",
    )
    commendation = Commendation.objects.get()
    assert commendation.officer == officer
    assert commendation.emailed_at is not None
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["d.reyes@bakersfieldpd.example.org"]
    assert "so kind to my mother" in sent.body
    assert "661 555 0142" not in sent.body  # the person's number stays with the admins

    # The officer, a staff user, reads it on their own page; another officer sees nothing.
    patrol = staff_client("readonly", username="dreyes")
    Officer.objects.filter(pk=officer.pk).update(user=patrol.login_info.user)
    page = patrol.get("/console/feedback/commendations/")
    assert page.status_code == 200
    assert b"so kind to my mother" in page.content
    assert b"661 555 0142" not in page.content
    patrol.logout()
    other = staff_client("readonly", username="another")
    assert b"so kind to my mother" not in other.get("/console/feedback/commendations/").content


@pytest.mark.django_db
def test_a_message_from_someone_who_rated_the_officer_low_is_no_praise(client, agency):
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency)
    answer(client, call, overall="2", officer="2", to_officer="You should have listened.")
    assert not Commendation.objects.exists()


@pytest.mark.django_db
def test_no_email_unless_the_officer_asked_for_it(client, agency):
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency)
    answer(client, call, overall="5", to_officer="Thank you for coming so fast.")
    assert Commendation.objects.get().emailed_at is None
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_roster_names_the_officer_when_it_has_the_unit(client, agency):
    from datetime import date, time

    from porchlight.feedback.models import RosterEntry, Shift

    day = Shift.objects.create(agency=agency, name="Days", starts=time(6), ends=time(16))
    rostered = Officer.objects.create(agency=agency, badge="P5000", name="Ofc. Kim")
    RosterEntry.objects.create(
        agency=agency, day=date(2026, 11, 22), shift=day, unit="2A31", officer=rostered
    )
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency)
    from porchlight.feedback.models import Invitation

    invitation = Invitation.objects.get(call=call)
    assert invitation.shift == day
    assert list(invitation.officers.all()) == [rostered]
    answer(client, call, overall="5", to_officer="Great work.")
    assert Commendation.objects.get().officer == rostered
