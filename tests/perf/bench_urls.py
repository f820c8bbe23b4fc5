"""The benchmark's urlconf: the portal's routes plus the floor, the admin peers and a constant view.

Only the benchmark mounts it (override_settings in-process, tests.perf.settings_bench under gunicorn); the
portal itself never serves these routes.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.generic import TemplateView

from partnerportal.urls import handler403, handler404, handler500
from partnerportal.urls import urlpatterns as portal_urlpatterns
from tests.perf import floor
from tests.perf.peer_admin import guarded_site, peer_site

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    path("bench/constant/", login_not_required(floor.constant), name="bench_constant"),
    # The portal's page shell alone (base.html, its context processors, no content): the fixed cost of a page.
    path("bench/layout/", TemplateView.as_view(template_name="base.html"), name="bench_layout"),
    path("bench/floor/", floor.floor_list, name="bench_floor_list"),
    path("bench/floor/lookup/", floor.floor_lookup, name="bench_floor_lookup"),
    path("bench/floor/export.csv", floor.floor_export, name="bench_floor_export"),
    path("bench/floor/<uuid:pk>/", floor.floor_detail, name="bench_floor_detail"),
    path("bench/peer-admin/", peer_site.urls),
    path("bench/guarded-admin/", guarded_site.urls),
    *portal_urlpatterns,
]
