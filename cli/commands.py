"""The command modules, each with `register(app)`."""

from envctl.cli import (
    audit_cmd,
    cloud_cmd,
    config_cmd,
    drift_cmd,
    env_cmd,
    export_cmd,
    ledger_cmd,
    ops_cmd,
    output_cmd,
    rebuild_cmd,
    state_cmd,
    types_cmd,
)

MODULES = [ops_cmd, output_cmd, env_cmd, state_cmd, ledger_cmd, config_cmd, cloud_cmd, export_cmd, rebuild_cmd,
           audit_cmd, drift_cmd, types_cmd]
