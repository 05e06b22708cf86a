"""The vector index, stored so every process can load the same one."""

from django.db import models


class VectorIndex(models.Model):
    """A serialized Voyager index and its id map; ``version`` grows with every rebuild."""

    name = models.CharField(max_length=64, unique=True)
    data = models.BinaryField()
    item_ids = models.JSONField(default=list, help_text="Voyager id i is item_ids[i].")
    dimensions = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="Number of tracks in the index.")
    version = models.PositiveBigIntegerField(default=1)
    build_seconds = models.FloatField(default=0.0)
    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "vector indexes"

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({self.size} tracks)"
