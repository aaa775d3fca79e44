"""``python -m worker``: the timer worker."""
from worker import main

main()
