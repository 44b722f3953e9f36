"""`python -m riskroute` runs the same command as the `riskroute` script."""

from riskroute.cli import main

main()
