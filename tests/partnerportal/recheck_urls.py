"""A test urlconf: the portal's routes plus two test-only edit views on the generic object form view.

No real form of the portal can move an object out of its editor's scope (a customer's scope comes from its
relationship and access rows, which no edit form changes), so the re-check after saving is exercised through views
whose service does: one ends the partner's relationship while saving, one saves a harmless change.
"""

from __future__ import annotations

from django import forms
from django.urls import path
from django.views.generic import FormView

from customers.services import customer_update
from customers.views.base import CustomerFormMixin
from partnerportal.urls import urlpatterns as portal_urlpatterns
from permissions.roles import Action
from relationships.services import relationship_end


class _RenameForm(forms.Form):
    company_name = forms.CharField()


class _RenameView(CustomerFormMixin, FormView):
    permission_required = Action.CHANGE_CUSTOMER
    form_class = _RenameForm
    template_name = "generic/object_form.html"

    def perform(self, form):
        return customer_update(
            actor=self.request.user, customer=self.object, data={"company_name": form.cleaned_data["company_name"]}
        )


class RenameAndEndView(_RenameView):
    """Saves the new name, then ends the partner's relationship: the customer leaves the editor's scope."""

    def perform(self, form):
        customer = super().perform(form)
        relationship_end(
            actor=self.request.user, customer=customer, reason="other", details="Leaving the editor's scope"
        )
        return customer


class RenameView(_RenameView):
    """Saves the new name only: the customer stays in scope."""


urlpatterns = [
    path("test/rename-and-end/<uuid:pk>/", RenameAndEndView.as_view(), name="test_rename_and_end"),
    path("test/rename/<uuid:pk>/", RenameView.as_view(), name="test_rename"),
    *portal_urlpatterns,
]
