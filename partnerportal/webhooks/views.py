"""The webhook pages of a partner's global admins (under Staff): endpoints, their secret and their delivery log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView

from partnerportal.views.generic import (
    ASK_FIRST,
    AuthenticatedHttpRequest,
    Confirmation,
    ObjectFormView,
    PortalPermissionMixin,
    ServiceActionView,
    form_add_service_errors,
)
from partnerportal.webhooks import services
from partnerportal.webhooks.forms import WebhookEndpointForm
from partnerportal.webhooks.models import WebhookDelivery, WebhookEndpoint
from permissions import policy
from permissions.roles import Action

LOG_ROWS = 100


class WebhookEndpointListView(PortalPermissionMixin, FormView):
    """The partner's endpoints and the form for a new one; the new secret is shown in that response only."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_WEBHOOKS
    form_class = WebhookEndpointForm
    template_name = "webhooks/webhookendpoint_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        endpoints = policy.restrict(WebhookEndpoint.objects.all(), self.request.user, Action.MANAGE_WEBHOOKS)
        context["endpoints"] = list(endpoints)
        return context

    def form_valid(self, form: WebhookEndpointForm) -> HttpResponse:
        try:
            endpoint = services.webhook_endpoint_create(
                actor=self.request.user,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=WebhookEndpointForm(), issued=endpoint))


class WebhookEndpointDetailView(PortalPermissionMixin, DetailView):
    """One endpoint: its settings, pause/resume, rotate, delete, and its latest deliveries with "Redeliver"."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_WEBHOOKS
    model = WebhookEndpoint
    template_name = "webhooks/webhookendpoint_detail.html"
    context_object_name = "endpoint"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["deliveries"] = list(self.object.deliveries.all()[:LOG_ROWS])
        return context


class WebhookEndpointUpdateView(ObjectFormView):
    """Change an endpoint's URL (checked like a new one's), event types and description; its secret stays."""

    permission_required = Action.MANAGE_WEBHOOKS
    model = WebhookEndpoint
    form_class = WebhookEndpointForm
    template_name = "webhooks/webhookendpoint_form.html"
    context_object_name = "endpoint"

    def get_initial(self) -> dict[str, Any]:
        return {
            "url": self.object.url,
            "event_types": list(self.object.event_types),
            "description": self.object.description,
        }

    def perform(self, form: WebhookEndpointForm) -> WebhookEndpoint:
        return services.webhook_endpoint_update(
            actor=self.request.user,
            endpoint=self.object,
            url=form.cleaned_data["url"],
            event_types=form.cleaned_data["event_types"],
            description=form.cleaned_data["description"],
        )

    def notify(self, result: WebhookEndpoint) -> None:
        messages.success(self.request, _("The endpoint was saved."))

    def get_success_url(self) -> str:
        return reverse("webhooks:endpoint_detail", args=[self.object.pk])


class _EndpointAction(ServiceActionView):
    permission_required = Action.MANAGE_WEBHOOKS
    model = WebhookEndpoint

    def get_redirect_url(self, obj: Any) -> str:
        return reverse("webhooks:endpoint_detail", args=[obj.pk])


class WebhookEndpointRotateView(_EndpointAction):
    """Give the endpoint a new secret (after asking) and show it once (this response only)."""

    http_method_names = ASK_FIRST

    def get_confirmation(self, obj: Any) -> Confirmation:
        return Confirmation(
            title=str(_("Rotate the secret of %(url)s?") % {"url": obj.url}),
            message=str(
                _(
                    "The current secret stops signing at once: the receiver refuses the next messages until it "
                    "verifies them with the new secret, which is shown once on the next page."
                )
            ),
            button=str(_("Rotate secret")),
            cancel_url=self.get_redirect_url(obj),
        )

    def run(self, obj: Any) -> HttpResponse:
        endpoint = services.webhook_secret_rotate(actor=self.request.user, endpoint=obj)
        view = WebhookEndpointDetailView(request=self.request, kwargs=self.kwargs, object=endpoint)
        context = view.get_context_data(object=endpoint, issued=endpoint)
        return view.render_to_response(context)


class WebhookEndpointPauseView(_EndpointAction):
    """Pause an endpoint (events wait; after asking) or resume it (what waited is sent)."""

    http_method_names = ASK_FIRST

    def get_confirmation(self, obj: Any) -> Confirmation:
        if not obj.enabled:
            return Confirmation(
                title=str(_("Resume %(url)s?") % {"url": obj.url}),
                message=str(_("The events that waited are sent, then every new one.")),
                button=str(_("Resume")),
                cancel_url=self.get_redirect_url(obj),
            )
        return Confirmation(
            title=str(_("Pause %(url)s?") % {"url": obj.url}),
            message=str(_("Nothing is sent to the endpoint until you resume it; new events wait meanwhile.")),
            button=str(_("Pause")),
            cancel_url=self.get_redirect_url(obj),
        )

    def run(self, obj: Any) -> None:
        services.webhook_endpoint_enable(actor=self.request.user, endpoint=obj, enabled=not obj.enabled)

    def get_success_message(self, obj: Any) -> str:
        return str(_("The endpoint was resumed.") if not obj.enabled else _("The endpoint was paused."))


class WebhookEndpointDeleteView(PortalPermissionMixin, DetailView):
    """Ask before deleting an endpoint and its delivery log (GET), delete it (POST)."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_WEBHOOKS
    model = WebhookEndpoint
    template_name = "webhooks/webhookendpoint_confirm_delete.html"
    context_object_name = "endpoint"

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        endpoint = self.get_object()
        services.webhook_endpoint_delete(actor=request.user, endpoint=endpoint)
        messages.success(request, _("The endpoint %(url)s was deleted.") % {"url": endpoint.url})
        return HttpResponseRedirect(reverse("webhooks:endpoint_list"))


class WebhookDeliveryRedeliverView(ServiceActionView):
    """Send one logged message again (same `webhook-id`, freshly signed)."""

    permission_required = Action.MANAGE_WEBHOOKS

    def get_queryset(self) -> Any:
        return policy.restrict(
            WebhookDelivery.objects.select_related("endpoint"), self.request.user, Action.MANAGE_WEBHOOKS
        )

    def get_object(self, queryset: Any = None) -> Any:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def run(self, obj: Any) -> None:
        services.webhook_redeliver(actor=self.request.user, delivery=obj)

    def get_success_message(self, obj: Any) -> str:
        return str(_("The message was queued again."))

    def get_redirect_url(self, obj: Any) -> str:
        return reverse("webhooks:endpoint_detail", args=[obj.endpoint_id])
