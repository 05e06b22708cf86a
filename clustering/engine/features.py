"""The matrix the algorithms cluster: standardised vectors, optionally reduced by PCA."""

import numpy as np
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from clustering.engine.randomness import sklearn_seed


def clustering_features(*, vectors: np.ndarray, pca_components: int, rng: np.random.Generator) -> np.ndarray:
    """Standardise every column, then keep the first ``pca_components`` principal components.

    vectors: np.ndarray [shape=(n_tracks, d)], embeddings or score vectors.
    pca_components: 0 (or at least min(n_tracks, d)) keeps all d dimensions: a full-rank PCA
        is only a rotation, which changes no distance. Identical tracks have no components
        to find and are returned as they are (all zeros).
    Returns np.ndarray [shape=(n_tracks, min(d, pca_components) or d)], float32.
    """
    # Constant columns (a feature every sampled track shares) scale to 0, not NaN.
    scaler = StandardScaler()
    scaled = scaler.fit_transform(np.asarray(vectors, dtype=np.float32))
    all_identical = not np.any(scaler.var_)
    if pca_components <= 0 or pca_components >= min(scaled.shape) or all_identical:
        return scaled
    reduced = PCA(n_components=pca_components, random_state=sklearn_seed(rng)).fit_transform(scaled)
    return reduced.astype(np.float32, copy=False)
