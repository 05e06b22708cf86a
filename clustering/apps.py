from django.apps import AppConfig


class ClusteringConfig(AppConfig):
    name = "clustering"

    def ready(self) -> None:
        # Imported once the models are loaded: registers the clustering job with scheduling.
        from clustering import jobs

        jobs.register()
