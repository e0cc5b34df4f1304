//! GENEVE (RFC 8926): the header a Gateway Load Balancer wraps around every
//! packet it hands an appliance, with the options AWS puts in it.
//!
//! ```text
//! RFC 8926 section 3.4, the fixed header:
//! |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
//! |        Virtual Network Identifier (VNI)       |    Reserved   |
//! RFC 8926 section 3.5, each option (Opt Len and Length count 4-byte words):
//! |          Option Class         |      Type     |R|R|R| Length  |
//! ~                  Variable-Length Option Data                  ~
//! ```
//!
//! The [`Header`] view and its [`Options`] iterator never allocate. The owned
//! [`Repr`] does (a `Vec` of options): it is built once per flow, on the
//! Gateway Load Balancer path only. Parsing never panics: a buffer shorter
//! than the header or than Opt Len says is [`Error::Truncated`]; an option
//! whose Length runs past the end of the options is [`Error::OptionTruncated`].
//!
//! ```
//! use generator::wire::geneve::{Header, Repr, AWS_OPTION_CLASS};
//! use generator::wire::EtherType;
//!
//! let repr = Repr::aws_gwlb(EtherType::IPV4, 0x0123_4567_89ab_cdef, 42, 0xdead_beef);
//! let mut bytes = vec![0u8; repr.header_len() + 20];
//! repr.emit(&mut Header::new_unchecked(&mut bytes[..]));
//! assert_eq!(&bytes[..8], &[0x08, 0x00, 0x08, 0x00, 0, 0, 0, 0]); // Opt Len 8 words, IPv4, VNI 0
//!
//! let header = Header::new_checked(&bytes[..]).unwrap();
//! assert_eq!(header.header_len(), 40);
//! assert_eq!(header.payload().len(), 20);
//! let classes: Vec<_> = header.options().map(|o| o.unwrap().class).collect();
//! assert_eq!(classes, [AWS_OPTION_CLASS; 3]);
//! let parsed = Repr::parse(&header).unwrap();
//! assert_eq!(parsed.aws_flow_cookie(), Some(0xdead_beef));
//! assert_eq!(parsed, repr);
//! ```

use super::field::{read_u16, read_u24, read_u8, write_u16, write_u24, write_u8};
use super::{Error, EtherType, Layer, Result};

/// IANA-assigned UDP destination port for GENEVE (RFC 8926 section 3.3).
pub const UDP_PORT: u16 = 6081;

/// Length of the fixed part of the header, before the options.
pub const HEADER_LEN: usize = field::OPTIONS;

/// Length of an option's own header (class, type, length).
pub const OPTION_HEADER_LEN: usize = field::OPTION_DATA;

/// Largest total length of the options: Opt Len is 6 bits of 4-byte words.
pub const MAX_OPTIONS_LEN: usize = 0x3f * 4;

/// Largest option data: Length is 5 bits of 4-byte words (RFC 8926 section 3.5).
pub const MAX_OPTION_DATA_LEN: usize = 0x1f * 4;

/// The only version RFC 8926 defines (section 3.4: "The current version number is 0").
pub const VERSION: u8 = 0;

/// The high bit of an option's Type: the option is critical (RFC 8926 section 3.5).
pub const OPTION_TYPE_CRITICAL: u8 = 0x80;

/// Option class AWS's Gateway Load Balancer uses for its options (as its
/// sample "aws-gateway-load-balancer-tunnel-handler" parses them).
pub const AWS_OPTION_CLASS: u16 = 0x0108;
/// AWS option type 1: the GWLB endpoint id, 8 bytes.
pub const AWS_OPTION_GWLB_ENDPOINT_ID: u8 = 1;
/// AWS option type 2: the attachment id, 8 bytes.
pub const AWS_OPTION_ATTACHMENT_ID: u8 = 2;
/// AWS option type 3: the flow cookie, 4 bytes.
pub const AWS_OPTION_FLOW_COOKIE: u8 = 3;

/// The fields of the fixed header (RFC 8926 section 3.4) and of an option
/// (section 3.5, offsets from the option's start), as byte ranges, with the
/// masks of the fields narrower than a byte.
pub mod field {
    use crate::wire::field::Field;
    /// Ver (2 bits) and Opt Len (6 bits).
    pub const VER_OPT_LEN: Field = 0..1;
    /// Ver within [`VER_OPT_LEN`].
    pub const VER_MASK: u8 = 0xc0;
    /// Opt Len within [`VER_OPT_LEN`].
    pub const OPT_LEN_MASK: u8 = 0x3f;
    /// O, C and six reserved bits.
    pub const FLAGS: Field = 1..2;
    /// O within [`FLAGS`].
    pub const FLAG_O: u8 = 0x80;
    /// C within [`FLAGS`].
    pub const FLAG_C: u8 = 0x40;
    /// The reserved bits within [`FLAGS`].
    pub const FLAGS_RESERVED: u8 = 0x3f;
    /// Protocol Type.
    pub const PROTOCOL_TYPE: Field = 2..4;
    /// Virtual Network Identifier.
    pub const VNI: Field = 4..7;
    /// The reserved byte after the VNI.
    pub const RESERVED: Field = 7..8;
    /// Where the options start.
    pub const OPTIONS: usize = 8;

    // Within one option.
    /// Option Class.
    pub const OPTION_CLASS: Field = 0..2;
    /// Type.
    pub const OPTION_TYPE: Field = 2..3;
    /// Three R bits and Length (5 bits, in 4-byte words).
    pub const OPTION_LENGTH: Field = 3..4;
    /// Length within [`OPTION_LENGTH`].
    pub const OPTION_LENGTH_MASK: u8 = 0x1f;
    /// Where the option data starts.
    pub const OPTION_DATA: usize = 4;
}

/// A read/write view of a GENEVE header, its options and its payload.
#[derive(Debug, Clone)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wraps a buffer without checking its length; getters may panic on a
    /// short buffer. Use [`Header::new_checked`] for untrusted input.
    pub const fn new_unchecked(buffer: T) -> Header<T> {
        Header { buffer }
    }

    /// Wraps a buffer after checking that it holds the fixed header and as
    /// many option bytes as Opt Len says.
    pub fn new_checked(buffer: T) -> Result<Header<T>> {
        let header = Self::new_unchecked(buffer);
        header.check_len()?;
        Ok(header)
    }

    /// Fails with [`Error::Truncated`] when the buffer is shorter than the
    /// fixed header or than the options Opt Len announces.
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        Error::need(Layer::Geneve, HEADER_LEN, len)?;
        Error::need(Layer::Geneve, self.header_len(), len)
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Ver: the 2-bit version (0 is the only one defined).
    pub fn version(&self) -> u8 {
        (read_u8(self.buffer.as_ref(), field::VER_OPT_LEN) & field::VER_MASK) >> 6
    }

    /// Opt Len as on the wire: the options' length in 4-byte words.
    pub fn opt_len(&self) -> u8 {
        read_u8(self.buffer.as_ref(), field::VER_OPT_LEN) & field::OPT_LEN_MASK
    }

    /// The options' length in bytes (Opt Len times four).
    pub fn options_len(&self) -> usize {
        self.opt_len() as usize * 4
    }

    /// The fixed header plus the options, in bytes: where the payload starts.
    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.options_len()
    }

    /// O: an OAM packet (control traffic, not data).
    pub fn oam(&self) -> bool {
        read_u8(self.buffer.as_ref(), field::FLAGS) & field::FLAG_O != 0
    }

    /// C: at least one critical option is present.
    pub fn critical(&self) -> bool {
        read_u8(self.buffer.as_ref(), field::FLAGS) & field::FLAG_C != 0
    }

    /// The six reserved bits after O and C (MUST be zero on send).
    pub fn reserved_flags(&self) -> u8 {
        read_u8(self.buffer.as_ref(), field::FLAGS) & field::FLAGS_RESERVED
    }

    /// Protocol Type: the EtherType of the payload (0x0800 or 0x86dd from a
    /// Gateway Load Balancer: an L3 packet, no Ethernet header).
    pub fn protocol_type(&self) -> EtherType {
        EtherType(read_u16(self.buffer.as_ref(), field::PROTOCOL_TYPE))
    }

    /// The 24-bit Virtual Network Identifier.
    pub fn vni(&self) -> u32 {
        read_u24(self.buffer.as_ref(), field::VNI)
    }

    /// The reserved byte after the VNI.
    pub fn reserved(&self) -> u8 {
        read_u8(self.buffer.as_ref(), field::RESERVED)
    }

    /// The raw options, Opt Len times four bytes.
    pub fn options_bytes(&self) -> &[u8] {
        &self.buffer.as_ref()[field::OPTIONS..self.header_len()]
    }

    /// The options one by one.
    pub fn options(&self) -> Options<'_> {
        Options::new(self.options_bytes())
    }

    /// The bytes after the options: the encapsulated packet.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[self.header_len()..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Header<T> {
    /// Sets Ver (only the low two bits of `value`).
    pub fn set_version(&mut self, value: u8) {
        let b = &mut self.buffer.as_mut()[field::VER_OPT_LEN.start];
        *b = (*b & !field::VER_MASK) | ((value & 0x03) << 6)
    }

    /// Sets Opt Len in 4-byte words (only the low six bits of `value`).
    pub fn set_opt_len(&mut self, value: u8) {
        let b = &mut self.buffer.as_mut()[field::VER_OPT_LEN.start];
        *b = (*b & !field::OPT_LEN_MASK) | (value & field::OPT_LEN_MASK)
    }

    fn set_flag_bits(&mut self, mask: u8, value: u8) {
        let b = &mut self.buffer.as_mut()[field::FLAGS.start];
        *b = (*b & !mask) | (value & mask)
    }

    /// Sets or clears O.
    pub fn set_oam(&mut self, value: bool) {
        self.set_flag_bits(field::FLAG_O, if value { field::FLAG_O } else { 0 })
    }

    /// Sets or clears C.
    pub fn set_critical(&mut self, value: bool) {
        self.set_flag_bits(field::FLAG_C, if value { field::FLAG_C } else { 0 })
    }

    /// Sets the six reserved flag bits (only the low six bits of `value`).
    pub fn set_reserved_flags(&mut self, value: u8) {
        self.set_flag_bits(field::FLAGS_RESERVED, value)
    }

    /// Sets Protocol Type.
    pub fn set_protocol_type(&mut self, value: EtherType) {
        write_u16(self.buffer.as_mut(), field::PROTOCOL_TYPE, value.0)
    }

    /// Sets the VNI (only the low 24 bits of `value`).
    pub fn set_vni(&mut self, value: u32) {
        write_u24(self.buffer.as_mut(), field::VNI, value)
    }

    /// Sets the reserved byte after the VNI.
    pub fn set_reserved(&mut self, value: u8) {
        write_u8(self.buffer.as_mut(), field::RESERVED, value)
    }

    /// The raw options, writable (Opt Len must be set first).
    pub fn options_bytes_mut(&mut self) -> &mut [u8] {
        let end = self.header_len();
        &mut self.buffer.as_mut()[field::OPTIONS..end]
    }

    /// The bytes after the options, writable (Opt Len must be set first).
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let start = self.header_len();
        &mut self.buffer.as_mut()[start..]
    }
}

/// One option, borrowed from the buffer (RFC 8926 section 3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GeneveOption<'a> {
    /// Option Class: the namespace of Type (IANA "Geneve Option Class").
    pub class: u16,
    /// Type, its high bit the critical bit.
    pub option_type: u8,
    /// The option data, Length times four bytes.
    pub data: &'a [u8],
}

impl GeneveOption<'_> {
    /// Whether the high bit of Type marks the option critical.
    pub const fn is_critical(&self) -> bool {
        self.option_type & OPTION_TYPE_CRITICAL != 0
    }

    /// Bytes the option takes on the wire, its own header included.
    pub const fn total_len(&self) -> usize {
        OPTION_HEADER_LEN + self.data.len()
    }
}

/// Iterator over the options of a GENEVE header. Yields one error (and then
/// nothing) at an option whose header or Length runs past the end of the
/// options; the three R bits of each option are not reported.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    rest: &'a [u8],
}

impl<'a> Options<'a> {
    /// Iterates over `options`, the bytes between the fixed header and the payload.
    pub const fn new(options: &'a [u8]) -> Options<'a> {
        Options { rest: options }
    }
}

impl<'a> Iterator for Options<'a> {
    type Item = Result<GeneveOption<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest;
        if rest.is_empty() {
            return None;
        }
        // From here on, an error ends the iteration.
        self.rest = &[];
        let cut = |required| Error::OptionTruncated { layer: Layer::Geneve, required, present: rest.len() };
        if rest.len() < OPTION_HEADER_LEN {
            return Some(Err(cut(OPTION_HEADER_LEN)));
        }
        let class = read_u16(rest, field::OPTION_CLASS);
        let option_type = read_u8(rest, field::OPTION_TYPE);
        let data_len = (read_u8(rest, field::OPTION_LENGTH) & field::OPTION_LENGTH_MASK) as usize * 4;
        let end = OPTION_HEADER_LEN + data_len;
        if rest.len() < end {
            return Some(Err(cut(end)));
        }
        self.rest = &rest[end..];
        Some(Ok(GeneveOption { class, option_type, data: &rest[OPTION_HEADER_LEN..end] }))
    }
}

fn too_wide(field: &'static str, value: u64, max: u64) -> Error {
    Error::TooWide { layer: Layer::Geneve, field, value, max }
}

/// One option, owned (RFC 8926 section 3.5). `data` must be a multiple of
/// four bytes, at most [`MAX_OPTION_DATA_LEN`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnedOption {
    /// Option Class.
    pub class: u16,
    /// Type, its high bit the critical bit.
    pub option_type: u8,
    /// The option data.
    pub data: Vec<u8>,
}

impl OwnedOption {
    /// An option, or [`Error::Misaligned`] when `data` is not a whole number
    /// of 4-byte words and [`Error::TooWide`] when it is longer than
    /// [`MAX_OPTION_DATA_LEN`].
    pub fn new(class: u16, option_type: u8, data: Vec<u8>) -> Result<OwnedOption> {
        let option = OwnedOption { class, option_type, data };
        option.check()?;
        Ok(option)
    }

    /// Checks that `data` can be expressed by the 5-bit Length field.
    pub fn check(&self) -> Result<()> {
        let len = self.data.len();
        if len % 4 != 0 {
            Err(Error::Misaligned { layer: Layer::Geneve, field: "option data", len, multiple: 4 })
        } else if len > MAX_OPTION_DATA_LEN {
            Err(too_wide("option data length", len as u64, MAX_OPTION_DATA_LEN as u64))
        } else {
            Ok(())
        }
    }

    /// The option as a borrowed view.
    pub fn as_option(&self) -> GeneveOption<'_> {
        GeneveOption { class: self.class, option_type: self.option_type, data: &self.data }
    }

    /// Bytes the option takes on the wire, its own header included.
    pub fn total_len(&self) -> usize {
        OPTION_HEADER_LEN + self.data.len()
    }
}

impl From<GeneveOption<'_>> for OwnedOption {
    fn from(option: GeneveOption<'_>) -> OwnedOption {
        OwnedOption { class: option.class, option_type: option.option_type, data: option.data.to_vec() }
    }
}

/// The meaning of a GENEVE header and its options. The reserved bits (six
/// after O and C, the byte after the VNI, three in each option) are written
/// as zero and not kept by [`Repr::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Ver, 0 ..= 3 (0 is the only one defined).
    pub version: u8,
    /// O: an OAM packet.
    pub oam: bool,
    /// C: a critical option is present.
    pub critical: bool,
    /// Protocol Type: the EtherType of the payload.
    pub protocol_type: EtherType,
    /// The VNI, 0 ..= 2^24 - 1.
    pub vni: u32,
    /// The options, in wire order.
    pub options: Vec<OwnedOption>,
}

impl Repr {
    /// What a Gateway Load Balancer sends an appliance: version 0, no O or C,
    /// VNI 0, and the three AWS options in this order: the GWLB endpoint id
    /// (type 1, 8 bytes), the attachment id (type 2, 8 bytes), the flow cookie
    /// (type 3, 4 bytes), all of class [`AWS_OPTION_CLASS`] and big-endian.
    /// `protocol_type` is [`EtherType::IPV4`] or [`EtherType::IPV6`].
    pub fn aws_gwlb(
        protocol_type: EtherType,
        endpoint_id: u64,
        attachment_id: u64,
        flow_cookie: u32,
    ) -> Repr {
        let aws = |option_type, data: &[u8]| OwnedOption {
            class: AWS_OPTION_CLASS,
            option_type,
            data: data.to_vec(),
        };
        Repr {
            version: VERSION,
            oam: false,
            critical: false,
            protocol_type,
            vni: 0,
            options: vec![
                aws(AWS_OPTION_GWLB_ENDPOINT_ID, &endpoint_id.to_be_bytes()),
                aws(AWS_OPTION_ATTACHMENT_ID, &attachment_id.to_be_bytes()),
                aws(AWS_OPTION_FLOW_COOKIE, &flow_cookie.to_be_bytes()),
            ],
        }
    }

    /// The first option of this class and type.
    pub fn option(&self, class: u16, option_type: u8) -> Option<&OwnedOption> {
        self.options.iter().find(|o| o.class == class && o.option_type == option_type)
    }

    fn aws_option<const N: usize>(&self, option_type: u8) -> Option<[u8; N]> {
        self.option(AWS_OPTION_CLASS, option_type).and_then(|o| o.data.as_slice().try_into().ok())
    }

    /// The GWLB endpoint id (AWS option type 1), if present with 8 bytes.
    pub fn aws_gwlb_endpoint_id(&self) -> Option<u64> {
        self.aws_option(AWS_OPTION_GWLB_ENDPOINT_ID).map(u64::from_be_bytes)
    }

    /// The attachment id (AWS option type 2), if present with 8 bytes.
    pub fn aws_attachment_id(&self) -> Option<u64> {
        self.aws_option(AWS_OPTION_ATTACHMENT_ID).map(u64::from_be_bytes)
    }

    /// The flow cookie (AWS option type 3), if present with 4 bytes.
    pub fn aws_flow_cookie(&self) -> Option<u32> {
        self.aws_option(AWS_OPTION_FLOW_COOKIE).map(u32::from_be_bytes)
    }

    /// The options' total length in bytes.
    pub fn options_len(&self) -> usize {
        self.options.iter().map(OwnedOption::total_len).sum()
    }

    /// Checks that every field fits its width on the wire: version in 2 bits,
    /// VNI in 24, each option's data in whole words up to 124 bytes, all the
    /// options in 252 bytes.
    pub fn check(&self) -> Result<()> {
        if self.version > 3 {
            return Err(too_wide("version", self.version.into(), 3));
        }
        if self.vni > 0xff_ffff {
            return Err(too_wide("VNI", self.vni.into(), 0xff_ffff));
        }
        for option in &self.options {
            option.check()?;
        }
        if self.options_len() > MAX_OPTIONS_LEN {
            return Err(too_wide("options length", self.options_len() as u64, MAX_OPTIONS_LEN as u64));
        }
        Ok(())
    }

    /// Reads a header and its options.
    pub fn parse<T: AsRef<[u8]>>(header: &Header<T>) -> Result<Repr> {
        header.check_len()?;
        let options = header.options().map(|o| o.map(OwnedOption::from)).collect::<Result<Vec<_>>>()?;
        Ok(Repr {
            version: header.version(),
            oam: header.oam(),
            critical: header.critical(),
            protocol_type: header.protocol_type(),
            vni: header.vni(),
            options,
        })
    }

    /// Length of the header this emits, options included.
    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.options_len()
    }

    /// Writes the header and options into the first [`Repr::header_len`]
    /// bytes of `header`; reserved bits are written as zero.
    ///
    /// # Panics
    /// If the buffer is too short or [`Repr::check`] fails.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, header: &mut Header<T>) {
        if let Err(e) = self.check() {
            panic!("cannot emit this GENEVE header: {e}");
        }
        let opt_len = (self.options_len() / 4) as u8;
        write_u8(header.buffer.as_mut(), field::VER_OPT_LEN, self.version << 6 | opt_len);
        write_u8(header.buffer.as_mut(), field::FLAGS, 0);
        header.set_oam(self.oam);
        header.set_critical(self.critical);
        header.set_protocol_type(self.protocol_type);
        header.set_vni(self.vni);
        header.set_reserved(0);
        let mut out = header.options_bytes_mut();
        for option in &self.options {
            let (this, rest) = core::mem::take(&mut out).split_at_mut(option.total_len());
            write_u16(this, field::OPTION_CLASS, option.class);
            write_u8(this, field::OPTION_TYPE, option.option_type);
            write_u8(this, field::OPTION_LENGTH, (option.data.len() / 4) as u8);
            this[field::OPTION_DATA..].copy_from_slice(&option.data);
            out = rest;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rstest::rstest;

    fn emit(repr: &Repr, extra: usize) -> Vec<u8> {
        let mut bytes = vec![0u8; repr.header_len() + extra];
        repr.emit(&mut Header::new_unchecked(&mut bytes[..]));
        bytes
    }

    #[test]
    fn aws_gwlb_exact_bytes() {
        let repr = Repr::aws_gwlb(EtherType::IPV4, 0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210, 0xdead_beef);
        #[rustfmt::skip]
        let expected: [u8; 40] = [
            0x08, 0x00, 0x08, 0x00, // Ver 0, Opt Len 8 words; no O, C; IPv4
            0x00, 0x00, 0x00, 0x00, // VNI 0, reserved
            0x01, 0x08, 0x01, 0x02, // class 0x0108, type 1, length 2 words
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
            0x01, 0x08, 0x02, 0x02, // type 2, 2 words
            0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
            0x01, 0x08, 0x03, 0x01, // type 3, 1 word
            0xde, 0xad, 0xbe, 0xef,
        ];
        assert_eq!(repr.header_len(), 40);
        assert_eq!(emit(&repr, 0), expected);
        let parsed = Repr::parse(&Header::new_checked(&expected[..]).unwrap()).unwrap();
        assert_eq!(parsed, repr);
        assert_eq!(parsed.aws_gwlb_endpoint_id(), Some(0x0123_4567_89ab_cdef));
        assert_eq!(parsed.aws_attachment_id(), Some(0xfedc_ba98_7654_3210));
        assert_eq!(parsed.aws_flow_cookie(), Some(0xdead_beef));

        let v6 = Repr::aws_gwlb(EtherType::IPV6, 1, 2, 3);
        assert_eq!(emit(&v6, 0)[..4], [0x08, 0x00, 0x86, 0xdd]);
    }

    #[test]
    fn aws_accessors_need_the_right_length() {
        let mut repr = Repr::aws_gwlb(EtherType::IPV4, 1, 2, 3);
        repr.options[2].data = vec![0; 8];
        repr.options.remove(0);
        assert_eq!(repr.aws_gwlb_endpoint_id(), None);
        assert_eq!(repr.aws_attachment_id(), Some(2));
        assert_eq!(repr.aws_flow_cookie(), None);
    }

    #[rstest]
    //     byte0 byte1  ver optlen O      C      rsvd
    #[case(0x00, 0x00, 0, 0, false, false, 0x00)]
    #[case(0x00, 0x80, 0, 0, true, false, 0x00)]
    #[case(0x00, 0x40, 0, 0, false, true, 0x00)]
    #[case(0x00, 0x3f, 0, 0, false, false, 0x3f)]
    #[case(0xc0, 0xff, 3, 0, true, true, 0x3f)]
    #[case(0x41, 0x00, 1, 1, false, false, 0x00)]
    fn first_word_bits(
        #[case] byte0: u8,
        #[case] byte1: u8,
        #[case] version: u8,
        #[case] opt_len: u8,
        #[case] oam: bool,
        #[case] critical: bool,
        #[case] reserved: u8,
    ) {
        let bytes = [byte0, byte1, 0x65, 0x58, 0xab, 0xcd, 0xef, 0x5a, 0, 0, 0, 0];
        let h = Header::new_checked(&bytes[..]).unwrap();
        assert_eq!(
            (h.version(), h.opt_len(), h.oam(), h.critical(), h.reserved_flags()),
            (version, opt_len, oam, critical, reserved)
        );
        assert_eq!((h.protocol_type(), h.vni(), h.reserved()), (EtherType(0x6558), 0xab_cdef, 0x5a));

        let mut built = Header::new_unchecked([0u8; 12]);
        built.set_version(version);
        built.set_opt_len(opt_len);
        built.set_oam(oam);
        built.set_critical(critical);
        built.set_reserved_flags(reserved);
        built.set_protocol_type(EtherType(0x6558));
        built.set_vni(0xab_cdef);
        built.set_reserved(0x5a);
        assert_eq!(built.into_inner(), bytes);
    }

    #[rstest]
    #[case::empty(&[], Error::Truncated { layer: Layer::Geneve, required: 8, present: 0 })]
    #[case::seven(&[0, 0, 0x08, 0, 0, 0, 0], Error::Truncated { layer: Layer::Geneve, required: 8, present: 7 })]
    #[case::opt_len_past_end(
        &[0x02, 0, 0x08, 0, 0, 0, 0, 0, 1, 8, 3, 1],
        Error::Truncated { layer: Layer::Geneve, required: 16, present: 12 }
    )]
    #[case::option_past_opt_len(
        &[0x01, 0, 0x08, 0, 0, 0, 0, 0, 1, 8, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0],
        Error::OptionTruncated { layer: Layer::Geneve, required: 12, present: 4 }
    )]
    #[case::second_option_past_opt_len(
        &[0x03, 0, 0x08, 0, 0, 0, 0, 0, 1, 8, 3, 1, 0, 0, 0, 0, 1, 8, 3, 1],
        Error::OptionTruncated { layer: Layer::Geneve, required: 8, present: 4 }
    )]
    fn malformed_input_is_an_error(#[case] bytes: &[u8], #[case] error: Error) {
        let parsed = Header::new_checked(bytes).and_then(|h| Repr::parse(&h));
        assert_eq!(parsed.unwrap_err(), error);
        assert_eq!(Repr::parse(&Header::new_unchecked(bytes)).unwrap_err(), error);
    }

    #[test]
    fn options_iterator_stops_after_an_error() {
        let bytes =
            [0x03, 0, 0x08, 0, 0, 0, 0, 0, 1, 8, 3, 1, 0xca, 0xfe, 0xf0, 0x0d, 0xff, 0xff, 0x7f, 0x1f];
        let h = Header::new_checked(&bytes[..]).unwrap();
        let mut options = h.options();
        let first = options.next().unwrap().unwrap();
        assert_eq!(first, GeneveOption { class: 0x0108, option_type: 3, data: &[0xca, 0xfe, 0xf0, 0x0d] });
        assert!(!first.is_critical());
        assert!(options.next().unwrap().is_err());
        assert!(options.next().is_none());
        // A lone three-byte tail (only reachable through Options::new) is an error too.
        assert!(Options::new(&[1, 8, 3]).next().unwrap().is_err());
        assert!(Options::new(&[]).next().is_none());
    }

    #[test]
    fn option_flags_bits_are_ignored_and_critical_is_reported() {
        // R bits set in the length byte (0xe1): Length is still one word.
        let bytes = [0x02, 0x40, 0x08, 0, 0, 0, 0, 0, 0xff, 0xff, 0x80, 0xe1, 1, 2, 3, 4, 0xaa];
        let h = Header::new_checked(&bytes[..]).unwrap();
        let option = h.options().next().unwrap().unwrap();
        assert!(option.is_critical());
        assert_eq!(option.data, &[1, 2, 3, 4]);
        assert_eq!(option.total_len(), 8);
        assert_eq!(h.payload(), &[0xaa]);
        assert!(Repr::parse(&h).unwrap().critical);
    }

    #[rstest]
    #[case(vec![0; 3], Error::Misaligned { layer: Layer::Geneve, field: "option data", len: 3, multiple: 4 })]
    #[case(vec![0; 128], too_wide("option data length", 128, 124))]
    fn owned_option_data_must_fit_the_length_field(#[case] data: Vec<u8>, #[case] error: Error) {
        assert_eq!(OwnedOption::new(1, 2, data), Err(error));
    }

    #[test]
    fn check_catches_fields_too_wide() {
        let ok = Repr::aws_gwlb(EtherType::IPV4, 1, 2, 3);
        assert_eq!(ok.check(), Ok(()));
        assert_eq!(Repr { version: 4, ..ok.clone() }.check(), Err(too_wide("version", 4, 3)));
        assert_eq!(
            Repr { vni: 0x100_0000, ..ok.clone() }.check(),
            Err(too_wide("VNI", 0x100_0000, 0xff_ffff))
        );
        let big = OwnedOption::new(1, 1, vec![0; MAX_OPTION_DATA_LEN]).unwrap();
        let small = OwnedOption::new(1, 1, vec![0; MAX_OPTIONS_LEN - 2 * 4 - MAX_OPTION_DATA_LEN]).unwrap();
        assert!(Repr { options: vec![big.clone(), small.clone()], ..ok.clone() }.check().is_ok());
        assert_eq!(
            Repr { options: vec![big.clone(), big], ..ok }.check(),
            Err(too_wide("options length", 256, 252))
        );
    }

    #[test]
    #[should_panic(expected = "cannot emit")]
    fn emit_refuses_an_unencodable_repr() {
        let mut repr = Repr::aws_gwlb(EtherType::IPV4, 1, 2, 3);
        repr.options[0].data.push(0);
        let mut bytes = [0u8; 64];
        repr.emit(&mut Header::new_unchecked(&mut bytes[..]));
    }

    fn random_repr(rng: &mut impl Rng) -> Repr {
        let mut options = Vec::new();
        let mut total = 0;
        for _ in 0..rng.random_range(0..8) {
            let words = rng.random_range(0..=31usize);
            if total + 4 + words * 4 > MAX_OPTIONS_LEN {
                break;
            }
            total += 4 + words * 4;
            let data = (0..words * 4).map(|_| rng.random()).collect();
            options.push(OwnedOption { class: rng.random(), option_type: rng.random(), data });
        }
        Repr {
            version: rng.random_range(0..4),
            oam: rng.random(),
            critical: rng.random(),
            protocol_type: EtherType(rng.random()),
            vni: rng.random_range(0..=0xff_ffff),
            options,
        }
    }

    #[test]
    fn emit_then_parse_round_trips_random_headers() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8926);
        for _ in 0..2_000 {
            let repr = random_repr(&mut rng);
            let bytes = emit(&repr, 3);
            let header = Header::new_checked(&bytes[..]).unwrap();
            assert_eq!(header.header_len(), repr.header_len());
            assert_eq!(header.payload().len(), 3);
            assert_eq!(header.reserved_flags(), 0);
            assert_eq!(header.reserved(), 0);
            assert_eq!(Repr::parse(&header).unwrap(), repr);
        }
    }

    #[test]
    fn parse_never_panics_on_random_input() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6081);
        let mut buf = [0u8; 300];
        for _ in 0..20_000 {
            let len = rng.random_range(0..buf.len());
            rng.fill(&mut buf[..len]);
            // Small Opt Len values now and then, so that option parsing is reached often.
            if len > 0 && rng.random() {
                buf[0] &= 0xc7;
            }
            if let Ok(h) = Header::new_checked(&buf[..len]) {
                let _ = Repr::parse(&h);
                assert!(h.header_len() <= len);
            }
        }
    }
}
