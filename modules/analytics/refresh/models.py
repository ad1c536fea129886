from django.db import models


class RefreshDue(models.Model):
    """An analysis of one tenant that changes asked to run again.

    ``due_at`` is the first ask plus the analysis's delay, kept while further asks arrive, so a burst
    of changes costs one run; ``asked_at`` is the latest ask. A run removes the row unless it was
    asked for again while running (then it stays, already due, for the next sweep)."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    analysis = models.CharField(max_length=40)
    due_at = models.DateTimeField()
    asked_at = models.DateTimeField()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "analysis"], name="analytics_refresh_one_per_tenant")]
        indexes = [models.Index(fields=["due_at"], name="analytics_refresh_due_at")]

    def __str__(self) -> str:
        return f"{self.analysis} of tenant {self.tenant_id} due {self.due_at.isoformat()}"
