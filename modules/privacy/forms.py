from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.privacy.models import MAX_MONTHS
from modules.privacy.registry import RetentionTarget


class RetentionForm(forms.Form):
    """One optional period in months per retention target (empty: keep forever)."""

    def __init__(self, *args: Any, targets: list[RetentionTarget], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        for target in targets:
            self.fields[target.key] = forms.IntegerField(
                label=target.label,
                help_text=target.help_text,
                required=False,
                min_value=1,
                max_value=MAX_MONTHS,
                widget=forms.NumberInput(attrs={"placeholder": _("keep forever")}),
            )

    def periods(self) -> dict[str, int | None]:
        return {target.key: self.cleaned_data.get(target.key) for target in self.targets}
