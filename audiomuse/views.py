"""Project-level pages: the dashboard and cleaning; their live parts poll the task API."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from analysis.models import AnalysisFailure
from analysis.selectors import library_counts
from clustering.selectors import latest_clustering_playlists, playlists_payload
from scheduling.models import TaskStatus
from scheduling.selectors import active_main_task, last_main_task, task_status_payload

CLEANING_TASK_TYPE = "cleaning"
RECENT_TASKS_SHOWN = 10
CLUSTER_ALGORITHMS = (("kmeans", "K-Means"), ("dbscan", "DBSCAN"), ("gmm", "GMM"), ("spectral", "Spectral"))

# The clustering form's number fields: (API parameter, label, settings name, step). Each
# starts at its settings default; an emptied field is not sent, so the API default applies.
CLUSTERING_BASIC_FIELDS = (
    ("top_n_playlists", "Number of playlists", "TOP_N_PLAYLISTS", "1"),
    ("clustering_runs", "Runs", "CLUSTERING_RUNS", "1"),
    ("num_clusters_min", "K-Means clusters min", "NUM_CLUSTERS_MIN", "1"),
    ("num_clusters_max", "K-Means clusters max", "NUM_CLUSTERS_MAX", "1"),
)
CLUSTERING_ADVANCED_GROUPS = (
    ("DBSCAN", (
        ("dbscan_eps_min", "Epsilon min", "DBSCAN_EPS_MIN", "any"),
        ("dbscan_eps_max", "Epsilon max", "DBSCAN_EPS_MAX", "any"),
        ("dbscan_min_samples_min", "Min samples min", "DBSCAN_MIN_SAMPLES_MIN", "1"),
        ("dbscan_min_samples_max", "Min samples max", "DBSCAN_MIN_SAMPLES_MAX", "1"),
    )),
    ("GMM", (
        ("gmm_n_components_min", "Components min", "GMM_N_COMPONENTS_MIN", "1"),
        ("gmm_n_components_max", "Components max", "GMM_N_COMPONENTS_MAX", "1"),
    )),
    ("Spectral", (
        ("spectral_n_clusters_min", "Clusters min", "SPECTRAL_N_CLUSTERS_MIN", "1"),
        ("spectral_n_clusters_max", "Clusters max", "SPECTRAL_N_CLUSTERS_MAX", "1"),
    )),
    ("PCA and playlist size", (
        ("pca_components_min", "PCA components min", "PCA_COMPONENTS_MIN", "1"),
        ("pca_components_max", "PCA components max", "PCA_COMPONENTS_MAX", "1"),
        ("max_songs_per_cluster", "Max songs per playlist (0 = no cap)", "MAX_SONGS_PER_CLUSTER", "1"),
    )),
    ("Score weights", tuple(
        (f"score_weight_{name}", label, f"SCORE_WEIGHT_{name.upper()}", "any")
        for name, label in (
            ("diversity", "Mood diversity"),
            ("purity", "Mood purity"),
            ("other_feature_diversity", "Other-feature diversity"),
            ("other_feature_purity", "Other-feature purity"),
            ("silhouette", "Silhouette"),
            ("davies_bouldin", "Davies-Bouldin"),
            ("calinski_harabasz", "Calinski-Harabasz"),
        )
    )),
)  # fmt: skip


@login_required
def dashboard(request):
    context = {
        "counts": {**library_counts(), "failures": AnalysisFailure.objects.count()},
        "initial_task": _status_payload(active_main_task() or last_main_task()),
        "recent_tasks": TaskStatus.objects.filter(parent__isnull=True)[:RECENT_TASKS_SHOWN],
        "playlists": _playlists_shown(),
    }
    if request.user.is_staff:
        context["clustering_form"] = _clustering_form()
    return render(request, "audiomuse/dashboard.html", context)


@login_required
def cleaning(request):
    last_cleaning = TaskStatus.objects.filter(parent__isnull=True, task_type=CLEANING_TASK_TYPE).first()
    context = {
        "safety_limit": settings.CLEANING_SAFETY_LIMIT,
        "last_cleaning": last_cleaning,
        "result": _cleaning_result(last_cleaning),
        # Another main task may be running (cleaning waits for it): show that one first.
        "initial_task": _status_payload(active_main_task() or last_cleaning),
    }
    return render(request, "audiomuse/cleaning.html", context)


def _clustering_form() -> dict:
    """What the clustering form shows, every value from the settings' defaults."""

    def fields(specs):
        return [
            {"name": name, "label": label, "value": getattr(settings, setting), "step": step}
            for name, label, setting, step in specs
        ]

    return {
        "algorithms": CLUSTER_ALGORITHMS,
        "algorithm": settings.CLUSTER_ALGORITHM,
        "embeddings": settings.ENABLE_CLUSTERING_EMBEDDINGS,
        "basic": fields(CLUSTERING_BASIC_FIELDS),
        "advanced": [{"title": title, "fields": fields(specs)} for title, specs in CLUSTERING_ADVANCED_GROUPS],
    }


def _playlists_shown() -> list[dict]:
    """The latest generated playlist set as ``[{name, songs: [{item_id, title, author}]}]``."""
    payload = playlists_payload(latest_clustering_playlists())
    return [{"name": name, "songs": songs} for name, songs in payload.items()]


def _status_payload(task: TaskStatus | None) -> dict | None:
    return task_status_payload(task) if task is not None else None


def _cleaning_result(task: TaskStatus | None) -> dict | None:
    """What a finished cleaning reported; None before one has counted anything."""
    details = task.details if task is not None else {}
    if "deleted" not in details:
        return None
    names = details.get("deleted_tracks", [])
    return {
        "orphans_found": details.get("orphans_found", 0),
        "deleted": details["deleted"],
        "capped": details.get("capped", False),
        "names": names,
        # The task keeps only the first names; say how many it left out.
        "names_not_shown": max(0, details["deleted"] - len(names)),
    }
