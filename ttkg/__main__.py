"""`python -m ttkg` runs the CLI."""

from ttkg.cli.main import main

main()
