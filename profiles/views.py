"""The business profile's staff pages (under /profile/) and the public find-a-partner directory."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from partnerportal.infrastructure.middleware import request_client_address
from partnerportal.infrastructure.pagination import list_state_query
from partnerportal.views.generic import (
    ASK_FIRST,
    AuthenticatedHttpRequest,
    Confirmation,
    ObjectFormView,
    PortalPermissionMixin,
    ServiceActionView,
    form_add_service_errors,
)
from permissions import policy
from permissions.roles import Action
from profiles import logo as logos
from profiles import selectors, services
from profiles.forms import BusinessProfileForm, ContactForm, DirectorySearchForm, ProfileLocationForm
from profiles.models import LOCATIONS_MAX, BusinessProfile, ProfileLocation

# A published logo's URL names its content hash, so browsers and proxies may keep it for a year.
PUBLIC_LOGO_CACHE = "public, max-age=31536000, immutable"
# A staff page's logo may be a draft's: signed-in answers are never stored (SecurityHeadersMiddleware says no-store).
STAFF_LOGO_CACHE = "private, no-store"


def _logo_response(request: HttpRequest, png: bytes, digest: str, cache_control: str) -> HttpResponse:
    etag = f'"{digest}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(png, content_type="image/png")
        response["Content-Disposition"] = 'inline; filename="logo.png"'
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _profile_context(request: AuthenticatedHttpRequest, profile: BusinessProfile) -> dict[str, Any]:
    """What the profile page and the location form show about a profile: its locations and the allowed buttons."""
    locations = list(profile.locations.all())
    return {
        "profile": profile,
        "locations": locations,
        "locations_full": len(locations) >= LOCATIONS_MAX,
        "locations_max": LOCATIONS_MAX,
        "can_manage": policy.has_action(request.user, Action.MANAGE_BUSINESS_PROFILE),
        "logo_small": bool(profile.logo_hash)
        and min(profile.logo_width or 0, profile.logo_height or 0) < logos.RECOMMENDED_MIN,
    }


class BusinessProfileListView(PortalPermissionMixin, TemplateView):
    """The partner's business profiles, one per country/region, with their states."""

    request: AuthenticatedHttpRequest
    permission_required = Action.VIEW_BUSINESS_PROFILE
    template_name = "profiles/businessprofile_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["profiles"] = selectors.profile_list(user=self.request.user)
        context["can_manage"] = policy.has_action(self.request.user, Action.MANAGE_BUSINESS_PROFILE)
        return context


def _profile_form_kwargs(view: Any, *, taken: set[str] | None) -> dict[str, Any]:
    return {
        "lead_contacts": selectors.lead_contact_choices(partner_id=view.request.user.partner_id),
        "taken_countries": taken,
    }


class BusinessProfileCreateView(PortalPermissionMixin, FormView):
    """A new (draft) business profile for a country/region that has none yet."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_BUSINESS_PROFILE
    form_class = BusinessProfileForm
    template_name = "profiles/businessprofile_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        taken = {p.country for p in selectors.profile_list(user=self.request.user)}
        return {**super().get_form_kwargs(), **_profile_form_kwargs(self, taken=taken)}

    def get_initial(self) -> dict[str, Any]:
        return {"country": self.request.GET.get("country", ""), "lead_contact": self.request.user.pk}

    def form_valid(self, form: BusinessProfileForm) -> HttpResponse:
        try:
            profile = services.business_profile_create(
                actor=self.request.user,
                country=form.cleaned_data["country"],
                data=form.profile_data(),
                logo=form.cleaned_data.get("logo"),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The profile was created as a draft. Add its locations, then publish it."))
        return HttpResponseRedirect(profile.get_absolute_url())


class BusinessProfileDetailView(PortalPermissionMixin, DetailView):
    """One profile: its content, state, locations and (for a global admin) the buttons that change them."""

    request: AuthenticatedHttpRequest
    permission_required = Action.VIEW_BUSINESS_PROFILE
    template_name = "profiles/businessprofile_detail.html"

    def get_queryset(self) -> Any:
        return selectors.profile_queryset(user=self.request.user, action=self.get_permission_required())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(_profile_context(self.request, self.object))
        return context


class BusinessProfileUpdateView(ObjectFormView):
    """Edit a profile's description, links, logo, expertise, sizes and lead contact (changes show at once)."""

    permission_required = Action.MANAGE_BUSINESS_PROFILE
    form_class = BusinessProfileForm
    template_name = "profiles/businessprofile_form.html"

    def get_queryset(self) -> Any:
        return selectors.profile_queryset(user=self.request.user, action=self.get_permission_required())

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), **_profile_form_kwargs(self, taken=None)}

    def get_initial(self) -> dict[str, Any]:
        profile = self.object
        return {field: getattr(profile, field) for field in services.EDITABLE_FIELDS}

    def perform(self, form: BusinessProfileForm) -> BusinessProfile:
        return services.business_profile_update(
            actor=self.request.user,
            profile=self.object,
            data=form.profile_data(),
            logo=form.cleaned_data.get("logo"),
            remove_logo=form.cleaned_data.get("remove_logo", False),
        )

    def notify(self, result: BusinessProfile) -> None:
        messages.success(self.request, _("The profile was saved."))


class _ProfileAction(ServiceActionView):
    permission_required = Action.MANAGE_BUSINESS_PROFILE
    model = BusinessProfile

    def get_queryset(self) -> Any:
        return selectors.profile_queryset(user=self.request.user, action=self.get_permission_required())

    def get_redirect_url(self, obj: Any) -> str:
        return obj.get_absolute_url()


class BusinessProfilePublishView(_ProfileAction):
    """Publish: the profile's locations are in the directory from now on."""

    success_message = _("The profile is published: its locations are in the find-a-partner directory now.")

    def run(self, obj: Any) -> None:
        services.business_profile_publish(actor=self.request.user, profile=obj)


class BusinessProfileUnpublishView(_ProfileAction):
    """Unpublish (after asking): the profile's locations leave the directory at once."""

    http_method_names = ASK_FIRST
    success_message = _("The profile is no longer published: its locations have left the directory.")

    def run(self, obj: Any) -> None:
        services.business_profile_unpublish(actor=self.request.user, profile=obj)

    def get_confirmation(self, obj: Any) -> Confirmation:
        return Confirmation(
            title=str(_("Unpublish the business profile?")),
            message=str(
                _(
                    "Its locations leave the find-a-partner directory at once and customers can no longer contact "
                    "you through it. You can publish it again later."
                )
            ),
            button=str(_("Unpublish")),
            cancel_url=obj.get_absolute_url(),
        )


class BusinessProfileDeleteView(PortalPermissionMixin, DetailView):
    """Ask before deleting a profile for good (GET), delete it (POST); its leads stay."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_BUSINESS_PROFILE
    template_name = "profiles/businessprofile_delete.html"
    context_object_name = "profile"

    def get_queryset(self) -> Any:
        return selectors.profile_queryset(user=self.request.user, action=self.get_permission_required())

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        profile = self.get_object()
        services.business_profile_delete(actor=request.user, profile=profile)
        messages.success(request, _("The business profile was deleted."))
        return HttpResponseRedirect(reverse("profiles:profile_list"))


class ProfileLocationAddView(ObjectFormView):
    """Add a location to a profile: "Save" returns to the profile, "Save and add another" to an empty form."""

    permission_required = Action.MANAGE_BUSINESS_PROFILE
    form_class = ProfileLocationForm
    template_name = "profiles/profilelocation_form.html"

    def get_queryset(self) -> Any:
        return selectors.profile_queryset(user=self.request.user, action=self.get_permission_required())

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "country": self.object.country}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(_profile_context(self.request, self.object))
        return context

    def perform(self, form: ProfileLocationForm) -> HttpResponse:
        services.profile_location_add(actor=self.request.user, profile=self.object, data=form.cleaned_data)
        if "save_another" in self.request.POST:
            target = reverse("profiles:location_add", args=[self.object.pk])
        else:
            target = self.object.get_absolute_url()
        return HttpResponseRedirect(target)

    def notify(self, result: Any) -> None:
        messages.success(self.request, _("The location was added."))


class ProfileLocationDeleteView(ServiceActionView):
    """Delete one location, after asking (to change an address, delete it and add the new one)."""

    permission_required = Action.MANAGE_BUSINESS_PROFILE
    http_method_names = ASK_FIRST
    success_message = _("The location was deleted.")

    def get_queryset(self) -> Any:
        return selectors.location_queryset(user=self.request.user, action=self.get_permission_required())

    def run(self, obj: Any) -> None:
        services.profile_location_delete(actor=self.request.user, location=obj)

    def get_confirmation(self, obj: Any) -> Confirmation:
        return Confirmation(
            title=str(_("Delete the location %(address)s?") % {"address": str(obj)}),
            message=str(_("The location leaves the find-a-partner directory at once. This cannot be undone.")),
            button=str(_("Delete location")),
            cancel_url=obj.profile.get_absolute_url(),
        )

    def get_redirect_url(self, obj: Any) -> str:
        return obj.profile.get_absolute_url()


class BusinessProfileLogoView(PortalPermissionMixin, DetailView):
    """A profile's logo (a draft's too) for its partner's staff: the stored PNG, revalidated by its ETag."""

    request: AuthenticatedHttpRequest
    permission_required = Action.VIEW_BUSINESS_PROFILE

    def get_queryset(self) -> Any:
        return selectors.profile_queryset(user=self.request.user, action=self.get_permission_required())

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        profile = self.get_object()
        stored = selectors.logo_of(profile_pk=profile.pk)
        if stored is None:
            raise Http404
        return _logo_response(request, stored[0], stored[1], STAFF_LOGO_CACHE)


# ------------------------------------------------------------------ the public directory (no sign-in)


class DirectoryMixin:
    """The public directory's pages: open to everyone, absent (404) where the cloud has no business profiles."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not policy.cloud_offers(Action.VIEW_BUSINESS_PROFILE):
            raise Http404
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]  # from the View it is mixed into


def _location_or_404(pk: Any) -> ProfileLocation:
    location = selectors.directory_location(pk=pk)
    if location is None:
        raise Http404
    return location


@method_decorator(login_not_required, name="dispatch")
class DirectorySearchView(DirectoryMixin, TemplateView):
    """Find a partner: published profiles' locations by country, expertise, size and free text, in keyset pages."""

    template_name = "profiles/directory_search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = DirectorySearchForm(self.request.GET or None)
        filters = selectors.DirectoryFilters(**form.filters()) if self.request.GET else selectors.DirectoryFilters()
        page = selectors.directory_page(
            filters=filters, after=self.request.GET.get("after", ""), before=self.request.GET.get("before", "")
        )
        context.update(
            {
                "form": form if self.request.GET else DirectorySearchForm(),
                "page": page,
                "rows": page.rows,
                "base_query": list_state_query(self.request),
                "searched": bool(self.request.GET),
            }
        )
        return context


@method_decorator(login_not_required, name="dispatch")
class DirectoryLocationView(DirectoryMixin, TemplateView):
    """One published location's page: the company, its logo, description, expertise, sizes and this address."""

    template_name = "profiles/directory_location.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        location = _location_or_404(self.kwargs["pk"])
        context.update({"location": location, "profile": location.profile})
        return context


@method_decorator(login_not_required, name="dispatch")
class DirectoryContactView(DirectoryMixin, FormView):
    """ "Contact me" on a published location: a lead for its partner, then a thank-you page.

    A filled honeypot gets the same thank-you page and nothing is stored; over a rate limit the visitor is told
    plainly to try later (429), since a person who is refused should not believe the partner will call.
    """

    template_name = "profiles/directory_contact.html"
    form_class = ContactForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The cloud check (DirectoryMixin) answers 404 too, so looking the location up first reveals nothing.
        self.location = _location_or_404(kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"country": self.location.profile.country}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update({"location": self.location, "profile": self.location.profile})
        return context

    def thanks(self) -> HttpResponse:
        return render(
            self.request,
            "profiles/directory_contact_sent.html",
            {"location": self.location, "profile": self.location.profile},
        )

    def form_valid(self, form: ContactForm) -> HttpResponse:
        if form.is_bot:
            return self.thanks()
        outcome = services.directory_contact(
            location=self.location, data=form.cleaned_data, client_address=request_client_address(self.request)
        )
        if outcome.limited:
            response = render(
                self.request,
                "profiles/directory_contact_limited.html",
                {
                    "location": self.location,
                    "profile": self.location.profile,
                    "retry_minutes": max(1, round(outcome.retry_after / 60)),
                },
                status=429,
            )
            response["Retry-After"] = str(outcome.retry_after)
            return response
        return self.thanks()

    def form_invalid(self, form: ContactForm) -> HttpResponse:
        if form.is_bot:
            return self.thanks()
        return super().form_invalid(form)


@method_decorator(login_not_required, name="dispatch")
class DirectoryLogoView(DirectoryMixin, View):
    """A published profile's logo; the URL names its content hash, so it is cached for long."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        stored = selectors.published_logo(profile_pk=kwargs["pk"], digest=kwargs["digest"])
        if stored is None:
            raise Http404
        return _logo_response(request, stored[0], stored[1], PUBLIC_LOGO_CACHE)
