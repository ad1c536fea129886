from django.apps import AppConfig


class MarketingCollateralConfig(AppConfig):
    """The sales collateral library: files with versions that reps browse, download and share."""

    name = "modules.marketing.collateral"
    label = "marketing_collateral"
    verbose_name = "Marketing: sales collateral"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from modules.collaboration.composer import register_attachment_source
        from modules.marketing.collateral.composer import COLLATERAL
        from modules.marketing.collateral.models import CollateralVersion
        from modules.marketing.collateral.services import delete_file_on_commit

        register_attachment_source(COLLATERAL)
        post_delete.connect(delete_file_on_commit, sender=CollateralVersion, dispatch_uid="collateral-file-delete")
