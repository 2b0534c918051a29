"""`python -m kalshi.cli ...` runs the `kalshi` command."""

from kalshi.cli import main

main()
