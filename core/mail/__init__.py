"""E-mail reading shared by the modules that take mail in: MIME parsing, free-mail domains, quoted
history. Standard library only (this is the bottom layer)."""
