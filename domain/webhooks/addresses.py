"""Where a webhook may be sent: the public internet only, unless the school's receiver is on its own
private network and the server is told so (``CADENCE_WEBHOOK_PRIVATE_ADDRESSES``).

An admin types the address; without this check, Cadence would POST to whatever that address reaches from
the server — the cloud's metadata service (169.254.169.254), PostgreSQL's or Redis's ports on loopback,
machines inside the network. Checked twice: when the address is saved (an IP or a name that can only be
local is refused with a 422) and before each delivery (the name is resolved, and every address it gives
must be public: a name can be pointed inside the network after it was saved)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".home.arpa", ".lan")


def is_public(address: str) -> bool:
    """An IP address the public internet can route to (not loopback, private, link-local, reserved…)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") is local anyway
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def local_host(host: str) -> bool:
    """A host written as an address inside the network, or a name that can only be local."""
    name = host.strip("[]").rstrip(".").lower()
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return name == "localhost" or name.endswith(LOCAL_NAMES)
    return not is_public(name)


def inside_network(addresses: Iterable[str]) -> list[str]:
    """Of the addresses a name resolved to, those that are not public."""
    return [a for a in addresses if not is_public(a)]
