"""Authentication backends: the lockout check first, then the stock ModelBackend loading the user's partner."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend

from partnerportal.models import User


class PortalModelBackend(ModelBackend):
    """Every portal page reads `request.user.partner`; fetch it with the user instead of in a second query."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("partner").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class PortalLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every sign-in made through a request (the portal's login, /admin/login/).

    Authentication without a request (a shell, the test client's `login()`) is no sign-in attempt over the wire:
    it is neither throttled nor counted, instead of failing as django-axes' own backend does.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
