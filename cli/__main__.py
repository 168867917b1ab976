"""`python -m cli ...` is `baqylau ...` where the console script is not installed."""

from cli.main import main

main()
