"""The stacks the tests and the benchmark start leave no conversations behind."""

from tools.stack import Stack


def test_a_temporary_stack_deletes_its_conversations_and_keeps_its_logs():
    stack = Stack.on_free_ports(with_web=False)
    for name in ("conversations.db", "conversations.db-wal", "rasa.log"):
        (stack.state_dir / name).write_text("x")
    stack.stop()
    assert sorted(p.name for p in stack.state_dir.iterdir()) == ["rasa.log"]


def test_the_make_run_stack_keeps_its_conversations(tmp_path):
    (tmp_path / "conversations.db").write_text("x")
    stack = Stack(state_dir=tmp_path)
    stack.stop()
    assert (tmp_path / "conversations.db").exists()
