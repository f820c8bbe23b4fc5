"""Relationship pages: Add customer (onboarding.py); invitations and the public acceptance page (invitations.py);
end, restore, partnerships and import (relationships.py).

The modules are re-exported here, so callers import from `relationships.views`.
"""

from relationships.views.invitations import (  # noqa: F401 -- re-exported
    InvitationAcceptView,
    InvitationCreateView,
    InvitationListView,
    InvitationResendView,
    InvitationRevokeView,
)
from relationships.views.onboarding import CustomerCreateView  # noqa: F401 -- re-exported
from relationships.views.relationships import (  # noqa: F401 -- re-exported
    CustomerImportTemplateView,
    CustomerImportView,
    PartnershipAuthorizeView,
    PartnershipCreateView,
    PartnershipListView,
    PartnershipRemoveView,
    RelationshipEndedListView,
    RelationshipEndView,
    RelationshipRestoreView,
)
