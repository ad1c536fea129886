from django.apps import AppConfig


def _campaigns_of_emails(ids: set[int]) -> dict[int, int]:
    from modules.marketing.models import MarketingEmail

    return dict(MarketingEmail.objects.filter(pk__in=ids, campaign__isnull=False).values_list("pk", "campaign_id"))


class MarketingConfig(AppConfig):
    name = "modules.marketing"
    label = "marketing"
    verbose_name = "Marketing"

    def ready(self) -> None:
        # Workflows and record pages read campaigns through their registries, never importing this module.
        from customization.events.dispatcher import register_consumer
        from modules.contacts.record_cards import RecordCard, register_record_card
        from modules.marketing import exports, workflows
        from modules.marketing.choices import MemberStatus
        from modules.marketing.services import member_progress
        from modules.marketing.views.members import campaigns_card_visible

        workflows.register()
        exports.register()
        # Members follow the campaign's e-mails (sent, clicked); forms and surveys register theirs.
        register_consumer(member_progress.CONSUMER_NAME, member_progress.consume)
        member_progress.register_progress("marketing_email.sent", MemberStatus.SENT, _campaigns_of_emails)
        member_progress.register_progress("marketing_email.clicked", MemberStatus.RESPONDED, _campaigns_of_emails)
        register_record_card(
            RecordCard(
                key="marketing-campaigns",
                subjects=("contact", "lead", "deal"),
                url_name="marketing:record-campaigns",
                visible=campaigns_card_visible,
            )
        )
