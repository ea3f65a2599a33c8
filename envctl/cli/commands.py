"""The command modules, each with `register(app)`."""

from envctl.cli import cloud_cmd, config_cmd, ledger_cmd, ops_cmd

MODULES = [ops_cmd, ledger_cmd, config_cmd, cloud_cmd]
