"""`python -m api [--host H] [--port P] [--workers N]`: serve the API with uvicorn."""

import argparse


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api", description="Serve the ContentCraft API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--proxy-headers", action="store_true",
                        help="trust X-Forwarded-* from --forwarded-allow-ips (behind a reverse proxy)")
    parser.add_argument("--forwarded-allow-ips", default="127.0.0.1")
    args = parser.parse_args(argv)
    from core.auth import ensure_admin_from_settings
    from core.config import get_settings
    from core.db import engine_for, upgrade

    from .server import serve

    settings = get_settings()
    upgrade(settings.database_url)  # once, before the workers start
    password = settings.admin_password.get_secret_value() if settings.admin_password else None
    ensure_admin_from_settings(engine_for(settings.database_url), settings.admin_email, password)
    serve(host=args.host, port=args.port, workers=args.workers, proxy_headers=args.proxy_headers,
          forwarded_allow_ips=args.forwarded_allow_ips, log_level=settings.log_level.lower(), access_log=False)


if __name__ == "__main__":
    main()
