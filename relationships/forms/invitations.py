"""Forms of the invitation pages: the partner's request, the list filter, and the customer's acceptance."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerportal.models import Partner
from permissions.roles import Action
from relationships import hooks, selectors
from relationships.models import Invitation
from relationships.selectors import STATUS_FILTERS
from relationships.services import acceptance, acceptance_codes, invitation_emails, invitations


class InvitationForm(forms.Form):
    """Request a relationship: recipient, editable message, for an indirect reseller its provider, and what the apps
    above add (`relationships.hooks`: an admin relationship request). The legacy DAP flag is offered only where it
    is forced (US Government), as a box that cannot be cleared."""

    email = forms.EmailField(
        label=_("Recipient email"),
        max_length=254,
        help_text=_("A global administrator of the customer's organisation."),
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=invitations.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Edit it as you like; the acceptance link is added below it."),
    )
    dap = forms.BooleanField(
        label=_("Include delegated administration privileges"),
        required=False,
        initial=True,
        help_text=_(
            "Your admin agents become global administrators and your helpdesk agents helpdesk administrators of "
            "the customer's organisation. Clear it to manage only the subscriptions you provision."
        ),
    )
    provider = forms.ModelChoiceField(
        label=_("Indirect provider"),
        queryset=Partner.objects.none(),
        help_text=_("The customer is linked to you and to this indirect provider."),
    )

    def __init__(self, *args, partner, actions: frozenset[str], user=None, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("message", invitation_emails.default_message(partner=partner, customer=customer))
        if customer is not None:
            self.initial.setdefault("email", customer.contact_email)
        self.extension_keys: list[str] = []
        if Action.DELEGATED_ADMIN_FORCED in actions:
            # A disabled field ignores what is posted and keeps its initial value: always on.
            self.fields["dap"].disabled = True
            self.fields["dap"].initial = True
            self.fields["dap"].help_text = _(
                "Always requested in the US Government cloud, where invitations ask for no admin relationship."
            )
        else:
            # New relationships ask for least-privilege admin relationships instead of all-or-nothing DAP.
            del self.fields["dap"]
            for extension in hooks.invitation_extensions() if user is not None else []:
                choices = extension.choices(user)
                if choices:
                    self.fields[extension.key] = forms.ChoiceField(
                        label=extension.label,
                        required=False,
                        choices=[("", extension.empty_label), *choices],
                        help_text=extension.help_text,
                    )
                    self.extension_keys.append(extension.key)
        if Action.CHOOSE_PROVIDER in actions:
            provider = cast(forms.ModelChoiceField, self.fields["provider"])
            provider.queryset = selectors.active_providers(partner)
            provider.empty_label = _("Choose an indirect provider")
        else:
            del self.fields["provider"]

    def extension_values(self) -> dict[str, str]:
        """The chosen values of the fields the apps above added, for `invitation_create(extras=...)`."""
        return {key: self.cleaned_data[key] for key in self.extension_keys if self.cleaned_data.get(key)}


class InvitationFilterForm(forms.Form):
    """The invitations list's state filter; unknown values are ignored rather than refused."""

    status = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states"))] + [(s, Invitation.Status(s).label) for s in STATUS_FILTERS],
    )

    def value(self) -> str:
        return self.cleaned_data.get("status", "") if self.is_valid() else ""


class AcceptanceCodeForm(forms.Form):
    """The code emailed to the invited address (spaces allowed, as people copy it)."""

    code = forms.CharField(
        label=_("Code from the email"),
        max_length=20,
        error_messages={"required": acceptance_codes.CODE_FORMAT},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 20}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != acceptance_codes.CODE_DIGITS or not code.isascii() or not code.isdigit():
            raise forms.ValidationError(acceptance_codes.CODE_FORMAT)
        return code


class AcceptanceForm(forms.Form):
    """What the customer's global administrator confirms to accept an invitation (as the invited address)."""

    name = forms.CharField(label=_("Your name"), max_length=acceptance.NAME_MAX_LENGTH)
    confirm_global_admin = forms.BooleanField(
        label=_("I am a global administrator of this organisation"),
        error_messages={"required": acceptance.CONFIRM_GLOBAL_ADMIN},
    )
    accept_agreement = forms.BooleanField(
        label=_("I accept the reseller relationship and the customer agreement"),
        error_messages={"required": acceptance.ACCEPT_AGREEMENT},
    )
