"""Trigram indexes for the case list's search (any part of the number or the subject, matched on
their lower-case forms). Built CONCURRENTLY, so cases go on being written while they build;
hence ``atomic = False`` and a migration of its own."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("service", "0002_message_quote_start"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="case",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Lower("number"), name="gin_trgm_ops"
                ),
                name="service_case_number_trgm",
            ),
        ),
        AddIndexConcurrently(
            model_name="case",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Lower("subject"), name="gin_trgm_ops"
                ),
                name="service_case_subject_trgm",
            ),
        ),
    ]
