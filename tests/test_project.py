"""Pulumi.yaml and stack files in Pulumi's own format."""

from pathlib import Path

import pytest

from envctl.errors import BadInput
from envctl.project import Secure, find_project_dir, load_project, load_stack_config, program_config_text


def _project(tmp_path: Path, pulumi_yaml: str, stack: str | None = None, stack_dir: str = ".") -> Path:
    (tmp_path / "Pulumi.yaml").write_text(pulumi_yaml)
    (tmp_path / "__main__.py").write_text("")
    if stack is not None:
        (tmp_path / stack_dir).mkdir(exist_ok=True)
        (tmp_path / stack_dir / "Pulumi.dev.yaml").write_text(stack)
    return tmp_path


def test_project_defaults_and_namespaces(tmp_path: Path) -> None:
    root = _project(tmp_path, "name: shop\nruntime:\n  name: python\n  options: {toolchain: pip}\n"
                    "config:\n  size: {type: integer, default: 2}\n  region: {type: string}\n  shop:tier: gold\n",
                    "config:\n  shop:region: eu\n  aws:region: eu-west-1\n  shop:config:legacy: x\n")
    config = load_stack_config(load_project(root), "dev")
    assert config.values == {"shop:region": "eu", "aws:region": "eu-west-1", "shop:legacy": "x", "shop:size": 2,
                             "shop:tier": "gold"}
    assert program_config_text(2) == "2" and program_config_text(True) == "true"


def test_a_missing_required_key_names_the_command_that_sets_it(tmp_path: Path) -> None:
    root = _project(tmp_path, "name: shop\nruntime: python\nconfig:\n  region: {type: string}\n", "config: {}\n")
    with pytest.raises(BadInput, match="missing required configuration shop:region.*envctl config set dev region"):
        load_stack_config(load_project(root), "dev")


def test_declared_types_are_checked_and_numeric_strings_accepted(tmp_path: Path) -> None:
    root = _project(tmp_path, "name: shop\nruntime: python\nconfig:\n  port: {type: integer}\n",
                    "config:\n  shop:port: '8080'\n")
    assert load_stack_config(load_project(root), "dev").values["shop:port"] == "8080"
    (root / "Pulumi.dev.yaml").write_text("config:\n  shop:port: eighty\n")
    with pytest.raises(BadInput, match="must be of type integer"):
        load_stack_config(load_project(root), "dev")


def test_secure_values_are_kept_encrypted(tmp_path: Path) -> None:
    root = _project(tmp_path, "name: shop\nruntime: python\n", "config:\n  shop:pw:\n    secure: v1:abc:def\n")
    config = load_stack_config(load_project(root), "dev")
    assert config.values["shop:pw"] == Secure("v1:abc:def")
    assert config.secret_keys() == ["shop:pw"]


def test_malformed_yaml_gives_file_line_and_column(tmp_path: Path) -> None:
    root = _project(tmp_path, "name: shop\nruntime: python\n", "config:\n  shop:a: [1, 2\n")
    with pytest.raises(BadInput, match=r"Pulumi\.dev\.yaml:\d+:\d+: invalid YAML"):
        load_stack_config(load_project(root), "dev")


def test_stack_config_dir_and_the_legacy_config_form(tmp_path: Path) -> None:
    root = _project(tmp_path, "name: shop\nruntime: python\nconfig: stacks\n", "config: {shop:a: 1}\n", "stacks")
    project = load_project(root)
    assert project.stack_file("dev") == root / "stacks" / "Pulumi.dev.yaml"
    assert project.known_stacks() == ["dev"]
    assert load_stack_config(project, "dev").values == {"shop:a": 1}


def test_a_stack_without_a_file_starts_empty_and_the_project_is_found_upward(tmp_path: Path) -> None:
    root = _project(tmp_path, "name: shop\nruntime: python\n")
    (root / "sub" / "deeper").mkdir(parents=True)
    assert find_project_dir(root / "sub" / "deeper") == root.resolve()
    config = load_stack_config(load_project(root), "qa")
    assert not config.exists and config.values == {}


def test_bad_keys_and_runtimes_are_bad_input(tmp_path: Path) -> None:
    root = _project(tmp_path, "name: shop\nruntime: nodejs\n")
    with pytest.raises(BadInput, match="runtime `nodejs` is not supported"):
        load_project(root)
    root = _project(tmp_path, "name: shop\nruntime: python\n", "config:\n  nonamespace: 1\n")
    with pytest.raises(BadInput, match="should be of the form"):
        load_stack_config(load_project(root), "dev")


def test_a_template_placeholder_name_takes_the_directory_name(tmp_path: Path) -> None:
    root = tmp_path / "webshop"
    root.mkdir()
    _project(root, "name: ${PROJECT}\ndescription: ${DESCRIPTION}\nruntime: python\n")
    assert load_project(root).name == "webshop"
