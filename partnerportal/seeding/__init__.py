"""Demo data: the small, realistic world of `manage.py seed_demo` (`demo`) and the bulk seeder for scale tests
(`bulk`). Nothing in the portal imports this package; only the management command and tests do."""
