"""Writes of customers, re-exported here: the profile (customers.py, its rules in validation.py), tags (tags.py),
subscriptions (subscriptions.py). Each validates, changes, logs activity and keeps access in step, atomically.
"""

from customers.services.customers import (  # noqa: F401 -- re-exported
    customer_agreement_attest,
    customer_create,
    customer_update,
)
from customers.services.subscriptions import subscription_create, subscription_status_change  # noqa: F401
from customers.services.tags import customer_tags_set  # noqa: F401 -- re-exported
from customers.services.validation import (  # noqa: F401 -- re-exported
    customer_clean,
    customer_validate,
    domain_available,
    domain_check,
    primary_domain_for,
)
