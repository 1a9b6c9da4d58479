"""Reasons (why a message was not sent, why an event was held) read in the page's language,
while the stored code stays as it is; and no reason the code can write lacks a translation.

The last is checked by reading the product code: every string it writes as a reason (a `reason=`
argument or "reason" key, a SendError's reason, an exclusion, a quarantine rejection, a mark on
a contact, …) must be one porchlight/reasons.py knows, and every entry there must have Spanish.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from porchlight import reasons
from porchlight.notify.channels import sms

ROOT = Path(__file__).resolve().parents[1]
SKIP = {"tests", "standins", "migrations", "demo"}
PLACEHOLDER = "Q7"

# Calls whose argument at this position is stored as a reason (or, for marks, a term).
ARGUMENTS = {
    "PermanentError": 1,
    "TransientError": 1,
    "CannotCompose": 0,
    "_suppress_pending": 1,  # notify/stops.py
    "_fail": 3,  # notify/bounces.py
    "_mark": 1,  # notify/bounces.py
    "mark": 1,  # notify/consent.py
}
INTAKE_ARGUMENTS = {"_reject": 2, "Outcome": 3}  # calls/intake.py only (drop.py has its own)
# Functions whose every returned or appended string is a reason.
REASON_FUNCTIONS = {"exclusion", "_reason_not_to_send", "_validate", "_error_text"}


def constants() -> dict[str, str]:
    """Module-level string constants of the product code (`HELD = gettext_noop("…")`,
    `MERGED_REASON = "…"`), by name: a reason is often written through one."""
    found: dict[str, str] = {}
    for path in ROOT.rglob("*.py"):
        if SKIP & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.parse(path.read_text(), str(path)).body:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
                continue
            target, value = node.targets[0], node.value
            if isinstance(value, ast.Call) and value.args:  # gettext_noop("…"), _("…")
                value = value.args[0]
            if (
                isinstance(target, ast.Name)
                and target.id.isupper()
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                found[target.id] = value.value
    return found


CONSTANTS = constants()


def samples(node: ast.AST) -> Iterator[str]:
    """The strings an expression can be, with each interpolated value as PLACEHOLDER; nothing
    for values computed at run time (a provider's message, a reason staff typed)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.Name | ast.Attribute):  # HELD, worker.HELD
        name = node.id if isinstance(node, ast.Name) else node.attr
        if name in CONSTANTS:
            yield CONSTANTS[name]
    elif isinstance(node, ast.JoinedStr):
        yield "".join(v.value if isinstance(v, ast.Constant) else PLACEHOLDER for v in node.values)
    elif isinstance(node, ast.Subscript):  # "…"[:200]
        yield from samples(node.value)
    elif isinstance(node, ast.IfExp):
        yield from samples(node.body)
        yield from samples(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from samples(value)
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and isinstance(node.func.value, ast.Dict)
    ):
        for value in node.func.value.values:
            yield from samples(value)


def written_reasons() -> Iterator[tuple[str, int, str]]:
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        # An app's demo.py stands in for what staff type (a removal's reason), like demo/.
        if SKIP & set(rel.parts) or rel.name in ("reasons.py", "demo.py"):
            continue
        tree = ast.parse(path.read_text(), str(path))
        found: list[ast.AST] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                at = ARGUMENTS.get(name or "")
                if rel.parts[-2:] == ("calls", "intake.py"):
                    at = INTAKE_ARGUMENTS.get(name or "", at)
                if at is not None and len(node.args) > at:
                    found.append(node.args[at])
                found += [k.value for k in node.keywords if k.arg == "reason"]
            elif isinstance(node, ast.Dict):
                found += [
                    v
                    for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value == "reason"
                ]
            elif isinstance(node, ast.Assign):
                if any(isinstance(t, ast.Name) and t.id == "reason" for t in node.targets):
                    found.append(node.value)
            elif isinstance(node, ast.FunctionDef) and node.name in REASON_FUNCTIONS:
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Return) and inner.value is not None:
                        found.append(inner.value)
                    elif (
                        isinstance(inner, ast.Call) and getattr(inner.func, "attr", "") == "append"
                    ):
                        found += inner.args
        for node in found:
            for text in samples(node):
                yield str(rel), node.lineno, text


def known(text: str) -> bool:
    if not text or text.replace(PLACEHOLDER, "").strip(" :;") == "":
        return True
    with translation.override("en"):
        return (
            text in reasons.TERMS
            or reasons.describe(text) != text
            or reasons.describe_event(text) != text
        )


def test_the_scan_finds_the_reasons_it_should():
    """Guards the scan itself: these are written today, so the scan must see them."""
    texts = {text for _, _, text in written_reasons()}
    assert {
        "sensitive call type",
        f"call type {PLACEHOLDER} is not mapped yet",
        "stopped by staff",
        f"quiet hours: held until {PLACEHOLDER}",
        f"ORI {PLACEHOLDER} is not covered by this key",
        "invalid_number",
        "hard bounce reported by the email provider",
        "an event must be a JSON object",
        "merged into a later update",  # through a constant (MERGED_REASON)
        "held: the provider could not say whether it was sent",  # worker.HELD
    } <= texts


def test_every_reason_the_code_writes_has_a_translation():
    unknown = [
        f"{where}:{line}: {text!r}" for where, line, text in written_reasons() if not known(text)
    ]
    assert not unknown, (
        "reasons with no entry in porchlight/reasons.py (add one, with Spanish):\n"
        + "\n".join(unknown)
    )


def test_every_twilio_error_reads_as_a_term():
    missing = {reason for _, reason, _ in sms.ERRORS.values()} - set(reasons.TERMS)
    assert not missing


def test_every_entry_has_spanish():
    untranslated = []
    with translation.override("es"):
        for reason in reasons.all_reasons():
            if str(reason.sentence) == reason.sentence._args[0]:  # type: ignore[attr-defined]
                untranslated.append(reason.code)
        for word, lazy in reasons.TERMS.items():
            if str(lazy) == lazy._args[0]:  # type: ignore[attr-defined]
                untranslated.append(word)
    assert not untranslated, f"no Spanish in es/django.po for: {untranslated}"


@pytest.mark.parametrize(
    ("stored", "english", "spanish"),
    [
        ("sensitive call type", "Sensitive call type.", "Tipo de llamada sensible."),
        (
            "call type LOIT is not mapped yet",
            "Call type LOIT is not mapped yet.",
            "El tipo de llamada LOIT aún no está asignado.",
        ),
        (
            "quiet hours: held until 08:00",
            "Quiet hours: held until 08:00.",
            "Horario de silencio: retenido hasta las 08:00.",
        ),
        (
            "undeliverable: invalid_number",
            "Cannot be delivered: the number does not exist.",
            "No se puede entregar: el número no existe.",
        ),
        ("carrier_filtered", "The carrier filtered the text.", "El operador filtró el mensaje."),
        # Unknown words and texts staff typed are shown as they are.
        ("undeliverable: zz_new", "Cannot be delivered: zz_new.", "No se puede entregar: zz_new."),
        ("Detective's request", "Detective's request", "Detective's request"),
    ],
)
def test_a_stored_reason_reads_in_the_language(stored, english, spanish):
    with translation.override("en"):
        assert reasons.describe(stored) == english
    with translation.override("es"):
        assert reasons.describe(stored) == spanish


def test_an_event_reason_reads_in_the_language():
    stored = 'unknown status "ZZ": map it under Status codes, then replay this event'
    with translation.override("es"):
        assert reasons.describe_event(stored) == (
            'Estado desconocido "ZZ": asígnelo en Códigos de estado y luego reprocese este evento.'
        )
        assert reasons.describe_event("ORI CA123 is not covered by this key") == (
            "El ORI CA123 no está cubierto por esta clave de API."
        )
        assert reasons.describe_event("event_time: Field required") == (
            "El evento no es válido: event_time: Field required"
        )
