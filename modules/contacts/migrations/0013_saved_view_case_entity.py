from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0012_timeline_case_kind"),
    ]

    operations = [
        migrations.AlterField(
            model_name="savedview",
            name="entity",
            field=models.CharField(
                choices=[
                    ("company", "Companies"),
                    ("contact", "Contacts"),
                    ("lead", "Leads"),
                    ("deal", "Deals"),
                    ("activity", "Activities"),
                    ("product", "Products"),
                    ("quote", "Quotes"),
                    ("order", "Orders"),
                    ("case", "Cases"),
                ],
                max_length=20,
            ),
        ),
    ]
