"""The GeoReport v2 documents about what can be reported: discovery, service list, definition.

Each function builds the spec's document as plain data (open311/formats.py writes it out), in
the spec's field order. A category is a service; its questions are the service's attributes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from porchlight.reports.models import Category, Question

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def discovery(url: str, changeset: str) -> dict[str, Any]:
    return {
        "changeset": changeset,
        "contact": settings.OPEN311_CONTACT,
        "key_service": settings.OPEN311_KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def service(category: Category, language: str) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name_in(language),
        "description": category.description_in(language),
        # True when the category asks questions: the client then reads services/{code}.
        "metadata": bool(getattr(category, "question_count", None) or category.questions.exists()),
        # Realtime: POST requests answers with the case number at once.
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


def attribute(question: Question, language: str) -> dict[str, Any]:
    document: dict[str, Any] = {
        "variable": True,
        "code": question.code,
        "datatype": question.kind,
        "required": question.required,
        "datatype_description": "",
        "order": question.order,
        "description": question.prompt_in(language),
    }
    if question.is_list:
        document["values"] = [
            {"key": key, "name": name} for key, name in question.choices_in(language)
        ]
    return document


def definition(category: Category, language: str) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [attribute(q, language) for q in category.questions.all()],
    }
