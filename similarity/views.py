"""Server-rendered pages of the similarity app: thin forms whose scripts call the similarity API.

Each view hands its page the settings' defaults and the API's caps, so the
form starts where the API would and never offers a value it would clamp.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from common.config import setting
from similarity.config import MAX_FINGERPRINT_RESULTS, MAX_PATH_LENGTH, MAX_SIMILAR_RESULTS, similarity_config

SIMILAR_DEFAULT_N = 10  # what /api/similar_tracks uses when n is missing

# Which per-user credentials /api/sonic_fingerprint/generate accepts for each server type.
JELLYFIN_STYLE_SERVERS = ("jellyfin", "emby")
NAVIDROME_STYLE_SERVERS = ("navidrome",)


def _tool_page(request, tool: str, **context):
    """Render ``similarity/<tool>.html``; ``tool`` also names its form and its script."""
    return render(request, f"similarity/{tool}.html", {"tool": tool, **context})


@login_required
def similar_song(request):
    config = similarity_config()
    return _tool_page(
        request,
        "similar",
        default_n=SIMILAR_DEFAULT_N,
        max_n=MAX_SIMILAR_RESULTS,
        limit_per_artist=config.eliminate_duplicates_default,
        max_songs_per_artist=config.max_songs_per_artist,
        radius=config.radius_default,
    )


@login_required
def song_path(request):
    config = similarity_config()
    return _tool_page(
        request,
        "path",
        default_length=min(config.path_default_length, MAX_PATH_LENGTH),
        max_length=MAX_PATH_LENGTH,
        fix_size=config.path_fix_size_default,
    )


@login_required
def sonic_fingerprint(request):
    server_type = setting("MEDIASERVER_TYPE")
    return _tool_page(
        request,
        "fingerprint",
        default_n=min(similarity_config().fingerprint_default_n, MAX_FINGERPRINT_RESULTS),
        max_n=MAX_FINGERPRINT_RESULTS,
        server_type=server_type,
        jellyfin_credentials=server_type in JELLYFIN_STYLE_SERVERS,
        navidrome_credentials=server_type in NAVIDROME_STYLE_SERVERS,
    )


@login_required
def alchemy(request):
    config = similarity_config()
    return _tool_page(
        request,
        "alchemy",
        default_n=min(config.alchemy_default_n, config.alchemy_max_n),
        max_n=config.alchemy_max_n,
        temperature=config.alchemy_temperature,
        subtract_distance=config.alchemy_subtract_distance,
    )
