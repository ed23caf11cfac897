"""`python -m learnlake` runs the CLI."""

from learnlake.cli import main

main()
