from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mailboxes", "0003_mailbox_oauth_account"),
    ]

    operations = [
        migrations.CreateModel(
            name="MailSettings",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("singleton", models.BooleanField(default=True, editable=False, unique=True)),
                (
                    "tracking",
                    models.BooleanField(
                        default=True, verbose_name="track opens and clicks of e-mail written in the CRM"
                    ),
                ),
                ("logging_address", models.EmailField(blank=True, max_length=254, verbose_name="logging address")),
                ("logging_token", models.TextField(blank=True)),
                ("logging_token_hash", models.CharField(blank=True, max_length=64, null=True, unique=True)),
                (
                    "logging_active",
                    models.BooleanField(default=False, verbose_name="log mail sent to the logging address"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "e-mail settings",
                "verbose_name_plural": "e-mail settings",
            },
        ),
        migrations.AddField(model_name="mailmessage", name="tracked", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="mailmessage", name="open_count", field=models.PositiveIntegerField(default=0)),
        migrations.AddField(
            model_name="mailmessage", name="opened_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(model_name="mailmessage", name="click_count", field=models.PositiveIntegerField(default=0)),
        migrations.AddField(
            model_name="mailmessage", name="clicked_at", field=models.DateTimeField(blank=True, null=True)
        ),
    ]
