"""Relationship forms: Add customer (onboarding.py); invitations and acceptance (invitations.py); end, restore,
partnerships, import (lifecycle.py).

The modules are re-exported here, so callers import from `relationships.forms`.
"""

from relationships.forms.invitations import (  # noqa: F401 -- re-exported
    AcceptanceCodeForm,
    AcceptanceForm,
    InvitationFilterForm,
    InvitationForm,
)
from relationships.forms.lifecycle import (  # noqa: F401 -- re-exported
    CustomerImportUploadForm,
    PartnershipAuthorizeForm,
    PartnershipRequestForm,
    RelationshipEndForm,
    RestoreInvitationForm,
)
from relationships.forms.onboarding import AddCustomerForm  # noqa: F401 -- re-exported
