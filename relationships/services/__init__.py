"""Writes of relationships, one module per workflow, re-exported here:

- relationships.py: begin a relationship (the rows and the partner's staff access);
- onboarding.py: a new customer and its relationship, as one write (Add customer, import, invitations);
- invitations.py: request a relationship by email, resend, revoke (their emails: invitation_emails.py);
- acceptance_codes.py: the code emailed to the invited address, which the acceptor confirms first;
- acceptance.py: the customer's acceptance through the emailed link;
- dap.py: remove the legacy delegated-admin flag;
- lifecycle.py: end a relationship and send the invitation that restores it;
- snapshots.py: what ending a relationship removes, taken when it ends and reapplied on restore;
- partnerships.py: an indirect provider's partnerships with its resellers;
- imports.py: import existing customers from CSV;
- expiry.py: announce each expiry of a pending invitation (`invitation.expired`), run by the scheduler.

Each module imports the ones it builds on directly (never this package), so there is no cycle to work around.
"""

from relationships.services.acceptance import (  # noqa: F401 -- re-exported
    InvitationClosed,
    MailboxNotVerified,
    invitation_accept,
)
from relationships.services.acceptance_codes import (  # noqa: F401 -- re-exported
    acceptance_code_send,
    acceptance_code_verify,
)
from relationships.services.dap import relationship_dap_remove  # noqa: F401 -- re-exported
from relationships.services.imports import customer_import_apply, import_preview  # noqa: F401 -- re-exported
from relationships.services.invitations import (  # noqa: F401 -- re-exported
    invitation_create,
    invitation_resend,
    invitation_revoke,
)
from relationships.services.lifecycle import relationship_end, restore_invitation_send  # noqa: F401 -- re-exported
from relationships.services.onboarding import (  # noqa: F401 -- re-exported
    customer_onboard,
    customer_onboard_with_options,
)
from relationships.services.partnerships import (  # noqa: F401 -- re-exported
    partnership_authorize,
    partnership_remove,
    partnership_request,
)
from relationships.services.relationships import relationship_begin  # noqa: F401 -- re-exported
from relationships.services.snapshots import relationship_snapshot_apply  # noqa: F401 -- re-exported
