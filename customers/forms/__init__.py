"""Customer forms: the profile (customers.py), tags (tags.py), subscriptions (subscriptions.py).

The modules are re-exported here, so callers import from `customers.forms`.
"""

from customers.forms.customers import (  # noqa: F401 -- re-exported
    CustomerAgreementForm,
    CustomerForm,
)
from customers.forms.subscriptions import (  # noqa: F401 -- re-exported
    SubscriptionForm,
    SubscriptionStatusForm,
)
from customers.forms.tags import (  # noqa: F401 -- re-exported
    CustomerTagsForm,
)
