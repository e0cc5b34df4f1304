#!/usr/bin/env python3
"""Baseline for vxgen's throughput bench: Scapy building and writing VXLAN/TCP
packets comparable to vxgen's default mix (outer Ethernet/IPv4/UDP 4789/VXLAN,
inner Ethernet/IPv4/TCP with timestamps, 100 to 1448-byte payloads).

Prints one JSON line: {"packets": N, "bytes": B, "seconds": S, "pps": P}.
Usage: scapy_baseline.py [PACKETS] [OUTPUT.pcap]
"""
import json
import os
import sys
import tempfile
import time

from scapy.all import IP, TCP, UDP, Ether, PcapWriter  # noqa: E402
from scapy.layers.vxlan import VXLAN  # noqa: E402


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(tempfile.gettempdir(), "scapy_baseline.pcap")
    sizes = [0, 100, 517, 1448, 1448, 0, 1448, 320]
    written = 0
    start = time.perf_counter()
    with PcapWriter(out, linktype=1, sync=False) as w:
        for i in range(count):
            payload = b"x" * sizes[i % len(sizes)]
            pkt = (
                Ether(src="02:9d:44:10:6b:01", dst="02:7c:11:e4:52:9a")
                / IP(src="10.0.1.23", dst="10.0.2.50", ttl=255, id=0, flags=0)
                / UDP(sport=65408 + (i % 128), dport=4789, chksum=0)
                / VXLAN(flags=0x08, vni=9999999)
                / Ether(src="02:4f:1a:8c:3e:71", dst="02:9d:44:10:6b:01")
                / IP(src="10.0.1.23", dst="203.0.113.7", ttl=64, flags="DF", id=i & 0xFFFF)
                / TCP(sport=41522, dport=80, seq=1000 + i, ack=2000, flags="PA", window=502,
                      options=[("NOP", None), ("NOP", None), ("Timestamp", (i, i))])
                / payload
            )
            raw = bytes(pkt)
            written += len(raw)
            w.write(raw)
    seconds = time.perf_counter() - start
    print(json.dumps({"packets": count, "bytes": written, "seconds": seconds, "pps": count / seconds}))


if __name__ == "__main__":
    main()
