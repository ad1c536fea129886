from django.db import models


class SampleRecord(models.Model):
    """A record that "Load sample data" wrote, so "Remove sample data" deletes exactly those.

    ``model`` is the record's model label and ``object_id`` its pk; ``fingerprint`` is a digest of
    the record's stored values when it was loaded, so a record someone changed since is recognised
    and kept (``modules.contacts.demo.sample``).
    """

    model = models.CharField(max_length=100)
    object_id = models.BigIntegerField()
    fingerprint = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["model", "object_id"], name="contacts_sample_one_per_record")]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id}"
