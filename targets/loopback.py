"""Checks that a started process tree listens on 127.0.0.1 only (Linux /proc; a no-op elsewhere).

Every listening TCP socket owned by the child or its descendants must be bound to a loopback
address: a server that ignored --host (Portkey's start script sets none) is caught at start.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from .common import LOOPBACK, TargetStartError

PROC = Path("/proc")
TCP_LISTEN = "0A"


def _children_of(pid: int) -> set[int]:
    """pid and all its descendants, from each process's parent id in /proc/*/stat."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # exited while we looked
            continue
        fields = stat[stat.rfind(")") + 2:].split()  # after the command name, which may hold spaces
        parents[int(entry.name)] = int(fields[1])
    tree, grew = {pid}, True
    while grew:
        added = {child for child, parent in parents.items() if parent in tree and child not in tree}
        tree |= added
        grew = bool(added)
    return tree


def _socket_inodes(pids: set[int]) -> set[str]:
    inodes = set()
    for pid in pids:
        fd_dir = PROC / str(pid) / "fd"
        try:
            names = os.listdir(fd_dir)
        except OSError:
            continue
        for name in names:
            try:
                link = os.readlink(fd_dir / name)
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[len("socket:["):-1])
    return inodes


def _address(hex_addr: str) -> str:
    raw = bytes.fromhex(hex_addr)
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw[::-1]))
    # IPv6 is four little-endian 32-bit words
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    return str(ipaddress.IPv6Address(words))


def listening_addresses(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every listening TCP socket of pid's process tree."""
    inodes = _socket_inodes(_children_of(pid))
    found = []
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == TCP_LISTEN and inode in inodes:
                addr, port = local.split(":")
                found.append((_address(addr), int(port, 16)))
    return found


def _is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def assert_loopback_only(pid: int, label: str) -> None:
    if not PROC.is_dir():
        return
    exposed = [(a, p) for a, p in listening_addresses(pid) if not _is_loopback(a)]
    if exposed:
        addr, port = exposed[0]
        raise TargetStartError(f"{label} listens on {addr}:{port}, not only on {LOOPBACK}")
