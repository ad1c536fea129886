"""Forms of the sales pipeline pages; the services validate and write, the forms only parse."""
