"""One module per command-line verb; shared helpers live in :mod:`symeq.commands.common`."""
