"""The deployment tests' shared cluster: started once per module that asks for it, stopped however the run ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.deploy.cluster import Cluster, cluster_session


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    for started in cluster_session():
        print("\ncluster up: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in started.timings.items()))
        yield started
