"""The resident's pages: feed, places, posts, comments, flags, appeals, and the rules."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from porchlight.agencies.models import Agency
from porchlight.audit.log import record
from porchlight.community import account, feed, limits, moderation, posting
from porchlight.community.forms import (
    AppealForm,
    CommentAppealForm,
    CommentForm,
    FlagForm,
    PlaceForm,
    PostForm,
)
from porchlight.community.models import Comment, Place, Post, Removal, Resident
from porchlight.community.moderation import resident_actor
from porchlight.community.rules import BY_CODE, RULES
from porchlight.community.views.common import agency_or_404, page, resident_required
from porchlight.geo import h3index
from porchlight.publicmap.basemap import base_map


@require_safe
def rules(request: HttpRequest, slug: str) -> HttpResponse:
    return page(
        request, agency_or_404(slug), "community/rules.html", {"rules": RULES, "section": "rules"}
    )


@require_safe
@resident_required
def feed_view(request: HttpRequest, agency: Agency, resident: Resident) -> HttpResponse:
    found = feed.feed_page(resident, request.GET.get("before"))
    return page(
        request,
        agency,
        "community/feed.html",
        {
            "page": found,
            "posts": feed.posts_for(found.ids),
            "section": "feed",
            "places": resident.places.order_by("pk"),
            "mine_waiting": resident.posts.filter(
                status=Post.Status.PENDING, deleted__isnull=True
            ).count(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@resident_required
def place_new(request: HttpRequest, agency: Agency, resident: Resident) -> HttpResponse:
    form = PlaceForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        if form.drawn is not None:
            area, lat, lon, miles = form.drawn
            address = ""
        else:
            (lat, lon), miles, area = (
                form.cleaned_data["point"],
                form.cleaned_data["radius_miles"],
                None,
            )
            address = form.cleaned_data.get("address") or ""
        Place.objects.create(
            resident=resident,
            agency=agency,
            name=form.cleaned_data["name"],
            address=address,
            lat=lat,
            lon=lon,
            h3=h3index.cell(lat, lon),
            radius_miles=miles,
            area=area,
        )
        messages.success(request, _("Place saved. Your feed shows posts around it."))
        return redirect("community:feed", agency.slug)
    status = 400 if form.is_bound else 200
    return page(
        request,
        agency,
        "community/place_new.html",
        {"form": form, "draw": draw_map(agency)},
        status=status,
    )


def draw_map(agency: Agency) -> dict[str, str] | None:
    """The drawing map's data- attributes (static/community/draw.js): the agency's area to
    centre on and the public map's base layer; None (no map) when the agency has no area yet."""
    return base_map(agency)


@require_POST
@resident_required
def place_delete(request: HttpRequest, agency: Agency, resident: Resident, pk: int) -> HttpResponse:
    get_object_or_404(Place, pk=pk, resident=resident).delete()
    messages.success(request, _("Place removed."))
    return redirect("community:feed", agency.slug)


@require_http_methods(["GET", "HEAD", "POST"])
@resident_required
@limits.limit("community.post")
def post_new(request: HttpRequest, agency: Agency, resident: Resident) -> HttpResponse:
    if limits.is_limited(request):
        return limits.refused(request, agency, "community.post")
    form = PostForm(request.POST or None, request.FILES or None, resident=resident)
    if request.method == "POST" and form.is_valid():
        post = posting.create_post(
            resident, form.cleaned_data, request, prompted_anyway=form.prompted_anyway
        )
        if post.status == Post.Status.PENDING:
            messages.info(
                request, _("Thanks. A moderator will review your post before others see it.")
            )
        else:
            messages.success(request, _("Posted."))
        return redirect("community:post", agency.slug, post.pk)
    status = 400 if form.is_bound else 200
    return page(
        request,
        agency,
        "community/post_form.html",
        {"form": form, "section": "post_new"},
        status=status,
    )


def _post_for(resident: Resident, pk: int) -> Post:
    """A post the resident may read: published, or their own (waiting or removed)."""
    post = get_object_or_404(
        Post.objects.select_related("author"), pk=pk, agency=resident.agency, deleted__isnull=True
    )
    if post.status != Post.Status.PUBLISHED and post.author_id != resident.pk:
        raise Http404
    return post


def _detail(
    request: HttpRequest,
    agency: Agency,
    post: Post,
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    removal = (
        Removal.objects.filter(post=post).first() if post.status == Post.Status.REMOVED else None
    )
    resident: Resident | None = getattr(request, "resident", None)
    # The resident's own removed comments under this post: the rule, the reason and the appeal,
    # as for a removed post. Nobody else sees a removed comment.
    my_removed = []
    if resident is not None:
        for removal_of_comment in (
            Removal.objects.filter(
                comment__post=post, comment__author=resident, comment__removed__isnull=False
            )
            .select_related("comment")
            .order_by("created", "pk")
        ):
            my_removed.append(
                {
                    "removal": removal_of_comment,
                    "rule": BY_CODE.get(removal_of_comment.rule),
                    "appeal_form": CommentAppealForm(prefix=f"r{removal_of_comment.pk}")
                    if removal_of_comment.appealed is None
                    else None,
                }
            )
    return page(
        request,
        agency,
        "community/post.html",
        {
            "post": post,
            "media": post.media.select_related("media"),
            "comments": post.comments.filter(removed__isnull=True).select_related("author"),
            "comment_form": comment_form or CommentForm(),
            "removal": removal,
            "rule": BY_CODE.get(removal.rule) if removal else None,
            "appeal_form": AppealForm() if removal and removal.appealed is None else None,
            "my_removed_comments": my_removed,
        },
        status=status,
    )


@require_safe
@resident_required
def post_detail(request: HttpRequest, agency: Agency, resident: Resident, pk: int) -> HttpResponse:
    return _detail(request, agency, _post_for(resident, pk))


@require_http_methods(["GET", "HEAD", "POST"])
@resident_required
def post_edit(request: HttpRequest, agency: Agency, resident: Resident, pk: int) -> HttpResponse:
    post = _post_for(resident, pk)
    if post.author_id != resident.pk or post.status == Post.Status.REMOVED:
        raise Http404
    initial = {
        "category": post.category,
        "title": post.title,
        "body": post.body,
        "lat": post.lat,
        "lon": post.lon,
        "exact_location": post.exact_location,
    }
    form = PostForm(request.POST or None, initial=initial, resident=resident, with_media=False)
    if request.method == "POST" and form.is_valid():
        posting.edit_post(post, form.cleaned_data, request, prompted_anyway=form.prompted_anyway)
        messages.success(request, _("Saved."))
        return redirect("community:post", agency.slug, post.pk)
    status = 400 if form.is_bound else 200
    return page(
        request, agency, "community/post_form.html", {"form": form, "post": post}, status=status
    )


@require_http_methods(["GET", "HEAD", "POST"])
@resident_required
def post_delete(request: HttpRequest, agency: Agency, resident: Resident, pk: int) -> HttpResponse:
    post = _post_for(resident, pk)
    if post.author_id != resident.pk:
        raise Http404
    if request.method == "POST":
        account.delete_post(post, request)
        messages.success(request, _("Your post is deleted."))
        return redirect("community:feed", agency.slug)
    return page(request, agency, "community/post_delete.html", {"post": post})


@require_POST
@resident_required
@limits.limit("community.comment")
def comment(request: HttpRequest, agency: Agency, resident: Resident, pk: int) -> HttpResponse:
    if limits.is_limited(request):
        return limits.refused(request, agency, "community.comment")
    post = _post_for(resident, pk)
    if post.status != Post.Status.PUBLISHED:
        raise Http404
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _detail(request, agency, post, form, status=400)
    with transaction.atomic():
        made = Comment.objects.create(post=post, author=resident, body=form.cleaned_data["body"])
        record(
            "community.comment.create",
            request=request,
            actor_label=resident_actor(resident),
            agency=agency,
            target=made,
        )
    url = reverse("community:post", args=[agency.slug, post.pk])
    return redirect(f"{url}#comment-{made.pk}")


@require_http_methods(["GET", "HEAD", "POST"])
@resident_required
@limits.limit("community.flag")
def flag(request: HttpRequest, agency: Agency, resident: Resident, pk: int) -> HttpResponse:
    if limits.is_limited(request):
        return limits.refused(request, agency, "community.flag")
    post = _post_for(resident, pk)
    if post.status != Post.Status.PUBLISHED or post.author_id == resident.pk:
        raise Http404
    return _flag(request, agency, resident, post)


@require_http_methods(["GET", "HEAD", "POST"])
@resident_required
@limits.limit("community.flag")
def comment_flag(request: HttpRequest, agency: Agency, resident: Resident, pk: int) -> HttpResponse:
    """Flag a comment: the same reasons, limit and queue as a post's flag."""
    if limits.is_limited(request):
        return limits.refused(request, agency, "community.flag")
    found = get_object_or_404(
        Comment.objects.select_related("post", "author"),
        pk=pk,
        removed__isnull=True,
        post__agency=agency,
        post__status=Post.Status.PUBLISHED,
        post__deleted__isnull=True,
    )
    if found.author_id == resident.pk:
        raise Http404
    return _flag(request, agency, resident, found.post, found)


def _flag(
    request: HttpRequest,
    agency: Agency,
    resident: Resident,
    post: Post,
    on_comment: Comment | None = None,
) -> HttpResponse:
    form = FlagForm(request.POST or None)
    back = reverse("community:post", args=[agency.slug, post.pk])
    if request.method == "POST" and form.is_valid():
        made = moderation.flag(
            post,
            resident,
            form.cleaned_data["reason"],
            form.cleaned_data["note"],
            request,
            comment=on_comment,
        )
        if on_comment is None:
            if made:
                messages.success(request, _("Thanks. A moderator will look at this post."))
            else:
                messages.info(
                    request, _("You already flagged this post. A moderator will look at it.")
                )
            return redirect(back)
        if made:
            messages.success(request, _("Thanks. A moderator will look at this comment."))
        else:
            messages.info(
                request, _("You already flagged this comment. A moderator will look at it.")
            )
        return redirect(f"{back}#comment-{on_comment.pk}")
    status = 400 if form.is_bound else 200
    action = (
        reverse("community:comment_flag", args=[agency.slug, on_comment.pk])
        if on_comment is not None
        else reverse("community:flag", args=[agency.slug, post.pk])
    )
    return page(
        request,
        agency,
        "community/flag.html",
        {"post": post, "comment": on_comment, "form": form, "action": action, "back": back},
        status=status,
    )


@require_POST
@resident_required
def appeal(request: HttpRequest, agency: Agency, resident: Resident, pk: int) -> HttpResponse:
    removal = get_object_or_404(
        Removal.objects.filter(Q(post__author=resident) | Q(comment__author=resident)),
        pk=pk,
        agency=agency,
    )
    # A comment's appeal form sits beside others on the post page, so its fields are prefixed.
    form = (
        CommentAppealForm(request.POST, prefix=f"r{removal.pk}")
        if removal.comment_id
        else AppealForm(request.POST)
    )
    if removal.appealed is not None:
        messages.info(request, _("You already appealed. Another moderator will decide."))
    elif form.is_valid():
        moderation.appeal(removal, form.cleaned_data["appeal"], resident, request)
        messages.success(request, _("Appeal sent. A different moderator will decide."))
    else:
        messages.error(
            request,
            _("Say why the comment should be restored.")
            if removal.comment_id
            else _("Say why the post should be restored."),
        )
    target = removal.on_post
    if target is None:
        raise Http404
    return redirect("community:post", agency.slug, target.pk)
