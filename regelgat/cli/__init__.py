"""The `regelgat` command line: one group, with each family of commands in its own module."""

from regelgat.cli.app import main
from regelgat.cli.cliff import cliff_command
from regelgat.cli.guard import diff_command, snapshot_command, test_command
from regelgat.cli.map import map_command
from regelgat.cli.reform import reform_command
from regelgat.cli.run import run as run_command
from regelgat.cli.serve import serve as serve_command
from regelgat.cli.timeline import timeline_command

for _command in (test_command, diff_command, snapshot_command, run_command, serve_command, map_command,
                 timeline_command, cliff_command, reform_command):
    main.add_command(_command)

__all__ = ["main"]
