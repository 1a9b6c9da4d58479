"""The permission matrix: which staff role may use which capability, in one place.

Every console view names the capability it needs with `@requires(Cap.X)` (and, for a page that
reads on GET and changes on POST, `post=Cap.Y`). The decorator signs in, checks the role
against MATRIX, and tags the view with what it needs, so a test can walk every console URL and
prove that each one is covered and that each role gets exactly what the matrix says
(agencies/tests/test_permission_matrix.py). docs/admins.md carries the table, generated from
MATRIX by `porchlight_permissions_table()` (a test keeps the two the same).

Platform superusers (no Staff row) hold every capability. The agency a request acts for is not
decided here: views still read through `console.scoped()` / `agency_scope()`, so a capability
is always a capability over one's own agency.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from porchlight.agencies.models import Role


class Cap(StrEnum):
    CONSOLE = "console.view"
    CHANGE = "console.change"
    CALLS_OPERATE = "calls.operate"
    CONFIGURE = "agency.configure"
    MESSAGES_OPERATE = "messages.operate"
    CASES_MANAGE = "cases.manage"
    COPIES_MANAGE = "cases.copies"
    MODERATE = "community.moderate"
    ALERTS_PUBLISH = "alerts.publish"
    FOLLOW_UP = "feedback.follow_up"
    INSIGHTS = "insights.view"
    ASSIST = "assist.request"
    ASSIST_APPROVE = "assist.approve"
    RECORDS = "records.keep"
    AUDIT = "audit.view"
    STAFF = "staff.manage"
    PERSONAL_DATA = "pii.view"


LABELS: dict[Cap, Any] = {
    Cap.CONSOLE: _("Open the console: calls, quarantine, mappings, messages, cases, feedback"),
    Cap.CHANGE: _("Other console changes (pages still on the generic staff_required(write=True))"),
    Cap.CALLS_OPERATE: _("Replay or discard held events; revoke tracking links"),
    Cap.CONFIGURE: _("Configure the agency: code mappings, imports, roster, settings"),
    Cap.MESSAGES_OPERATE: _("Stop texts to a number; pause all texts"),
    Cap.CASES_MANAGE: _("Add case notes and change a case's status"),
    Cap.COPIES_MANAGE: _("Handle report-copy requests"),
    Cap.MODERATE: _("Moderate residents' posts and decide appeals"),
    Cap.ALERTS_PUBLISH: _("Publish, cancel and pin alerts; answer residents; manage watch groups"),
    Cap.FOLLOW_UP: _("Work survey follow-ups"),
    Cap.INSIGHTS: _("Read dashboards and insights"),
    Cap.ASSIST: _("Ask residents for footage; see and download what they share"),
    Cap.ASSIST_APPROVE: _("Approve or reject requests for assistance (never one's own)"),
    Cap.RECORDS: _("Retention, litigation holds and public-records exports"),
    Cap.AUDIT: _("Read and export the audit log"),
    Cap.STAFF: _("Manage staff accounts (admin)"),
    Cap.PERSONAL_DATA: _("See personal data unredacted (survey comments with contact details)"),
}

_ALL = frozenset(Role)
_WRITERS = _ALL - {Role.READ_ONLY}

# The matrix. Read it as "who may": a role absent from a row is refused (403).
MATRIX: dict[Cap, frozenset[Role]] = {
    Cap.CONSOLE: _ALL,
    Cap.CHANGE: _WRITERS,
    Cap.CALLS_OPERATE: _WRITERS,
    Cap.CONFIGURE: frozenset({Role.ADMIN}),
    Cap.MESSAGES_OPERATE: _WRITERS,
    Cap.CASES_MANAGE: _WRITERS,
    Cap.COPIES_MANAGE: _WRITERS,
    Cap.MODERATE: frozenset({Role.ADMIN, Role.COMMUNITY}),
    Cap.ALERTS_PUBLISH: _WRITERS,
    Cap.FOLLOW_UP: _WRITERS,
    Cap.INSIGHTS: _ALL,
    Cap.ASSIST: frozenset({Role.ADMIN, Role.SUPERVISOR, Role.DETECTIVE, Role.COMMUNITY}),
    Cap.ASSIST_APPROVE: frozenset({Role.ADMIN, Role.SUPERVISOR}),
    Cap.RECORDS: frozenset({Role.ADMIN, Role.RECORDS}),
    Cap.AUDIT: frozenset({Role.ADMIN, Role.SUPERVISOR}),
    Cap.STAFF: frozenset({Role.ADMIN}),
    Cap.PERSONAL_DATA: frozenset({Role.ADMIN}),
}


def role_can(role: str, cap: Cap) -> bool:
    return role in MATRIX[cap]


def can(user: Any, cap: Cap) -> bool:
    """Whether a signed-in user holds a capability (over their own agency)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    staff = getattr(user, "staff", None)
    return staff is not None and role_can(staff.role, cap)


def check(request: HttpRequest, cap: Cap) -> None:
    if not can(request.user, cap):
        raise PermissionDenied


def requires(
    cap: Cap, *, post: Cap | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A console view: signed-in staff holding `cap` (and `post` for a POST). MFA is enforced
    before this by StaffMfaMiddleware; the agency scope by the view's queries."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect(f"{reverse('account_login')}?next={request.path}")
            check(request, cap)
            if post is not None and request.method == "POST":
                check(request, post)
            return view(request, *args, **kwargs)

        wrapper.capability = cap  # type: ignore[attr-defined]
        wrapper.post_capability = post or cap  # type: ignore[attr-defined]
        return wrapper

    return decorator


def capability_of(view: Any) -> tuple[Cap, Cap] | None:
    """(GET capability, POST capability) a view was decorated with, through other decorators."""
    seen = 0
    while view is not None and seen < 10:
        cap = getattr(view, "capability", None)
        if cap is not None:
            return cap, view.post_capability
        view = getattr(view, "__wrapped__", None)
        seen += 1
    return None


def markdown_table() -> str:
    """The matrix as the Markdown table in docs/admins.md."""
    roles = list(Role)
    head = "| capability | " + " | ".join(str(r.label) for r in roles) + " |"
    rule = "|---|" + "---|" * len(roles)
    rows = [
        f"| {LABELS[cap]} (`{cap.value}`) | "
        + " | ".join("yes" if role_can(r, cap) else "—" for r in roles)
        + " |"
        for cap in Cap
    ]
    return "\n".join([head, rule, *rows])


class _Caps(dict[str, bool]):
    """`caps.audit`, `caps.moderate`…: what the signed-in user holds, for templates."""

    def __init__(self, user: Any) -> None:
        super().__init__()
        self.user = user

    def __missing__(self, key: str) -> bool:
        cap = Cap.__members__.get(key.upper())
        value = cap is not None and can(self.user, cap)
        self[key] = value
        return value


def context(request: HttpRequest) -> dict[str, Any]:
    """Template context processor (settings, `# --- access ---`)."""
    return {"caps": _Caps(getattr(request, "user", None))}
