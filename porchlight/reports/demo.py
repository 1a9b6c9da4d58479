"""The demo's online report categories (and, once filed, a few reports through the real path).

Also what tests build their categories from, so the demo and the tests agree on the shape.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from porchlight.agencies.models import Agency
from porchlight.geo.models import Address
from porchlight.reports.filing import file_report
from porchlight.reports.location import Place
from porchlight.reports.models import Category, Question, Report, Source


def _en_es(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


def _choices(*pairs: tuple[str, str, str]) -> list[dict[str, Any]]:
    return [{"key": key, "name": _en_es(en, es)} for key, en, es in pairs]


# code, prompt, kind, required, choices
QuestionSpec = tuple[str, dict[str, str], str, bool, list[dict[str, Any]]]

VALUE: QuestionSpec = (
    "value",
    _en_es(
        "About how much was it worth, in dollars?", "¿Cuánto valía, aproximadamente, en dólares?"
    ),
    Question.Kind.NUMBER,
    True,
    [],
)

CATEGORIES: list[dict[str, Any]] = [
    {
        "code": "theft",
        "name": _en_es("Theft under $950", "Robo de menos de $950"),
        "description": _en_es(
            "Something was stolen, worth less than $950, and you do not know who took it.",
            "Le robaron algo que vale menos de $950 y no sabe quién lo tomó.",
        ),
        "offense_code": "23H",
        "offense": "All other larceny",
        "group": "Property",
        "questions": [
            VALUE,
            (
                "items",
                _en_es("What was taken?", "¿Qué se llevaron?"),
                Question.Kind.TEXT,
                True,
                [],
            ),
        ],
    },
    {
        "code": "vehicle-burglary",
        "name": _en_es("Vehicle burglary", "Robo en vehículo"),
        "description": _en_es(
            "Someone broke into your car and took things from it.",
            "Alguien entró a su carro y se llevó cosas.",
        ),
        "offense_code": "23F",
        "offense": "Theft from motor vehicle",
        "group": "Property",
        "questions": [
            (
                "entry",
                _en_es("How did they get in?", "¿Cómo entraron?"),
                Question.Kind.ONE,
                True,
                _choices(
                    ("window", "Broke a window", "Rompieron una ventana"),
                    ("unlocked", "It was unlocked", "Estaba sin llave"),
                    ("lock", "Forced a lock", "Forzaron una cerradura"),
                    ("unknown", "I don't know", "No sé"),
                ),
            ),
            (
                "plate",
                _en_es("Your vehicle's license plate", "La placa de su vehículo"),
                Question.Kind.STRING,
                True,
                [],
            ),
            VALUE,
        ],
    },
    {
        "code": "vandalism",
        "name": _en_es("Vandalism", "Vandalismo"),
        "description": _en_es(
            "Graffiti or damage to property, when nobody is there now.",
            "Grafiti o daños a la propiedad, cuando no hay nadie ahí ahora.",
        ),
        "offense_code": "290",
        "offense": "Destruction/damage/vandalism of property",
        "group": "Property",
        "questions": [
            (
                "damaged",
                _en_es("What was damaged?", "¿Qué se dañó?"),
                Question.Kind.MANY,
                True,
                _choices(
                    ("building", "A building or wall", "Un edificio o una pared"),
                    ("vehicle", "A vehicle", "Un vehículo"),
                    ("fence", "A fence or gate", "Una cerca o un portón"),
                    ("other", "Something else", "Otra cosa"),
                ),
            ),
        ],
    },
    {
        "code": "lost-property",
        "name": _en_es("Lost property", "Objetos perdidos"),
        "description": _en_es(
            "You lost something (a phone, a wallet, a license plate) and need a report.",
            "Perdió algo (un teléfono, una cartera, una placa) y necesita un reporte.",
        ),
        "offense_code": "90Z",
        "offense": "Lost property",
        "group": "Other",
        "questions": [
            (
                "items",
                _en_es("What did you lose?", "¿Qué perdió?"),
                Question.Kind.TEXT,
                True,
                [],
            ),
        ],
        "address_required": False,
    },
    {
        "code": "noise",
        "name": _en_es("Noise complaint", "Queja por ruido"),
        "description": _en_es(
            "Loud music, parties or machinery that keep happening.",
            "Música alta, fiestas o maquinaria que se repiten.",
        ),
        "offense_code": "90C",
        "offense": "Disorderly conduct",
        "group": "Quality of life",
        "questions": [
            (
                "often",
                _en_es("How often does it happen?", "¿Con qué frecuencia ocurre?"),
                Question.Kind.ONE,
                False,
                _choices(
                    ("once", "This once", "Solo esta vez"),
                    ("weekly", "Every week", "Cada semana"),
                    ("daily", "Every day", "Todos los días"),
                ),
            ),
        ],
        "description_required": False,
        "photos_allowed": False,
    },
    {
        "code": "abandoned-vehicle",
        "name": _en_es("Abandoned vehicle", "Vehículo abandonado"),
        "description": _en_es(
            "A vehicle parked on a public street for more than 72 hours.",
            "Un vehículo estacionado en la vía pública por más de 72 horas.",
        ),
        "offense_code": "90Z",
        "offense": "Abandoned vehicle",
        "group": "Quality of life",
        "questions": [
            (
                "plate",
                _en_es("License plate (if you can see it)", "Placa (si la puede ver)"),
                Question.Kind.STRING,
                False,
                [],
            ),
            (
                "days",
                _en_es("For how many days has it been there?", "¿Cuántos días lleva ahí?"),
                Question.Kind.NUMBER,
                True,
                [],
            ),
        ],
        "description_required": False,
        "contact_required": False,
    },
]


@transaction.atomic
def seed_categories(agency: Agency) -> list[Category]:
    """The demo's categories for an agency; running it again changes nothing."""
    made = []
    for order, spec in enumerate(CATEGORIES):
        spec = dict(spec)
        questions = spec.pop("questions")
        category, created = Category.objects.get_or_create(
            agency=agency, code=spec.pop("code"), defaults={**spec, "order": order}
        )
        if created:
            for q_order, (code, prompt, kind, required, choices) in enumerate(questions):
                Question.objects.create(
                    category=category,
                    code=code,
                    prompt=prompt,
                    kind=kind,
                    required=required,
                    choices=choices,
                    order=q_order,
                )
        made.append(category)
    return made


# Reports residents filed, as the demo shows them: (category, description, answers, language,
# phone, email). The places are the demo city's own addresses, so they geocode.
REPORTS: list[tuple[str, str, dict[str, Any], str, str, str]] = [
    (
        "vehicle-burglary",
        "Someone broke the passenger window overnight and took a laptop bag from the seat.",
        {"entry": "window", "plate": "8KTR214", "value": "900"},
        "en",
        "661-555-0142",
        "",
    ),
    (
        "theft",
        "Se llevaron mi bicicleta del portal de la casa durante la tarde.",
        {"value": "350", "items": "Bicicleta azul de montaña"},
        "es",
        "",
        "vecina@example.org",
    ),
    (
        "vandalism",
        "Graffiti sprayed across the back fence facing the alley.",
        {"damaged": ["fence"]},
        "en",
        "661-555-0177",
        "neighbor@example.org",
    ),
]


def seed(agency: Agency) -> None:
    """The demo's online reports: its categories, and a few reports filed through the real path
    (each opens a case and plans the reporter's "report taken" update). Once only."""
    categories = {c.code: c for c in seed_categories(agency)}
    if Report.objects.filter(agency=agency).exists():
        return
    addresses = list(Address.objects.filter(agency=agency).order_by("pk")[: len(REPORTS)])
    for i, (code, description, answers, language, phone, email) in enumerate(REPORTS):
        found = addresses[i] if i < len(addresses) else None
        place = Place(found.label, found.lat, found.lon, found.h3) if found else None
        file_report(
            categories[code],
            source=Source.ONLINE,
            description=description,
            answers=answers,
            place=place,
            reporter_phone=phone,
            reporter_email=email,
            language=language,
        )
