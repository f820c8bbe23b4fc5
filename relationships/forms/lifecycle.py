"""Forms of the end/restore, partnership and import pages: they check shape; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from relationships.models import Relationship
from relationships.services.imports import MAX_BYTES, MAX_ROWS

GOOD_FAITH_STATEMENT = _(
    "I confirm that the decision to end this relationship was made in good faith, for a legitimate business "
    "purpose and in line with our agreement with the customer, and that we will give the customer any legal "
    "notice of termination our agreement requires (the portal does not send one)."
)


class RelationshipEndForm(forms.Form):
    """Why the relationship ends (a reason from a short list, with details for "other") and the good-faith box."""

    # The stored codes (`Relationship.EndReason`); only "other" reads differently here, to ask for the details.
    REASONS = [
        (code, _("Other reason (explain below)") if code == Relationship.EndReason.OTHER else label)
        for code, label in Relationship.EndReason.choices
    ]

    reason = forms.ChoiceField(label=_("Reason"), choices=[("", _("Choose a reason")), *REASONS])
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=900,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the reason is “Other”. Kept with the relationship's history."),
    )
    confirm = forms.BooleanField(
        label=GOOD_FAITH_STATEMENT,
        error_messages={"required": _("Confirm the statement to end the relationship.")},
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        details = (cleaned.get("details") or "").strip()
        cleaned["details"] = details
        if cleaned.get("reason") == "other" and not details:
            self.add_error("details", _("Describe the reason for ending the relationship."))
        return cleaned


class RestoreInvitationForm(forms.Form):
    """Who receives the restore invitation, and the message sent with it."""

    email = forms.EmailField(label=_("Recipient email"), max_length=254)
    message = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))


class PartnershipRequestForm(forms.Form):
    """The indirect reseller's email address and the message sent with the partnership link."""

    email = forms.EmailField(label=_("Indirect reseller's email"), max_length=254)
    message = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class PartnershipAuthorizeForm(forms.Form):
    """The reseller's confirmation that the provider may act for it."""

    confirm = forms.BooleanField(
        label=_(
            "I authorize this indirect provider to submit orders and add subscriptions on behalf of our customers, "
            "and to add customers for our organisation."
        ),
        error_messages={"required": _("Tick the box to authorize the indirect provider.")},
    )


class CustomerImportUploadForm(forms.Form):
    """The CSV file to preview."""

    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request, so the help text follows the user's language.
        self.fields["file"].help_text = _(
            "UTF-8 CSV with the template's columns, up to 2 MB and %(rows)d customers."
        ) % {"rows": MAX_ROWS}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB. Split it into smaller files."))
        return upload
