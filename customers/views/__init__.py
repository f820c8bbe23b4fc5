"""Customer pages: list, page, edit, agreement (customers.py); export, lookup, tags, subscriptions (account.py).

The modules are re-exported here, so callers import from `customers.views`.
"""

from customers.views.account import (  # noqa: F401 -- re-exported
    CustomerExportView,
    CustomerLookupView,
    CustomerTagsView,
    SubscriptionCreateView,
    SubscriptionStatusView,
)
from customers.views.customers import (  # noqa: F401 -- re-exported
    CustomerAgreementView,
    CustomerDetailView,
    CustomerListView,
    CustomerUpdateView,
    DomainCheckView,
)
from customers.views.purchase_permissions import PurchasePermissionView  # noqa: F401 -- re-exported
