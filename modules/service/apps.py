from django.apps import AppConfig
from django.db.models.signals import post_delete


class ServiceConfig(AppConfig):
    name = "modules.service"
    label = "service"
    verbose_name = "Service"

    def ready(self) -> None:
        from modules.service import data_subject, settings_events

        data_subject.register()
        settings_events.register()
        from modules.service import retention

        retention.register()
        # Workflows, links, reports and dashboards read cases through their registries, never
        # importing this module.
        from modules.collaboration.services.attachments import delete_file_on_commit
        from modules.record_access import register_extra_visibility
        from modules.service import dashboard_widgets, report_sources, workflows
        from modules.service.models import CaseAttachment
        from modules.service.selectors.cases import case_extra_condition, case_extra_visibility

        workflows.register()
        register_extra_visibility("service.Case", case_extra_visibility, case_extra_condition)
        report_sources.register()
        dashboard_widgets.register()
        # A case's files leave the storage once their rows' deletion commits (a deleted case
        # cascades to its messages and their files).
        post_delete.connect(delete_file_on_commit, sender=CaseAttachment, dispatch_uid="service-case-attachment-file")
