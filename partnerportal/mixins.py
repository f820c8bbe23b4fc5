"""The one access mixin every portal view inherits first, and the generic edit view built on it."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.views.generic.detail import SingleObjectMixin

from permissions import policy


class PortalPermissionMixin:
    """Answer 403 when the user's roles lack `permission_required`, and narrow querysets to the user's scope.

    Put it first in the bases of every portal view. Objects outside the scope are simply absent from
    `get_queryset()`, so detail and edit views answer 404 for them without revealing that they exist.
    A view whose POST needs a different action than its GET sets `post_permission_required`.
    """

    permission_required: str | None = None
    post_permission_required: str | None = None

    def get_permission_required(self) -> str:
        if self.request.method == "POST" and self.post_permission_required:
            return self.post_permission_required
        if not self.permission_required:
            raise ImproperlyConfigured(f"{type(self).__name__} must set permission_required")
        return self.permission_required

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not policy.has_action(request.user, self.get_permission_required()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return policy.restrict(super().get_queryset(), self.request.user, self.get_permission_required())


def form_add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: field errors next to their fields, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ServiceFormMixin:
    """Run a service from `form_valid` and turn its ValidationError into form errors, in one place.

    Subclasses implement `perform(form)` which calls the service and returns the object to redirect to
    (or an HttpResponse).
    """

    def perform(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            result = self.perform(form)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        if isinstance(result, HttpResponseRedirect) or hasattr(result, "status_code"):
            return result
        self.object = result
        return HttpResponseRedirect(self.get_success_url())


class ObjectFormMixin(PortalPermissionMixin, ServiceFormMixin, SingleObjectMixin):
    """A form page about one object found in the user's scope (404 otherwise), saved through a service.

    Use as `class XView(ObjectFormMixin, FormView)` with `permission_required`, `model` and `form_class`.
    """

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()


class CustomerFormMixin(ObjectFormMixin):
    """A form page about one customer the user may take the view's action on."""

    context_object_name = "customer"

    def get_queryset(self):
        from customers.models import Customer

        return policy.restrict(Customer.objects.all(), self.request.user, self.get_permission_required())
