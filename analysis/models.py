"""Tracks as the media server knows them, and what analysis heard in them."""

from django.db import models
from pgvector.django import VectorField

EMBEDDING_DIMENSIONS = 200


class Track(models.Model):
    """One track of the user's library, identified by the media server's own id."""

    item_id = models.CharField(max_length=255, unique=True, help_text="The media server's id for this track.")
    server_type = models.CharField(max_length=16, blank=True, help_text="Which kind of server supplied it.")
    title = models.CharField(max_length=512, blank=True)
    author = models.CharField("artist", max_length=512, blank=True, db_index=True)
    artist_id = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        help_text="The media server's id of the artist; servers without artist ids: a hash of the name.",
    )
    album = models.CharField(max_length=512, blank=True)
    album_artist = models.CharField(max_length=512, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds.")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    path = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["author", "album", "title"]

    def __str__(self) -> str:
        return f"{self.author} - {self.title}"


class TrackAnalysis(models.Model):
    """The interpretable results of analysing one track (the "score" row)."""

    track = models.OneToOneField(Track, on_delete=models.CASCADE, primary_key=True, related_name="analysis")
    tempo = models.FloatField(null=True, blank=True, help_text="Beats per minute.")
    key = models.CharField(max_length=3, blank=True)
    scale = models.CharField(max_length=5, blank=True)
    energy = models.FloatField(null=True, blank=True, help_text="0..1 loudness measure.")
    moods = models.JSONField(default=dict, blank=True, help_text="Tag label -> probability, every tag.")
    other_features = models.JSONField(default=dict, blank=True, help_text="danceable, aggressive, ... in 0..1.")
    model_version = models.CharField(max_length=64)
    analysed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "track analyses"

    def __str__(self) -> str:
        return f"analysis of {self.track_id}"


class Embedding(models.Model):
    """The track's 200-d musicnn embedding; pgvector so SQL can rank by distance."""

    track = models.OneToOneField(Track, on_delete=models.CASCADE, primary_key=True, related_name="embedding")
    vector = VectorField(dimensions=EMBEDDING_DIMENSIONS)
    model_version = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"embedding of {self.track_id}"


class AnalysisFailure(models.Model):
    """A track that could not be analysed, and why; cleared when it later succeeds."""

    item_id = models.CharField(max_length=255, unique=True)
    title = models.CharField(max_length=512, blank=True)
    author = models.CharField("artist", max_length=512, blank=True)
    album = models.CharField(max_length=512, blank=True)
    error_type = models.CharField(max_length=64)
    reason = models.TextField()
    task = models.ForeignKey(
        "scheduling.TaskStatus", to_field="task_id", null=True, blank=True, on_delete=models.SET_NULL
    )
    failed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-failed_at"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.error_type}"
