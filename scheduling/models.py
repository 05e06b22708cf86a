"""Task status rows: the single source of truth for progress, logs and state."""

from django.db import models


class TaskState(models.TextChoices):
    """The AudioMuse-AI vocabulary; clients test for these exact strings."""

    PENDING = "PENDING"
    STARTED = "STARTED"
    PROGRESS = "PROGRESS"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    REVOKED = "REVOKED"


ACTIVE_STATES = (TaskState.PENDING, TaskState.STARTED, TaskState.PROGRESS)
TERMINAL_STATES = (TaskState.SUCCESS, TaskState.FAILURE, TaskState.REVOKED)


class TaskStatus(models.Model):
    task_id = models.CharField(max_length=64, unique=True)
    parent = models.ForeignKey(
        "self", to_field="task_id", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    task_type = models.CharField(max_length=64, db_index=True)
    sub_type_identifier = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=TaskState.choices, default=TaskState.PENDING, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "task"
        verbose_name_plural = "tasks"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["task_type", "status"])]

    def __str__(self) -> str:
        return f"{self.task_type} {self.task_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATES


class WorkItem(models.Model):
    """One unit of a job's run (an album to analyse, a batch of clustering runs).

    ``child`` is the task doing it, set once launched (and replaced if its worker is
    lost). ``result`` is the item's output the job keeps; ``artifact`` a large output
    kept only on the run's best-scoring item, as long as it stays the best.
    """

    run = models.ForeignKey(TaskStatus, to_field="task_id", on_delete=models.CASCADE, related_name="work_items")
    position = models.PositiveIntegerField()
    key = models.CharField(max_length=255)
    label = models.CharField(max_length=512, blank=True)
    params = models.JSONField(default=dict, blank=True)
    child = models.OneToOneField(
        TaskStatus, to_field="task_id", null=True, blank=True, on_delete=models.SET_NULL, related_name="work_item"
    )
    score = models.FloatField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    artifact = models.JSONField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="unique_work_item_per_run")]

    def __str__(self) -> str:
        return f"{self.label or self.key} in {self.run_id}"
