"""Serving for the test tools beside it: runs a server until SIGTERM, after
writing its port to a ready file (the scripts wait for that file)."""

import signal
import sys


def serve(server, port, ready_file):
    """Serves `server` forever; exits on SIGTERM; writes `port` to `ready_file` first."""
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if ready_file:
        with open(ready_file, "w") as f:
            f.write("%d\n" % port)
    server.serve_forever()
