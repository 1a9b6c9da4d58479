"""Phone numbers and email addresses that people type into comments, hidden from staff who
are not agency admins. The answer is stored as typed (an admin may need to call back); every
page and export for other roles shows `redact(text)`."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Seven or more digits, with the usual separators between them: (661) 555-0199, 661.555.0199,
# +1 661 555 0199, 5550199. Dates and times have fewer digits in a row and are left alone.
_PHONE = re.compile(r"(?<![\w])\+?\(?\d(?:[\s().-]{0,2}\d){6,14}(?![\w])")


def redact(text: str) -> str:
    text = _EMAIL.sub(_("[email hidden]"), text)
    return _PHONE.sub(_("[phone hidden]"), text)


def shows_contact_details(user: object) -> bool:
    """Agency admins and platform superusers read comments as typed."""
    from porchlight.agencies.permissions import Cap, can

    # The permission matrix's `pii.view` (agency admins; platform superusers hold every one).
    return can(user, Cap.PERSONAL_DATA)
