"""URNs follow the Pulumi engine's rules, not the SDK mock's."""

from envctl.engine.urn import (
    default_provider_name,
    make_urn,
    provider_reference,
    split_provider_reference,
    stack_urn,
    urn_name,
    urn_type,
)

STACK = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev"


def test_stack_urn_is_named_after_project_and_stack() -> None:
    assert stack_urn("dev", "proj") == STACK


def test_child_of_the_stack_has_its_own_type_only() -> None:
    assert make_urn("dev", "proj", STACK, "aws:s3/bucket:Bucket", "b") == \
        "urn:pulumi:dev::proj::aws:s3/bucket:Bucket::b"


def test_no_parent_is_like_the_stack() -> None:
    assert make_urn("dev", "proj", "", "aws:s3/bucket:Bucket", "b") == "urn:pulumi:dev::proj::aws:s3/bucket:Bucket::b"


def test_children_of_components_carry_the_whole_parent_type_chain() -> None:
    component = make_urn("dev", "proj", STACK, "my:x:A", "a")
    nested = make_urn("dev", "proj", component, "my:x:B", "b")
    leaf = make_urn("dev", "proj", nested, "aws:sqs/queue:Queue", "q")
    assert component == "urn:pulumi:dev::proj::my:x:A::a"
    assert nested == "urn:pulumi:dev::proj::my:x:A$my:x:B::b"
    assert leaf == "urn:pulumi:dev::proj::my:x:A$my:x:B$aws:sqs/queue:Queue::q"
    assert urn_type(leaf) == "aws:sqs/queue:Queue"


def test_a_name_may_contain_the_delimiter() -> None:
    urn = make_urn("dev", "proj", "", "aws:sqs/queue:Queue", "a::b")
    assert urn_name(urn) == "a::b"


def test_default_provider_name_encodes_the_version() -> None:
    assert default_provider_name("7.51.1") == "default_7_51_1"
    assert default_provider_name("7.0.0-alpha.1") == "default_7_0_0_alpha_1"


def test_provider_reference_splits_at_the_last_delimiter() -> None:
    urn = "urn:pulumi:dev::proj::pulumi:providers:aws::default_7_51_1"
    reference = provider_reference(urn, "0b9a-uuid")
    assert split_provider_reference(reference) == (urn, "0b9a-uuid")
