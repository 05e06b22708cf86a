"""POST /api/clustering/start parameter parsing, GET /api/config and GET /api/playlists, without a worker.

With the plain ``db`` fixture each test runs in a transaction that is rolled
back, so ``on_commit`` never sends the job to the broker.
"""

import pytest

from clustering.config import clustering_config_from_settings, clustering_config_with_overrides
from clustering.engine import ClusteringConfig
from clustering.management.commands.cluster import progress_line
from playlists.models import PlaylistOrigin
from scheduling.models import TaskStatus
from tests.factories import PlaylistEntryFactory, PlaylistFactory, TaskStatusFactory, TrackFactory


def started_config(client, payload=None, **kwargs) -> ClusteringConfig:
    response = client.post("/api/clustering/start", payload, **kwargs)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["task_type"] == "main_clustering" and body["status"] == "PENDING"
    return ClusteringConfig.from_dict(TaskStatus.objects.get(task_id=body["task_id"]).details["config"])


def test_empty_body_takes_the_settings(staff_client, settings):
    settings.CLUSTERING_RUNS = 123
    settings.NUM_CLUSTERS_MIN, settings.NUM_CLUSTERS_MAX = 7, 9
    config = started_config(staff_client)
    assert config == clustering_config_from_settings()
    assert config.clustering_runs == 123 and config.search.num_clusters == (7, 9)


def test_malformed_body_is_400_and_starts_nothing(staff_client):
    response = staff_client.post("/api/clustering/start", "not json{", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": "Request body is not valid JSON"}
    assert not TaskStatus.objects.exists()


def test_parameters_override_the_settings(staff_client):
    config = started_config(
        staff_client,
        {"clustering_method": "GMM", "gmm_n_components_min": "5", "gmm_n_components_max": 12,
         "clustering_runs": "50", "min_clustering_top": 4, "max_songs_per_cluster": 30,
         "score_weight_silhouette": "0.5", "enable_clustering_embeddings": "false", "top_n_moods": 3,
         "dbscan_eps_min": 0.2, "ai_model_provider": "OLLAMA", "something_else": "ignored"},
        format="json",
    )  # fmt: skip
    assert config.search.algorithm == "gmm"
    assert config.search.gmm_n_components == (5, 12)
    assert config.clustering_runs == 50
    assert config.postprocessing.top_n_playlists == 4
    assert config.postprocessing.max_songs_per_cluster == 30
    assert config.fitness.weights.silhouette == 0.5
    assert config.search.use_embeddings is False
    assert config.fitness.active_moods_per_song == 3
    assert config.search.dbscan_eps[0] == 0.2
    assert TaskStatus.objects.get().details["ai_model_provider"] == "OLLAMA"


def test_top_n_playlists_wins_over_its_alias():
    config = clustering_config_with_overrides(
        base=clustering_config_from_settings(), params={"top_n_playlists": 6, "min_clustering_top": 2}
    )
    assert config.postprocessing.top_n_playlists == 6


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"clustering_runs": "lots"}, lambda c, base: c.clustering_runs == base.clustering_runs),
        ({"clustering_runs": -5}, lambda c, base: c.clustering_runs == 1),
        ({"clustering_method": "quantum"}, lambda c, base: c.search.algorithm == base.search.algorithm),
        ({"num_clusters_min": 30, "num_clusters_max": 10}, lambda c, base: c.search.num_clusters == (10, 30)),
        ({"num_clusters_min": 0}, lambda c, base: c.search.num_clusters[0] == 2),
        ({"pca_components_max": 5000}, lambda c, base: c.search.pca_components[1] == 199),
        ({"score_weight_purity": "nan"}, lambda c, base: c.fitness.weights.purity == base.fitness.weights.purity),
        ({"score_weight_purity": -1}, lambda c, base: c.fitness.weights.purity == 0.0),
        (
            {"enable_clustering_embeddings": "maybe"},
            lambda c, base: c.search.use_embeddings == base.search.use_embeddings,
        ),
        ({"top_n_playlists": None}, lambda c, base: c.postprocessing == base.postprocessing),
    ],
)
def test_junk_values_fall_back_or_clamp(params, check):
    base = clustering_config_from_settings()
    assert check(clustering_config_with_overrides(base=base, params=params), base)


def test_start_needs_staff(anonymous_client, user_client):
    assert anonymous_client.post("/api/clustering/start").status_code == 401
    assert user_client.post("/api/clustering/start").status_code == 403


def test_start_is_409_while_another_main_task_runs(staff_client):
    TaskStatusFactory(task_type="main_analysis", status="STARTED")
    response = staff_client.post("/api/clustering/start")
    assert response.status_code == 409
    assert "already running" in response.json()["error"]


def test_config_lists_the_clustering_defaults(user_client, settings):
    settings.NUM_CLUSTERS_MAX = 77
    body = user_client.get("/api/config").json()
    assert body["num_clusters_max"] == 77
    for key in ("cluster_algorithm", "clustering_runs", "top_n_playlists", "max_songs_per_artist",
                "score_weight_diversity", "pca_components_min", "ai_model_provider", "path_default_length",
                "alchemy_temperature", "mood_labels"):  # fmt: skip
        assert key in body


def test_playlists_returns_the_latest_clustering_set_in_order(user_client):
    older, newer = TaskStatusFactory(task_type="main_clustering"), TaskStatusFactory(task_type="main_clustering")
    old = PlaylistFactory(name="Old_automatic", origin=PlaylistOrigin.CLUSTERING, task=older)
    PlaylistEntryFactory(playlist=old, position=0)
    PlaylistFactory(name="Mine", origin=PlaylistOrigin.MANUAL)
    fresh = PlaylistFactory(name="Rock_Fast_automatic", origin=PlaylistOrigin.CLUSTERING, task=newer)
    second, first = TrackFactory(title="B", author="Y"), TrackFactory(title="A", author="X")
    PlaylistEntryFactory(playlist=fresh, track=second, position=1)
    PlaylistEntryFactory(playlist=fresh, track=first, position=0)

    body = user_client.get("/api/playlists").json()

    assert body == {
        "Rock_Fast_automatic": [
            {"item_id": first.item_id, "title": "A", "author": "X"},
            {"item_id": second.item_id, "title": "B", "author": "Y"},
        ]
    }


def test_playlists_is_empty_before_any_clustering(user_client):
    assert user_client.get("/api/playlists").json() == {}


def test_progress_line_draws_a_bar():
    assert progress_line(progress=50, message="Progress: 20/40 runs.") == (
        "[###############...............]  50% Progress: 20/40 runs."
    )
