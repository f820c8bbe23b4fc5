"""Every URL's view is a portal view behind the access mixin, or one of the few public/account pages listed here.

A new route whose view forgets `PortalPermissionMixin` (or puts another dispatch before it) fails this test before
it can reach a user; a view that really is public has to be added to PUBLIC_VIEWS on purpose, in review.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.i18n import set_language

from adminrelationships.views import AdminRelationshipApproveView
from api.access import PolicyPermission
from api.problems import not_found as api_not_found
from api.views import docs as api_docs
from api.views.base import ApiView
from partnerportal.accounts import views as accounts_views
from partnerportal.mfa import views as mfa_views
from partnerportal.staff.views import SetPasswordView
from partnerportal.views import pages
from partnerportal.views.generic import PortalPermissionMixin
from profiles import views as profiles_views
from relationships.views import CustomerAgreementView, InvitationAcceptView, InvitationDomainCheckView

# The one list of views that are not portal views. Each is public (no sign-in) or open to every signed-in user.
PUBLIC_VIEWS = {
    # signing in and out, and the password pages of Django's auth (every signed-in user has their own)
    auth_views.LoginView,
    auth_views.LogoutView,
    accounts_views.PortalPasswordChangeView,
    auth_views.PasswordChangeDoneView,
    accounts_views.PortalPasswordResetView,
    auth_views.PasswordResetDoneView,
    accounts_views.PortalPasswordResetConfirmView,
    auth_views.PasswordResetCompleteView,
    # every signed-in user's own preferences (their time zone)
    accounts_views.PreferencesView,
    # every signed-in user's own second factor (like their own password), and the code step of sign-in
    mfa_views.MFAVerifyView,
    mfa_views.ReauthView,
    mfa_views.MFAOverviewView,
    mfa_views.MFASetupView,
    mfa_views.MFAConfirmView,
    mfa_views.RecoveryCodesView,
    # the site root sends each signed-in user where their roles allow (or says they have none)
    pages.home,
    pages.healthz,
    # readiness and metrics for load balancers and scrapers (metrics behind its token or allow-list)
    pages.readyz,
    pages.metrics,
    set_language,
    # reached from an emailed one-time link, before the reader has an account here
    InvitationAcceptView,
    InvitationDomainCheckView,
    SetPasswordView,
    AdminRelationshipApproveView,
    # the API's schema and reference page (they describe the API, they hold no data), and its 404 for unknown paths
    api_docs.SchemaView,
    api_docs.docs,
    api_not_found,
    # the find-a-partner directory (PRODUCT.md §14): published profiles, their logos and "Contact me", for anyone
    profiles_views.DirectorySearchView,
    profiles_views.DirectoryLocationView,
    profiles_views.DirectoryContactView,
    profiles_views.DirectoryLogoView,
    # the customer agreement the acceptance page links to (public text, no data)
    CustomerAgreementView,
}
# Namespaces served by someone else's views and access rules.
PUBLIC_NAMESPACES = {"admin"}


def _patterns(resolver: URLResolver, namespace: tuple[str, ...] = ()):
    """Every URL pattern under the resolver with the namespaces above it."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, (*namespace, entry.namespace) if entry.namespace else namespace)
        elif isinstance(entry, URLPattern):
            yield namespace, entry


def _views_of(pattern: URLPattern) -> list:
    """The view class of a class-based view; a function view as routed and under each of its decorators."""
    callback = pattern.callback
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return [view_class]
    layers = [callback]
    while hasattr(layers[-1], "__wrapped__"):
        layers.append(layers[-1].__wrapped__)
    return layers


def _access_mixin_runs_first(view_class: type) -> bool:
    """True when the first `dispatch` in the view's MRO is the access mixin's, so nothing runs before the check."""
    if not issubclass(view_class, PortalPermissionMixin):
        return False
    first = next(cls for cls in view_class.__mro__ if "dispatch" in vars(cls))
    return first is PortalPermissionMixin


def _api_policy_decides(view_class: type) -> bool:
    """An API view: the API base class, whose only permission class decides through `permissions.policy` (401 and
    403 before any handler runs; objects narrowed by `restrict`, so out of scope is a 404)."""
    return issubclass(view_class, ApiView) and list(view_class.permission_classes) == [PolicyPermission]


def _name(namespace: tuple[str, ...], pattern: URLPattern) -> str:
    return ":".join((*namespace, pattern.name or f"<unnamed {pattern.pattern}>"))


def test_every_url_is_a_portal_view_behind_the_access_mixin_or_a_listed_public_view():
    offenders = []
    seen = 0
    for namespace, pattern in _patterns(get_resolver()):
        if namespace and namespace[0] in PUBLIC_NAMESPACES:
            continue
        seen += 1
        views = _views_of(pattern)
        if any(view in PUBLIC_VIEWS for view in views):
            continue
        view = views[0]
        if isinstance(view, type) and _access_mixin_runs_first(view):
            continue
        if isinstance(view, type) and _api_policy_decides(view):
            continue
        offenders.append(f"{_name(namespace, pattern)} → {getattr(view, '__qualname__', view)}")
    assert seen > 40  # the walk really reached the app routes
    assert not offenders, "Views neither behind PortalPermissionMixin (first) nor in PUBLIC_VIEWS:\n" + "\n".join(
        offenders
    )


def test_the_public_list_holds_only_views_that_are_routed():
    """A view removed from the urlconf must leave PUBLIC_VIEWS too, so the list stays the true public surface."""
    routed = {view for _namespace, pattern in _patterns(get_resolver()) for view in _views_of(pattern)}
    assert routed >= PUBLIC_VIEWS, PUBLIC_VIEWS - routed


def test_a_view_without_the_mixin_first_is_caught():
    """The check itself can fail: a dispatch mixin placed before the access mixin runs before the check."""

    class Sneaky:
        def dispatch(self, request, *args, **kwargs):
            return super().dispatch(request, *args, **kwargs)

    class Bad(Sneaky, PortalPermissionMixin):
        pass

    class Good(PortalPermissionMixin, Sneaky):
        pass

    assert not _access_mixin_runs_first(Bad)
    assert _access_mixin_runs_first(Good)
    assert not _access_mixin_runs_first(type("Plain", (), {}))
