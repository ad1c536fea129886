"""An index for a mail thread's timeline entries (``data -> 'thread'`` of the e-mail entries): the
mail sync moves them at each new message of a thread, tracking counts on them and retention
deletes them, each looking them up by thread. Built CONCURRENTLY, so a tenant with a long history
keeps writing its timeline while it builds; that cannot run inside a transaction, hence
``atomic = False`` and a migration of its own."""

import django.db.models.fields.json
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("contacts", "0018_timeline_kind_email"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="timelineentry",
            index=models.Index(
                django.db.models.fields.json.KeyTransform("thread", "data"),
                condition=models.Q(("kind", "email")),
                name="contacts_tl_email_thread_idx",
            ),
        ),
    ]
