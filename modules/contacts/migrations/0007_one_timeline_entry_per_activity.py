"""An activity is one entry on a timeline: fold the "completed"/"cancelled" entries written next to
the "created" one into it, keeping each step in ``data["history"]`` (event, time, actor id)."""

from django.db import migrations


def fold_activity_entries(apps, schema_editor):
    TimelineEntry = apps.get_model("contacts", "TimelineEntry")
    entries = (
        TimelineEntry.objects.filter(kind="activity", activity__isnull=False)
        .order_by("activity_id", "occurred_at", "id")
        .only("id", "activity_id", "occurred_at", "actor_id", "data")
    )
    group: list = []
    for entry in entries.iterator(chunk_size=2000):
        if group and group[0].activity_id != entry.activity_id:
            _fold(TimelineEntry, group)
            group = []
        group.append(entry)
    if group:
        _fold(TimelineEntry, group)


def _fold(TimelineEntry, group):
    if len(group) < 2:
        return
    history = []
    for entry in group:
        data = entry.data if isinstance(entry.data, dict) else {}
        history.extend(
            data.get("history")
            or [{"event": data.get("event", "created"), "at": entry.occurred_at.isoformat(), "actor": entry.actor_id}]
        )
    first, last = group[0], group[-1]
    first_data = first.data if isinstance(first.data, dict) else {}
    last_data = last.data if isinstance(last.data, dict) else {}
    last.data = {**first_data, **last_data, "history": history}
    last.save(update_fields=["data"])
    TimelineEntry.objects.filter(pk__in=[entry.pk for entry in group[:-1]]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0006_timeline_note_kinds"),
    ]

    operations = [
        migrations.RunPython(fold_activity_entries, migrations.RunPython.noop),
    ]
