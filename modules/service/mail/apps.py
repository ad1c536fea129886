from django.apps import AppConfig


class ServiceMailConfig(AppConfig):
    name = "modules.service.mail"
    label = "service_mail"
    verbose_name = "Service: e-mail to case"

    def ready(self) -> None:
        from modules.service.mail import data_subject

        data_subject.register()
        from modules.service.mail import retention

        retention.register()
        # An agent's public reply is e-mailed to the customer after the case write commits.
        from modules.service.hooks import register_case_hook
        from modules.service.mail.services.outbound import queue_reply_mail

        register_case_hook("service_mail.outbound", queue_reply_mail)
