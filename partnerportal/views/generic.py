"""The generic view bases of the portal, and the one access mixin every portal view inherits first.

- `PortalPermissionMixin`: 403 without the action, querysets narrowed to the user's scope (404 outside it);
- `form_add_service_errors` / `ServiceFormMixin`: a service's ValidationError becomes form errors, in one place;
- `KeysetListView`: a list in keyset pages with a bounded count (never a full COUNT), the list state in the URL;
- `ObjectFormMixin`: a form about one object in scope, saved through a service inside a transaction that
  re-checks afterwards that the object is still in the user's scope (NetBox's ObjectEditView);
- `ObjectFormView`: the same as a complete view;
- `ServiceActionView`: a button that runs one service on one object in scope (POST); a destructive one first asks on a
  confirmation page (GET, `Confirmation`), which `static/js/confirm.js` shows as a dialog where JavaScript runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from partnerportal.infrastructure.pagination import (
    PAGE_SIZES,
    Ordering,
    Page,
    list_position,
    list_state_params,
    page_size,
    paginate,
)
from partnerportal.models import User
from permissions import policy

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class AuthenticatedHttpRequest(HttpRequest):
    """The request a portal view behind `PortalPermissionMixin` handles: its user has signed in.

    Only a type (django-stubs' recipe): the mixin redirects anonymous requests to sign-in before any handler runs.
    """

    user: User


class PortalPermissionMixin:
    """Answer 403 when the user's roles lack `permission_required`, and narrow querysets to the user's scope.

    A feature the deployment's cloud withholds (`policy.cloud_offers`) answers 404 to everyone.

    Put it first in the bases of every portal view. Objects outside the scope are simply absent from
    `get_queryset()`, so detail and edit views answer 404 for them without revealing that they exist.
    A view whose POST needs a different action than its GET sets `post_permission_required`.
    """

    request: AuthenticatedHttpRequest
    permission_required: str | None = None
    post_permission_required: str | None = None

    @classmethod
    def permission_for(cls, method: str | None) -> str:
        """The action a request with this method needs (the sign-in middleware asks it before the view runs)."""
        if method == "POST" and cls.post_permission_required:
            return cls.post_permission_required
        if not cls.permission_required:
            raise ImproperlyConfigured(f"{cls.__name__} must set permission_required")
        return cls.permission_required

    def get_permission_required(self) -> str:
        return self.permission_for(self.request.method)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # A feature this cloud does not have is absent for everyone (404), before sign-in is even asked for.
        if not policy.cloud_offers(self.get_permission_required()):
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not policy.has_action(request.user, self.get_permission_required()):
            raise PermissionDenied
        # A mixin: the view it comes first in (a View subclass) provides dispatch and, for object views, get_queryset.
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_queryset(self) -> QuerySet:
        return policy.restrict(
            super().get_queryset(),  # type: ignore[misc]  # from the object view the mixin is combined with
            self.request.user,
            self.get_permission_required(),
        )


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

    if TYPE_CHECKING:  # provided by the form view the mixin is combined with
        object: Any

        def form_invalid(self, form: Any) -> HttpResponse: ...

        def get_success_url(self) -> str: ...

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


class KeysetListMixin:
    """A list in keyset pages: the rows, the count line, the pager and the whole list state in the URL.

    Subclasses set `ordering` (one order) or `sorts` (the orders its column headers offer, by their `?sort=` value,
    the default first; or override `get_sort`/`get_ordering`), `rows_name` (the context name of the rows) and
    implement `get_list_queryset()`; `prepare_rows(rows)` decorates one page, `get_count_queryset(queryset)` drops
    what the count does not need. `?size=` picks a size of `PAGE_SIZES` (else `PORTAL_PAGE_SIZE`); the count stops at
    `PORTAL_COUNT_CAP`. The context holds `page`, the rows under `rows_name`, `list_count`, `base_query` (the list
    state without the page's position, for the pager) and `sort`/`sort_query` (for `{% sort_header %}`). Use
    `KeysetListView`, or this mixin after `PortalPermissionMixin` and any other dispatch mixin when a page needs one.
    """

    request: AuthenticatedHttpRequest
    ordering: Ordering | None = None
    sorts: Mapping[str, Ordering] = {}
    rows_name = "rows"
    # Turns a cursor's primary key back into the model's key type (uuid.UUID for customers).
    pk_parse: Callable[[str], Any] = int

    def get_list_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_count_queryset(self, queryset: QuerySet) -> QuerySet:
        """The query the count line counts: the list's own by default (its filters and scope, counted unordered)."""
        return queryset

    def get_sort(self) -> str:
        """The `?sort=` value in force: the URL's when the list offers it, else the default (the first of `sorts`)."""
        if not self.sorts:
            return ""
        raw = self.request.GET.get("sort", "")
        return raw if raw in self.sorts else next(iter(self.sorts))

    def get_ordering(self) -> Ordering:
        if self.sorts:
            return self.sorts[self.get_sort()]
        if self.ordering is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must set ordering or override get_ordering()")
        return self.ordering

    def get_page_size(self) -> int:
        return page_size(self.request.GET.get("size"), default=settings.PORTAL_PAGE_SIZE)

    def prepare_rows(self, rows: list) -> None:
        """Decorate the rows of one page (per-row labels, which rows link where); nothing by default."""

    def get_page(self) -> Page:
        self.list_queryset = self.get_list_queryset()
        self.list_ordering = self.get_ordering()
        return paginate(
            self.list_queryset,
            self.list_ordering,
            after=self.request.GET.get("after", ""),
            before=self.request.GET.get("before", ""),
            size=self.get_page_size(),
            pk_parse=type(self).pk_parse,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]  # from the template view it is mixed into
        page = self.get_page()
        self.prepare_rows(page.rows)
        size = self.get_page_size()
        default_size = settings.PORTAL_PAGE_SIZE
        list_count = list_position(
            self.get_count_queryset(self.list_queryset),
            self.list_ordering,
            page,
            start=self.request.GET.get("start", ""),
            cap=settings.PORTAL_COUNT_CAP,
        )
        # The list state without the page's position; the size only when it is a valid, non-default one.
        state = list_state_params(self.request, drop=("size",))
        if size != default_size:
            state["size"] = str(size)
        sort_state = state.copy()
        sort_state.pop("sort", None)
        size_state = state.copy()
        size_state.pop("size", None)
        first = list_count.first if list_count else None
        context.update(
            {
                "page": page,
                self.rows_name: page.rows,
                "list_count": list_count,
                "base_query": state.urlencode(),
                "next_start": first + len(page.rows) if first is not None else None,
                "previous_start": max(first - size, 1) if first is not None else None,
                "page_size": size,
                "page_sizes": PAGE_SIZES,
                # Hidden fields of the page-size form and of the list's own filter form (which drops the position).
                "size_state_fields": [(key, value) for key, values in size_state.lists() for value in values],
                "keep_size": size if size != default_size else None,
                "sort": self.get_sort(),
                "sort_query": sort_state.urlencode(),
            }
        )
        return context


class KeysetListView(PortalPermissionMixin, KeysetListMixin, TemplateView):
    """A portal list page in keyset pages: set `permission_required`, `template_name`, `ordering`, `rows_name`
    and implement `get_list_queryset()`."""

    request: AuthenticatedHttpRequest


class ObjectFormMixin(PortalPermissionMixin, ServiceFormMixin, SingleObjectMixin):
    """A form page about one object found in the user's scope (404 otherwise), saved through a service.

    Use as `class XView(ObjectFormMixin, FormView)` with `permission_required`, `model` and `form_class`;
    `perform(form)` calls the service, `notify(result)` adds the success messages once the change is committed.
    The service runs inside a transaction that afterwards checks the object is still in
    `policy.restrict(model.objects, user, action)`: a save that would move it out of the user's scope is rolled
    back and answered 403 (the user saw the object, so the answer reveals nothing).
    """

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)  # type: ignore[misc]  # from the FormView it is mixed into

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)  # type: ignore[misc]  # from the FormView it is mixed into

    def still_in_scope(self, pk) -> bool:
        """Whether the object is still among the rows the user may take the view's action on."""
        return self.get_queryset().filter(pk=pk).exists()

    def notify(self, result) -> None:
        """Tell the user what happened (messages); called only after the change is committed."""

    def form_valid(self, form):
        pk = self.object.pk
        try:
            with transaction.atomic():
                result = self.perform(form)
                if not self.still_in_scope(pk):
                    # Raised inside the atomic block, so the service's changes are rolled back with it.
                    raise PermissionDenied("The change would move the object out of your scope.")
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        self.notify(result)
        if isinstance(result, HttpResponseBase):
            return result
        self.object = result
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()


@dataclasses.dataclass(frozen=True)
class Confirmation:
    """What the confirmation page of a destructive action says: the question naming the object, the consequence,
    the red button's label and where Cancel goes; `fields` are posted with the button (hidden inputs)."""

    title: str
    message: str
    button: str
    cancel_url: str
    cancel_label: str = ""
    fields: dict[str, str] = dataclasses.field(default_factory=dict)


# The methods of a ServiceActionView that asks first: GET shows the confirmation page, POST acts.
ASK_FIRST: list[str] = ["get", "post"]


class ServiceActionMixin:
    """A button that runs one service on one object (`get_object()`) on POST and reports the outcome.

    Subclasses implement `run(obj)` (the service call; it may return a response to show instead of the redirect),
    `get_redirect_url(obj)`, and set `success_message` or override `get_success_message(obj)`. A service's
    ValidationError becomes an error message on the page redirected to. Use `ServiceActionView`, or this mixin
    after `PortalPermissionMixin` and any other dispatch mixin when a page needs one.

    A destructive action asks first: it sets `http_method_names = ASK_FIRST` and implements `get_confirmation(obj)`;
    a GET on the action's URL then shows `generic/confirm.html` (it changes nothing) whose red button posts back to
    the same URL, and pages link to that URL with `data-confirm` so `static/js/confirm.js` shows the same text in a
    dialog instead of navigating. Without it a GET is refused (405) before any lookup.
    """

    request: AuthenticatedHttpRequest
    http_method_names: Sequence[str] = ["post"]
    success_message: str | StrPromise = ""
    confirm_template_name = "generic/confirm.html"

    if TYPE_CHECKING:  # provided by the object view the mixin is combined with
        object: Any

        def get_object(self, queryset: QuerySet | None = None) -> Any: ...

    def run(self, obj) -> HttpResponseBase | None:
        raise NotImplementedError

    def get_redirect_url(self, obj) -> str:
        raise NotImplementedError

    def get_success_message(self, obj) -> str:
        return str(self.success_message)

    def get_confirmation(self, obj) -> Confirmation:
        """The question a destructive action asks first (only views with `http_method_names = ASK_FIRST`)."""
        raise ImproperlyConfigured(f"{type(self).__name__} asks first but does not implement get_confirmation()")

    def get(self, request, *args, **kwargs):
        """The confirmation page: names the object and the consequence; reads only."""
        self.object = self.get_object()
        confirmation = self.get_confirmation(self.object)
        return render(
            request,
            self.confirm_template_name,
            {
                "object": self.object,
                "confirmation": confirmation,
                "action_url": request.path,
                "cancel_label": confirmation.cancel_label or _("Cancel"),
            },
        )

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            response = self.run(self.object)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if response is not None:
                return response
            message = self.get_success_message(self.object)
            if message:
                messages.success(request, message)
        return HttpResponseRedirect(self.get_redirect_url(self.object))


class ServiceActionView(PortalPermissionMixin, ServiceActionMixin, SingleObjectMixin, View):
    """A button on one object in the user's scope (404 otherwise): set `permission_required`, `model` (or
    `get_queryset`) and implement `run(obj)` and `get_redirect_url(obj)`; a destructive one also asks first
    (`http_method_names = ASK_FIRST`, `get_confirmation(obj)`)."""

    request: AuthenticatedHttpRequest


class ObjectFormView(ObjectFormMixin, FormView):
    """A form page about one object in the user's scope, saved through `perform(form)` with the scope re-check."""

    request: AuthenticatedHttpRequest
