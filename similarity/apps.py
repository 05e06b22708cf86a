from django.apps import AppConfig

from analysis.signals import library_changed


class SimilarityConfig(AppConfig):
    name = "similarity"

    def ready(self) -> None:
        # Services use models, so they are imported once the app registry is ready.
        from similarity.library_summary import library_summary_refresh_on_library_change
        from similarity.services import vector_index_rebuild_on_library_change

        # Analysis announces changes to the library; the index and the dashboard summary follow them.
        library_changed.connect(vector_index_rebuild_on_library_change, dispatch_uid="similarity.index_rebuild")
        library_changed.connect(library_summary_refresh_on_library_change, dispatch_uid="similarity.library_summary")
