"""Pages for Neighborhood Watch (staff: groups, captains, messages) and staff replies to posts."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from porchlight.agencies import console
from porchlight.agencies.models import Agency
from porchlight.agencies.permissions import Cap, requires
from porchlight.agencies.staff import agency_scope
from porchlight.alerts import shapes, watch
from porchlight.alerts.models import Beat, StaffReply, WatchGroup, WatchMember, WatchRole
from porchlight.audit.log import record
from porchlight.community.models import Post
from porchlight.community.views.common import disclaimers, resident_login_required


class GroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    beats = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Area: these beats"), queryset=Beat.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    area = forms.CharField(
        label=gettext_lazy("Or a drawn area (GeoJSON polygon)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )  # fmt: skip

    def __init__(self, *args: object, agency: Agency, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["beats"].queryset = Beat.objects.filter(agency=agency)  # type: ignore[attr-defined]
        self.geometry: dict[str, object] | None = None

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        try:
            if data.get("beats"):
                union = shapes.union(shapes.from_geojson(b.geometry) for b in data["beats"])
                self.geometry = shapes.to_geojson(union)
            elif data.get("area"):
                try:
                    drawn = json.loads(str(data["area"]))
                except ValueError:
                    raise shapes.BadShape(_("The drawn area is not GeoJSON.")) from None
                self.geometry = shapes.to_geojson(shapes.from_geojson(drawn))
            else:
                raise shapes.BadShape(_("Choose beats or draw an area."))
        except shapes.BadShape as exc:
            self.add_error("area", str(exc))
        return data


class MessageForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=140)
    body = forms.CharField(
        label=gettext_lazy("Text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReplyForm(forms.ModelForm):
    class Meta:
        model = StaffReply
        fields = ["body", "points_to"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4}), "points_to": forms.RadioSelect}


# --- staff --------------------------------------------------------------------------------------


@requires(Cap.CONSOLE, post=Cap.ALERTS_PUBLISH)
def groups(request: HttpRequest) -> HttpResponse:
    scope = agency_scope(request)
    form = GroupForm(agency=scope) if scope is not None else None
    status = 200
    if request.method == "POST":
        if scope is None or not console.perms(request)["can_write"]:
            raise PermissionDenied
        form = GroupForm(request.POST, agency=scope)
        if form.is_valid() and form.geometry is not None:
            group = watch.create(scope, form.cleaned_data["name"], form.geometry,
                                 actor=request.user, request=request)  # fmt: skip
            return redirect("alerts:console_watch_group", group.pk)
        status = 400
    rows = console.scoped(request, WatchGroup.objects.all())
    return console.page(request, "alerts/console_watch.html",
                        {"form": form, "groups": rows, "section": "watch"}, status=status)  # fmt: skip


@requires(Cap.CONSOLE, post=Cap.ALERTS_PUBLISH)
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(
        console.scoped(request, WatchGroup.objects.select_related("agency")), pk=pk
    )
    form = MessageForm()
    status = 200
    if request.method == "POST":
        if not console.perms(request)["can_write"]:
            raise PermissionDenied
        form = MessageForm(request.POST)
        if form.is_valid():
            note = watch.message(group, form.cleaned_data["title"], form.cleaned_data["body"],
                                 actor=request.user, request=request)  # fmt: skip
            messages.success(
                request,
                _("Sent to %(count)s members' devices and inboxes.") % {"count": note.recipients},
            )
            return redirect("alerts:console_watch_group", group.pk)
        status = 400
    context = {
        "group": group, "form": form, "section": "watch",
        "members": group.members.select_related("resident").order_by("role", "joined"),
        "sent": group.messages.all()[:20],
    }  # fmt: skip
    return console.page(request, "alerts/console_watch_group.html", context, status=status)


@require_POST
@requires(Cap.ALERTS_PUBLISH)
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(
        WatchMember.objects.select_related("group__agency"),
        pk=pk, group__in=console.scoped(request, WatchGroup.objects.all()),
    )  # fmt: skip
    role = request.POST.get("role", "")
    if role not in WatchRole.values:
        return HttpResponse(_("Unknown role."), status=400)
    watch.set_role(member, role, actor=request.user, request=request)
    return redirect("alerts:console_watch_group", member.group_id)


@requires(Cap.CONSOLE, post=Cap.ALERTS_PUBLISH)
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(
        console.scoped(request, Post.objects.select_related("agency")), pk=pk,
        status=Post.Status.PUBLISHED, deleted__isnull=True,
    )  # fmt: skip
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        if not console.perms(request)["can_write"]:
            raise PermissionDenied
        form = ReplyForm(request.POST)
        if form.is_valid():
            answer = form.save(commit=False)
            answer.post, answer.agency, answer.author = post, post.agency, request.user
            answer.save()
            record("alerts.staff_reply", request=request, agency=post.agency, target=answer,
                   changes={"post": post.pk, "points_to": answer.points_to})  # fmt: skip
            messages.success(request, _("Your reply is under the post."))
            return redirect("alerts:reply", post.pk)
        status = 400
    context = {
        "post": post,
        "form": form,
        "replies": post.staff_replies.all(),
        "section": "community",
    }
    return console.page(request, "alerts/console_reply.html", context, status=status)


# --- residents ------------------------------------------------------------------------------------


@resident_login_required
def my_groups(request: HttpRequest) -> HttpResponse:
    resident = getattr(request.user, "resident", None)
    if resident is None:
        return render(request, "alerts/not_resident.html", status=403)
    if request.method == "POST":
        group = get_object_or_404(
            WatchGroup, pk=request.POST.get("group") or 0, agency=resident.agency
        )
        if request.POST.get("action") == "leave":
            WatchMember.objects.filter(group=group, resident=resident).delete()
        else:
            try:
                watch.join(resident, group)
            except PermissionError:
                return HttpResponse(_("None of your places is in this group's area."), status=403)
        return redirect("alerts:watch")
    joined = set(WatchMember.objects.filter(resident=resident).values_list("group_id", flat=True))
    context = {**disclaimers(resident.agency), "resident": resident, "section": "watch",
               "groups": watch.eligible(resident), "joined": joined}  # fmt: skip
    return render(request, "alerts/watch.html", context)


@resident_login_required
def my_group(request: HttpRequest, pk: int) -> HttpResponse:
    resident = getattr(request.user, "resident", None)
    if resident is None:
        return render(request, "alerts/not_resident.html", status=403)
    membership = (
        WatchMember.objects.filter(group_id=pk, resident=resident).select_related("group").first()
    )
    if membership is None:
        raise Http404
    group = membership.group
    captain = membership.role == WatchRole.CAPTAIN
    context = {
        **disclaimers(resident.agency), "resident": resident, "section": "watch", "group": group,
        "captain": captain, "notes": group.messages.all()[:20],
        "members": group.members.select_related("resident").order_by("role", "joined") if captain else [],
        "posts": watch.posts_in(group) if captain else [],
    }  # fmt: skip
    return render(request, "alerts/watch_group.html", context)
