from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.service.knowledge.choices import Visibility
from modules.service.knowledge.languages import article_languages
from modules.service.knowledge.models import KnowledgeCategory
from modules.service.knowledge.services.articles import MAX_BODY, MAX_TITLE


class ArticleForm(forms.Form):
    """The editor: the draft's title and text (HTML from the editor, sanitised by the service) and
    the article's language, category and visibility."""

    draft_title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    draft_body = forms.CharField(label=_("Text"), required=False, max_length=MAX_BODY, widget=forms.HiddenInput)
    language = forms.ChoiceField(label=_("Language"), choices=())
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=KnowledgeCategory.objects.none(), required=False, empty_label=_("None")
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=Visibility.choices,
        help_text=_("Public articles are shown to customers in the portal; internal ones to staff only."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = article_languages()  # type: ignore[attr-defined]
        self.fields["category"].queryset = KnowledgeCategory.objects.all()  # type: ignore[attr-defined]


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    parent = forms.ModelChoiceField(
        label=_("Parent category"), queryset=KnowledgeCategory.objects.none(), required=False, empty_label=_("None")
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, required=False)

    def __init__(self, *args: Any, exclude_pk: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = KnowledgeCategory.objects.all()
        if exclude_pk is not None:
            parents = parents.exclude(pk=exclude_pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=())
    category = forms.ModelChoiceField(label=_("Category"), queryset=KnowledgeCategory.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("All languages")), *article_languages()]  # type: ignore[attr-defined]
        self.fields["category"].queryset = KnowledgeCategory.objects.all()  # type: ignore[attr-defined]
