"""Create or update an operator staff account (public schema), who may sign in to the console."""

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from identity.services.operators import ensure_operator


class Command(BaseCommand):
    help = "Create an operator for the console, or reset an existing operator's password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", help="Asked for when left out.")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"]
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            user = ensure_operator(options["email"], password)
        except ValidationError as error:
            messages = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in error.message_dict.items())
            raise CommandError(messages) from None
        self.stdout.write(f"Operator {user.email} can sign in at /console/.")
