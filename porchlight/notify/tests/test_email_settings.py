"""Which email channel the worker gets: a mail server or provider when one is configured, the
development inbox in the demo, and none otherwise (email rows are then suppressed with the
reason, not failed against a server that is not there)."""

import pytest

from porchlight.notify.channels import from_settings
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.channels.email import EmailChannel


@pytest.fixture
def no_twilio(settings):
    settings.TWILIO_ACCOUNT_SID = ""


def test_a_configured_mail_server_gets_the_email_channel(settings, no_twilio):
    settings.DEV_INBOX = True
    settings.NOTIFY_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    channels = from_settings()

    assert isinstance(channels["email"], EmailChannel)
    # Django's SMTP backend, through the subclass that knows whether the message went.
    assert channels["email"].backend == "porchlight.notify.channels.email.SmtpBackend"


def test_an_anymail_provider_is_used_as_configured(settings, no_twilio):
    settings.DEV_INBOX = True
    settings.NOTIFY_EMAIL = True
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"

    assert from_settings()["email"].backend == "anymail.backends.postmark.EmailBackend"


def test_the_demo_gets_an_email_flavoured_dev_inbox(settings, no_twilio):
    settings.DEV_INBOX = True
    settings.NOTIFY_EMAIL = False

    channels = from_settings()

    assert isinstance(channels["email"], DevInbox) and channels["email"].name == "email"
    assert isinstance(channels["sms"], DevInbox) and channels["sms"].name == "sms"


def test_without_a_mail_server_there_is_no_email_channel(settings, local_twilio):
    settings.DEV_INBOX = False
    settings.DEBUG = False
    settings.NOTIFY_EMAIL = False
    settings.TWILIO_ACCOUNT_SID = local_twilio.account_sid
    settings.TWILIO_AUTH_TOKEN = local_twilio.auth_token
    settings.TWILIO_FROM_NUMBER = "+15017122661"
    settings.TWILIO_API_BASE = local_twilio.base_url

    assert set(from_settings()) == {"sms"}
