"""Rasa's own command line with our patches enabled: `python -m components.rasa_cli <rasa args>`.

Every Rasa process of the project starts this way (tools/stack.py, tools/train.py,
tools/evaluate_nlu.py, the Makefile); components/patches/__init__.py says why. Only the benchmark's
`rasa init` floor runs plain Rasa, as the measure of Rasa without us.
"""

import sys
from typing import Any, List, Optional

import pluggy

import components
from components import patches


class ReapplyOurSettings:
    """A Rasa plugin: Rasa calls its `configure_commandline` hook after its command line has set
    its warning filters, which go in front of the ones `import components` set (above), and before
    the command runs. Ours are applied again there, so they win as they do under plain Rasa."""

    @pluggy.HookimplMarker("rasa")
    def configure_commandline(self, cmdline_arguments: Any) -> None:
        components.configure_logging_and_warnings()


REAPPLY_OUR_SETTINGS = ReapplyOurSettings()


def main(arguments: Optional[List[str]] = None) -> None:
    """Enables the patches, then runs Rasa's CLI on `arguments` (default: this command's own)."""
    patches.enable()
    import rasa.__main__
    from rasa.plugin import plugin_manager

    manager = plugin_manager()
    if not manager.is_registered(REAPPLY_OUR_SETTINGS):
        manager.register(REAPPLY_OUR_SETTINGS)
    if arguments is not None:
        sys.argv = [sys.argv[0], *arguments]
    rasa.__main__.main()


if __name__ == "__main__":
    main()
