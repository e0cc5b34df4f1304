#!/usr/bin/env python3
"""An example vxconform decoder (docs/decoder-protocol.md), in plain Python.

    vxconform run --decoder 'cmd:python3 conformance/examples/decoder.py'
    vxconform run --decoder 'cmd+batch:python3 conformance/examples/decoder.py --batch'

It reads the capture named by its last argument (classic pcap or pcapng,
no dependencies), and prints one JSON object per frame in the dissection
model (docs/dissection.md): outer Ethernet / IPv4 / UDP, GENEVE with the
mirror copy's IPv4 / UDP (Gateway Load Balancer targets), VXLAN in both
readings, the inner Ethernet / 802.1Q / IPv4 / IPv6 / TCP / UDP / ICMP
headers, the TLS, HTTP and DNS facts of the inner payload, and the frame
facts. It omits what it does not know (the cause of a truncation), which
the runner counts as "not reported", never as wrong. A field is printed
only when all of its bytes were captured.

With --batch it serves many captures in one process (the protocol's batch
mode): it reads capture paths from its standard input, one per line, and
answers each with the same lines, then the end marker {"end": PATH} (or
{"end": PATH, "error": WHY} for a capture it cannot read), until the end of
its standard input.
"""
import ipaddress
import json
import re
import struct
import sys

VXLAN_PORTS = (4789, 8472)
GENEVE_PORT = 6081  # RFC 8926 section 3.3


def records(data):
    """Yields (bytes, original length) for each record of a pcap or pcapng file."""
    magic = data[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        yield from pcapng_records(data)
        return
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<",
              b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if endian is None:
        raise ValueError("not a pcap or pcapng file")
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
    """Drops unknown fields and empty layers (in lists of layers too)."""
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            v = clean(v)
        elif isinstance(v, list):
            v = [x for x in (clean(x) if isinstance(x, dict) else x for x in v) if x != {}]
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


def geneve(f, at, end):
    """The GENEVE header at f[at:end] (RFC 8926 section 3.4) and its options
    (section 3.5); returns it and the offset of the IPv4 packet it carries
    (None unless the whole header is there and Protocol Type is 0x0800)."""
    h = Layer(f, at, end)
    opt_len = shift(h.int(0, 1), 0, 0x3F)
    opt_len = None if opt_len is None else opt_len * 4  # in 4-byte words
    g = {"version": shift(h.int(0, 1), 6, 3), "options_len": opt_len, "oam": bit(h.int(1, 1), 0x80),
         "critical": bit(h.int(1, 1), 0x40), "protocol_type": h.int(2, 2), "vni": h.int(4, 3),
         "options": []}
    i = 8
    while opt_len is not None and i + 4 <= 8 + opt_len:
        size = shift(h.int(i + 3, 1), 0, 0x1F)  # Length, in 4-byte words, excludes the option header
        size = None if size is None else size * 4
        whole = size is not None and i + 4 + size <= len(h.b)
        g["options"].append({"class": h.int(i, 2), "type": h.int(i + 2, 1), "data_len": size,
                             "data": h.b[i + 4:i + 4 + size].hex() if whole else None})
        if size is None:
            break
        i += 4 + size
    whole = opt_len is not None and 8 + opt_len <= len(h.b)
    # Protocol Type 0x0800: an IPv4 packet, no Ethernet header (the GWLB mirror copy)
    return g, (at + 8 + opt_len if whole and g["protocol_type"] == 0x0800 else None)


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


def be(b):
    """An unsigned big-endian (network byte order) integer."""
    return int.from_bytes(b, "big")


def opaque(b, i, n):
    """A variable-length vector at b[i] (RFC 8446 section 3.4): an n-byte
    length, then the bytes; returns (bytes, offset after), bytes None when cut."""
    size = be(b[i:i + n]) if i + n <= len(b) else None
    if size is None or i + n + size > len(b):
        return None, len(b)
    return b[i + n:i + n + size], i + n + size


def strings(b, n):
    """The strings, each with an n-byte length, that fill b."""
    out, i = [], 0
    while i < len(b):
        s, i = opaque(b, i, n)
        if s is not None:
            out.append(s.decode("ascii", "replace"))
    return out


def tls(payload):
    """TLS records (RFC 8446 section 5.1) that fill the segment exactly, or None."""
    types, versions, handshake, i = [], [], b"", 0
    protected = False  # records after a ChangeCipherSpec are encrypted (RFC 5246 section 7.1)
    while i < len(payload):
        if i + 5 > len(payload):
            return None
        kind, version, (fragment, i) = payload[i], be(payload[i + 1:i + 3]), opaque(payload, i + 3, 2)
        if kind not in (20, 21, 22, 23, 24) or version >> 8 != 3 or fragment is None:
            return None  # not TLS, or a record that ends in a later segment
        types.append(kind)
        versions.append(version)
        protected = protected or kind == 20
        if kind == 22 and not protected:
            handshake += fragment  # handshake messages may span records (section 5.1)
    facts = {"record_content_types": types, "record_versions": versions, "handshake_types": []}
    i = 0
    while i + 4 <= len(handshake):  # Handshake: msg_type(1), length(3), body (section 4)
        kind, (body, i) = handshake[i], opaque(handshake, i + 1, 3)
        if body is None:
            break
        facts["handshake_types"].append(kind)
        if kind in (1, 2):
            for key, value in hello_extensions(kind, body).items():
                facts.setdefault(key, value)
    return facts


def hello_extensions(kind, body):
    """SNI and ALPN of a ClientHello (kind 1, RFC 8446 section 4.1.2) or a
    ServerHello (kind 2, section 4.1.3; TLS 1.2: RFC 5246 section 7.4.1)."""
    _, i = opaque(body, 2 + 32, 1)  # legacy_version, random, legacy_session_id
    if kind == 1:
        _, i = opaque(body, i, 2)  # cipher_suites
        _, i = opaque(body, i, 1)  # legacy_compression_methods
    else:
        i += 3  # cipher_suite, legacy_compression_method
    extensions, _ = opaque(body, i, 2)
    facts, i = {}, 0
    while extensions and i + 4 <= len(extensions):
        kind, (data, i) = be(extensions[i:i + 2]), opaque(extensions, i + 2, 2)
        if kind == 0 and data:  # server_name (RFC 6066 section 3)
            names, _ = opaque(data, 0, 2)
            if names and names[0] == 0:  # host_name
                name, _ = opaque(names, 1, 2)
                if name:
                    facts["sni"] = name.decode("ascii", "replace")
        elif kind == 16 and data:  # application_layer_protocol_negotiation (RFC 7301 section 3.1)
            names, _ = opaque(data, 0, 2)
            facts["alpn"] = strings(names or b"", 1)
    return facts


def http(payload):
    """An HTTP/1.x message (RFC 9112 section 2.1) whose header section and
    Content-Length body (section 6.2) are all in the segment, or None."""
    head, end, body = payload.partition(b"\r\n\r\n")
    if not end:
        return None
    start, *lines = head.decode("latin-1").split("\r\n")
    fields = {}
    for line in lines:  # field-name ":" OWS field-value OWS (section 5)
        name, colon, value = line.partition(":")
        if colon:
            fields.setdefault(name.strip().lower(), value.strip())
    length = fields.get("content-length", "0")
    if not length.isdigit() or len(body) < int(length):
        return None
    request = re.fullmatch(r"([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) (HTTP/\d\.\d)", start)  # section 3
    if request:
        return {"method": request[1], "uri": request[2], "version": request[3],
                "host": fields.get("host")}  # Host: RFC 9110 section 7.2
    status = re.fullmatch(r"(HTTP/\d\.\d) (\d{3})( .*)?", start)  # section 4
    if status:
        return {"version": status[1], "status_code": int(status[2])}
    return None


def dns(payload):
    """A DNS message: the header (RFC 1035 section 4.1.1) and the first question (4.1.2)."""
    if len(payload) < 12:
        return None
    ident, flags, questions, answers = struct.unpack(">HHHH", payload[:8])
    facts = {"id": ident, "is_response": bool(flags & 0x8000), "rcode": flags & 0xF,
             "answer_count": answers}
    if questions:
        name, i = dns_name(payload, 12)
        if name is not None and i + 4 <= len(payload):
            facts["query_name"], facts["query_type"] = name, be(payload[i:i + 2])
    return facts


def dns_name(message, i):
    """A domain name at message[i] (RFC 1035 section 3.1, pointers: section
    4.1.4); returns (name, offset after it), or (None, None) when cut."""
    labels, after = [], None
    for _ in range(128):  # a bound, against pointer loops
        if i >= len(message):
            break
        size = message[i]
        if size >= 0xC0:  # a pointer to an earlier name
            if i + 2 > len(message):
                break
            after = i + 2 if after is None else after
            i = be(message[i:i + 2]) & 0x3FFF
        elif size == 0:
            return ".".join(labels), i + 1 if after is None else after
        elif i + 1 + size > len(message):
            break
        else:
            labels.append(message[i + 1:i + 1 + size].decode("ascii", "replace"))
            i += 1 + size
    return None, None


# What the inner payload is, by well-known port (as tshark chooses): (IP protocol, port)
APPLICATIONS = {(6, 443): ("tls", tls), (6, 80): ("http", http), (17, 53): ("dns", dns)}


def application(f, proto, transport, at, end):
    """The app facts of the inner TCP or UDP payload f[at:end], when all of
    it was captured (docs/dissection.md, "Application facts")."""
    if at is None or end > len(f) or end <= at:
        return None
    for port in (transport["dst_port"], transport["src_port"]):
        if (proto, port) in APPLICATIONS:
            key, parse = APPLICATIONS[(proto, port)]
            facts = parse(f[at:end])
            return {key: facts} if facts else None
    return None


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
    """The mirrored frame in f[at:end]; returns (layers, truncated, app facts)."""
    f = f[:end]
    out = {"eth": ethernet(f, at)}
    ethertype, l3 = out["eth"]["ethertype"], at + 14
    tags = []
    while ethertype in (0x8100, 0x88A8):  # 802.1Q C-tag, 802.1ad S-tag (IEEE 802.1Q clause 9.5)
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
    app = None
    if l4 is not None and l4 < len(f):
        if proto == 6:
            t = out["tcp"] = tcp(f, l4, seg)
            if t["header_len"] is not None:
                app = application(f, proto, t, l4 + t["header_len"], l4 + seg)
        elif proto == 17:
            u = out["udp"] = udp(f, l4)
            if u["length"] is not None:
                app = application(f, proto, u, l4 + 8, l4 + min(u["length"], seg))
        elif proto == 1:
            out["icmp"] = icmp(f, l4, (0, 8))
        elif proto == 58:
            out["icmpv6"] = icmp(f, l4, (128, 129))
    known = ethertype in (0x0800, 0x86DD)
    cut = ethertype is None or (known and stated_end is None) or (stated_end or 0) > len(f)
    return out, cut, app


def ipv4_udp(d, key, f, at):
    """An IPv4 header at f[at] and the UDP header it carries, into d[key];
    returns (the UDP payload's offset, the datagram's end, the destination
    port), or None when they are not whole enough to go on."""
    ip = d[key]["ipv4"] = ipv4(f, at)
    if ip["protocol"] != 17 or ip["options_present"] is None:
        return None
    l4 = at + ip["header_len"]
    u = d[key]["udp"] = udp(f, l4)
    if u["length"] is None:
        return None
    payload = ip["total_len"] - ip["header_len"]
    if u["length"] != payload:  # RFC 768: Length counts the header and the data
        reason = "udp_length_exceeds_ip_payload" if u["length"] > payload else \
            "udp_length_short_of_ip_payload"
        d["frame"]["malformed"] = {"reason": reason, "layer": key + ".udp"}
    return l4 + 8, min(l4 + u["length"], at + ip["total_len"]), u["dst_port"]


def mirror_copy(d, f, at, end):
    """The VXLAN header at f[at:end] and the mirrored frame after it;
    returns whether the copy was cut."""
    d["vxlan"] = vxlan(f, at, end)
    if end - at < 8:
        d["frame"]["malformed"] = {"reason": "vxlan_header_truncated", "layer": "vxlan"}
    elif at + 8 < min(end, len(f)):
        d["inner"], cut, d["app"] = inner(f, at + 8, end)
        return cut
    return False


def dissect(number, f, original_len):
    d = {"frame": {"number": number, "captured_len": len(f), "original_len": original_len}}
    truncated = len(f) < original_len
    tunnel = False  # whether the frame was understood well enough to tell truncation
    d["outer"] = {"eth": ethernet(f, 0)}
    if d["outer"]["eth"]["ethertype"] == 0x0800:
        datagram = ipv4_udp(d, "outer", f, 14)
        ip = d["outer"]["ipv4"]
        if ip["options_present"] is not None and len(f) == original_len and len(f) > 14 + ip["total_len"]:
            d["outer"]["eth"]["padding_len"] = len(f) - (14 + ip["total_len"])
        if datagram and datagram[2] == GENEVE_PORT:  # a GWLB target: GENEVE, IPv4, UDP, VXLAN
            tunnel = True
            at, end, _ = datagram
            f = f[:end]  # what follows lies inside the outer UDP datagram
            d["geneve"], at = geneve(f, at, end)
            datagram = None if at is None else ipv4_udp(d, "geneve", f, at)
        if datagram and datagram[2] in VXLAN_PORTS:
            tunnel = True
            at, end, _ = datagram
            truncated = mirror_copy(d, f, at, end) or truncated
    if truncated or tunnel:
        d["frame"]["truncated"] = truncated
    return clean(d)


def dissect_file(path):
    """The JSON line of each frame of the capture at `path`."""
    with open(path, "rb") as capture:
        data = capture.read()
    return [json.dumps(dissect(number, frame, original_len)) + "\n"
            for number, (frame, original_len) in enumerate(records(data), start=1)]


def serve():
    """Batch mode: one capture path per line of standard input, each
    answered with its frames and the end marker, until the end of input."""
    for line in sys.stdin.buffer:
        path = line.rstrip(b"\n").decode("utf-8", "surrogateescape")
        try:
            answer, end = "".join(dissect_file(path)), {"end": path}
        except Exception as e:  # this capture only: say why, and serve the next
            answer, end = "", {"end": path, "error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(answer + json.dumps(end) + "\n")
        sys.stdout.flush()  # the runner waits for the end marker


def main():
    if sys.argv[1:] == ["--batch"]:
        serve()
        return
    try:
        lines = dissect_file(sys.argv[-1])
    except ValueError as e:  # not a capture
        sys.exit(str(e))
    sys.stdout.write("".join(lines))


if __name__ == "__main__":
    main()
