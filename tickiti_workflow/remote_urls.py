"""Where an intervention may send its requests: an absolute https URL to a public host.

The rules an HTTP client would otherwise be tricked by: credentials in the URL, localhost,
private, loopback, link-local or otherwise non-public IP literals (legacy IPv4 forms included),
and Unicode hosts that IDNA folds into any of those.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

import idna

MAX_URL_LENGTH = 2048

# A host name as it goes on the wire: ASCII letters, digits, hyphens (and underscores) in labels.
_HOSTNAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?", re.ASCII | re.IGNORECASE)


class UnsafeRemoteUrl(ValueError):
    """A remote_url the service refuses to call; the message says why."""


def check_remote_url(url: str) -> None:
    """Refuse anything but an absolute https URL whose host is a public name or address."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise UnsafeRemoteUrl("Must be a valid absolute URL.") from None
    if parts.scheme.lower() != "https":
        raise UnsafeRemoteUrl("Must be an absolute https:// URL.")
    if not host:
        raise UnsafeRemoteUrl("Must name a host.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeRemoteUrl("Must not contain credentials; use the remote token instead.")
    for name in _network_forms(host):
        _check_host(name)


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host names literally, including legacy IPv4 forms like ``127.1``."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # HTTP clients resolve "127.1", "2130706433" and "0x7f.0.0.1" through inet_aton.
    if re.fullmatch(r"[0-9a-fx.]+", host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
        except OSError:
            pass
    return None


def _unsafe_address_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address must not be a remote_url's host, or None if it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _unsafe_address_reason(ip.ipv4_mapped)
    for reason, flag in (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("not publicly routable", not ip.is_global),
    ):
        if flag:
            return reason
    return None


def _network_forms(host: str) -> set[str]:
    """The ASCII forms an HTTP client may turn the host into before resolving it.

    A client maps a Unicode host with IDNA: UTS 46 (IDNA 2008, e.g. the ``idna`` package) or
    IDNA 2003 (Python's own codec); both fold full-width and circled digits, compatibility
    letters and ideographic full stops to ASCII. Every form must pass every rule.
    """
    if host.isascii():
        return {host.lower()}
    try:
        forms = {
            idna.encode(host, uts46=True, std3_rules=True).decode("ascii").lower(),
            host.encode("idna").decode("ascii").lower(),
        }
    except (idna.IDNAError, UnicodeError, ValueError):
        raise UnsafeRemoteUrl("The host is not a valid internationalised domain name.") from None
    return forms


def _check_host(host: str) -> None:
    """Refuse an ASCII host that is localhost, a non-public address, or no host name at all."""
    name = host.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        raise UnsafeRemoteUrl("The host must not be localhost.")
    ip = _ip_literal(host)
    if ip is None:
        if not _HOSTNAME.fullmatch(host):
            raise UnsafeRemoteUrl("The host is not a valid host name.")
        return
    if reason := _unsafe_address_reason(ip):
        raise UnsafeRemoteUrl(f"The host must not be a {reason} IP address.")
