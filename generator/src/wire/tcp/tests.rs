//! Unit tests of `tcp`.

use super::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rstest::rstest;
use std::net::{Ipv4Addr, Ipv6Addr};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn v4(a: [u8; 4]) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(a))
}

fn v6(s: &str) -> IpAddr {
    IpAddr::V6(s.parse::<Ipv6Addr>().unwrap())
}

/// A repr with no options, to be filled in by each test.
fn bare() -> Repr {
    Repr {
        src_port: 51234,
        dst_port: 443,
        seq_number: 0x1a2b_3c4d,
        ack_number: 0,
        flags: TcpFlags::SYN,
        window_len: 62727,
        urgent_pointer: 0,
        max_seg_size: None,
        window_scale: None,
        sack_permitted: false,
        sack_ranges: [None; 3],
        timestamp: None,
        payload_len: 0,
    }
}

fn emit(repr: &Repr, payload: &[u8], src: &IpAddr, dst: &IpAddr) -> Vec<u8> {
    let mut bytes = vec![0xa5u8; repr.total_len()];
    let mut packet = Packet::new_unchecked(&mut bytes[..]);
    repr.emit(&mut packet);
    packet.payload_mut().copy_from_slice(payload);
    packet.fill_checksum(src, dst);
    bytes
}

// Segments built by Scapy 2.8 (an independent encoder), checksum included.
const SYN_V4: &str = "c822 01bb 1a2b3c4d 00000000 a002 f507 44e8 0000 \
                      020405b4 0402 080a 0badcafe 00000000 01 030307";
const PSH_ACK_V6: &str = "01bb c822 11223344 1a2b3c4e 8018 01f5 9605 0000 \
                          0101 080a 01020304 0badcafe 68656c6c6f";

#[test]
fn linux_syn_matches_scapy_byte_for_byte() {
    let repr = Repr {
        max_seg_size: Some(1460),
        sack_permitted: true,
        timestamp: Some((0x0bad_cafe, 0)),
        window_scale: Some(7),
        ..bare()
    };
    let (src, dst) = (v4([10, 0, 1, 5]), v4([10, 0, 2, 10]));
    let bytes = emit(&repr, &[], &src, &dst);
    assert_eq!(bytes, hex(SYN_V4));
    let packet = Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!(packet.checksum(), 0x44e8);
    assert!(packet.verify_checksum(&src, &dst));
    assert_eq!(Repr::parse(&packet).unwrap(), repr);
}

#[test]
fn ipv6_psh_ack_with_payload_matches_scapy_byte_for_byte() {
    let repr = Repr {
        src_port: 443,
        dst_port: 51234,
        seq_number: 0x1122_3344,
        ack_number: 0x1a2b_3c4e,
        flags: TcpFlags::PSH | TcpFlags::ACK,
        window_len: 501,
        timestamp: Some((0x0102_0304, 0x0bad_cafe)),
        payload_len: 5,
        ..bare()
    };
    let (src, dst) = (v6("2001:db8::1"), v6("2001:db8::2"));
    let bytes = emit(&repr, b"hello", &src, &dst);
    assert_eq!(bytes, hex(PSH_ACK_V6));
    let packet = Packet::new_checked(&bytes[..]).unwrap();
    assert!(packet.verify_checksum(&src, &dst));
    assert_eq!(packet.payload(), b"hello");
    assert_eq!(Repr::parse(&packet).unwrap(), repr);
}

#[test]
fn getters_read_the_scapy_syn() {
    let bytes = hex(SYN_V4);
    let packet = Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!(packet.src_port(), 51234);
    assert_eq!(packet.dst_port(), 443);
    assert_eq!(packet.seq_number(), 0x1a2b_3c4d);
    assert_eq!(packet.ack_number(), 0);
    assert_eq!(packet.header_len(), 40);
    assert_eq!(packet.flags(), TcpFlags::SYN);
    assert_eq!(packet.window_len(), 62727);
    assert_eq!(packet.urgent_at(), 0);
    assert_eq!(packet.options().len(), 20);
    assert!(packet.payload().is_empty());
    let options: Vec<_> = packet.option_iter().map(|o| o.unwrap()).collect();
    assert_eq!(
        options,
        [
            TcpOption::MaxSegmentSize(1460),
            TcpOption::SackPermitted,
            TcpOption::Timestamp { tsval: 0x0bad_cafe, tsecr: 0 },
            TcpOption::NoOperation,
            TcpOption::WindowScale(7),
        ]
    );
    assert_eq!(packet.into_inner().len(), 40);
}

const TS: Option<(u32, u32)> = Some((0x0102_0304, 0x0506_0708));

#[rstest]
#[case::nothing(None, false, None, None, [None; 3], "")]
#[case::linux_syn(Some(1460), true, TS, Some(7), [None; 3],
    "020405b4 0402 080a 01020304 05060708 01 030307")]
#[case::syn_no_sack(Some(8961), false, TS, Some(9), [None; 3],
    "02042301 0101 080a 01020304 05060708 01 030309")]
#[case::syn_no_timestamps(Some(1460), true, None, Some(7), [None; 3],
    "020405b4 0101 0402 01 030307")]
#[case::syn_mss_only(Some(536), false, None, None, [None; 3], "02040218")]
#[case::timestamps_only(None, false, TS, None, [None; 3], "0101 080a 01020304 05060708")]
#[case::sack_permitted_only(None, true, None, None, [None; 3], "0101 0402")]
#[case::window_scale_only(None, false, None, Some(14), [None; 3], "01 03030e")]
#[case::one_sack_block(None, false, TS, None, [Some((100, 200)), None, None],
    "0101 080a 01020304 05060708 0101 050a 00000064 000000c8")]
#[case::three_sack_blocks(None, false, TS, None, [Some((1, 2)), Some((3, 4)), Some((5, 6))],
    "0101 080a 01020304 05060708 0101 051a 00000001 00000002 00000003 00000004 00000005 00000006")]
#[case::none_entries_are_skipped(None, false, None, None, [None, Some((7, 8)), None],
    "0101 050a 00000007 00000008")]
#[case::third_block_dropped(Some(1460), true, TS, Some(7), [Some((1, 2)), Some((3, 4)), Some((5, 6))],
    "020405b4 0402 080a 01020304 05060708 01 030307 0101 0512 00000001 00000002 00000003 00000004")]
fn options_use_the_linux_layout(
    #[case] max_seg_size: Option<u16>,
    #[case] sack_permitted: bool,
    #[case] timestamp: Option<(u32, u32)>,
    #[case] window_scale: Option<u8>,
    #[case] sack_ranges: [Option<(u32, u32)>; 3],
    #[case] expected: &str,
) {
    let repr = Repr { max_seg_size, sack_permitted, timestamp, window_scale, sack_ranges, ..bare() };
    let expected = hex(expected);
    assert_eq!(repr.header_len(), HEADER_LEN + expected.len());
    let mut bytes = vec![0xa5u8; repr.total_len()];
    repr.emit(&mut Packet::new_unchecked(&mut bytes[..]));
    let packet = Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!(packet.options(), expected);
    assert_eq!(packet.header_len() as usize, repr.header_len());
    assert!(repr.header_len() <= MAX_HEADER_LEN);
}

#[test]
fn fixed_header_layout_and_zero_checksum() {
    let repr = Repr {
        src_port: 0x0102,
        dst_port: 0x0304,
        seq_number: 0x0506_0708,
        ack_number: 0x090a_0b0c,
        flags: TcpFlags(0xfff),
        window_len: 0x0d0e,
        urgent_pointer: 0x1112,
        payload_len: 2,
        ..bare()
    };
    let mut bytes = [0xa5u8; 22];
    repr.emit(&mut Packet::new_unchecked(&mut bytes[..]));
    assert_eq!(
        bytes,
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x5f, 0xff, 0x0d, 0x0e, 0, 0, 0x11, 0x12, 0xa5, 0xa5]
    );
}

#[test]
fn flags_and_header_len_setters_leave_each_other_alone() {
    let mut bytes = [0u8; 60];
    let mut packet = Packet::new_unchecked(&mut bytes[..]);
    packet.set_flags(TcpFlags(0xffff));
    packet.set_header_len(60);
    assert_eq!(packet.flags(), TcpFlags(0x0fff));
    assert_eq!(packet.header_len(), 60);
    packet.set_flags(TcpFlags::ACK);
    assert_eq!(packet.header_len(), 60);
    packet.set_header_len(20);
    assert_eq!(packet.flags(), TcpFlags::ACK);
    assert_eq!(packet.payload().len(), 40);
}

#[rstest]
#[case(0, 20, Error::Truncated { layer: Layer::Tcp, required: 20, present: 0 })]
#[case(19, 20, Error::Truncated { layer: Layer::Tcp, required: 20, present: 19 })]
#[case(20, 0, Error::BadHeaderLen { layer: Layer::Tcp, found: 0, min: 20 })]
#[case(40, 16, Error::BadHeaderLen { layer: Layer::Tcp, found: 16, min: 20 })]
#[case(20, 24, Error::Truncated { layer: Layer::Tcp, required: 24, present: 20 })]
#[case(59, 60, Error::Truncated { layer: Layer::Tcp, required: 60, present: 59 })]
fn bad_lengths_are_errors_not_panics(#[case] len: usize, #[case] header_len: u8, #[case] err: Error) {
    let mut bytes = vec![0u8; len.max(HEADER_LEN)];
    bytes[12] = (header_len / 4) << 4;
    bytes.truncate(len);
    assert_eq!(Packet::new_checked(&bytes[..]).unwrap_err(), err);
    assert_eq!(Repr::parse(&Packet::new_unchecked(&bytes[..])).unwrap_err(), err);
}

#[rstest]
#[case(20, 20)]
#[case(24, 24)]
#[case(61, 60)]
fn good_lengths_are_accepted(#[case] len: usize, #[case] header_len: u8) {
    let mut bytes = vec![1u8; len];
    bytes[12] = (header_len / 4) << 4;
    let packet = Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!(packet.options().len(), header_len as usize - HEADER_LEN);
    assert_eq!(packet.payload().len(), len - header_len as usize);
}

#[test]
fn parse_reads_options_in_any_order_and_skips_unknown_ones() {
    // WS, unknown kind 30, TS, MSS, SACK_PERM, SACK, EOL, then padding that is not an option.
    let opts = hex("030302 1e03ff 080a0000000a0000000b 020405dc 0402 050a0000000100000002 00 05");
    let header_len = HEADER_LEN + opts.len().next_multiple_of(4);
    let mut bytes = vec![0u8; header_len + 3];
    bytes[12] = ((header_len / 4) << 4) as u8;
    bytes[13] = 0x10;
    bytes[HEADER_LEN..HEADER_LEN + opts.len()].copy_from_slice(&opts);
    let repr = Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap();
    assert_eq!(repr.window_scale, Some(2));
    assert_eq!(repr.timestamp, Some((10, 11)));
    assert_eq!(repr.max_seg_size, Some(1500));
    assert!(repr.sack_permitted);
    assert_eq!(repr.sack_ranges, [Some((1, 2)), None, None]);
    assert_eq!(repr.flags, TcpFlags::ACK);
    assert_eq!(repr.payload_len, 3);
}

#[test]
fn parse_rejects_a_bad_option() {
    let mut bytes = [0u8; 24];
    bytes[12] = 0x60;
    bytes[20..24].copy_from_slice(&[8, 4, 0, 0]);
    assert_eq!(
        Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap_err(),
        Error::BadOptionLen { layer: Layer::Tcp, kind: 8, found: 4, expected: "10" }
    );
}

fn random_repr(rng: &mut ChaCha8Rng) -> Repr {
    let mut sack_ranges = [None; 3];
    for slot in sack_ranges.iter_mut().take(rng.random_range(0..=3)) {
        *slot = Some((rng.random(), rng.random()));
    }
    Repr {
        src_port: rng.random(),
        dst_port: rng.random(),
        seq_number: rng.random(),
        ack_number: rng.random(),
        flags: TcpFlags(rng.random::<u16>() & 0x0fff),
        window_len: rng.random(),
        urgent_pointer: rng.random(),
        max_seg_size: rng.random::<bool>().then(|| rng.random()),
        window_scale: rng.random::<bool>().then(|| rng.random()),
        sack_permitted: rng.random(),
        sack_ranges,
        timestamp: rng.random::<bool>().then(|| (rng.random(), rng.random())),
        payload_len: rng.random_range(0..64),
    }
}

fn random_addrs(rng: &mut ChaCha8Rng) -> (IpAddr, IpAddr) {
    if rng.random() {
        (v4(rng.random()), v4(rng.random()))
    } else {
        (IpAddr::V6(Ipv6Addr::from(rng.random::<u128>())), IpAddr::V6(Ipv6Addr::from(rng.random::<u128>())))
    }
}

#[test]
fn emit_then_parse_round_trips_random_segments() {
    let mut rng = ChaCha8Rng::seed_from_u64(9293);
    let mut payload = [0u8; 64];
    for _ in 0..4000 {
        let repr = random_repr(&mut rng);
        let (src, dst) = random_addrs(&mut rng);
        rng.fill(&mut payload[..]);
        let bytes = emit(&repr, &payload[..repr.payload_len], &src, &dst);
        assert!(bytes.len() <= MAX_HEADER_LEN + 64);

        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert!(packet.verify_checksum(&src, &dst), "{repr:?}");
        assert_eq!(packet.payload(), &payload[..repr.payload_len]);
        assert_eq!(packet.options().len() % 4, 0);
        assert!(packet.option_iter().all(|o| o.is_ok()));

        // Only SACK blocks that do not fit are lost.
        let mut expected = repr;
        let kept = repr.sack_block_count();
        for slot in expected.sack_ranges.iter_mut().skip(kept) {
            *slot = None;
        }
        assert!(kept >= repr.sack_ranges.iter().flatten().count().min(2));
        assert_eq!(Repr::parse(&packet).unwrap(), expected);

        // Any single flipped bit breaks the checksum.
        let mut broken = bytes.clone();
        let bit = rng.random_range(0..broken.len() * 8);
        broken[bit / 8] ^= 1 << (bit % 8);
        assert!(!Packet::new_unchecked(&broken[..]).verify_checksum(&src, &dst));
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(7323);
    let mut bytes = [0u8; 80];
    for _ in 0..5000 {
        rng.fill(&mut bytes[..]);
        let len = rng.random_range(0..=bytes.len());
        let buffer = &bytes[..len];
        let _ = TcpOption::parse(buffer);
        let _ = TcpOptionIter::new(buffer).count();
        if let Ok(packet) = Packet::new_checked(buffer) {
            let _ = (packet.src_port(), packet.dst_port(), packet.seq_number(), packet.ack_number());
            let _ = (packet.flags(), packet.window_len(), packet.checksum(), packet.urgent_at());
            let _ = (packet.options(), packet.payload(), packet.option_iter().count());
            let _ = packet.verify_checksum(&v4([1, 2, 3, 4]), &v4([5, 6, 7, 8]));
            let _ = Repr::parse(&packet);
        }
    }
}
