"""Where a site's credentials may go: no link-local or cloud-metadata address, private ones only when confirmed.

Checked on the URL when a site is added and again at connect time on every address the host resolves to,
so a name that later resolves elsewhere (DNS rebinding) cannot carry the Application Password there.
"""

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

import httpcore
import httpx

from ..errors import ValidationFailedError
from ..i18n import _

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
# Cloud metadata services hand out credentials: the Application Password must never be sent there.
# 169.254.169.254 (AWS, GCP, Azure, OCI, OpenStack), fd00:ec2::254 (AWS IPv6), 100.100.100.200 (Alibaba ECS:
# in the CGNAT range, so a confirmed private address would pass without its own entry).
METADATA_HOSTS = {"metadata.google.internal", "metadata.goog", "metadata", "instance-data",
                  "instance-data.ec2.internal"}
METADATA_IPS = {ipaddress.ip_address(ip) for ip in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")}
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_local(host: str | None) -> bool:
    """Whether host is this machine, where plain http is acceptable."""
    host = (host or "").lower()
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host in LOCAL_HOSTS or host.endswith(".localhost")


def _refused(host: str, address: Address | None) -> ValidationFailedError:
    shown = host if address is None or str(address) == host else _("{host} (which resolves to {address})").format(
        host=host, address=address)
    return ValidationFailedError(_("{shown} is a link-local or cloud-metadata address, not a WordPress site; "
                                   "ContentCraft never sends a password there.").format(shown=shown))


def check_address(host: str, address: Address, *, allow_private: bool = False) -> None:
    """ValidationFailedError unless host's address may receive a site's credentials (loopback may: a test site)."""
    address = getattr(address, "ipv4_mapped", None) or address
    if address in METADATA_IPS or address.is_link_local:
        raise _refused(host, address)
    if address.is_loopback:
        return
    if (address.is_private or address in _CGNAT or address.is_reserved) and not allow_private:
        shown = host if str(address) == host else _("{host} resolves to {address}, which").format(
            host=host, address=address)
        raise ValidationFailedError(_("{shown} is a private network address. If the WordPress site really is on "
                                      "your internal network, confirm that when adding the site (tick “private "
                                      "address” / --private).").format(shown=shown))


def resolve(host: str, port: int | None = None) -> list[Address]:
    """Every address host resolves to (a literal address is itself); socket.gaierror if it does not resolve."""
    infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))


def check_host(host: str, *, allow_private: bool = False) -> None:
    """ValidationFailedError if host is, or resolves to, a refused address (every one counts).

    A name that does not resolve now passes: connections check it again (CheckedTransport)."""
    host = host.lower().rstrip(".")
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if host in METADATA_HOSTS:
        raise _refused(host, None)
    try:
        addresses = [literal] if literal is not None else resolve(host)
    except (OSError, UnicodeError):
        return
    for address in addresses:
        check_address(host, address, allow_private=allow_private)


def check_base_url(url: str, *, allow_private: bool = False) -> tuple[str, list[str]]:
    """The site URL normalised, plus warnings; anything but http(s) is rejected with the reason."""
    url = (url or "").strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        shown = f"'{scheme}:'" if scheme else "no scheme"
        raise ValidationFailedError(_("The site URL must start with https:// (or http:// for a local test site); "
                                      "{url!r} has {shown}.").format(url=url, shown=shown))
    if not parts.hostname:
        raise ValidationFailedError(f"The site URL {url!r} has no host name, e.g. https://blog.example.com.")
    if parts.username or parts.password:
        raise ValidationFailedError(_("Put the user name and Application Password in their own fields, not in the "
                                      "URL."))
    if parts.query or parts.fragment:
        raise ValidationFailedError(_("The site URL is the site's home address, without ?query or #fragment."))
    check_host(parts.hostname, allow_private=allow_private)
    warnings = []
    if scheme == "http" and not is_local(parts.hostname):
        warnings.append(_("This site uses plain http: the Application Password travels unencrypted, and WordPress "
                          "only accepts Application Passwords over HTTPS. Use https:// if the site has it."))
    return urlunsplit((scheme, parts.netloc.lower(), parts.path.rstrip("/"), "", "")), warnings


class _CheckedBackend(httpcore.SyncBackend):
    """Connects only to an address checked at connect time, so the check and the connection see the same DNS answer."""

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        if host.lower().rstrip(".") in METADATA_HOSTS:
            raise _refused(host, None)
        try:
            addresses = resolve(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(_("{host} does not resolve ({reason})").format(
                host=host, reason=exc.strerror or exc)) from None
        for address in addresses:  # one refused address refuses the host: the resolver may rotate them
            check_address(host, address, allow_private=self.allow_private)
        return super().connect_tcp(str(addresses[0]), port, timeout, local_address, socket_options)


class CheckedTransport(httpx.HTTPTransport):
    """httpx's transport whose connections go only to addresses check_address allows (TLS still checks host names)."""

    def __init__(self, *, allow_private: bool = False):
        super().__init__()
        self.allow_private = allow_private
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                             network_backend=_CheckedBackend(allow_private))
