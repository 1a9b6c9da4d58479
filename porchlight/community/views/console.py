"""The moderation console for community-relations staff (and agency admins).

Moderators see a post's text, photos, category, the public point's neighbourhood and the
author's display name, never the author's email, address or places: the agency sees a
resident's identity only if the resident shares it (C8). Every action is audited in
moderation.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from porchlight.agencies.console import perms
from porchlight.agencies.models import Agency
from porchlight.agencies.permissions import Cap, requires
from porchlight.agencies.staff import agency_scope
from porchlight.audit.log import pii_viewed
from porchlight.community import moderation
from porchlight.community.forms import AppealDecisionForm, RemoveForm
from porchlight.community.models import Comment, Decision, Flag, Post, Removal
from porchlight.community.rules import BY_CODE


def moderator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff with the community-relations or admin role, acting for their own agency (a
    platform superuser picks the agency with ?agency=<slug>)."""

    @requires(Cap.MODERATE)
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scope = agency_scope(request)
        if scope is None:
            slug = request.GET.get("agency") or request.POST.get("agency") or ""
            scope = (
                Agency.objects.filter(slug=slug).first() or Agency.objects.order_by("pk").first()
            )
            if scope is None:
                raise PermissionDenied
        if not moderation.can_moderate(request.user, scope):
            raise PermissionDenied
        return view(request, scope, *args, **kwargs)

    return wrapper


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {**perms(request), "section": "community", **context}
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@moderator_required
def queue(request: HttpRequest, agency: Agency) -> HttpResponse:
    posts = Paginator(moderation.queue(agency), 25).get_page(request.GET.get("page"))
    return _render(
        request,
        "community/console/queue.html",
        {
            "scope": agency,
            "posts": posts,
            "appeals": moderation.appeals(agency).select_related(
                "post", "comment__post", "moderator"
            ),
            "removals": Removal.objects.filter(agency=agency).select_related(
                "moderator", "appeal_decided_by"
            )[:20],
        },
    )


def _item(
    request: HttpRequest,
    agency: Agency,
    post: Post,
    form: RemoveForm | None = None,
    status: int = 200,
    comment_form: RemoveForm | None = None,
) -> HttpResponse:
    return _render(
        request,
        "community/console/item.html",
        {
            "scope": agency,
            "post": post,
            "media": post.media.select_related("media"),
            "flags": post.flags.filter(comment__isnull=True).order_by("-created"),
            "decisions": Decision.objects.filter(post=post).select_related("moderator"),
            "removals": Removal.objects.filter(post=post).select_related(
                "moderator", "appeal_decided_by"
            ),
            "author_history": {
                "posts": post.author.posts.count(),
                "removed": Removal.objects.filter(post__author=post.author).count(),
                "trusted": post.author.trusted,
                "joined": post.author.created,
            },
            "remove_form": form or RemoveForm(),
            "rules": BY_CODE,
            "comments": [
                {
                    "comment": c,
                    # What neighbours said is wrong with it: the same reasons as a post's flags.
                    "flags": list(c.flags.all()),
                    "open_flags": sum(1 for f in c.flags.all() if f.resolved is None),
                    "form": (
                        comment_form
                        if comment_form is not None and comment_form.prefix == f"c{c.pk}"
                        else RemoveForm(prefix=f"c{c.pk}")
                    ),
                }
                for c in post.comments.select_related("author").prefetch_related(
                    Prefetch("flags", queryset=Flag.objects.order_by("-created"))
                )
            ],
        },
        status=status,
    )


def _post(agency: Agency, pk: int) -> Post:
    return get_object_or_404(
        Post.objects.select_related("author"), pk=pk, agency=agency, deleted__isnull=True
    )


@require_safe
@moderator_required
def item(request: HttpRequest, agency: Agency, pk: int) -> HttpResponse:
    post = _post(agency, pk)
    # The page names the author and their history: a resident's identity, so it is audited.
    pii_viewed(request, what="resident identity", target=post.author, agency=agency)
    return _item(request, agency, post)


@require_POST
@moderator_required
def act(request: HttpRequest, agency: Agency, pk: int) -> HttpResponse:
    post = _post(agency, pk)
    action = request.POST.get("action", "")
    if action == "approve":
        if post.status != Post.Status.PENDING:
            return _item(request, agency, post, status=409)
        moderation.approve(post, request)
        messages.success(request, _("Published."))
    elif action == "keep":
        moderation.keep(post, request, request.POST.get("note", ""))
        messages.success(request, _("Flags dismissed; the post stays up."))
    elif action == "trust":
        moderation.trust(post.author, request)
        messages.success(request, _("This resident's posts now publish at once."))
    elif action == "remove":
        form = RemoveForm(request.POST)
        if not form.is_valid() or post.status == Post.Status.REMOVED:
            return _item(request, agency, post, form, status=400)
        moderation.remove(post, form.cleaned_data["rule"], form.cleaned_data["reason"], request)
        messages.success(request, _("Removed. The author was given the rule and the reason."))
    else:
        return _item(request, agency, post, status=400)
    return redirect("community:console_queue")


@require_POST
@moderator_required
def comment_remove(request: HttpRequest, agency: Agency, pk: int) -> HttpResponse:
    """Remove one comment, with a rule and a reason its author reads (and can appeal)."""
    comment = get_object_or_404(
        Comment.objects.select_related("post__author", "post__agency"),
        pk=pk,
        post__agency=agency,
        post__deleted__isnull=True,
    )
    form = RemoveForm(request.POST, prefix=f"c{comment.pk}")
    if comment.removed is not None:
        return _item(request, agency, comment.post, status=409, comment_form=form)
    if not form.is_valid():
        return _item(request, agency, comment.post, status=400, comment_form=form)
    moderation.remove_comment(
        comment, form.cleaned_data["rule"], form.cleaned_data["reason"], request
    )
    messages.success(request, _("Comment removed. Its author was given the rule and the reason."))
    return redirect("community:console_post", comment.post_id)


@require_POST
@moderator_required
def comment_keep(request: HttpRequest, agency: Agency, pk: int) -> HttpResponse:
    """Dismiss a standing comment's flags: it breaks no rule."""
    comment = get_object_or_404(
        Comment.objects.select_related("post__agency"),
        pk=pk,
        post__agency=agency,
        post__deleted__isnull=True,
    )
    if comment.removed is not None or not comment.flags.filter(resolved__isnull=True).exists():
        return _item(request, agency, comment.post, status=409)
    moderation.keep_comment(comment, request, request.POST.get("note", ""))
    messages.success(request, _("Flags dismissed; the comment stays up."))
    return redirect("community:console_post", comment.post_id)


@require_safe
@moderator_required
def appeal_view(request: HttpRequest, agency: Agency, pk: int) -> HttpResponse:
    removal = get_object_or_404(
        Removal.objects.select_related("post", "comment__post", "moderator"), pk=pk, agency=agency
    )
    return _appeal(
        request, agency, removal, AppealDecisionForm(comment=removal.comment_id is not None)
    )


def _appeal(
    request: HttpRequest,
    agency: Agency,
    removal: Removal,
    form: AppealDecisionForm,
    status: int = 200,
) -> HttpResponse:
    return _render(
        request,
        "community/console/appeal.html",
        {
            "scope": agency,
            "removal": removal,
            "rule": BY_CODE.get(removal.rule),
            "form": form,
            "same_moderator": removal.moderator_id == request.user.pk,
        },
        status=status,
    )


@require_POST
@moderator_required
def appeal_decide(request: HttpRequest, agency: Agency, pk: int) -> HttpResponse:
    removal = get_object_or_404(
        Removal.objects.select_related("post", "comment__post"), pk=pk, agency=agency
    )
    form = AppealDecisionForm(request.POST, comment=removal.comment_id is not None)
    if removal.moderator_id == request.user.pk:
        return _appeal(request, agency, removal, form, status=403)
    if removal.appealed is None or removal.appeal_decided is not None or not form.is_valid():
        return _appeal(request, agency, removal, form, status=400)
    upheld = form.cleaned_data["decision"] == "uphold"
    moderation.decide_appeal(removal, upheld, form.cleaned_data["note"], request)
    if upheld:
        messages.success(request, _("Removal upheld."))
    elif removal.comment_id is not None:
        messages.success(request, _("Comment restored."))
    else:
        messages.success(request, _("Post restored."))
    return redirect("community:console_queue")
