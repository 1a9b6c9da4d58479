"""The community rules: published on every agency's rules page, and cited by every removal.

A police department's forum is a public forum, so the rules are viewpoint-neutral: they
describe conduct that is removed whatever opinion it carries, and never an opinion itself.
Criticism of the department stays up like any other post. Codes are stable (removal records
keep them); titles and texts are translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rule:
    code: str
    title: Promise
    text: Promise


RULES: tuple[Rule, ...] = (
    Rule(
        "behaviour",
        _("Describe behaviour, not appearance"),
        _(
            "Say what a person did that worried you: tried car doors, looked into windows, "
            "followed someone. A person's race, ethnicity, religion or looks alone are not a "
            "reason to call them suspicious, and posts that rely on them are removed."
        ),
    ),
    Rule(
        "harassment",
        _("No threats, harassment or hate"),
        _(
            "No threats, no slurs, no attacks on people for who they are, and no calls to "
            "confront, follow or punish anyone."
        ),
    ),
    Rule(
        "privacy",
        _("Keep private information private"),
        _(
            "Do not post other people's names, addresses, phone numbers or licence plates, "
            "or pictures of people inside their homes or of children."
        ),
    ),
    Rule(
        "emergency",
        _("Emergencies go to 911"),
        _(
            "This site is not watched around the clock. A crime in progress or anyone in "
            "danger is a 911 call, not a post."
        ),
    ),
    Rule(
        "accuracy",
        _("Post what you know"),
        _("Share what you saw or experienced. No rumours stated as fact, no false reports."),
    ),
    Rule(
        "spam",
        _("No spam or selling"),
        _("No advertising, fundraising for private causes, or the same post over and over."),
    ),
)

BY_CODE = {rule.code: rule for rule in RULES}


def rule_choices() -> list[tuple[str, Promise]]:
    return [(rule.code, rule.title) for rule in RULES]
