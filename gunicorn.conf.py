"""gunicorn settings for Dixian, read by every gunicorn started in this folder (make run, the
benchmarks, the server tests): threaded workers that keep connections alive, so a browser or
an API client does not open a new connection for each request."""
import os

worker_class = "gthread"
threads = int(os.environ.get("DIXIAN_THREADS", 4))
workers = int(os.environ.get("DIXIAN_WORKERS", 2))
keepalive = 5
timeout = 60
# The worker's heartbeat touches a file on every loop: in memory, not on a disk shared with
# other writers (where a touch could wait behind their journal writes).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
