"""``python -m chainbrain`` is the ``chainbrain`` command."""

from chainbrain.cli import main

main()
