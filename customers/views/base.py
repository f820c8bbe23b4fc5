"""The base of the customer pages that change one customer."""

from __future__ import annotations

from customers.models import Customer
from partnerportal.views.generic import ObjectFormMixin


class CustomerFormMixin(ObjectFormMixin):
    """A form page about one customer the user may take the view's action on (404 for any other)."""

    model = Customer
    context_object_name = "customer"
