"""The clustering form the dashboard shows (staff) and the generated playlists it lists."""

from clustering.selectors import latest_clustering_playlists, playlists_payload
from common.config import setting

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


def clustering_form() -> dict:
    """What the clustering form shows, every value from the settings' defaults."""

    def fields(specs):
        return [
            {"name": name, "label": label, "value": setting(setting_name), "step": step}
            for name, label, setting_name, step in specs
        ]

    return {
        "algorithms": CLUSTER_ALGORITHMS,
        "algorithm": setting("CLUSTER_ALGORITHM"),
        "embeddings": setting("ENABLE_CLUSTERING_EMBEDDINGS"),
        "basic": fields(CLUSTERING_BASIC_FIELDS),
        "advanced": [{"title": title, "fields": fields(specs)} for title, specs in CLUSTERING_ADVANCED_GROUPS],
    }


def generated_playlists_shown() -> list[dict]:
    """The latest generated playlist set as ``[{name, songs: [{item_id, title, author}]}]``."""
    payload = playlists_payload(latest_clustering_playlists())
    return [{"name": name, "songs": songs} for name, songs in payload.items()]
