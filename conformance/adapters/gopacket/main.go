// Command gopacket is the vxconform adapter for gopacket
// (github.com/google/gopacket, Debian golang-github-google-gopacket-dev):
// it reads a capture with gopacket's own readers (pcapgo: pcap in either
// byte order, micro- or nanosecond, and pcapng), decodes every record with
// gopacket's default decoders and options, and prints each packet as one
// JSON frame object of the dissection model (docs/dissection.md,
// docs/decoder-protocol.md).
//
//	gopacket CAPTURE      one frame object per line, exit 0
//	gopacket --batch      capture paths on stdin, one per line; after each
//	                      capture's frames one {"end":"PATH"} line (with
//	                      "error" when the capture could not be read)
//	gopacket --version    "gopacket VERSION"
//
// It only translates: a field is printed when gopacket decoded it, under
// the model's name and unit, and never fixed up. What gopacket misreads
// (conformance/findings/gopacket.md) stays misread. In particular:
//
//   - UDP ports are gopacket's defaults (layers/ports.go: 4789 VXLAN, 6081
//     GENEVE, 53 DNS; destination port first, then source port). 8472 is
//     not VXLAN to gopacket.
//   - VXLAN: gopacket's layers.VXLAN has ValidIDFlag, GBPExtension,
//     GBPDontLearn, GBPApplied, GBPGroupPolicyID and VNI, reported as
//     flag_i, flag_g, flag_d, flag_a, group_policy_id and vni. It exposes no
//     flag words and no reserved fields, so flags16, flags8, reserved_flags,
//     reserved24 and reserved8 are not reported.
//   - GENEVE (layers.Geneve): version, options_len (OptionsLength, already
//     in bytes), oam, critical, protocol_type, vni; each option's class,
//     type, data and data_len (gopacket's GeneveOption.Length counts the
//     4-byte option header too: data_len is Length - 4).
//   - TCP payload is not decoded further: gopacket's default DecodeOptions
//     leave DecodeStreamsAsDatagrams off, so TLS (and DNS over TCP) are a
//     raw Payload layer. gopacket has no HTTP layer.
//   - frame.truncated is reported (true) only when gopacket's
//     Metadata().Truncated is set: a decoder found fewer bytes than a header
//     promises, or the record is shorter than the packet (then
//     truncation.cause is snaplen, limit the file's snaplen). gopacket never
//     says that a packet is whole, so false is never reported.
//   - frame.malformed is reported when gopacket's packet has an ErrorLayer
//     (a DecodeFailure) and did not mark the packet truncated (a decoder
//     that ran out of bytes calls SetTruncated; a failure with it set is
//     gopacket's "truncated", not "malformed"). The reason is
//     vxlan_header_truncated when the VXLAN decoder failed (its only error
//     is "vxlan packet too small", fewer than 8 bytes) and other otherwise;
//     layer is the model path of the layer whose decoder failed.
//   - A layer is reported only as far as gopacket filled it: TCP, UDP and
//     IPv6 are added to the packet even when their decoder fails (often
//     before any field is set), so they are reported only when the layer
//     holds its whole fixed header, and TCP options only when TCP decoded
//     without error.
//   - Ethernet padding, tcp.payload_len's own bytes, TLS and HTTP facts:
//     gopacket does not show them. inner.tcp.payload_len is the length the
//     inner IP header implies (the model's definition), from gopacket's IPv4
//     Length / IHL or IPv6 Length and TCP DataOffset.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// libraryVersion is gopacket's version, set at build time from the Debian
// package that provides the sources (conformance/adapters/gopacket/build).
var libraryVersion = "unknown"

type obj = map[string]interface{}

func main() {
	args := os.Args[1:]
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	defer out.Flush()
	switch {
	case len(args) == 1 && args[0] == "--version":
		fmt.Fprintf(out, "gopacket %s\n", libraryVersion)
	case len(args) == 1 && args[0] == "--batch":
		if err := batch(os.Stdin, out); err != nil {
			out.Flush()
			fmt.Fprintln(os.Stderr, "gopacket adapter:", err)
			os.Exit(1)
		}
	case len(args) == 1 && !strings.HasPrefix(args[0], "-"):
		if err := dissect(args[0], out); err != nil {
			out.Flush()
			fmt.Fprintf(os.Stderr, "gopacket adapter: %s: %v\n", args[0], err)
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: gopacket CAPTURE | gopacket --batch | gopacket --version")
		os.Exit(2)
	}
}

// batch dissects every capture named on in, one path per line: its frames,
// then {"end":PATH} (with "error" when it could not be read); flushed after
// each capture.
func batch(in io.Reader, out *bufio.Writer) error {
	r := bufio.NewReader(in)
	for {
		line, err := r.ReadString('\n')
		if err != nil && err != io.EOF {
			return err
		}
		if err == io.EOF && line == "" {
			return nil
		}
		path := strings.TrimSuffix(line, "\n")
		end := obj{"end": path}
		if derr := dissect(path, out); derr != nil {
			end["error"] = strings.Join(strings.Fields(derr.Error()), " ")
		}
		if werr := writeJSON(out, end); werr != nil {
			return werr
		}
		if ferr := out.Flush(); ferr != nil {
			return ferr
		}
		if err == io.EOF {
			return nil
		}
	}
}

// source is what both of gopacket's file readers offer.
type source interface {
	gopacket.PacketDataSource
	LinkType() layers.LinkType
}

// dissect prints one frame object per record of the capture at path.
func dissect(path string, out *bufio.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic, err := br.Peek(4)
	if err != nil {
		return fmt.Errorf("not a capture file: %v", err)
	}
	var src source
	snaplen := -1
	if binary.BigEndian.Uint32(magic) == 0x0a0d0d0a { // pcapng Section Header Block
		ng, err := pcapgo.NewNgReader(br, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			return err
		}
		src = ng
	} else {
		r, err := pcapgo.NewReader(br)
		if err != nil {
			return err
		}
		src, snaplen = r, int(r.Snaplen())
	}
	ps := gopacket.NewPacketSource(src, src.LinkType())
	for n := 1; ; n++ {
		p, err := ps.NextPacket()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("record %d: %v", n, err)
		}
		if err := writeJSON(out, translateSafely(n, p, snaplen)); err != nil {
			return err
		}
	}
}

func writeJSON(out *bufio.Writer, v interface{}) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = out.Write(b)
	return err
}

// translateSafely is translate, or the bare frame number (and a note on
// stderr) should the translation itself fail.
func translateSafely(n int, p gopacket.Packet, snaplen int) (frame obj) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "gopacket adapter: frame %d: %v\n", n, r)
			frame = obj{"frame": obj{"number": n}}
		}
	}()
	return translate(n, p, snaplen)
}

// translate is packet p (record n) in the model.
func translate(n int, p gopacket.Packet, snaplen int) obj {
	md := p.Metadata()
	facts := obj{"number": n, "captured_len": md.CaptureLength, "original_len": md.Length}
	frame := obj{"frame": facts}
	if md.Truncated {
		facts["truncated"] = true
		if md.CaptureLength < md.Length {
			t := obj{"cause": "snaplen"}
			if snaplen >= 0 {
				t["limit"] = snaplen
			}
			facts["truncation"] = t
		}
	}

	zone := "outer"       // "geneve" after a GENEVE header, "inner" after VXLAN
	var ip gopacket.Layer // the IP layer before an inner TCP header
	ls := p.Layers()
	for i, l := range ls {
		failureNext := i+1 < len(ls) && ls[i+1].LayerType() == gopacket.LayerTypeDecodeFailure
		switch v := l.(type) {
		case *layers.Ethernet:
			if zone != "geneve" {
				putOnce(frame, zone, "eth", obj{"dst": v.DstMAC.String(), "src": v.SrcMAC.String(),
					"ethertype": uint16(v.EthernetType)})
			}
		case *layers.Dot1Q:
			if zone == "inner" {
				in := layer(frame, "inner")
				tags, _ := in["vlan"].([]obj)
				in["vlan"] = append(tags, obj{"pcp": v.Priority, "dei": v.DropEligible,
					"vid": v.VLANIdentifier, "ethertype": uint16(v.Type)})
			}
		case *layers.IPv4:
			if len(v.Contents) >= 20 {
				putOnce(frame, zone, "ipv4", ipv4(v))
				ip = v
			}
		case *layers.IPv6:
			if zone == "inner" && len(v.Contents) >= 40 {
				putOnce(frame, zone, "ipv6", obj{"traffic_class": v.TrafficClass, "flow_label": v.FlowLabel,
					"payload_len": v.Length, "next_header": uint8(v.NextHeader), "hop_limit": v.HopLimit,
					"src": v.SrcIP.String(), "dst": v.DstIP.String()})
				ip = v
			}
		case *layers.UDP:
			if len(v.Contents) >= 8 {
				putOnce(frame, zone, "udp", obj{"src_port": uint16(v.SrcPort), "dst_port": uint16(v.DstPort),
					"length": v.Length, "checksum": v.Checksum})
			}
		case *layers.Geneve:
			if zone == "outer" {
				frame["geneve"] = geneve(v)
				zone = "geneve"
			}
		case *layers.VXLAN:
			if _, seen := frame["vxlan"]; !seen {
				frame["vxlan"] = obj{"flag_i": v.ValidIDFlag, "flag_g": v.GBPExtension, "flag_d": v.GBPDontLearn,
					"flag_a": v.GBPApplied, "group_policy_id": v.GBPGroupPolicyID, "vni": v.VNI}
				zone = "inner"
			}
		case *layers.TCP:
			if zone == "inner" && len(v.Contents) >= 20 {
				putOnce(frame, zone, "tcp", tcp(v, ip, !failureNext))
			}
		case *layers.ICMPv4:
			if zone == "inner" {
				m := obj{"type": v.TypeCode.Type(), "code": v.TypeCode.Code()}
				if t := v.TypeCode.Type(); t == layers.ICMPv4TypeEchoRequest || t == layers.ICMPv4TypeEchoReply {
					m["ident"], m["seq"] = v.Id, v.Seq
				}
				putOnce(frame, zone, "icmp", m)
			}
		case *layers.ICMPv6:
			if zone == "inner" {
				putOnce(frame, zone, "icmpv6", obj{"type": v.TypeCode.Type(), "code": v.TypeCode.Code()})
			}
		case *layers.ICMPv6Echo:
			if m, ok := layer(frame, "inner")["icmpv6"].(obj); ok && zone == "inner" {
				m["ident"], m["seq"] = v.Identifier, v.SeqNumber
			}
		case *layers.DNS:
			if zone == "inner" {
				d := obj{"id": v.ID, "is_response": v.QR, "rcode": uint8(v.ResponseCode),
					"answer_count": v.ANCount}
				if len(v.Questions) > 0 {
					d["query_name"] = string(v.Questions[0].Name)
					d["query_type"] = uint16(v.Questions[0].Type)
				}
				layer(frame, "app")["dns"] = d
			}
		}
	}

	if p.ErrorLayer() != nil && !md.Truncated {
		m := obj{"reason": "other"}
		if failed, at := failedLayer(p, ls); failed != gopacket.LayerTypeZero {
			if failed == layers.LayerTypeVXLAN {
				m["reason"] = "vxlan_header_truncated"
			}
			if path := modelPath(failed, at); path != "" {
				m["layer"] = path
			}
		}
		facts["malformed"] = m
	}
	return frame
}

// failedLayer is the type of the layer whose decoder failed, and the zone
// it was in. gopacket adds some layers (IPv4, IPv6, TCP, UDP) even when
// their decoder fails, so the last layer before the DecodeFailure is asked
// again, through gopacket's own DecodeFromBytes on the bytes it was given
// (the previous layer's payload): if that fails, it is the failed layer;
// otherwise the layer it handed its payload to (its NextLayerType) is.
func failedLayer(p gopacket.Packet, ls []gopacket.Layer) (gopacket.LayerType, string) {
	zone := "outer"
	var last gopacket.Layer
	input := p.Data()
	for _, l := range ls {
		if l.LayerType() == gopacket.LayerTypeDecodeFailure {
			break
		}
		if last != nil {
			input = last.LayerPayload()
		}
		switch l.(type) {
		case *layers.Geneve:
			zone = "geneve"
		case *layers.VXLAN:
			zone = "inner"
		}
		last = l
	}
	if last == nil {
		return layers.LayerTypeEthernet, zone
	}
	dl, ok := last.(gopacket.DecodingLayer)
	if !ok {
		return gopacket.LayerTypeZero, zone
	}
	fresh, ok := reflect.New(reflect.TypeOf(last).Elem()).Interface().(gopacket.DecodingLayer)
	if ok && fresh.DecodeFromBytes(input, gopacket.NilDecodeFeedback) != nil {
		if _, isVXLAN := last.(*layers.VXLAN); isVXLAN {
			return layers.LayerTypeVXLAN, zone
		}
		return last.LayerType(), zone
	}
	return dl.NextLayerType(), zone
}

// modelPath is the model's path of a layer of type t in zone, or "".
func modelPath(t gopacket.LayerType, zone string) string {
	switch t {
	case layers.LayerTypeVXLAN:
		return "vxlan"
	case layers.LayerTypeGeneve:
		return "geneve"
	case layers.LayerTypeEthernet:
		if zone != "geneve" {
			return zone + ".eth"
		}
	case layers.LayerTypeIPv4:
		return zone + ".ipv4"
	case layers.LayerTypeUDP:
		return zone + ".udp"
	case layers.LayerTypeDot1Q:
		if zone == "inner" {
			return "inner.vlan"
		}
	case layers.LayerTypeIPv6:
		if zone == "inner" {
			return "inner.ipv6"
		}
	case layers.LayerTypeTCP:
		if zone == "inner" {
			return "inner.tcp"
		}
	case layers.LayerTypeICMPv4:
		if zone == "inner" {
			return "inner.icmp"
		}
	case layers.LayerTypeICMPv6:
		if zone == "inner" {
			return "inner.icmpv6"
		}
	case layers.LayerTypeDNS:
		if zone == "inner" {
			return "app.dns"
		}
	}
	return ""
}

// layer is frame[name], created empty when missing.
func layer(frame obj, name string) obj {
	if m, ok := frame[name].(obj); ok {
		return m
	}
	m := obj{}
	frame[name] = m
	return m
}

// putOnce sets frame[zone][name] = value unless a header of that name is
// already there (the outermost of a zone wins).
func putOnce(frame obj, zone, name string, value obj) {
	z := layer(frame, zone)
	if _, ok := z[name]; !ok {
		z[name] = value
	}
}

// ipv4 is an IPv4 header gopacket filled (its layer holds the 20 fixed bytes).
func ipv4(v *layers.IPv4) obj {
	m := obj{"header_len": v.IHL * 4, "dscp": v.TOS >> 2, "ecn": v.TOS & 3, "total_len": v.Length,
		"ident": v.Id, "dont_frag": v.Flags&layers.IPv4DontFragment != 0,
		"more_frags": v.Flags&layers.IPv4MoreFragments != 0, "frag_offset": v.FragOffset, "ttl": v.TTL,
		"protocol": uint8(v.Protocol), "src": v.SrcIP.String(), "dst": v.DstIP.String()}
	if len(v.Contents) >= int(v.IHL)*4 { // the whole header, options included
		m["options_present"] = v.IHL > 5
	}
	return m
}

func geneve(v *layers.Geneve) obj {
	g := obj{"version": v.Version, "options_len": v.OptionsLength, "oam": v.OAMPacket,
		"critical": v.CriticalOption, "protocol_type": uint16(v.Protocol), "vni": v.VNI}
	var opts []obj
	for _, o := range v.Options {
		opts = append(opts, obj{"class": o.Class, "type": o.Type, "data_len": o.Length - 4,
			"data": hex.EncodeToString(o.Data)})
	}
	if len(opts) > 0 {
		g["options"] = opts
	}
	return g
}

// tcp is a TCP header; options only when gopacket decoded the whole header
// (whole is false when its decoder failed).
func tcp(v *layers.TCP, ip gopacket.Layer, whole bool) obj {
	bit := func(b bool, at uint) uint16 {
		if b {
			return 1 << at
		}
		return 0
	}
	// gopacket has no field for the three reserved bits before NS.
	flags := bit(v.NS, 8) | bit(v.CWR, 7) | bit(v.ECE, 6) | bit(v.URG, 5) | bit(v.ACK, 4) | bit(v.PSH, 3) |
		bit(v.RST, 2) | bit(v.SYN, 1) | bit(v.FIN, 0)
	t := obj{"src_port": uint16(v.SrcPort), "dst_port": uint16(v.DstPort), "seq": v.Seq, "ack": v.Ack,
		"header_len": v.DataOffset * 4, "flags": flags, "flag_fin": v.FIN, "flag_syn": v.SYN,
		"flag_rst": v.RST, "flag_psh": v.PSH, "flag_ack": v.ACK, "flag_urg": v.URG, "flag_ece": v.ECE,
		"flag_cwr": v.CWR, "window": v.Window, "urgent_pointer": v.Urgent}
	// RFC 9293 section 3.1: segment length implied by the IP header.
	implied := -1
	switch h := ip.(type) {
	case *layers.IPv4:
		implied = int(h.Length) - int(h.IHL)*4 - int(v.DataOffset)*4
	case *layers.IPv6:
		if h.NextHeader == layers.IPProtocolTCP {
			implied = int(h.Length) - int(v.DataOffset)*4
		}
	}
	if implied >= 0 {
		t["payload_len"] = implied
	}
	if whole {
		t["options"] = tcpOptions(v.Options)
	}
	return t
}

// tcpOptions reads the options gopacket delimited: kinds and data as
// gopacket split them, values as RFC 9293 3.7.1, RFC 7323 2.2 / 3.2 and
// RFC 2018 lay them out (gopacket's TCPOption.String reads MSS and
// Timestamps the same way).
func tcpOptions(list []layers.TCPOption) obj {
	o := obj{"sack_permitted": false}
	var blocks []obj
	for _, opt := range list {
		d := opt.OptionData
		switch opt.OptionType {
		case layers.TCPOptionKindMSS:
			if len(d) >= 2 {
				o["mss"] = binary.BigEndian.Uint16(d)
			}
		case layers.TCPOptionKindWindowScale:
			if len(d) == 1 {
				o["window_scale"] = d[0]
			}
		case layers.TCPOptionKindSACKPermitted:
			o["sack_permitted"] = true
		case layers.TCPOptionKindTimestamps:
			if len(d) == 8 {
				o["tsval"], o["tsecr"] = binary.BigEndian.Uint32(d[:4]), binary.BigEndian.Uint32(d[4:])
			}
		case layers.TCPOptionKindSACK:
			for len(d) >= 8 {
				blocks = append(blocks, obj{"left": binary.BigEndian.Uint32(d[:4]),
					"right": binary.BigEndian.Uint32(d[4:8])})
				d = d[8:]
			}
		}
	}
	if len(blocks) > 0 {
		o["sack_blocks"] = blocks
	}
	return o
}
