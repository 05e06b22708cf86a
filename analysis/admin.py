from django.contrib import admin
from django.template.defaultfilters import truncatechars

from analysis.models import AnalysisFailure, Embedding, Track, TrackAnalysis

REASON_CHARS_LISTED = 80


class TrackAnalysisInline(admin.StackedInline):
    model = TrackAnalysis
    extra = 0
    can_delete = False


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "album", "year", "duration", "server_type", "is_analysed")
    list_filter = ("server_type", "analysis__model_version", "analysis__key", "analysis__scale")
    search_fields = ("item_id", "title", "author", "album", "album_artist", "path")
    inlines = [TrackAnalysisInline]

    @admin.display(boolean=True, description="analysed")
    def is_analysed(self, track: Track) -> bool:
        return hasattr(track, "analysis")


@admin.register(TrackAnalysis)
class TrackAnalysisAdmin(admin.ModelAdmin):
    list_display = ("track", "tempo", "key", "scale", "energy", "model_version", "analysed_at")
    list_filter = ("model_version", "key", "scale")
    search_fields = ("track__title", "track__author", "track__item_id")
    raw_id_fields = ("track",)


@admin.register(Embedding)
class EmbeddingAdmin(admin.ModelAdmin):
    list_display = ("track", "model_version", "created_at")
    list_filter = ("model_version",)
    search_fields = ("track__title", "track__author", "track__item_id")
    raw_id_fields = ("track",)
    exclude = ("vector",)


@admin.register(AnalysisFailure)
class AnalysisFailureAdmin(admin.ModelAdmin):
    list_display = ("item_id", "author", "title", "album", "error_type", "short_reason", "failed_at")
    list_filter = ("error_type", "failed_at")
    search_fields = ("item_id", "title", "author", "album", "reason")
    raw_id_fields = ("task",)

    def has_add_permission(self, request) -> bool:
        return False  # only analysis records failures

    @admin.display(description="reason", ordering="reason")
    def short_reason(self, failure: AnalysisFailure) -> str:
        return truncatechars(failure.reason, REASON_CHARS_LISTED)
