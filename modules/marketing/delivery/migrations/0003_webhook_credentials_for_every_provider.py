from django.db import migrations, models


class Migration(migrations.Migration):
    """The basic-auth credential Postmark used now serves every provider that calls with one
    (renamed, values kept); SendGrid's signed-event verification key."""

    dependencies = [("marketing_delivery", "0002_recipient_without_handover_start")]

    operations = [
        migrations.RenameField("deliverysettings", "postmark_webhook_user", "webhook_user"),
        migrations.RenameField("deliverysettings", "postmark_webhook_password", "webhook_password"),
        migrations.AlterField(
            model_name="deliverysettings",
            name="webhook_user",
            field=models.CharField(blank=True, max_length=100, verbose_name="webhook user"),
        ),
        migrations.AlterField(
            model_name="deliverysettings",
            name="webhook_password",
            field=models.TextField(blank=True, verbose_name="webhook password"),
        ),
        migrations.AddField(
            model_name="deliverysettings",
            name="sendgrid_verification_key",
            field=models.TextField(blank=True, verbose_name="SendGrid verification key"),
        ),
    ]
