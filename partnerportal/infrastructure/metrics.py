"""Prometheus metrics for `/metrics`: who may scrape, and the gauges read from the outbox tables at scrape time.

Request counts and latency by view come from django-prometheus' middleware (first and last in MIDDLEWARE), in the
process's default registry; under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR (an empty directory,
the same for every worker of the node) so that a scrape adds up all of them (prometheus_client's multiprocess
mode). The queue gauges are the database's, the same whichever process answers: a few indexed queries per scrape.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.db.models import Count, Max, Min
from django.http import HttpRequest
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from partnerportal.infrastructure.middleware import request_client_address
from partnerportal.models import OutboundEmail, WorkerHeartbeat
from partnerportal.webhooks.models import WebhookDelivery

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def metrics_enabled() -> bool:
    """Whether /metrics exists at all: only with a token or an allow-list configured."""
    return bool(settings.PORTAL_METRICS_TOKEN or settings.PORTAL_METRICS_ALLOW)


def metrics_allowed(request: HttpRequest) -> bool:
    """Whether this request may scrape: the bearer token when one is set (compared in constant time) and the client
    address inside PORTAL_METRICS_ALLOW when that is set; both when both are."""
    if not metrics_enabled():
        return False
    token = settings.PORTAL_METRICS_TOKEN
    if token:
        scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            return False
    if settings.PORTAL_METRICS_ALLOW:
        try:
            address = ipaddress.ip_address(request_client_address(request) or "")
        except ValueError:
            return False
        if not any(address in network for network in _networks(tuple(settings.PORTAL_METRICS_ALLOW))):
            return False
    return True


def _age(oldest: datetime | None, now: datetime) -> float:
    if oldest is None:
        return 0.0
    return max((now - oldest).total_seconds(), 0.0)


def _unsent(model: type[OutboundEmail] | type[WebhookDelivery], statuses: list[str]) -> dict:
    """Per status of the unsent rows: how many; under the key `None`, the oldest one's creation time."""
    rows = (
        model.objects.filter(status__in=statuses)
        .order_by()
        .values("status")
        .annotate(n=Count("id"), oldest=Min("created_at"))
    )
    counts: dict = {}
    for row in rows:
        counts[row["status"]] = row["n"]
        counts[None] = min(filter(None, (counts.get(None), row["oldest"])))
    return counts


def _queue_gauges(
    name: str, plural: str, singular: str, unsent: dict, now: datetime, *, failing: int
) -> Iterator[Metric]:
    yield GaugeMetricFamily(
        f"portal_{name}_queue_depth",
        f"{plural} not sent yet (waiting or retrying).",
        sum(n for status, n in unsent.items() if status is not None),
    )
    yield GaugeMetricFamily(
        f"portal_{name}_oldest_unsent_age_seconds",
        f"Age of the oldest {singular} not sent yet (0: none).",
        _age(unsent.get(None), now),
    )
    yield GaugeMetricFamily(f"portal_{name}_failing", f"{plural} whose last try failed, waiting for a retry.", failing)


class QueueCollector(Collector):
    """The outbox gauges: unsent emails and webhook deliveries (how many, how old the oldest), those failing and
    being retried, webhook deliveries given up, and how long ago each kind of worker was last seen."""

    def collect(self) -> Iterable[Metric]:
        now = timezone.now()
        yield from self._emails(now)
        yield from self._webhooks(now)
        yield from self._heartbeats(now)

    def _emails(self, now: datetime) -> Iterator[Metric]:
        unsent = _unsent(OutboundEmail, [OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED])
        yield from _queue_gauges(
            "email", "Emails", "email", unsent, now, failing=unsent.get(OutboundEmail.Status.FAILED, 0)
        )

    def _webhooks(self, now: datetime) -> Iterator[Metric]:
        unsent = _unsent(WebhookDelivery, [WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING])
        yield from _queue_gauges(
            "webhook",
            "Webhook deliveries",
            "webhook delivery",
            unsent,
            now,
            failing=unsent.get(WebhookDelivery.Status.RETRYING, 0),
        )
        yield GaugeMetricFamily(
            "portal_webhook_given_up",
            "Webhook deliveries given up after a day of failures (all time).",
            WebhookDelivery.objects.filter(status=WebhookDelivery.Status.FAILED).count(),
        )

    def _heartbeats(self, now: datetime) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "portal_worker_heartbeat_age_seconds",
            "Seconds since the freshest worker of each kind went round its loop.",
            labels=["kind"],
        )
        latest = dict(
            WorkerHeartbeat.objects.order_by()
            .values("kind")
            .annotate(latest=Max("seen_at"))
            .values_list("kind", "latest")
        )
        for kind in WorkerHeartbeat.Kind.values:
            if kind in latest:
                gauge.add_metric([kind], _age(latest[kind], now))
        yield gauge


def metrics_exposition() -> bytes:
    """The text exposition: this process's (or, in multiprocess mode, the node's) request metrics, then the gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
        output = generate_latest(processes)
    else:
        output = generate_latest(REGISTRY)
    queues = CollectorRegistry(auto_describe=False)
    queues.register(QueueCollector())
    return output + generate_latest(queues)
