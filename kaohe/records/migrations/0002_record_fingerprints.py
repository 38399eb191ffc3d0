# Every record gets the fingerprint of its identity (kinds.py), filled for the records already stored, and
# an index on it, so that imports skip what is already recorded and hand entry asks before a duplicate.

from django.db import migrations, models

BATCH = 5000
KIND_MODELS = ["Activity", "Document", "TeamMember", "EducationFund", "Honour", "LearningStation"]


def fill_fingerprints(apps, schema_editor):
    """The stored records' fingerprints, computed by the same function that the import and the actions use.

    Read in batches by id and written with plain UPDATEs: a district of a million activities must migrate
    in seconds, which neither model instances nor bulk_update's CASE expressions would allow on SQLite.
    """
    from kaohe.records.kinds import KINDS

    connection = schema_editor.connection
    for kind in KINDS.values():
        model = apps.get_model("records", kind.model.__name__)
        sql = f"UPDATE {connection.ops.quote_name(model._meta.db_table)} SET fingerprint = %s WHERE id = %s"
        last_id = 0
        while batch := list(
            model._default_manager.filter(pk__gt=last_id).order_by("pk").values("pk", *kind.identity)[:BATCH]
        ):
            with connection.cursor() as cursor:
                cursor.executemany(sql, [(kind.fingerprint_of(row), row["pk"]) for row in batch])
            last_id = batch[-1]["pk"]


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_initial"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=name.lower(),
                name="fingerprint",
                field=models.CharField(default="", editable=False, max_length=32),
            )
            for name in KIND_MODELS
        ),
        # Before the indexes: filling a million rows is faster with no index to keep up to date.
        migrations.RunPython(fill_fingerprints, migrations.RunPython.noop, elidable=False),
        *(
            migrations.AddIndex(
                model_name=name.lower(),
                index=models.Index(fields=["fingerprint"], name=f"{name.lower()}_fingerprint"),
            )
            for name in KIND_MODELS
        ),
    ]
