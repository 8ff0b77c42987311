"""``wordvec serve MODEL [MODEL2 …]``: load the models memory-mapped and run the explorer and JSON API.

The server is werkzeug's threaded WSGI server (``werkzeug.serving.make_server(..., threaded=True)``, the
server Flask's own ``run`` uses), one thread per request. It binds 127.0.0.1 unless ``--host`` says
otherwise and then accepts only loopback ``Host`` headers.
"""
from __future__ import annotations

import errno
import ipaddress
import logging
import socket

import click

from wordvec.cli.output import quiet_option


def is_loopback(host: str) -> bool:
    """``True`` for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


M_ARENA_MAX = -8  # glibc mallopt parameter
REQUEST_TIMEOUT = 30  # seconds a connection may stay silent before its thread gives up


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas (``mallopt(M_ARENA_MAX)``); ``False`` where that is not available.

    The threaded server runs each request on a new thread, and glibc gives threads their own arenas (up to
    8 per core), whose free pages stay resident: without the cap the server's RSS grew 6% in its first
    2,000 requests, with it under 2% (bench/serve_load.py, zh_mixed). Call it before threads start."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(M_ARENA_MAX, int(arenas)))
    except (OSError, AttributeError):
        return False


def load_models(paths: tuple[str, ...]):
    """``Model`` objects for ``paths`` (directories memory-mapped read-only), named by their last part."""
    from wordvec.cli.loading import load_model

    from .queries import Model, model_names

    return [Model(name, path, load_model(path)) for name, path in zip(model_names(list(paths)), paths)]


def make_server(models, host: str, port: int, timeout: float = REQUEST_TIMEOUT):
    """The threaded werkzeug server for ``models`` on ``host:port`` (``port`` 0: any free port); a
    connection silent for ``timeout`` seconds is closed (a thread per connection must not wait forever)."""
    from werkzeug.serving import WSGIRequestHandler
    from werkzeug.serving import make_server as werkzeug_server

    from wordvec.errors import InputError

    from .app import LOOPBACK_HOSTS, create_app

    app = create_app(models, trusted_hosts=LOOPBACK_HOSTS if is_loopback(host) else None)
    # the listening socket is opened here so that a busy port is our one-line error (werkzeug would print
    # its own text and exit); werkzeug serves on a duplicate of it
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listener = socket.create_server((host.strip("[]"), port), family=family, backlog=128)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise InputError(f"port {port} on {host} is in use; pick another with --port") from None
        raise InputError(f"cannot listen on {host}:{port}: {err.strerror or err}; check --host and --port") from None
    try:
        handler = type("TimedRequestHandler", (WSGIRequestHandler,), {"timeout": timeout})
        return werkzeug_server(host, port, app, threaded=True, fd=listener.fileno(), request_handler=handler)
    finally:
        listener.close()


@click.command("serve")
@click.argument("models", nargs=-1, required=True, type=click.Path(exists=False, dir_okay=True, file_okay=True))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback makes the explorer reachable from other machines.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--no-warm-up", is_flag=True, help="Do not precompute the models' derived state in the background.")
@quiet_option
def serve(models: tuple[str, ...], host: str, port: int, no_warm_up: bool, quiet: bool) -> None:
    """Web explorer and JSON API for MODEL(s): word, text, analogy and model pages, /api/… endpoints.

    With two or more models every page shows them side by side. Stop with Ctrl-C.
    """
    try:
        import flask  # noqa: F401
    except ImportError:
        from wordvec.errors import InputError

        raise InputError("wordvec serve needs Flask: pip install 'wordvec[serve]'") from None
    from threadpoolctl import threadpool_limits

    # one BLAS thread: requests already run in parallel threads, and idle OpenBLAS threads spinning on a
    # shared 2-core machine made a 15k-row mat-vec take 16 ms instead of 0.2 ms at p90 (bench/serve_load.py)
    threadpool_limits(limits=1, user_api="blas")
    limit_malloc_arenas()
    loaded = load_models(models)
    server = make_server(loaded, host, port)
    if not no_warm_up:
        from .app import warm_up

        warm_up(loaded)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"wordvec serve: {len(loaded)} model(s) ({', '.join(m.name for m in loaded)}) "
               f"at http://{shown}:{server.socket.getsockname()[1]}/  (Ctrl-C stops)", err=False)
    if not is_loopback(host):
        click.echo(f"warning: listening on {host}: other machines can reach this server", err=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING if quiet else logging.INFO)
    try:
        server.serve_forever()
    finally:
        server.server_close()


COMMANDS: list[click.Command] = [serve]

__all__ = ["COMMANDS", "serve", "make_server", "load_models", "is_loopback", "limit_malloc_arenas"]
