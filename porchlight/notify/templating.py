"""Message templates: agency-written words, rendered in a sandbox over plain string fields.

Agency admins write templates in the admin, so a template is untrusted input that runs in the
worker. Three fences:

1. Jinja2's ImmutableSandboxedEnvironment, with StrictUndefined (a misspelt field is an error,
   not a blank) and no autoescaping (texts are plain text; the email channel escapes its HTML).
2. A template may only use a small part of the language, checked on its syntax tree before it
   is compiled: fields, literals, `{% if %}`/`{% elif %}`/`{% else %}`, comparisons, `and` /
   `or` / `not`, `~` joins, and a few text filters. No loops, calls, attribute or item access,
   arithmetic or assignments, so rendering time is bounded by the template's length and
   nothing can reach beyond the values it is given.
3. The values are a plain dict of strings for the fields of `FIELDS_BY_TRIGGER`: never a call
   type, a name or an address, so a template cannot leak what it is not given.

A template is checked when it is saved (`check()`, with sample values: compiles, only known
fields, not empty, not too long) and rendered by the worker at send time (`render()`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from porchlight.notify.models import Trigger

# The most a text may carry: Twilio refuses longer bodies (10 segments of GSM-7).
MAX_BODY = 1600
MAX_SUBJECT = 200
MAX_SOURCE = 4000

# Every field a template may use, with what it holds (shown to admins in the editor and in
# docs/admins.md). All values are strings; a field with nothing to say is "".
FIELDS: dict[str, Promise] = {
    "agency": gettext_lazy("the agency's name (in texts, its short name when it has one)"),
    "non_emergency_number": gettext_lazy("the agency's non-emergency number"),
    "opt_out": gettext_lazy("the opt-out words in texts; empty in emails (they have a link)"),
    "notice": gettext_lazy(
        "not monitored, call 911, reply STOP: on the first text about a call only; "
        "empty on later updates and in emails"
    ),
    "incident_number": gettext_lazy("the incident (call) number"),
    "call_time": gettext_lazy("when the call was received, in the agency's time zone"),
    "call_date": gettext_lazy("the date of the call"),
    "track_url": gettext_lazy("the call's tracking link; empty when the link is turned off"),
    "disposition": gettext_lazy("how the call ended, in plain words (your Dispositions first)"),
    "report_number": gettext_lazy("the report (case) number; empty until there is one"),
    "case_number": gettext_lazy("the case number"),
    "case_status": gettext_lazy("the case's status, in your words"),
    "survey_url": gettext_lazy("the survey link"),
    "alert_title": gettext_lazy("the alert's title"),
    "alert_text": gettext_lazy("the alert's text"),
    "alert_url": gettext_lazy("the link to the alert"),
    # Cases (porchlight.cases): never the NIBRS reason, an offender or a victim detail.
    "detective": gettext_lazy("the assigned detective's title and name"),
    "detective_phone": gettext_lazy("the detective's phone number"),
    "detective_email": gettext_lazy("the detective's email address"),
    "note": gettext_lazy("the detective's note to the victim"),
    "report_copy": gettext_lazy("how to get a copy of the report, in one line"),
    "code": gettext_lazy("the one-time code a victim types to opt in"),
    "copy_status": gettext_lazy("the report copy request's status, in plain words"),
}  # fmt: skip

COMMON_FIELDS = ("agency", "non_emergency_number", "opt_out", "notice")
CALL_FIELDS = (
    *COMMON_FIELDS,
    "incident_number", "call_time", "call_date", "track_url", "disposition", "report_number",
)  # fmt: skip
# The apps that plan these messages (plan.message) pass the extra fields in the row's context.
# A later app adds its fields here.
FIELDS_BY_TRIGGER: dict[str, tuple[str, ...]] = {
    **{t: CALL_FIELDS for t in Trigger.values if t.startswith("call.")},
    Trigger.CASE_STATUS: (*COMMON_FIELDS, "case_number", "case_status", "report_number"),
    Trigger.CASE_OPENED: (*COMMON_FIELDS, "case_number", "incident_number"),
    Trigger.CASE_ASSIGNED: (
        *COMMON_FIELDS,
        "case_number",
        "detective",
        "detective_phone",
        "detective_email",
    ),
    Trigger.CASE_CLOSED: (*COMMON_FIELDS, "case_number", "case_status", "report_copy"),
    Trigger.CASE_NOTE: (*COMMON_FIELDS, "case_number", "note", "detective"),
    Trigger.CASE_OPT_IN: (*COMMON_FIELDS, "case_number", "code"),
    Trigger.COPY_REQUEST: (*COMMON_FIELDS, "case_number", "copy_status"),
    Trigger.SURVEY: (*COMMON_FIELDS, "survey_url", "incident_number", "call_date"),
    Trigger.ALERT_URGENT: (*COMMON_FIELDS, "alert_title", "alert_text", "alert_url"),
    Trigger.ALERT: (*COMMON_FIELDS, "alert_title", "alert_text", "alert_url"),
    Trigger.DIGEST: (*COMMON_FIELDS, "alert_url"),
    # Requests for assistance (porchlight.assist): the incident type, the ask, the page.
    Trigger.ASSIST: (*COMMON_FIELDS, "alert_title", "alert_text", "alert_url"),
}

FILTERS = ("upper", "lower", "capitalize", "title", "trim", "default", "truncate")
TESTS = ("defined", "undefined", "eq", "ne", "in")
# The syntax a template may use (see the module docstring).
_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.If,
    nodes.CondExpr, nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Concat,
    nodes.Filter, nodes.Test, nodes.Keyword,
)  # fmt: skip


class TemplateProblem(ValueError):
    """Why a template cannot be used, in words for the admin who wrote it; `field` says which
    part of the template ("body" or "subject") the problem is in."""

    def __init__(self, message: str, field: str = "body") -> None:
        super().__init__(message)
        self.field = field


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
    )
    # Only the filters and tests we allow exist at all, so anything else fails to compile.
    env.filters = {name: env.filters[name] for name in FILTERS}
    env.tests = {name: env.tests[name] for name in TESTS}
    return env


_ENV = _environment()


def fields_for(trigger: str) -> tuple[str, ...]:
    return FIELDS_BY_TRIGGER.get(trigger, COMMON_FIELDS)


def _describe(node: nodes.Node) -> str:
    return {
        "For": "{% for %}",
        "Macro": "{% macro %}",
        "Assign": "{% set %}",
        "AssignBlock": "{% set %}",
        "Call": _("calling a function"),
        "Getattr": _("a dot after a field"),
        "Getitem": _("[…] after a field"),
        "Include": "{% include %}",
        "Extends": "{% extends %}",
        "Import": "{% import %}",
        "FromImport": "{% from %}",
        "Block": "{% block %}",
    }.get(type(node).__name__, _("arithmetic, lists and other expressions"))


def _inspect(source: str, allowed: tuple[str, ...]) -> None:
    """Refuse syntax outside the allowed subset, and fields this trigger does not have."""
    if len(source) > MAX_SOURCE:
        raise TemplateProblem(
            _("The template is longer than %(max)d characters.") % {"max": MAX_SOURCE}
        )
    try:
        tree = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(
            _("Line %(line)s: %(message)s") % {"line": exc.lineno, "message": exc.message}
        ) from exc
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _NODES):
            raise TemplateProblem(
                _("Templates can show fields and choose with {%% if %%}; %(what)s is not allowed.")
                % {"what": _describe(node)}
            )
        if isinstance(node, nodes.Name):
            if node.ctx != "load":
                raise TemplateProblem(_("Templates cannot set fields."))
            if node.name not in allowed:
                raise TemplateProblem(
                    _('Unknown field "%(name)s". Fields you can use here: %(fields)s.')
                    % {"name": node.name, "fields": ", ".join(allowed)}
                )
        elif isinstance(node, nodes.Filter) and node.name not in FILTERS:
            raise TemplateProblem(
                _('Unknown filter "%(name)s". Filters you can use: %(filters)s.')
                % {"name": node.name, "filters": ", ".join(FILTERS)}
            )
        elif isinstance(node, nodes.Test) and node.name not in TESTS:
            raise TemplateProblem(
                _('Unknown test "%(name)s". Tests you can use: %(tests)s.')
                % {"name": node.name, "tests": ", ".join(TESTS)}
            )


@functools.lru_cache(maxsize=512)
def _compiled(source: str, allowed: tuple[str, ...]) -> object:
    # Cached by the text itself: an edited template is a new key, so nothing goes stale, and
    # the worker compiles each template once per process rather than once per message.
    _inspect(source, allowed)
    try:
        return _ENV.from_string(source)
    except TemplateError as exc:
        raise TemplateProblem(str(exc)) from exc


_SPACES = re.compile(r"[ \t]{2,}")
_TRAILING = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """Tidy what a template left behind: a field that was empty ("{{ disposition }}" for a call
    without one) leaves a double space or a trailing one, which a phone would show."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    text = _TRAILING.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def render(source: str, trigger: str, values: Mapping[str, str]) -> str:
    """The template's text for these values. Raises TemplateProblem when it cannot render."""
    allowed = fields_for(trigger)
    template = _compiled(source.replace("\r\n", "\n"), allowed)
    # Exactly the trigger's fields, each a string: nothing else reaches the sandbox.
    context = {name: str(values.get(name) or "") for name in allowed}
    try:
        text = template.render(context)  # type: ignore[attr-defined]
    except TemplateError as exc:
        raise TemplateProblem(str(exc)) from exc
    except (TypeError, ValueError) as exc:  # e.g. a filter given an argument of the wrong kind
        raise TemplateProblem(_("The template could not be rendered: %s") % exc) from exc
    return tidy(text)


def check(body: str, subject: str, trigger: str, samples: Mapping[str, str]) -> tuple[str, str]:
    """Refuse a template that would not work, before it is saved. Returns the rendered
    (body, subject) with the sample values."""
    if not body.strip():
        raise TemplateProblem(_("The text is empty."))
    text = render(body, trigger, samples)
    if not text:
        raise TemplateProblem(_("With sample values the text is empty."))
    if len(text) > MAX_BODY:
        raise TemplateProblem(
            _(
                "With sample values the text is %(length)d characters; one message carries at "
                "most %(max)d."
            )
            % {"length": len(text), "max": MAX_BODY}
        )
    try:
        title = render(subject, trigger, samples) if subject.strip() else ""
    except TemplateProblem as exc:
        raise TemplateProblem(str(exc), field="subject") from exc
    if "\n" in title:
        raise TemplateProblem(_("The email subject must be one line."), field="subject")
    if len(title) > MAX_SUBJECT:
        raise TemplateProblem(
            _("With sample values the email subject is longer than %(max)d characters.")
            % {"max": MAX_SUBJECT},
            field="subject",
        )
    return text, title
