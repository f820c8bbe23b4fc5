"""Relationship pages: Add customer (onboarding.py); invitations (invitations.py); the public acceptance page
(acceptance.py); end and restore (relationships.py); provider ↔ reseller partnerships (partnerships.py); CSV import
(imports.py).

The modules are re-exported here, so callers import from `relationships.views`.
"""

from relationships.views.acceptance import (  # noqa: F401 -- re-exported
    CustomerAgreementView,
    InvitationAcceptView,
    InvitationDomainCheckView,
)
from relationships.views.imports import CustomerImportTemplateView, CustomerImportView  # noqa: F401 -- re-exported
from relationships.views.invitations import (  # noqa: F401 -- re-exported
    InvitationCreateView,
    InvitationListView,
    InvitationResendView,
    InvitationRevokeView,
)
from relationships.views.onboarding import CustomerCreateView  # noqa: F401 -- re-exported
from relationships.views.partnerships import (  # noqa: F401 -- re-exported
    PartnershipAuthorizeView,
    PartnershipCreateView,
    PartnershipListView,
    PartnershipRemoveView,
)
from relationships.views.relationships import (  # noqa: F401 -- re-exported
    RelationshipEndedListView,
    RelationshipEndView,
    RelationshipRestoreView,
)
