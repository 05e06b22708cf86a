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


class TrackSearch(models.Model):
    """A track's title, artist and album folded for search: lower case, accents and typographic quotes removed.

    PostgreSQL keeps these rows in step with ``analysis.Track`` itself:
    triggers (migration 0002) write them on every insert or update of a
    track and set ``analysed`` when its embedding is stored or deleted, bulk
    writes included, through the ``similarity_fold`` SQL function that also
    folds the search words, so both sides always fold alike. Search reads
    this one table; on servers with pg_trgm a GIN trigram index on
    ``document`` makes ``LIKE '%word%'`` fast.
    """

    track = models.OneToOneField(
        "analysis.Track", on_delete=models.CASCADE, primary_key=True, related_name="search_text"
    )
    title = models.TextField(blank=True)
    author = models.TextField(blank=True)
    album = models.TextField(blank=True)
    document = models.TextField(blank=True, help_text="Title, artist and album, separated by U+001F.")
    analysed = models.BooleanField(default=False, help_text="The track has an embedding.")

    def __str__(self) -> str:
        return f"search text of {self.track_id}"


class DerivedModel(models.Model):
    """A model fitted from the embeddings after each index rebuild (the artist mixtures, the hyperbolic ball).

    One row per ``kind``; ``version`` grows with every fit; ``index_version`` is the vector
    index version it was fitted from, so a fit already done for that index is not repeated.
    """

    kind = models.CharField(max_length=32, unique=True)
    data = models.BinaryField()
    version = models.PositiveBigIntegerField(default=1)
    index_version = models.PositiveBigIntegerField(default=0)
    size = models.PositiveIntegerField(help_text="Entries in the model: tracks (hyperbolic) or artists (artists).")
    fit_seconds = models.FloatField(default=0.0)
    fitted_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.kind} model v{self.version} ({self.size} tracks)"
