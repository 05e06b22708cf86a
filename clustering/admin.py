from django.contrib import admin

from clustering.models import ClusteringBatch, Playlist, PlaylistEntry
from scheduling.models import TERMINAL_STATES


class PlaylistEntryInline(admin.TabularInline):
    model = PlaylistEntry
    extra = 0
    raw_id_fields = ("track",)
    ordering = ("position",)


@admin.register(Playlist)
class PlaylistAdmin(admin.ModelAdmin):
    list_display = ("name", "origin", "mediaserver_playlist_id", "created_at")
    list_filter = ("origin",)
    search_fields = ("name", "entries__track__title", "entries__track__author")
    inlines = [PlaylistEntryInline]
    raw_id_fields = ("task",)


@admin.register(ClusteringBatch)
class ClusteringBatchAdmin(admin.ModelAdmin):
    """Read-only: the orchestration owns these rows, and an edited score or elite would mislead the job."""

    list_display = ("run", "index", "status", "runs", "best_score", "unusable_runs", "started_at", "finished_at")
    list_filter = ("child__status", "run__status")
    search_fields = ("run__task_id", "child__task_id")
    list_select_related = ("run", "child")
    ordering = ("-run__created_at", "index")
    exclude = ("best",)  # every track id of the batch's best clusters: too long to show

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Only with their job, once it has ended: deleting an old clustering task cascades here,
        # while a running job still needs its batches.
        return obj is not None and obj.run.status in TERMINAL_STATES and super().has_delete_permission(request, obj)

    @admin.display(description="batch task", ordering="child__status")
    def status(self, batch: ClusteringBatch) -> str:
        return batch.child.status if batch.child else "not launched"

    @admin.display(description="runs", ordering="first_run_index")
    def runs(self, batch: ClusteringBatch) -> str:
        return f"{batch.first_run_index}..{batch.first_run_index + batch.iterations - 1}"

    @admin.display(description="best score", ordering="score")
    def best_score(self, batch: ClusteringBatch) -> str:
        return "-" if batch.score is None else f"{batch.score:.3f}"

    @admin.display(description="started", ordering="child__started_at")
    def started_at(self, batch: ClusteringBatch):
        return batch.child.started_at if batch.child else None
