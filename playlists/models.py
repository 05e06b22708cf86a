"""Playlists we made, whatever made them (clustering, a page, a client), in the order they play.

The tables keep the names they had when these models lived in the clustering app."""

from django.db import models


class PlaylistOrigin(models.TextChoices):
    CLUSTERING = "clustering"
    SIMILAR = "similar"
    PATH = "path"
    ALCHEMY = "alchemy"
    FINGERPRINT = "fingerprint"
    CHAT = "chat"
    MANUAL = "manual"


class Playlist(models.Model):
    name = models.CharField(max_length=255, db_index=True)
    origin = models.CharField(max_length=16, choices=PlaylistOrigin.choices, db_index=True)
    # Whose playlist it is on the media server: the user's id or name where playlists have owners,
    # "" for the configured user (and on servers without owners).
    owner = models.CharField(max_length=255, blank=True, default="")
    mediaserver_playlist_id = models.CharField(max_length=255, blank=True)
    task = models.ForeignKey(
        "scheduling.TaskStatus",
        to_field="task_id",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="playlists",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    tracks = models.ManyToManyField("analysis.Track", through="PlaylistEntry", related_name="playlists")

    class Meta:
        db_table = "clustering_playlist"
        ordering = ["-created_at", "name"]
        constraints = [
            # Clustering keeps the previous run's set as history; every other playlist name is one per owner.
            models.UniqueConstraint(
                fields=["owner", "name"],
                condition=~models.Q(origin="clustering"),
                name="unique_playlist_name_per_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlaylistEntry(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="entries")
    track = models.ForeignKey("analysis.Track", on_delete=models.CASCADE, related_name="playlist_entries")
    position = models.PositiveIntegerField()

    class Meta:
        db_table = "clustering_playlistentry"
        ordering = ["playlist", "position"]
        constraints = [models.UniqueConstraint(fields=["playlist", "position"], name="unique_playlist_position")]

    def __str__(self) -> str:
        return f"{self.playlist_id}#{self.position}"
