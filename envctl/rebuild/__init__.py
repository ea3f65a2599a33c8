"""Rebuilding an environment from a ledger snapshot: the sources at its commit, the toolchain then and now,
the state reconciled with the cloud, and parity between the rebuilt environment and the snapshot."""
