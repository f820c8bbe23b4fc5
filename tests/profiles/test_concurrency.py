"""Two tabs at once: the five-location limit holds under the profile's row lock."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from profiles import services
from profiles.models import ProfileLocation
from tests.api.test_concurrency import race
from tests.profiles.helpers import ADDRESSES, make_profile


@pytest.mark.django_db(transaction=True)
def test_two_tabs_adding_the_fifth_location_at_once_make_five_not_six(world):
    admin = world.users["global_admin"]
    profile = make_profile(admin, locations=4)

    def add(n: int):
        try:
            return services.profile_location_add(actor=admin, profile=profile, data=ADDRESSES[4 + n % 2])
        except ValidationError as exc:
            return exc

    results = race(4, add)
    assert sum(isinstance(r, ProfileLocation) for r in results) == 1
    assert ProfileLocation.objects.filter(profile=profile).count() == 5
