"""Signed webhooks: endpoints a global admin registers, events the services emit, deliveries the queue sends."""
