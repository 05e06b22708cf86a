"""SQL functions the similarity app installs (migration 0002), as ORM expressions."""

from django.db.models import Func, TextField


class Fold(Func):
    """``similarity_fold(text)``: lower case, accents and typographic quotes removed, as search columns are."""

    function = "similarity_fold"
    output_field = TextField()
