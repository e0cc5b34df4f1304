//! Unit tests of `vxlan`.

use super::*;
use rand::{Rng, SeedableRng};
use rstest::rstest;

fn vni(value: u32) -> Vni {
    Vni::new(value).unwrap()
}

#[test]
fn reserved_mask_is_wiresharks() {
    assert_eq!(FLAGS_RESERVED, 0x77b7);
    assert_eq!(FLAGS8_RESERVED, 0xf7);
    assert_eq!(FLAG8_I as u16, FLAG_I >> 8);
}

#[rstest]
// AWS Traffic Mirroring, VNI 9999999 (the value seen in Wireshark on real traffic).
#[case::aws(Repr::rfc7348(vni(9_999_999)), [0x08, 0, 0, 0, 0x98, 0x96, 0x7f, 0])]
#[case::rfc7348_vni_0(Repr::rfc7348(vni(0)), [0x08, 0, 0, 0, 0, 0, 0, 0])]
#[case::rfc7348_vni_max(Repr::rfc7348(Vni::MAX), [0x08, 0, 0, 0, 0xff, 0xff, 0xff, 0])]
#[case::gbp_all(Repr::gbp(vni(1), 0xffff, true, true), [0x88, 0x48, 0xff, 0xff, 0, 0, 1, 0])]
#[case::gbp_none(Repr::gbp(vni(0x123456), 0x0102, false, false), [0x88, 0, 1, 2, 0x12, 0x34, 0x56, 0])]
#[case::gbp_d(Repr::gbp(vni(7), 0, true, false), [0x88, 0x40, 0, 0, 0, 0, 7, 0])]
#[case::gbp_a(Repr::gbp(vni(7), 0, false, true), [0x88, 0x08, 0, 0, 0, 0, 7, 0])]
// Every reserved bit of each reserved field set, one field at a time.
#[case::reserved_flag_bits(
    Repr { flags: FLAG_I | FLAGS_RESERVED, group_policy_id: 0, vni: vni(1), reserved8: 0 },
    [0x7f, 0xb7, 0, 0, 0, 0, 1, 0]
)]
#[case::reserved24(
    Repr { flags: FLAG_I | 0x00ff, group_policy_id: 0xffff, vni: vni(1), reserved8: 0 },
    [0x08, 0xff, 0xff, 0xff, 0, 0, 1, 0]
)]
#[case::reserved8(
    Repr { flags: FLAG_I, group_policy_id: 0, vni: vni(1), reserved8: 0xff },
    [0x08, 0, 0, 0, 0, 0, 1, 0xff]
)]
#[case::i_clear(
    Repr { flags: 0, group_policy_id: 0, vni: vni(42), reserved8: 0 },
    [0, 0, 0, 0, 0, 0, 42, 0]
)]
#[case::all_ones(
    Repr { flags: 0xffff, group_policy_id: 0xffff, vni: Vni::MAX, reserved8: 0xff },
    [0xff; 8]
)]
#[case::gpe_lookalike(
    Repr::gpe(vni(5), 0, Some(GPE_NEXT_PROTOCOL_ETHERNET), false),
    [0x0c, 0, 0, 3, 0, 0, 5, 0]
)]
#[case::gpe_v2_oam(Repr::gpe(vni(5), 2, None, true), [0x29, 0, 0, 0, 0, 0, 5, 0])]
fn emits_and_parses_exact_bytes(#[case] repr: Repr, #[case] bytes: [u8; 8]) {
    let mut out = [0xa5u8; HEADER_LEN];
    repr.emit(&mut Header::new_unchecked(&mut out[..]));
    assert_eq!(out, bytes, "emit");
    assert_eq!(repr.to_bytes(), bytes);
    let header = Header::new_checked(&bytes[..]).unwrap();
    assert_eq!(Repr::parse(&header).unwrap(), repr, "parse");
    // Repr's computed views agree with the buffer's views.
    assert_eq!(repr.flags8(), header.flags8());
    assert_eq!(repr.reserved24(), header.reserved24());
    assert_eq!(repr.reserved_flag_bits(), header.reserved_flag_bits());
    assert_eq!(
        (repr.i_flag(), repr.g_flag(), repr.d_flag(), repr.a_flag()),
        (header.i_flag(), header.g_flag(), header.d_flag(), header.a_flag())
    );
    assert_eq!(
        (repr.gpe_version(), repr.gpe_p_bit(), repr.gpe_b_bit(), repr.gpe_o_bit(), repr.gpe_next_protocol()),
        (
            header.gpe_version(),
            header.gpe_p_bit(),
            header.gpe_b_bit(),
            header.gpe_o_bit(),
            header.gpe_next_protocol()
        )
    );
}

#[rustfmt::skip]
#[rstest]
// The header as a big-endian u64; "IGDA" spells the flags set.
//     header                  RFC 7348: flags8, rsvd24, vni, rsvd8  GBP: flags16, gpid  IGDA    rsvd bits
#[case(0x0800_0000_9896_7f00, (0x08, 0x000000, 9_999_999, 0x00), (0x0800, 0x0000), "I---", 0x0000)]
#[case(0x8848_ffff_0000_0100, (0x88, 0x48ffff, 1,         0x00), (0x8848, 0xffff), "IGDA", 0x0000)]
#[case(0x8000_1234_0000_0009, (0x80, 0x001234, 0,         0x09), (0x8000, 0x1234), "-G--", 0x0000)]
#[case(0xf7ff_abcd_0102_0304, (0xf7, 0xffabcd, 0x010203,  0x04), (0xf7ff, 0xabcd), "-GDA", 0x77b7)]
#[case(0x0801_0000_0000_0000, (0x08, 0x010000, 0,         0x00), (0x0801, 0x0000), "I---", 0x0001)]
fn both_readings_of_the_same_bytes(
    #[case] header: u64,
    #[case] rfc7348: (u8, u32, u32, u8),
    #[case] gbp: (u16, u16),
    #[case] igda: &str,
    #[case] reserved_bits: u16,
) {
    let bytes = header.to_be_bytes();
    let h = Header::new_checked(&bytes[..]).unwrap();
    assert_eq!((h.flags8(), h.reserved24(), h.vni().value(), h.reserved8()), rfc7348);
    assert_eq!((h.flags16(), h.group_policy_id()), gbp);
    let flags: String = [(h.i_flag(), 'I'), (h.g_flag(), 'G'), (h.d_flag(), 'D'), (h.a_flag(), 'A')]
        .iter()
        .map(|&(set, c)| if set { c } else { '-' })
        .collect();
    assert_eq!(flags, igda);
    assert_eq!(h.reserved_flag_bits(), reserved_bits);
}

#[rstest]
//     flags8 next  version P      B      O
#[case(0x0c, 0x03, 0, true, false, false)]
#[case(0x2d, 0x01, 2, true, false, true)]
#[case(0x3a, 0x00, 3, false, true, false)]
fn gpe_reading(
    #[case] flags8: u8,
    #[case] next: u8,
    #[case] version: u8,
    #[case] p: bool,
    #[case] b: bool,
    #[case] o: bool,
) {
    let bytes = [flags8, 0, 0, next, 0, 0, 1, 0];
    let h = Header::new_checked(&bytes[..]).unwrap();
    assert_eq!((h.gpe_version(), h.gpe_p_bit(), h.gpe_b_bit(), h.gpe_o_bit()), (version, p, b, o));
    assert_eq!(h.gpe_next_protocol(), next);
    assert_eq!(h.i_flag(), flags8 & GPE_FLAG_I != 0);

    let mut built = [0u8; 8];
    let mut w = Header::new_unchecked(&mut built[..]);
    w.set_gpe_version(version);
    w.set_i_flag(flags8 & GPE_FLAG_I != 0);
    w.set_gpe_p_bit(p);
    w.set_gpe_b_bit(b);
    w.set_gpe_o_bit(o);
    w.set_gpe_next_protocol(next);
    w.set_vni(Vni::new(1).unwrap());
    assert_eq!(built, bytes);
}

#[rstest]
#[case(0)]
#[case(1)]
#[case(7)]
fn short_buffer_is_truncated_not_a_panic(#[case] len: usize) {
    let bytes = [0x08u8; 7];
    let err = Error::Truncated { layer: Layer::Vxlan, required: 8, present: len };
    assert_eq!(Header::new_checked(&bytes[..len]).unwrap_err(), err);
    assert_eq!(Repr::parse(&Header::new_unchecked(&bytes[..len])).unwrap_err(), err);
}

#[test]
fn payload_is_what_follows_the_eight_bytes() {
    let bytes = [0x08, 0, 0, 0, 0, 0, 1, 0, 0xde, 0xad];
    let mut buf = bytes;
    assert_eq!(Header::new_checked(&bytes[..]).unwrap().payload(), &[0xde, 0xad]);
    Header::new_checked(&mut buf[..]).unwrap().payload_mut()[1] = 0xef;
    assert_eq!(buf[9], 0xef);
    assert!(Header::new_checked(&bytes[..8]).unwrap().payload().is_empty());
}

#[test]
fn parse_never_panics_on_random_input() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7348);
    let mut buf = [0u8; 24];
    for _ in 0..20_000 {
        let len = rng.random_range(0..buf.len());
        rng.fill(&mut buf[..len]);
        let parsed = Header::new_checked(&buf[..len]).and_then(|h| Repr::parse(&h));
        assert_eq!(parsed.is_ok(), len >= HEADER_LEN);
        if let Ok(repr) = parsed {
            assert_eq!(repr.to_bytes()[..], buf[..HEADER_LEN]);
        }
    }
}

#[test]
fn emit_then_parse_round_trips_random_headers() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4789);
    for _ in 0..10_000 {
        let repr = Repr {
            flags: rng.random(),
            group_policy_id: rng.random(),
            vni: Vni::new(rng.random_range(0..=Vni::MAX.value())).unwrap(),
            reserved8: rng.random(),
        };
        let mut bytes = [0u8; HEADER_LEN + 5];
        repr.emit(&mut Header::new_unchecked(&mut bytes[..]));
        let header = Header::new_checked(&bytes[..]).unwrap();
        assert_eq!(Repr::parse(&header).unwrap(), repr);
        assert_eq!(header.payload().len(), 5);
        assert_eq!(bytes[HEADER_LEN..], [0u8; 5], "emit writes only the header");
    }
}

type FlagSetter = fn(&mut Header<[u8; 8]>, bool);

#[rstest]
#[case(FLAG_G, Header::set_g_flag)]
#[case(FLAG_I, Header::set_i_flag)]
#[case(FLAG_D, Header::set_d_flag)]
#[case(FLAG_A, Header::set_a_flag)]
fn flag_setters_touch_only_their_bit(#[case] mask: u16, #[case] set: FlagSetter) {
    let mut ones = Header::new_unchecked([0xffu8; 8]);
    set(&mut ones, false);
    let ones = ones.into_inner();
    assert_eq!(u16::from_be_bytes([ones[0], ones[1]]), !mask);
    assert_eq!(ones[2..], [0xff; 6]);
    let mut zeros = Header::new_unchecked([0u8; 8]);
    set(&mut zeros, true);
    let zeros = zeros.into_inner();
    assert_eq!(u16::from_be_bytes([zeros[0], zeros[1]]), mask);
    assert_eq!(zeros[2..], [0; 6]);
}

#[test]
fn reserved_flag_bits_setter_keeps_g_i_d_a() {
    let mut h = Header::new_unchecked([0u8; 8]);
    h.set_flags16(FLAG_G | FLAG_I);
    h.set_reserved_flag_bits(0xffff);
    assert_eq!(h.flags16(), !(FLAG_D | FLAG_A));
    h.set_reserved_flag_bits(0);
    assert_eq!(h.flags16(), FLAG_G | FLAG_I);
    h.set_gpe_version(0xff);
    assert_eq!(h.gpe_version(), 3);
    assert_eq!(h.flags8(), 0xb8);
}

#[test]
fn field_setters_write_their_bytes() {
    let mut bytes = [0u8; 8];
    let mut h = Header::new_unchecked(&mut bytes[..]);
    h.set_flags8(0x08);
    h.set_reserved24(0xff_abcdef);
    h.set_vni(Vni::new(0x010203).unwrap());
    h.set_reserved8(0x99);
    assert_eq!(bytes, [0x08, 0xab, 0xcd, 0xef, 1, 2, 3, 0x99]);
    let mut h = Header::new_unchecked(bytes);
    h.set_group_policy_id(0x1122);
    h.set_flags16(0x8800);
    assert_eq!(h.into_inner(), [0x88, 0, 0x11, 0x22, 1, 2, 3, 0x99]);
}

#[test]
fn repr_serde_has_the_vni_as_a_plain_number() {
    let v = Vni::new(9_999_999).unwrap();
    let repr = Repr::gbp(v, 0xbeef, true, false);
    let json = serde_json::to_string(&repr).unwrap();
    assert_eq!(json, r#"{"flags":34880,"group_policy_id":48879,"vni":9999999,"reserved8":0}"#);
    assert_eq!(serde_json::from_str::<Repr>(&json).unwrap(), repr);
}

#[test]
fn repr_displays_all_fields() {
    assert_eq!(
        Repr::rfc7348(Vni::new(9_999_999).unwrap()).to_string(),
        "VXLAN flags=0x0800 gpid=0 vni=9999999 rsvd8=0"
    );
}
