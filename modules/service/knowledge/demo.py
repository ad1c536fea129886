"""The demo tenant's knowledge base: three categories and a dozen published articles in English
and French (most public, some internal), each French one a translation of an English one.

``load_knowledge_demo`` is what the service module's demo calls; running it again adds nothing."""

from __future__ import annotations

from django.db import transaction

from identity.models import User
from modules.service.knowledge.choices import Visibility
from modules.service.knowledge.models import Article, KnowledgeCategory
from modules.service.knowledge.services.articles import create_article, publish_article
from modules.service.knowledge.services.categories import create_category

PUBLIC, INTERNAL = Visibility.PUBLIC, Visibility.INTERNAL

# (category, visibility, English title and text, French title and text or None)
ARTICLES: tuple[tuple[str, str, tuple[str, str], tuple[str, str] | None], ...] = (
    (
        "Billing",
        PUBLIC,
        (
            "How to pay an invoice",
            "You can pay invoices by card or bank transfer. The invoice number goes in the "
            "payment reference so we can match your payment.",
        ),
        (
            "Comment payer une facture",
            "Vous pouvez payer vos factures par carte ou par virement. Indiquez le numéro "
            "de facture dans la référence du paiement.",
        ),
    ),
    (
        "Billing",
        PUBLIC,
        (
            "Downloading your invoices",
            "Every invoice is attached to the order e-mail and listed in the customer portal under Orders.",
        ),
        (
            "Télécharger vos factures",
            "Chaque facture est jointe à l'e-mail de commande et listée dans le portail client, rubrique Commandes.",
        ),
    ),
    (
        "Billing",
        INTERNAL,
        (
            "Refund approval limits",
            "Agents may refund up to 200 EUR without approval; above that, ask a team lead "
            "and note the approval on the case.",
        ),
        None,
    ),
    (
        "Shipping",
        PUBLIC,
        (
            "Delivery times",
            "Orders placed before 14:00 leave the warehouse the same working day; delivery takes "
            "two to four working days.",
        ),
        (
            "Délais de livraison",
            "Les commandes passées avant 14 h quittent l'entrepôt le jour même ; la livraison "
            "prend deux à quatre jours ouvrés.",
        ),
    ),
    (
        "Shipping",
        PUBLIC,
        (
            "Returning a product",
            "You have 30 days to return a product in its original packaging. Open a case in the "
            "portal and we send you a return label.",
        ),
        (
            "Retourner un produit",
            "Vous disposez de 30 jours pour retourner un produit dans son emballage d'origine. "
            "Ouvrez une demande dans le portail et nous vous envoyons une étiquette de retour.",
        ),
    ),
    (
        "Shipping",
        INTERNAL,
        (
            "Carrier claims for damaged parcels",
            "Photograph the parcel, open a claim with the carrier within 48 "
            "hours and link the claim number to the case.",
        ),
        None,
    ),
    (
        "Technical support",
        PUBLIC,
        (
            "Printer shows offline",
            "Restart the printer, check the network cable or Wi-Fi, then remove and add the "
            "printer again on your computer.",
        ),
        (
            "L'imprimante apparaît hors ligne",
            "Redémarrez l'imprimante, vérifiez le câble réseau ou le Wi-Fi, puis "
            "supprimez et ajoutez de nouveau l'imprimante sur votre ordinateur.",
        ),
    ),
    (
        "Technical support",
        PUBLIC,
        (
            "Resetting your password",
            "On the sign-in page choose Forgot password; the link in the e-mail works for 30 minutes.",
        ),
        None,
    ),
    (
        "Technical support",
        INTERNAL,
        (
            "Escalating to second-level support",
            "Escalate when the customer's device is under warranty and the "
            "first-level checks did not help: assign the case to the Tier 2 queue with the checks done.",
        ),
        None,
    ),
)


@transaction.atomic
def load_knowledge_demo(by: User | None = None) -> list[Article]:
    """The demo articles, published (none when the knowledge base already has articles)."""
    if Article.objects.exists():
        return []
    categories: dict[str, KnowledgeCategory] = {}
    made: list[Article] = []
    for category_name, visibility, (title, text), french in ARTICLES:
        if category_name not in categories:
            categories[category_name] = create_category(by=by, name=category_name)
        category = categories[category_name]
        english = create_article(
            by=by, draft_title=title, draft_body=f"<div>{text}</div>", language="en", category=category,
            visibility=visibility,
        )  # fmt: skip
        publish_article(english, by=by)
        made.append(english)
        if french is not None:
            french_title, french_text = french
            translation = create_article(
                by=by, translation_of=english, draft_title=french_title, draft_body=f"<div>{french_text}</div>",
                language="fr",
            )  # fmt: skip
            publish_article(translation, by=by)
            made.append(translation)
    return made
