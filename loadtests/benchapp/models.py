"""One small table per tenant schema, so the benchmark has a column to add across the fleet."""

from django.db import models


class BenchNote(models.Model):
    """A stand-in for any tenant table; ``score`` is the column migration 0002 adds."""

    title = models.CharField(max_length=200)
    score = models.IntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title
