"""Template tags of the page shell (base.html): `{% portal_sidebar %}`, the sidebar rendered once and kept.

The sidebar depends only on which sections the user's roles allow (`nav`, from the `portal` context processor),
the language, the current page (its view name and namespace mark the active link) and the URL configuration. Its
template (`partnerportal/_sidebar.html`: about twenty links, each a URL reversal, a translation and two
comparisons) is rendered the first time a combination is seen and the HTML is reused after that, in this process:
the combinations are few (the role sets times the languages times the pages).
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

SIDEBAR_TEMPLATE = "partnerportal/_sidebar.html"
# A bound on the kept renderings; far above the combinations a deployment has.
MAX_KEPT = 4096

_sidebars: dict[tuple, SafeString] = {}


def _forget(**kwargs) -> None:
    # A changed setting (a test's ROOT_URLCONF, LANGUAGES or cloud) may change any sidebar.
    _sidebars.clear()


setting_changed.connect(_forget, dispatch_uid="partnerportal.shell.sidebar")


@register.simple_tag(takes_context=True)
def portal_sidebar(context: template.Context) -> SafeString:
    """The sidebar's HTML for this user's sections, this language and this page."""
    nav = context.get("nav") or {}
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match is not None else ""
    section = match.namespace if match is not None else ""
    allowed = tuple(sorted(name for name, shown in nav.items() if shown))
    key = (allowed, get_language(), here, section, get_urlconf(), get_script_prefix())
    html = _sidebars.get(key)
    if html is None:
        engine = context.template.engine if context.template is not None else template.Engine.get_default()
        html = engine.get_template(SIDEBAR_TEMPLATE).render(
            template.Context({"nav": dict.fromkeys(allowed, True), "here": here, "section": section})
        )
        if len(_sidebars) >= MAX_KEPT:
            _sidebars.clear()
        _sidebars[key] = html
    return html
