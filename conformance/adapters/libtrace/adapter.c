/*
 * The vxconform adapter for libtrace (the WAND network research group's C
 * trace-processing library; Debian libtrace3-dev 3.0.22).
 *
 *   libtrace CAPTURE      one JSON frame object per line (docs/decoder-protocol.md)
 *   libtrace --batch      capture paths on stdin, one per line; after each
 *                         capture's frames one {"end":"PATH"} line (with
 *                         "error" when libtrace could not read it)
 *   libtrace --version    "libtrace X.Y.Z" (LIBTRACE_API_VERSION of the header)
 *
 * The capture is opened as "pcap:PATH": libtrace's libpcap-backed format,
 * which reads pcap (either byte order, micro- or nanoseconds) and pcapng
 * (libtrace 3.0.22's own "pcapfile:" format does not know pcapng).
 *
 * It only translates libtrace's API into the dissection model
 * (docs/dissection.md): libtrace locates each header and says how many
 * captured bytes remain (trace_get_layer2, trace_get_layer3,
 * trace_get_transport, trace_get_vxlan_from_udp, trace_get_payload_from_*,
 * trace_get_next_option) and hands out its header structs (libtrace_ip_t,
 * libtrace_vxlan_t, ...), whose fields are printed in the model's units
 * (network byte order converted, bit fields as libtrace declares them). A
 * header is reported only when the whole struct was captured (the
 * "remaining" count libtrace returns covers it), as libtrace's own getters
 * (trace_get_tcp, trace_get_ip) require. Nothing is fixed up: what libtrace
 * misreads (conformance/findings/libtrace.md) stays misread.
 *
 * What libtrace gives, and so what is reported:
 *   - frame: number, captured_len (trace_get_capture_length) and
 *     original_len (trace_get_wire_length, which for Ethernet *includes* the
 *     4-byte FCS, as libtrace.h notes: minus 4 here, the pcap orig_len the
 *     model means). libtrace never says that a packet is truncated or
 *     malformed, so neither is reported.
 *   - outer Ethernet, IPv4 and UDP (trace_get_layer2 / _layer3 / _transport).
 *   - VXLAN only where trace_get_vxlan_from_udp finds it: UDP destination
 *     port 4789, nothing else. libtrace_vxlan_t is the RFC 7348 layout
 *     (flags, reserved1[3], vni[3], reserved2): flags8, reserved24, vni and
 *     reserved8. libtrace names no flag bits, and has no GBP view, so
 *     flag_i, flag_g, flag_d, flag_a, flags16, reserved_flags and
 *     group_policy_id are not reported.
 *   - inner Ethernet, 802.1Q tags (the 0x8100 tags libtrace's own
 *     trace_get_layer3 walks over, read through libtrace_8021q_t), IPv4,
 *     IPv6 (libtrace_ip6_t's flow word holds version, traffic class and flow
 *     label, as its header says), TCP with its options, UDP, ICMP and
 *     ICMPv6 (echo identifier and sequence for echo messages).
 *   - not GENEVE (libtrace 3.0.22 has no GENEVE), nor TLS, HTTP or DNS.
 */
#include <libtrace.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a small JSON writer: nested objects and arrays, commas tracked ---- */

static FILE *out;
static bool need_comma[16];
static int depth;

static void sep(void) {
	if (need_comma[depth])
		fputc(',', out);
	need_comma[depth] = true;
}

static void json_string(const char *s) {
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void key(const char *k) {
	sep();
	if (k) {
		json_string(k);
		fputc(':', out);
	}
}

static void open_obj(const char *k) {
	key(k);
	fputc('{', out);
	need_comma[++depth] = false;
}

static void open_arr(const char *k) {
	key(k);
	fputc('[', out);
	need_comma[++depth] = false;
}

static void close_obj(void) {
	depth--;
	fputc('}', out);
}

static void close_arr(void) {
	depth--;
	fputc(']', out);
}

static void num(const char *k, uint64_t v) {
	key(k);
	fprintf(out, "%" PRIu64, v);
}

static void boolean(const char *k, bool v) {
	key(k);
	fputs(v ? "true" : "false", out);
}

static void str(const char *k, const char *v) {
	key(k);
	json_string(v);
}

static void mac(const char *k, const uint8_t *m) {
	char buf[18];
	snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	str(k, buf);
}

static void addr(const char *k, int family, const void *a) {
	char buf[INET6_ADDRSTRLEN];
	if (inet_ntop(family, a, buf, sizeof buf))
		str(k, buf);
}

/* ---- headers, each printed only when its whole struct was captured ---- */

static void ethernet(const char *k, const libtrace_ether_t *e) {
	open_obj(k);
	mac("dst", e->ether_dhost);
	mac("src", e->ether_shost);
	num("ethertype", ntohs(e->ether_type));
	close_obj();
}

/* RFC 791 section 3.1; options_present only when the whole header (IHL x 4)
 * was captured. */
static void ipv4(const libtrace_ip_t *ip, uint32_t remaining) {
	uint16_t off = ntohs(ip->ip_off);
	open_obj("ipv4");
	num("header_len", ip->ip_hl * 4u);
	num("dscp", ip->ip_tos >> 2);
	num("ecn", ip->ip_tos & 3);
	num("total_len", ntohs(ip->ip_len));
	num("ident", ntohs((uint16_t)ip->ip_id));
	boolean("dont_frag", off & 0x4000);
	boolean("more_frags", off & 0x2000);
	num("frag_offset", off & 0x1fff);
	num("ttl", ip->ip_ttl);
	num("protocol", ip->ip_p);
	addr("src", AF_INET, &ip->ip_src);
	addr("dst", AF_INET, &ip->ip_dst);
	if (remaining >= ip->ip_hl * 4u)
		boolean("options_present", ip->ip_hl > 5);
	close_obj();
}

/* RFC 8200 section 3: libtrace_ip6_t.flow is version (4), traffic class (8)
 * and flow label (20). */
static void ipv6(const libtrace_ip6_t *ip6) {
	uint32_t flow = ntohl(ip6->flow);
	open_obj("ipv6");
	num("traffic_class", (flow >> 20) & 0xff);
	num("flow_label", flow & 0xfffff);
	num("payload_len", ntohs(ip6->plen));
	num("next_header", ip6->nxt);
	num("hop_limit", ip6->hlim);
	addr("src", AF_INET6, &ip6->ip_src);
	addr("dst", AF_INET6, &ip6->ip_dst);
	close_obj();
}

static void udp(const libtrace_udp_t *u) {
	open_obj("udp");
	num("src_port", ntohs(u->source));
	num("dst_port", ntohs(u->dest));
	num("length", ntohs(u->len));
	num("checksum", ntohs(u->check));
	close_obj();
}

static uint32_t be32(const unsigned char *p) {
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* RFC 9293 section 3.1. implied: the segment length the IP header implies,
 * or -1. Options (trace_get_next_option) only when the whole header (Data
 * Offset x 4) was captured. */
static void tcp(const libtrace_tcp_t *t, uint32_t remaining, long implied) {
	unsigned hlen = t->doff * 4u;
	open_obj("tcp");
	num("src_port", ntohs(t->source));
	num("dst_port", ntohs(t->dest));
	num("seq", ntohl(t->seq));
	num("ack", ntohl(t->ack_seq));
	num("header_len", hlen);
	num("flags", (unsigned)t->res1 << 9 | (unsigned)t->ecn_ns << 8 | t->cwr << 7 | t->ece << 6 | t->urg << 5 |
	                 t->ack << 4 | t->psh << 3 | t->rst << 2 | t->syn << 1 | t->fin);
	boolean("flag_fin", t->fin);
	boolean("flag_syn", t->syn);
	boolean("flag_rst", t->rst);
	boolean("flag_psh", t->psh);
	boolean("flag_ack", t->ack);
	boolean("flag_urg", t->urg);
	boolean("flag_ece", t->ece);
	boolean("flag_cwr", t->cwr);
	num("window", ntohs(t->window));
	num("urgent_pointer", ntohs(t->urg_ptr));
	if (implied >= 0)
		num("payload_len", (uint64_t)implied);
	if (hlen >= sizeof(libtrace_tcp_t) && remaining >= hlen) {
		unsigned char *ptr = (unsigned char *)t + sizeof(libtrace_tcp_t);
		int len = (int)(hlen - sizeof(libtrace_tcp_t));
		unsigned char type, optlen, *data;
		bool sack_permitted = false, blocks = false;
		open_obj("options");
		while (trace_get_next_option(&ptr, &len, &type, &optlen, &data)) {
			/* optlen counts the kind and length bytes (RFC 9293 3.2) */
			unsigned dlen = optlen >= 2 ? optlen - 2u : 0;
			if (type == 2 && dlen == 2) /* RFC 9293 3.7.1 */
				num("mss", (unsigned)data[0] << 8 | data[1]);
			else if (type == 3 && dlen == 1) /* RFC 7323 2.2 */
				num("window_scale", data[0]);
			else if (type == 4) /* RFC 2018 2 */
				sack_permitted = true;
			else if (type == 8 && dlen == 8) { /* RFC 7323 3.2 */
				num("tsval", be32(data));
				num("tsecr", be32(data + 4));
			} else if (type == 5 && dlen >= 8 && !blocks) { /* RFC 2018 3 */
				blocks = true;
				open_arr("sack_blocks");
				for (unsigned i = 0; i + 8 <= dlen; i += 8) {
					open_obj(NULL);
					num("left", be32(data + i));
					num("right", be32(data + i + 4));
					close_obj();
				}
				close_arr();
			}
		}
		boolean("sack_permitted", sack_permitted);
		close_obj();
	}
	close_obj();
}

/* RFC 792 / RFC 4443 section 2.1; echo identifier and sequence for echo
 * request and reply (ICMP 8 / 0, ICMPv6 128 / 129). */
static void icmp(const char *k, uint8_t type, uint8_t code, uint16_t id, uint16_t seq, bool echo) {
	open_obj(k);
	num("type", type);
	num("code", code);
	if (echo) {
		num("ident", ntohs(id));
		num("seq", ntohs(seq));
	}
	close_obj();
}

/* The IP header at l3 (ethertype, remaining captured bytes) and what
 * follows it, inside the "inner" object. */
static void inner_l3(void *l3, uint16_t ethertype, uint32_t rem) {
	uint8_t proto = 0;
	void *l4 = NULL;
	long ip_payload = -1;
	if (ethertype == TRACE_ETHERTYPE_IP && rem >= sizeof(libtrace_ip_t)) {
		libtrace_ip_t *ip = l3;
		ipv4(ip, rem);
		ip_payload = (long)ntohs(ip->ip_len) - ip->ip_hl * 4;
		l4 = trace_get_payload_from_ip(ip, &proto, &rem);
	} else if (ethertype == TRACE_ETHERTYPE_IPV6 && rem >= sizeof(libtrace_ip6_t)) {
		libtrace_ip6_t *ip6 = l3;
		ipv6(ip6);
		if (ip6->nxt == TRACE_IPPROTO_TCP) /* no extension headers to subtract */
			ip_payload = ntohs(ip6->plen);
		l4 = trace_get_payload_from_ip6(ip6, &proto, &rem);
	}
	if (!l4)
		return;
	if (proto == TRACE_IPPROTO_TCP && rem >= sizeof(libtrace_tcp_t)) {
		libtrace_tcp_t *t = l4;
		tcp(t, rem, ip_payload >= 0 && ip_payload >= t->doff * 4 ? ip_payload - t->doff * 4 : -1);
	} else if (proto == TRACE_IPPROTO_UDP && rem >= sizeof(libtrace_udp_t)) {
		udp(l4);
	} else if (proto == TRACE_IPPROTO_ICMP && ethertype == TRACE_ETHERTYPE_IP && rem >= sizeof(libtrace_icmp_t)) {
		libtrace_icmp_t *i = l4;
		icmp("icmp", i->type, i->code, i->un.echo.id, i->un.echo.sequence, i->type == 0 || i->type == 8);
	} else if (proto == TRACE_IPPROTO_ICMPV6 && rem >= sizeof(libtrace_icmp6_t)) {
		libtrace_icmp6_t *i = l4;
		icmp("icmpv6", i->type, i->code, i->un.echo.id, i->un.echo.sequence, i->type == 128 || i->type == 129);
	}
}

/* The mirrored frame after the VXLAN header: Ethernet, 802.1Q tags, IP. */
static void inner(void *eth, uint32_t rem) {
	uint16_t type = 0;
	if (rem < sizeof(libtrace_ether_t))
		return;
	open_obj("inner");
	ethernet("eth", eth);
	void *next = trace_get_payload_from_layer2(eth, TRACE_TYPE_ETH, &type, &rem);
	bool tags = false;
	/* the walk of libtrace's trace_get_layer3: over 0x8100 tags */
	while (next && rem > 0 && type == TRACE_ETHERTYPE_8021Q) {
		if (rem >= sizeof(libtrace_8021q_t)) {
			libtrace_8021q_t *q = next;
			if (!tags)
				open_arr("vlan");
			tags = true;
			open_obj(NULL);
			num("pcp", q->vlan_pri);
			boolean("dei", q->vlan_cfi);
			num("vid", q->vlan_id);
			num("ethertype", ntohs(q->vlan_ether_type));
			close_obj();
		}
		next = trace_get_payload_from_vlan(next, &type, &rem);
	}
	if (tags)
		close_arr();
	if (next && rem > 0)
		inner_l3(next, type, rem);
	close_obj();
}

static void frame(unsigned long n, libtrace_packet_t *p) {
	libtrace_linktype_t linktype;
	uint32_t rem = 0;
	void *l2 = trace_get_layer2(p, &linktype, &rem);
	size_t wire = trace_get_wire_length(p);

	depth = 0;
	need_comma[0] = false;
	open_obj(NULL);
	open_obj("frame");
	num("number", n);
	num("captured_len", trace_get_capture_length(p));
	if (linktype != TRACE_TYPE_ETH || wire >= 4)
		num("original_len", linktype == TRACE_TYPE_ETH ? wire - 4 : wire); /* libtrace counts the FCS */
	close_obj();

	if (l2 && linktype == TRACE_TYPE_ETH && rem >= sizeof(libtrace_ether_t)) {
		uint16_t ethertype = 0;
		uint32_t l3rem = 0, l4rem = 0;
		uint8_t proto = 0;
		libtrace_udp_t *u = NULL;
		open_obj("outer");
		ethernet("eth", l2);
		libtrace_ip_t *ip = trace_get_layer3(p, &ethertype, &l3rem);
		if (ip && ethertype == TRACE_ETHERTYPE_IP && l3rem >= sizeof(libtrace_ip_t)) {
			ipv4(ip, l3rem);
			void *l4 = trace_get_transport(p, &proto, &l4rem);
			if (l4 && proto == TRACE_IPPROTO_UDP && l4rem >= sizeof(libtrace_udp_t)) {
				u = l4;
				udp(u);
			}
		}
		close_obj();
		if (u) {
			uint32_t vrem = l4rem;
			libtrace_vxlan_t *vx = trace_get_vxlan_from_udp(u, &vrem);
			if (vx && vrem >= sizeof(libtrace_vxlan_t)) {
				const uint8_t *r = vx->reserved1, *v = vx->vni;
				open_obj("vxlan");
				num("flags8", vx->flags);
				num("reserved24", (uint32_t)r[0] << 16 | (uint32_t)r[1] << 8 | r[2]);
				num("vni", (uint32_t)v[0] << 16 | (uint32_t)v[1] << 8 | v[2]);
				num("reserved8", vx->reserved2);
				close_obj();
				void *payload = trace_get_payload_from_vxlan(vx, &vrem);
				if (payload)
					inner(payload, vrem);
			}
		}
	}
	close_obj();
	fputc('\n', out);
}

/* Dissects the capture at path; 0, or -1 with *err set. */
static int dissect(const char *path, char *err, size_t errlen) {
	size_t urilen = strlen(path) + 6;
	char *uri = malloc(urilen);
	if (!uri) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(uri, urilen, "pcap:%s", path);
	libtrace_t *t = trace_create(uri);
	free(uri);
	int rc = 0;
	if (trace_is_err(t) || trace_start(t) == -1) {
		libtrace_err_t e = trace_get_err(t);
		snprintf(err, errlen, "%s", e.problem);
		trace_destroy(t);
		return -1;
	}
	libtrace_packet_t *p = trace_create_packet();
	unsigned long n = 0;
	int r;
	while ((r = trace_read_packet(t, p)) > 0)
		frame(++n, p);
	if (r < 0) {
		libtrace_err_t e = trace_get_err(t);
		snprintf(err, errlen, "record %lu: %s", n + 1, e.problem);
		rc = -1;
	}
	trace_destroy_packet(p);
	trace_destroy(t);
	return rc;
}

static void one_line(char *s) {
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

int main(int argc, char **argv) {
	char err[512];
	out = stdout;
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("libtrace %d.%d.%d\n", LIBTRACE_API_VERSION >> 16, (LIBTRACE_API_VERSION >> 8) & 0xff,
		       LIBTRACE_API_VERSION & 0xff);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--batch") == 0) {
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;
		while ((len = getline(&line, &cap, stdin)) > 0) {
			if (line[len - 1] == '\n')
				line[len - 1] = '\0';
			int rc = dissect(line, err, sizeof err);
			depth = 0;
			need_comma[0] = false;
			open_obj(NULL);
			str("end", line);
			if (rc != 0) {
				one_line(err);
				str("error", err);
			}
			close_obj();
			fputc('\n', out);
			fflush(out);
		}
		free(line);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: libtrace CAPTURE | libtrace --batch | libtrace --version\n");
		return 2;
	}
	if (dissect(argv[1], err, sizeof err) != 0) {
		fflush(out);
		fprintf(stderr, "libtrace adapter: %s: %s\n", argv[1], err);
		return 1;
	}
	return 0;
}
