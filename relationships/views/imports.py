"""Importing existing customers from CSV: upload, per-row preview, apply; and the template file."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from partnerportal.views.generic import (
    AuthenticatedHttpRequest,
    PortalPermissionMixin,
)
from permissions.roles import Action
from relationships.forms.lifecycle import (
    CustomerImportUploadForm,
)
from relationships.services import imports


class CustomerImportView(PortalPermissionMixin, TemplateView):
    """Upload a CSV, review the per-row preview, then apply the valid rows in one transaction."""

    request: AuthenticatedHttpRequest
    permission_required = Action.IMPORT_CUSTOMERS
    template_name = "relationships/customer_import.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", CustomerImportUploadForm())
        context.update(
            columns=imports.COLUMNS,
            max_rows=imports.MAX_ROWS,
            domain_suffix=settings.PORTAL_DOMAIN_SUFFIX,
        )
        return context

    def post(self, request, *args, **kwargs):
        if "payload" in request.POST:
            return self._apply(request)
        form = CustomerImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            rows = imports.import_preview(actor=request.user, upload=form.cleaned_data["file"])
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
            return self.render_to_response(self.get_context_data(form=form))
        return self._preview(rows)

    def _preview(self, rows, *, stale: bool = False):
        counts = {
            status: sum(1 for row in rows if row.status == status) for status in ("valid", "invalid", "duplicate")
        }
        return self.render_to_response(
            self.get_context_data(
                rows=rows,
                counts=counts,
                stale=stale,
                payload=imports.preview_sign(actor=self.request.user, rows=rows),
            )
        )

    def _apply(self, request):
        try:
            rows = imports.preview_load(actor=request.user, payload=request.POST.get("payload", ""))
        except imports.ImportFileError as exc:
            messages.error(request, str(exc))
            return self.render_to_response(self.get_context_data())
        if not any(row.status == "valid" for row in rows):
            messages.error(request, _("There are no valid rows to import."))
            return self._preview(rows)
        try:
            created = imports.customer_import_apply(actor=request.user, rows=rows)
        except imports.ImportStale as exc:
            return self._preview(exc.rows, stale=True)
        messages.success(request, _("Imported %(count)d customers.") % {"count": len(created)})
        return redirect(reverse("customers:customer_list") + "?sort=-created")


class CustomerImportTemplateView(PortalPermissionMixin, View):
    """The CSV template to fill in: the documented columns and one example row."""

    request: AuthenticatedHttpRequest
    permission_required = Action.IMPORT_CUSTOMERS
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="customer-import-template.csv"'
        return response
