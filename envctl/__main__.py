"""`python -m envctl`: the same as the `envctl` command."""

from envctl.cli.entry import main

main()
