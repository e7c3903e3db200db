#!/usr/bin/env python3
"""Entry point of the ECS stand-in: moto's server with real tasks, on one port.

Why it exists: the tests need one endpoint (AWS_ENDPOINT_URL) that answers ECS, ECR,
CloudWatch Logs, SSM, Secrets Manager, STS and EC2 like AWS does, where RunTask really runs
containers. moto dispatches by the signing service of each request; this process patches
moto in-process (ecs_patch, ecr, logs), wraps its WSGI app in the stand-in middleware, and
serves it with werkzeug's threaded server.

    python tests/stack/standin/server.py --host 127.0.0.1 --port 5100
"""

import os
import sys

# Import the stand-in as the package `standin` (never its modules as top-level names, which
# could shadow standard modules for moto and werkzeug).
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402

from moto.server import DomainDispatcherApplication, create_backend_app  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from standin import ecr, ecs_patch, engine, logs, settings, tasks  # noqa: E402
from standin.diag import say  # noqa: E402
from standin.middleware import StandinMiddleware  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5100)
    parser.add_argument("--verbose", action="store_true", help="log every HTTP request (werkzeug)")
    args = parser.parse_args()

    logging.getLogger("werkzeug").setLevel(logging.INFO if args.verbose else logging.WARNING)
    ecs_patch.apply()
    ecr.apply()
    logs.patch_moto()
    engine.start_oom_watcher()

    app = StandinMiddleware(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True)

    def shutdown(signum: int, _frame: object) -> None:
        say(f"signal {signum}: shutting down")
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    say(f"ECS stand-in listening on http://{args.host}:{args.port} "
              f"(registry {settings.REGISTRY}, docker {os.environ.get('DOCKER_HOST', 'default')}, pid {os.getpid()})")
    try:
        server.serve_forever()
    finally:
        tasks.remove_all_containers()
        say("stopped")
    # Idle keep-alive request threads and moto's machinery would delay the exit by seconds.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
