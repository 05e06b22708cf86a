import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True)
def _single_threaded_maths():
    # As in a worker (run_batch's default): on a shared 2-core host, OpenMP threads spin against each other.
    with threadpool_limits(limits=1):
        yield
