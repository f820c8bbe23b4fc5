"""The form that sets a customer's tags: the partner's existing tags as checkboxes plus new ones typed in."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from customers import selectors
from customers.models import Tag
from customers.services.tags import tag_names_parse


class CustomerTagsForm(forms.Form):
    """Checkboxes over the partner's tags and a comma-separated box for new ones (shape only; the service
    checks ownership and limits)."""

    tags = forms.ModelMultipleChoiceField(
        label=_("Your tags"),
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_names = forms.CharField(
        label=_("New tags"),
        required=False,
        # Room for a full set of 150 tags of 50 characters, comma-separated; anything longer is not a tag list.
        max_length=Tag.MAX_PER_CUSTOMER * (Tag.MAX_LENGTH + 2),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["tags"]).queryset = selectors.partner_tags(user=user).order_by(
            Lower("name"), "pk"
        )
        # Interpolated here, per request, so it is translated into the user's language.
        self.fields["new_names"].help_text = _(
            "Separate tags with commas. Up to %(length)d characters each; at most %(count)d per customer."
        ) % {"length": Tag.MAX_LENGTH, "count": Tag.MAX_PER_CUSTOMER}

    def clean_new_names(self) -> list[str]:
        return tag_names_parse(self.cleaned_data["new_names"])
