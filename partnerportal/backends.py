"""Authentication backend: the stock ModelBackend, loading the signed-in user's partner in the same query."""

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
