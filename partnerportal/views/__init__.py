"""The portal's web layer: the access mixin and generic view bases (`generic`), and the portal-wide pages (`pages`:
home, health check, error pages). It sits just above `permissions`, whose policy the access mixin asks."""
