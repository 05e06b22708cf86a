from django.contrib import admin

from playlists.models import Playlist, PlaylistEntry


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
