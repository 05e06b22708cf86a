"""An analysis run's summary counts what is stored, not what album jobs reported."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analysis import jobs
from analysis.models import AnalysisFailure
from tests.factories import TaskStatusFactory, TrackAnalysisFactory

pytestmark = pytest.mark.django_db


def test_summary_counts_tracks_saved_by_a_job_that_never_reported():
    started = timezone.now() - timedelta(minutes=5)
    run = TaskStatusFactory(task_type=jobs.MAIN_TASK_TYPE, status="PROGRESS", started_at=started)
    TrackAnalysisFactory(analysed_at=started - timedelta(days=1))  # an earlier run's work
    # Saved by an album job whose worker was then killed: no child row ever reported these.
    TrackAnalysisFactory.create_batch(3, analysed_at=started + timedelta(minutes=1))
    AnalysisFailure.objects.create(item_id="bad-1", error_type="AudioDecodeError", reason="not audio")

    outcome = jobs.analysis_finish(run.task_id)

    assert outcome.status_message == "Done: 3 tracks analysed, 1 failed"
    assert outcome.counters == {"tracks_analysed": 3, "tracks_failed": 1}
