"""Serving an aiohttp application, for webhooks and HTTP mode (and the tests' fake platforms)."""

import ssl

from aiohttp import web


async def serve(
    app: web.Application, host: str, port: int, tls: ssl.SSLContext | None = None
) -> tuple[web.AppRunner, int]:
    """Starts serving `app` (over TLS if given a context); returns its runner (to clean up) and
    the port bound (port 0 picks one)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=tls)
    await site.start()
    return runner, runner.addresses[0][1]
