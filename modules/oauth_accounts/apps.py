from django.apps import AppConfig


class OAuthAccountsConfig(AppConfig):
    name = "modules.oauth_accounts"
    label = "oauth_accounts"
    verbose_name = "Connected accounts (OAuth2)"

    def ready(self) -> None:
        from django.urls import reverse

        from modules.activities.models.notification import register_notification_target
        from modules.oauth_accounts import google, microsoft

        microsoft.register()
        google.register()
        # "Your account was disconnected" opens the connected accounts, where it is connected again.
        register_notification_target("oauth_account", lambda _pk: reverse("oauth_accounts:list"))
