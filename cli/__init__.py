"""The `baqylau` command line (cli/main.py) and the bulk imports it runs (cli/importers/)."""
