#!/usr/bin/env python3
"""An example vxconform decoder (docs/decoder-protocol.md), in plain Python.

    vxconform run --decoder 'cmd:python3 conformance/examples/decoder.py'

It reads the capture named by its last argument (classic pcap or pcapng,
no dependencies), and prints one JSON object per frame in the dissection
model (docs/dissection.md): outer Ethernet / IPv4 / UDP, VXLAN in both
readings, the inner Ethernet / 802.1Q / IPv4 / IPv6 / TCP / UDP / ICMP
headers and the frame facts. It omits what it does not know (GENEVE,
application facts, the cause of a truncation), which the runner counts as
"not reported", never as wrong. A field is printed only when all of its
bytes were captured.
"""
import ipaddress
import json
import struct
import sys

VXLAN_PORTS = (4789, 8472)


def records(data):
    """Yields (bytes, original length) for each record of a pcap or pcapng file."""
    magic = data[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        yield from pcapng_records(data)
        return
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<",
              b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if endian is None:
        sys.exit("not a pcap or pcapng file")
    at = 24
    while at + 16 <= len(data):
        _, _, incl_len, orig_len = struct.unpack(endian + "IIII", data[at:at + 16])
        yield data[at + 16:at + 16 + incl_len], orig_len
        at += 16 + incl_len


def pcapng_records(data):
    at, endian = 0, "<"
    while at + 12 <= len(data):
        if data[at:at + 4] == b"\x0a\x0d\x0d\x0a":  # section header: its byte order
            endian = "<" if data[at + 8:at + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        block_type, block_len = struct.unpack(endian + "II", data[at:at + 8])
        if block_type == 6:  # enhanced packet block
            _, _, _, cap_len, orig_len = struct.unpack(endian + "IIIII", data[at + 8:at + 28])
            yield data[at + 28:at + 28 + cap_len], orig_len
        if block_len < 12:
            break
        at += block_len


class Layer:
    """The captured bytes of one header; reads return None past their end."""

    def __init__(self, frame, at, end=None):
        self.b = frame[at:end] if at < len(frame) else b""

    def int(self, i, n):
        return int.from_bytes(self.b[i:i + n], "big") if i + n <= len(self.b) else None

    def mac(self, i):
        return ":".join(f"{x:02x}" for x in self.b[i:i + 6]) if i + 6 <= len(self.b) else None

    def ip(self, i, n):
        return str(ipaddress.ip_address(self.b[i:i + n])) if i + n <= len(self.b) else None


def bit(value, mask):
    return None if value is None else bool(value & mask)


def shift(value, s, mask):
    return None if value is None else (value >> s) & mask


def clean(d):
    """Drops unknown fields and empty layers."""
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            v = clean(v)
        if v is not None and v != {} and v != []:
            out[k] = v
    return out


def ethernet(f, at):
    h = Layer(f, at)
    return {"dst": h.mac(0), "src": h.mac(6), "ethertype": h.int(12, 2)}


def ipv4(f, at):
    h = Layer(f, at)
    ihl = shift(h.int(0, 1), 0, 0xF)
    hlen = None if ihl is None else ihl * 4
    frag = h.int(6, 2)
    return {
        "header_len": hlen, "dscp": shift(h.int(1, 1), 2, 0x3F), "ecn": shift(h.int(1, 1), 0, 3),
        "total_len": h.int(2, 2), "ident": h.int(4, 2), "dont_frag": bit(frag, 0x4000),
        "more_frags": bit(frag, 0x2000), "frag_offset": shift(frag, 0, 0x1FFF), "ttl": h.int(8, 1),
        "protocol": h.int(9, 1), "src": h.ip(12, 4), "dst": h.ip(16, 4),
        "options_present": (hlen > 20) if hlen and hlen <= len(h.b) else None,
    }


def ipv6(f, at):
    h = Layer(f, at)
    return {
        "traffic_class": shift(h.int(0, 2), 4, 0xFF), "flow_label": shift(h.int(0, 4), 0, 0xFFFFF),
        "payload_len": h.int(4, 2), "next_header": h.int(6, 1), "hop_limit": h.int(7, 1),
        "src": h.ip(8, 16), "dst": h.ip(24, 16),
    }


def udp(f, at):
    h = Layer(f, at)
    return {"src_port": h.int(0, 2), "dst_port": h.int(2, 2), "length": h.int(4, 2), "checksum": h.int(6, 2)}


def tcp(f, at, segment_len):
    h = Layer(f, at)
    hlen = shift(h.int(12, 1), 4, 0xF)
    hlen = None if hlen is None else hlen * 4
    flags = shift(h.int(12, 2), 0, 0xFFF)
    t = {"src_port": h.int(0, 2), "dst_port": h.int(2, 2), "seq": h.int(4, 4), "ack": h.int(8, 4),
         "header_len": hlen, "flags": flags, "window": h.int(14, 2), "urgent_pointer": h.int(18, 2)}
    for name, mask in (("fin", 1), ("syn", 2), ("rst", 4), ("psh", 8), ("ack", 16), ("urg", 32),
                       ("ece", 64), ("cwr", 128)):
        t["flag_" + name] = bit(flags, mask)
    if hlen is not None and segment_len is not None:
        t["payload_len"] = segment_len - hlen
    if hlen and 20 <= hlen <= len(h.b):  # options only when the whole header is there
        opts, i = {"sack_permitted": False}, 20
        while i < hlen:
            kind = h.b[i]
            if kind == 0:
                break
            if kind == 1:
                i += 1
                continue
            size = h.b[i + 1] if i + 1 < hlen else 0
            if size < 2:
                break
            if kind == 2:
                opts["mss"] = h.int(i + 2, 2)
            elif kind == 3:
                opts["window_scale"] = h.b[i + 2]
            elif kind == 4:
                opts["sack_permitted"] = True
            elif kind == 5:
                opts["sack_blocks"] = [{"left": h.int(j, 4), "right": h.int(j + 4, 4)}
                                       for j in range(i + 2, i + size, 8)]
            elif kind == 8:
                opts["tsval"], opts["tsecr"] = h.int(i + 2, 4), h.int(i + 6, 4)
            i += size
        t["options"] = opts
    return t


def icmp(f, at, echo_types):
    h = Layer(f, at)
    i = {"type": h.int(0, 1), "code": h.int(1, 1)}
    if i["type"] in echo_types:
        i["ident"], i["seq"] = h.int(4, 2), h.int(6, 2)
    return i


def vxlan(f, at, end):
    h = Layer(f, at, end)
    w = h.int(0, 2)
    return {
        "flags16": w, "flags8": h.int(0, 1), "flag_i": bit(h.int(0, 1), 0x08),
        "flag_g": bit(h.int(0, 1), 0x80), "flag_d": bit(w, 0x0040), "flag_a": bit(w, 0x0008),
        "reserved_flags": None if w is None else w & 0x77B7, "reserved24": h.int(1, 3),
        "group_policy_id": h.int(2, 2), "vni": h.int(4, 3), "reserved8": h.int(7, 1),
    }


def inner(f, at, end):
    """The mirrored frame in f[at:end]; returns (layers, truncated)."""
    f = f[:end]
    out = {"eth": ethernet(f, at)}
    ethertype, l3 = out["eth"]["ethertype"], at + 14
    tags = []
    while ethertype == 0x8100:
        h = Layer(f, l3)
        tci = h.int(0, 2)
        tags.append({"pcp": shift(tci, 13, 7), "dei": bit(tci, 0x1000), "vid": shift(tci, 0, 0xFFF),
                     "ethertype": h.int(2, 2)})
        ethertype, l3 = h.int(2, 2), l3 + 4
    out["vlan"] = tags
    stated_end = proto = l4 = seg = None
    if ethertype == 0x0800:
        ip = out["ipv4"] = ipv4(f, l3)
        if ip["total_len"] is not None:
            stated_end = l3 + ip["total_len"]
        if ip["options_present"] is not None:
            proto, l4, seg = ip["protocol"], l3 + ip["header_len"], ip["total_len"] - ip["header_len"]
    elif ethertype == 0x86DD:
        ip = out["ipv6"] = ipv6(f, l3)
        if ip["payload_len"] is not None:
            stated_end = l3 + 40 + ip["payload_len"]
        if ip["dst"] is not None:
            proto, l4, seg = ip["next_header"], l3 + 40, ip["payload_len"]
    if l4 is not None and l4 < len(f):
        if proto == 6:
            out["tcp"] = tcp(f, l4, seg)
        elif proto == 17:
            out["udp"] = udp(f, l4)
        elif proto == 1:
            out["icmp"] = icmp(f, l4, (0, 8))
        elif proto == 58:
            out["icmpv6"] = icmp(f, l4, (128, 129))
    known = ethertype in (0x0800, 0x86DD)
    cut = ethertype is None or (known and stated_end is None) or (stated_end or 0) > len(f)
    return out, cut


def dissect(number, f, original_len):
    d = {"frame": {"number": number, "captured_len": len(f), "original_len": original_len}}
    truncated = len(f) < original_len
    tunnel = False  # whether the frame was understood well enough to tell truncation
    d["outer"] = {"eth": ethernet(f, 0)}
    if d["outer"]["eth"]["ethertype"] == 0x0800:
        ip = d["outer"]["ipv4"] = ipv4(f, 14)
        if ip["protocol"] == 17 and ip["options_present"] is not None:
            at = 14 + ip["header_len"]
            u = d["outer"]["udp"] = udp(f, at)
            ip_end = 14 + ip["total_len"]
            if len(f) == original_len and len(f) > ip_end:
                d["outer"]["eth"]["padding_len"] = len(f) - ip_end
            if u["length"] is not None:
                payload = ip["total_len"] - ip["header_len"]
                if u["length"] != payload:
                    reason = "udp_length_exceeds_ip_payload" if u["length"] > payload else \
                        "udp_length_short_of_ip_payload"
                    d["frame"]["malformed"] = {"reason": reason, "layer": "outer.udp"}
                end = min(at + u["length"], ip_end)
                if u["dst_port"] in VXLAN_PORTS:
                    tunnel = True
                    d["vxlan"] = vxlan(f, at + 8, end)
                    if end - (at + 8) < 8:
                        d["frame"]["malformed"] = {"reason": "vxlan_header_truncated", "layer": "vxlan"}
                    elif at + 16 < min(end, len(f)):
                        d["inner"], cut = inner(f, at + 16, end)
                        truncated = truncated or cut
    if truncated or tunnel:
        d["frame"]["truncated"] = truncated
    return clean(d)


def main():
    with open(sys.argv[-1], "rb") as capture:
        data = capture.read()
    for number, (frame, original_len) in enumerate(records(data), start=1):
        print(json.dumps(dissect(number, frame, original_len)))


if __name__ == "__main__":
    main()
