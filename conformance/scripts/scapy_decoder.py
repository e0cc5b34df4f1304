#!/usr/bin/env python3
"""Scapy as a vxconform decoder: one JSON object per frame, in the dissection
model of docs/dissection.md (fields Scapy does not show are omitted).

    python3 scapy_decoder.py CAPTURE                 dissect, as `scapy.all` does
    python3 scapy_decoder.py --batch                 batch mode: read capture paths from
                                                     standard input, one per line; answer
                                                     each with its frames, then
                                                     {"end": PATH} (docs/decoder-protocol.md)
    python3 scapy_decoder.py --version               print scapy.VERSION
    python3 scapy_decoder.py --contrib geneve --layer http --layer tls CAPTURE
                                                     load more of Scapy first

By default this is Scapy as `from scapy.all import *` leaves it, because
that is what a conformance test should measure: VXLAN is bound to UDP 4789
and 8472 (and 4790, 6633, 48879); GENEVE (UDP 6081, scapy.contrib.geneve)
and the HTTP and TLS layers are not loaded, so a Gateway Load Balancer's
GENEVE is shown as raw bytes. --contrib and --layer load them.

Scapy's VXLAN layer reads the first four bytes by its 8-bit `flags`
(0x80 'G', 0x08 'Instance', 0x04 'NextProtocol'): with G set it shows
`gpflags` (byte 1) and `gpid`, with NextProtocol the GPE fields, otherwise
24 reserved bits (`reserved1`). Each is translated into the model's view of
the same bytes only where Scapy shows them: `group_policy_id` and the 16-bit
GBP flags only when Scapy decodes a GBP header.

Scapy flags neither truncation nor malformation; a header cut short is left
as raw bytes (not reported). TCP options are reported only when the whole
TCP header was captured (Scapy lists a cut option with a raw value).
"""

import json
import sys
import traceback


def usage():
    sys.stderr.write(__doc__)
    return 2


def translate(number, pkt, L):
    """One packet as the model's JSON object; L holds the layer classes."""
    frame = {"frame": {"number": number}}
    original = getattr(pkt, "original", None)
    if original is not None:
        frame["frame"]["captured_len"] = len(original)
    if getattr(pkt, "wirelen", None) is not None:
        frame["frame"]["original_len"] = pkt.wirelen

    where = "outer"  # then "geneve" after GENEVE, "inner" after VXLAN
    layer = pkt
    while layer is not None and layer.__class__.__name__ not in ("NoPayload", "Raw", "Padding"):
        f = layer.fields
        cls = layer.__class__
        if cls is L["Ether"] and where in ("outer", "inner"):
            put(frame, where, "eth", {"dst": f["dst"], "src": f["src"], "ethertype": f["type"]})
        elif cls is L["Dot1Q"] and where == "inner":
            tag = {"pcp": f["prio"], "dei": bool(f["dei"]), "vid": f["vlan"], "ethertype": f["type"]}
            frame.setdefault("inner", {}).setdefault("vlan", []).append(tag)
        elif cls is L["IP"]:
            put(frame, where, "ipv4", ipv4(f))
        elif cls is L["IPv6"] and where == "inner":
            put(frame, where, "ipv6", {"traffic_class": f["tc"], "flow_label": f["fl"], "payload_len": f["plen"],
                                       "next_header": f["nh"], "hop_limit": f["hlim"], "src": f["src"],
                                       "dst": f["dst"]})
        elif cls is L["UDP"]:
            put(frame, where, "udp", {"src_port": f["sport"], "dst_port": f["dport"], "length": f["len"],
                                      "checksum": f["chksum"]})
        elif cls is L["TCP"] and where == "inner":
            put(frame, where, "tcp", tcp(layer, f))
        elif cls is L["ICMP"] and where == "inner":
            put(frame, where, "icmp", icmp(f, f["type"] in (0, 8)))
        elif cls in (L["ICMPv6EchoRequest"], L["ICMPv6EchoReply"]) and where == "inner":
            put(frame, where, "icmpv6", icmp(f, True))
        elif cls is L["DNS"] and where == "inner":
            frame.setdefault("app", {})["dns"] = dns(f)
        elif cls is L.get("HTTPRequest") and where == "inner":
            frame.setdefault("app", {})["http"] = text_fields(f, method="Method", uri="Path",
                                                              version="Http_Version", host="Host")
        elif cls is L.get("HTTPResponse") and where == "inner":
            http = text_fields(f, version="Http_Version", status_code="Status_Code")
            if "status_code" in http:
                http["status_code"] = int(http["status_code"])
            frame.setdefault("app", {})["http"] = http
        elif cls is L.get("GENEVE") and where == "outer":
            frame["geneve"] = geneve(f)
            where = "geneve"
        elif cls is L["VXLAN"] and "vxlan" not in frame:
            frame["vxlan"] = vxlan(f)
            where = "inner"
        layer = layer.payload if layer.payload else None
    return frame


def put(frame, where, name, value):
    """Sets frame[where][name] unless a header of that name is already there."""
    frame.setdefault(where, {}).setdefault(name, value)


def ipv4(f):
    return {"header_len": f["ihl"] * 4, "dscp": f["tos"] >> 2, "ecn": f["tos"] & 3, "total_len": f["len"],
            "ident": f["id"], "dont_frag": bool(int(f["flags"]) & 2), "more_frags": bool(int(f["flags"]) & 1),
            "frag_offset": f["frag"], "ttl": f["ttl"], "protocol": f["proto"], "src": f["src"], "dst": f["dst"],
            "options_present": f["ihl"] > 5}


def vxlan(f):
    flags = int(f["flags"])
    out = {"flags8": flags, "flag_i": bool(flags & 0x08), "flag_g": bool(flags & 0x80), "vni": f["vni"],
           "reserved8": f["reserved2"]}
    if "gpid" in f:  # GBP reading: byte 1 is gpflags, bytes 2-3 the group policy id
        gp = int(f["gpflags"])
        flags16 = flags << 8 | gp
        out.update({"flags16": flags16, "flag_d": bool(gp & 0x40), "flag_a": bool(gp & 0x08),
                    "reserved_flags": flags16 & 0x77b7, "group_policy_id": f["gpid"],
                    "reserved24": gp << 16 | f["gpid"]})
    elif "reserved1" in f:  # RFC 7348 reading: bytes 1-3 reserved
        out["reserved24"] = f["reserved1"]
    return out  # GPE reading (NextProtocol): bytes 1-3 are not reserved bits to Scapy


def tcp(layer, f):
    flags = int(f["flags"])
    out = {"src_port": f["sport"], "dst_port": f["dport"], "seq": f["seq"], "ack": f["ack"],
           "header_len": f["dataofs"] * 4, "flags": f["reserved"] << 9 | flags, "window": f["window"],
           "urgent_pointer": f["urgptr"]}
    for name, bit in (("fin", 0x01), ("syn", 0x02), ("rst", 0x04), ("psh", 0x08), ("ack", 0x10),
                      ("urg", 0x20), ("ece", 0x40), ("cwr", 0x80)):
        out["flag_" + name] = bool(flags & bit)
    if layer.original is not None and len(layer.original) >= f["dataofs"] * 4:
        opts = {"sack_permitted": False}
        for kind, value in f["options"]:
            if kind == "MSS":
                opts["mss"] = value
            elif kind == "WScale":
                opts["window_scale"] = value
            elif kind == "SAckOK":
                opts["sack_permitted"] = True
            elif kind == "Timestamp":
                opts["tsval"], opts["tsecr"] = value
            elif kind == "SAck":
                opts["sack_blocks"] = [{"left": value[i], "right": value[i + 1]}
                                       for i in range(0, len(value) - 1, 2)]
        out["options"] = opts
    return out


def icmp(f, echo):
    out = {"type": f["type"], "code": f["code"]}
    if echo:
        out.update({"ident": f["id"], "seq": f["seq"]})
    return out


def dns(f):
    out = {"id": f["id"], "is_response": bool(f["qr"]), "rcode": f["rcode"], "answer_count": f["ancount"]}
    questions = f.get("qd") or []
    if questions and hasattr(questions[0], "qname"):
        out["query_name"] = questions[0].qname.decode("ascii", "replace").rstrip(".")
        out["query_type"] = questions[0].qtype
    return out


def geneve(f):
    options = [{"class": o.classid, "type": o.type, "data_len": o.length * 4, "data": bytes(o.data).hex()}
               for o in f.get("options") or []]
    out = {"version": f["version"], "options_len": f["optionlen"] * 4, "oam": bool(f["oam"]),
           "critical": bool(f["critical"]), "protocol_type": f["proto"], "vni": f["vni"]}
    if options:
        out["options"] = options
    return out


def text_fields(f, **names):
    """Scapy's HTTP fields (bytes) as strings, those present."""
    out = {}
    for key, field in names.items():
        value = f.get(field)
        if value is not None:
            out[key] = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return out


def main(argv):
    contribs, layers, paths, batch = [], [], [], False
    args = iter(argv)
    for arg in args:
        if arg == "--contrib":
            contribs.append(next(args, ""))
        elif arg == "--layer":
            layers.append(next(args, ""))
        elif arg == "--batch":
            batch = True
        elif arg == "--version":
            import scapy
            print(scapy.VERSION)
            return 0
        elif arg.startswith("-"):
            return usage()
        else:
            paths.append(arg)
    if len(paths) != (0 if batch else 1):
        return usage()

    L = load(contribs, layers)
    if not batch:
        for frame in dissect(paths[0], L):
            sys.stdout.write(frame)
        return 0
    # Batch mode: Scapy is imported once; each capture is read whole before
    # its answer is written, so that a capture Scapy cannot read is an
    # error marker and never half an answer.
    for line in sys.stdin.buffer:
        path = line.rstrip(b"\n").decode("utf-8", "surrogateescape")
        try:
            answer = "".join(dissect(path, L))
            end = {"end": path}
        except Exception as e:
            traceback.print_exc(file=sys.stderr)
            answer, end = "", {"end": path, "error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(answer + json.dumps(end) + "\n")
        sys.stdout.flush()
    return 0


def load(contribs, layers):
    """Imports Scapy (and the contribs and layers asked for); returns the
    layer classes translate() looks for."""
    from scapy.all import conf, load_contrib, load_layer
    for name in contribs:
        load_contrib(name)
    for name in layers:
        load_layer(name)
    import scapy.layers.dns, scapy.layers.inet, scapy.layers.inet6, scapy.layers.l2, scapy.layers.vxlan
    L = {"Ether": scapy.layers.l2.Ether, "Dot1Q": scapy.layers.l2.Dot1Q, "IP": scapy.layers.inet.IP,
         "UDP": scapy.layers.inet.UDP, "TCP": scapy.layers.inet.TCP, "ICMP": scapy.layers.inet.ICMP,
         "IPv6": scapy.layers.inet6.IPv6, "ICMPv6EchoRequest": scapy.layers.inet6.ICMPv6EchoRequest,
         "ICMPv6EchoReply": scapy.layers.inet6.ICMPv6EchoReply, "DNS": scapy.layers.dns.DNS,
         "VXLAN": scapy.layers.vxlan.VXLAN}
    for module, names in (("scapy.layers.http", ("HTTPRequest", "HTTPResponse")),
                          ("scapy.contrib.geneve", ("GENEVE",))):
        if module in sys.modules:  # only when loaded: never change what Scapy binds
            for name in names:
                L[name] = getattr(sys.modules[module], name)
    conf.verb = 0
    return L


def dissect(path, L):
    """Yields the JSON line of each frame of the capture at `path`."""
    from scapy.all import PcapReader
    with PcapReader(path) as reader:
        for number, pkt in enumerate(reader, start=1):
            try:
                frame = translate(number, pkt, L)
            except Exception:  # a packet this script cannot translate: report the frame, say why
                traceback.print_exc(file=sys.stderr)
                frame = {"frame": {"number": number}}
            yield json.dumps(frame, separators=(",", ":")) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
