"""The client's address behind trusted reverse proxies (``serve --trusted-proxy CIDR``).

``X-Forwarded-For`` is read only when the connection comes from a configured trusted proxy; then
the client is the *rightmost* address of the header that is not a trusted proxy itself (each proxy
appends the address it saw, so everything left of it may be forged by the client). With no
trusted proxy configured (the default) the header is ignored and the peer address is the client.
The same rule as uvicorn's ``--forwarded-allow-ips``, which ``chainbrain serve`` passes the same
list to for ``X-Forwarded-Proto``.
"""

from __future__ import annotations

import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse(entries) -> tuple[Network, ...]:
    """The networks of ``entries`` (``10.0.0.5``, ``10.0.0.0/8``, ``::1``); ValueError (bilingual)
    naming the first entry that is neither an address nor a network."""
    out = []
    for entry in entries or ():
        try:
            out.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            raise ValueError(f"trusted proxy {entry!r} is not an IP address or CIDR network "
                             f"(可信代理 {entry} 不是 IP 地址或 CIDR 网段)") from None
    return tuple(out)


def _address(text: str):
    """The IP address in a hop (``1.2.3.4``, ``1.2.3.4:80``, ``[::1]:80``), or None."""
    t = text.strip()
    if t.startswith("[") and "]" in t:
        t = t[1:t.index("]")]
    elif t.count(":") == 1:
        t = t.split(":")[0]
    try:
        return ipaddress.ip_address(t)
    except ValueError:
        return None


def trusted(host: str, networks: tuple[Network, ...]) -> bool:
    ip = _address(host)
    return ip is not None and any(ip in n for n in networks)


def client_address(peer: str, forwarded_for: list[str], networks: tuple[Network, ...]) -> str:
    """The client of a request from ``peer`` carrying the ``X-Forwarded-For`` values ``forwarded_for``."""
    if not networks or not trusted(peer, networks):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        if not trusted(hop, networks):
            ip = _address(hop)
            return str(ip) if ip is not None else hop
    return hops[0].strip() if hops else peer          # every hop a trusted proxy: the first of them
