"""Writes of relationships, one module per workflow, re-exported here:

- relationships.py: begin a relationship (the rows and the partner's staff access);
- invitations.py: request a relationship by email, resend, revoke, accept;
- lifecycle.py: end a relationship and restore it from its snapshot;
- partnerships.py: an indirect provider's partnerships with its resellers;
- imports.py: import existing customers from CSV.
"""

from relationships.services.imports import customer_import_apply, import_preview  # noqa: F401 -- re-exported
from relationships.services.invitations import (  # noqa: F401 -- re-exported
    InvitationClosed,
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
)
from relationships.services.lifecycle import (  # noqa: F401 -- re-exported
    relationship_end,
    relationship_snapshot_apply,
    restore_invitation_send,
)
from relationships.services.partnerships import (  # noqa: F401 -- re-exported
    partnership_authorize,
    partnership_remove,
    partnership_request,
)
from relationships.services.relationships import relationship_begin  # noqa: F401 -- re-exported
