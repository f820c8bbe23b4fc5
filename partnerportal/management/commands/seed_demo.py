"""`manage.py seed_demo`: the demo data of `partnerportal.seeding.demo` (PRODUCT.md §10)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from partnerportal.seeding.demo import DemoSeeder


class Command(BaseCommand):
    help = "Create the demo partners, staff and customers (idempotent). Password for every user: Portal-Demo-2026!"

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=0, help="Also create N extra customers (benchmarks).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")

    def handle(self, *args, customers: int = 0, seed: int = 2026, **options):
        DemoSeeder(stdout=self.stdout, style=self.style).run(customers=customers, seed=seed)
