"""Running the API with uvicorn, one process or several sharing one listening socket."""

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

FACTORY = "api.app:create_app"


class TcpConfig(uvicorn.Config):
    """uvicorn's config, but the shared socket says it is TCP.

    uvicorn makes the socket its workers share without IPPROTO_TCP, so asyncio does not set TCP_NODELAY on
    their connections, and Nagle's algorithm meeting the client's delayed ACK adds about 40 ms to every
    answer sent in two writes (headers, then body). Re-wrapping the descriptor lets the kernel report TCP.
    """

    def bind_socket(self) -> socket.socket:
        shared = super().bind_socket()
        tcp = socket.socket(fileno=shared.detach())  # family, type and protocol read back from the kernel
        tcp.set_inheritable(True)
        return tcp


def serve(app: str = FACTORY, *, host: str = "127.0.0.1", port: int = 8000, workers: int = 1, **options) -> None:
    """Serve an app factory (an import string) until stopped; workers > 1 forks that many processes."""
    config = TcpConfig(app, factory=True, host=host, port=port, workers=workers, **options)
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
