"""What every random type shares: `keepers`, values of the program's choosing whose change replaces the value (taken
as strings, as the provider's map of strings takes them)."""

from __future__ import annotations

from envctl.providers.state_only import StateOnlyResource


class RandomValue(StateOnlyResource):
    string_maps = ("keepers",)
