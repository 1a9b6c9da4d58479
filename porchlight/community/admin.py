"""The agency's profiling word lists (profiling.py), edited in the admin by agency admins and
community-relations staff. Everything else in the community is moderated from the console
(/console/community/), where each action is recorded with its rule and reason."""

from __future__ import annotations

from django.contrib import admin

from porchlight.agencies.admin_scope import AgencyScopedAdmin
from porchlight.agencies.models import Role
from porchlight.community.models import Lexicon

EDITORS = frozenset({Role.ADMIN.value, Role.COMMUNITY.value})


@admin.register(Lexicon)
class LexiconAdmin(AgencyScopedAdmin):
    view_roles = EDITORS
    configure_roles = EDITORS
    list_display = ("language", "updated")
    fields = ("agency", "language", "terms")
