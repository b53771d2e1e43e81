"""Where the registry may send webhooks: never into its own network by surprise (SSRF).

Loopback, private and shared (CGNAT) addresses are allowed only for hosts an operator lists in
WEBHOOK_ALLOWED_HOSTS (government receivers often live on internal networks); link-local
(169.254.0.0/16, the cloud metadata address among them), unspecified, multicast and reserved
addresses never. The check is made when a URL is saved, and again on the address actually
dialled at delivery, so a DNS answer that changes in between cannot slip past it.
"""

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SHARED = ipaddress.ip_network("100.64.0.0/10")


def refusal(address: IPAddress, host: str, allowed_hosts: Iterable[str]) -> str | None:
    """Why a webhook may not go to this address, or None if it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_link_local or address.is_unspecified or address.is_multicast:
        return f"{host} is {address}, a link-local or special address; never allowed"
    if address.is_reserved:
        return f"{host} is {address}, a reserved address; never allowed"
    internal = address.is_loopback or address.is_private or address in SHARED
    if internal and host.lower() not in {h.lower() for h in allowed_hosts}:
        return (
            f"{host} is {address}, an internal address; list the host in WEBHOOK_ALLOWED_HOSTS "
            "to allow it"
        )
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses a host name stands for (an IP literal stands for itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


def url_refusal(url: str, allowed_hosts: Iterable[str]) -> str | None:
    """Why a webhook URL may not be saved, or None. A name that does not resolve now is kept:
    it is checked again when a reminder is delivered."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError:
        return None
    reasons = [r for a in addresses if (r := refusal(a, host, allowed_hosts))]
    return reasons[0] if reasons else None
