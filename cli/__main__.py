"""``python -m cli``: the dixian command."""
from cli import main

main()
