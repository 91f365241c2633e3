"""``ferry server``'s process: uvicorn serving the API, the durable runner's loop on a thread.

:meth:`ApiServer.serve_forever` is the command (uvicorn in the main thread, stopped by SIGTERM
or SIGINT); :meth:`ApiServer.start` runs the same pair in background threads on a socket bound
first, which is how tests get a real server on a free loopback port.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterable

import uvicorn

from ferry.api.app import create_app
from ferry.api.context import ApiSettings
from ferry.api.protocol import Actions
from ferry.errors import ConfigError
from ferry.runner.durable import DurableRunner

log = logging.getLogger("ferry.api")

STARTUP_LIMIT_SECONDS = 30.0


class ApiServer:
    """The API over one durable runner; owns the runner's loop and closes the runner."""

    def __init__(
        self,
        runner: DurableRunner,
        settings: ApiSettings | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 8083,
        extra: Iterable[Actions] = (),
    ) -> None:
        self.runner = runner
        self.host = host
        self.port = port
        app = create_app(runner, settings, extra=extra)
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        """The endpoint URL clients use (``--endpoint-url``)."""
        return f"http://{self.host}:{self.port}"

    def _start_runner(self) -> None:
        thread = threading.Thread(target=self.runner.serve, args=(self._stop,), name="ferry-runner")
        thread.start()
        self._threads.append(thread)

    def bind(self) -> None:
        """Bind the listening socket now (port 0 picks a free one; :attr:`url` shows it).

        Raises:
            ConfigError: The address cannot be bound (in use, not local).
        """
        if self._socket is not None:
            return
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit this: uvicorn writes a response's head and body separately,
        # and with Nagle on, the body waits for the client's delayed ACK (~40 ms per request).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise ConfigError(f"cannot listen on {self.host}:{self.port}: {exc.strerror}") from None
        self.port = sock.getsockname()[1]
        self._socket = sock

    def serve_forever(self) -> None:
        """Serve in this (main) thread until :meth:`request_exit` or a SIGTERM/SIGINT."""
        self.bind()
        assert self._socket is not None
        self._start_runner()
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self.shutdown()

    def start(self) -> None:
        """Serve from background threads; return once the socket accepts requests.

        Raises:
            ConfigError: The address cannot be bound.
            RuntimeError: uvicorn did not come up.
        """
        self.bind()
        sock = self._socket
        self._start_runner()
        thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="ferry-api"
        )
        thread.start()
        self._threads.append(thread)
        deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
        while not self._server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.shutdown()
                raise RuntimeError("the API server did not start")
            time.sleep(0.01)

    def request_exit(self) -> None:
        """Ask uvicorn and the runner loop to stop (safe from a signal handler)."""
        self._server.should_exit = True
        self._stop.set()

    def shutdown(self) -> None:
        """Stop both loops, wait for them, and close the runner (its leases go back)."""
        self.request_exit()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join()
        self._threads.clear()
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self.runner.close()
