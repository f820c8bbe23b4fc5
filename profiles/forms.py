"""The business profile's forms (shape only; the services decide the rules) and the directory's public forms."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from customers import countries
from leads.models import CompanySize
from partnerportal.models import User
from profiles import catalogue, logo
from profiles.models import DESCRIPTION_MAX_LENGTH, validate_linkedin_company_url

MESSAGE_MAX_LENGTH = 2000
SKILLS_HELP = _("Up to %(max)d, one per line or separated by commas, each at most %(length)d characters.") % {
    "max": catalogue.SKILLS_MAX,
    "length": catalogue.SKILL_MAX_LENGTH,
}


class SkillsField(forms.CharField):
    """Free-form skills typed one per line (or comma-separated): a list, each within its length, at most 20."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [" ".join(part.split()) for line in text.splitlines() for part in line.split(",") if part.strip()]

    def validate(self, value: Any) -> None:
        if len(value) > catalogue.SKILLS_MAX:
            raise forms.ValidationError(_("Enter at most %(max)d skills."), params={"max": catalogue.SKILLS_MAX})
        for skill in value:
            if len(skill) > catalogue.SKILL_MAX_LENGTH:
                raise forms.ValidationError(
                    _("Each skill can have at most %(max)d characters."), params={"max": catalogue.SKILL_MAX_LENGTH}
                )

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value


class LogoField(forms.FileField):
    """A logo upload, decoded and re-encoded here (`profiles.logo`): the cleaned value is the processed Logo."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if not upload or upload is initial:
            return None
        if upload.size is not None and upload.size > logo.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(logo.MESSAGES["too_big"], code="too_big")
        return logo.logo_process(upload.read(logo.MAX_UPLOAD_BYTES + 1))


def _checkboxes(choices: Any, label: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple)


class BusinessProfileForm(forms.Form):
    """Create or edit a business profile; on create the country/region is chosen too."""

    country = forms.ChoiceField(label=_("Country/region"))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Up to 2,500 characters, shown as plain text; blank lines separate paragraphs."),
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
    )
    linkedin_url = forms.URLField(
        label=_("LinkedIn company page"),
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=[validate_linkedin_company_url],
        help_text=_("For example https://www.linkedin.com/company/contoso"),
    )
    logo = LogoField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/gif,image/jpeg"}),
        help_text=_(
            "GIF, JPG or PNG, at most 2 MB; shown at most 300 pixels wide. At least 216 × 216 pixels, square or "
            "wide, is recommended."
        ),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    industries = _checkboxes(catalogue.Industry.choices, _("Industry focus"))
    products = _checkboxes(catalogue.Product.choices, _("Products"))
    service_types = _checkboxes(catalogue.ServiceType.choices, _("Service types"))
    skills = SkillsField(label=_("Solutions, skills and capabilities"), required=False, help_text=SKILLS_HELP)
    target_sizes = _checkboxes(CompanySize.choices, _("Target customer sizes"))
    lead_contact = forms.ModelChoiceField(
        label=_("Lead contact"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("This person receives the emails about leads sent through the profile."),
    )

    def __init__(self, *args: Any, lead_contacts: Any, taken_countries: set[str] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["lead_contact"]).queryset = lead_contacts
        if taken_countries is None:
            # Editing: the country is the profile's and is not submitted.
            del self.fields["country"]
        else:
            cast(forms.ChoiceField, self.fields["country"]).choices = [
                ("", _("Select a country/region")),
                *((code, name) for code, name in countries.country_choices() if code not in taken_countries),
            ]
            del self.fields["remove_logo"]

    def profile_data(self) -> dict[str, Any]:
        """The cleaned values the services take as `data`."""
        skip = {"country", "logo", "remove_logo"}
        return {key: value for key, value in self.cleaned_data.items() if key not in skip}


class ProfileLocationForm(forms.Form):
    """One location's address in the profile's country (the customers' address rules decide in the service)."""

    address_line1 = forms.CharField(label=_("Address line 1"), max_length=200)
    address_line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100)
    state = forms.ChoiceField(label=_("State/province"), required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)

    def __init__(self, *args: Any, country: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = countries.get_rules(country)
        if rules.state_required:
            cast(forms.ChoiceField, self.fields["state"]).choices = [
                ("", _("Select a state/province")),
                *countries.state_choices(country),
            ]
            self.fields["state"].required = True
        else:
            del self.fields["state"]
        if not rules.postal_code_required:
            del self.fields["postal_code"]


class DirectorySearchForm(forms.Form):
    """The directory's filters (GET); an unknown value is simply ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country/region"), required=False)
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=[("", _("Any industry")), *catalogue.Industry.choices]
    )
    product = forms.ChoiceField(
        label=_("Product"), required=False, choices=[("", _("Any product")), *catalogue.Product.choices]
    )
    service_type = forms.ChoiceField(
        label=_("Service type"), required=False, choices=[("", _("Any service type")), *catalogue.ServiceType.choices]
    )
    size = forms.ChoiceField(
        label=_("Company size"), required=False, choices=[("", _("Any company size")), *CompanySize.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("Any country/region")),
            *countries.country_choices(),
        ]

    def filters(self) -> dict[str, str]:
        """The valid filters (invalid ones dropped, so a stale link still shows results)."""
        if self.is_valid():
            return {key: value for key, value in self.cleaned_data.items() if value}
        return {key: value for key, value in self.cleaned_data.items() if value and key not in self.errors}


class ContactForm(forms.Form):
    """A visitor's "Contact me" on a location's page; `website` is a honeypot no person sees or fills."""

    company_name = forms.CharField(label=_("Company name"), max_length=255)
    contact_name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    country = forms.ChoiceField(label=_("Country/region"))
    company_size = forms.ChoiceField(label=_("Company size"), choices=[("", "—"), *CompanySize.choices])
    message = forms.CharField(
        label=_("Message"), max_length=MESSAGE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    consent = forms.BooleanField(
        label=_("I agree that this partner may contact me about my request using the details above."),
    )
    # The honeypot: hidden from people by the stylesheet (no inline style), left empty by them, filled by bots.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("Select a country/region")),
            *countries.country_choices(),
        ]
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))
