//! `NPOpenEnum` / `NPEnumResource` / `NPCloseEnum` without the FFI: the enumeration state, the
//! handle table, and the byte layout of the `NETRESOURCEW` array written into the caller's buffer.
//!
//! Layout (what mpr expects): the structures are packed from the start of the buffer, their
//! strings from the end downwards (UTF-16, NUL-terminated, 2-byte aligned); every pointer points
//! into the same buffer. `NETRESOURCEW` is four `DWORD`s followed by four pointers
//! (`lpLocalName`, `lpRemoteName`, `lpComment`, `lpProvider`): 48 bytes on x64.

use std::collections::BTreeMap;
use std::mem::size_of;

/// `RESOURCE_CONNECTED`.
pub const RESOURCE_CONNECTED: u32 = 1;
/// `RESOURCETYPE_ANY`.
pub const RESOURCETYPE_ANY: u32 = 0;
/// `RESOURCETYPE_DISK`.
pub const RESOURCETYPE_DISK: u32 = 1;
/// `RESOURCEDISPLAYTYPE_SHARE`.
pub const RESOURCEDISPLAYTYPE_SHARE: u32 = 3;
/// `RESOURCEUSAGE_CONNECTABLE`.
pub const RESOURCEUSAGE_CONNECTABLE: u32 = 1;
/// `lpcCount` value meaning "as many as fit".
pub const COUNT_ALL: u32 = u32::MAX;

const PTR: usize = size_of::<usize>();
/// Size of `NETRESOURCEW` on this target.
pub const NETRESOURCEW_SIZE: usize = 4 * 4 + 4 * PTR;
/// Byte offsets of the four pointer fields.
pub const OFFSET_LOCAL_NAME: usize = 16;
pub const OFFSET_REMOTE_NAME: usize = 16 + PTR;
pub const OFFSET_COMMENT: usize = 16 + 2 * PTR;
pub const OFFSET_PROVIDER: usize = 16 + 3 * PTR;

/// One connected drive to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumEntry {
    /// `"M:"`.
    pub local: String,
    /// `\\server\share[\sub]`.
    pub remote: String,
}

/// Result of one `NPEnumResource` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `WN_SUCCESS`: `count` entries; `image` is the new content of the whole caller buffer.
    Filled { image: Vec<u8>, count: u32 },
    /// `WN_NO_MORE_ENTRIES`.
    NoMore,
    /// `WN_MORE_DATA`: not even the next entry fits; `needed` bytes would.
    MoreData { needed: usize },
}

/// A `RESOURCE_CONNECTED` snapshot being enumerated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumState {
    entries: Vec<EnumEntry>,
    next: usize,
    provider: String,
}

impl EnumState {
    pub fn new(entries: Vec<EnumEntry>, provider: &str) -> Self {
        Self {
            entries,
            next: 0,
            provider: provider.to_owned(),
        }
    }

    /// Fills a caller buffer at address `base` of `buf_len` bytes with up to `requested`
    /// entries ([`COUNT_ALL`] = as many as fit) and advances past them.
    pub fn step(&mut self, requested: u32, base: usize, buf_len: usize) -> Step {
        let rest = self.entries.get(self.next..).unwrap_or(&[]);
        if rest.is_empty() {
            return Step::NoMore;
        }
        let max = if requested == COUNT_ALL {
            usize::MAX
        } else {
            usize::try_from(requested).unwrap_or(usize::MAX)
        };
        match pack(rest, max, base, buf_len, &self.provider) {
            Packed::TooSmall { needed } => Step::MoreData { needed },
            Packed::Entries { image, count } => {
                self.next = self.next.saturating_add(count);
                Step::Filled {
                    image,
                    count: u32::try_from(count).unwrap_or(u32::MAX),
                }
            }
        }
    }
}

/// Result of [`pack`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packed {
    /// `count` entries laid out in `image` (`buf_len` bytes; `count` may be 0 if `max` was 0).
    Entries { image: Vec<u8>, count: usize },
    /// The first entry needs `needed` bytes.
    TooSmall { needed: usize },
}

fn wide_z(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// Bytes one entry takes (structure and its three strings).
pub fn entry_size(entry: &EnumEntry, provider: &str) -> usize {
    let chars = |s: &str| s.encode_utf16().count() + 1;
    NETRESOURCEW_SIZE + 2 * (chars(&entry.local) + chars(&entry.remote) + chars(provider))
}

/// Lays out up to `max` of `entries` for a buffer at address `base` of `buf_len` bytes.
pub fn pack(
    entries: &[EnumEntry],
    max: usize,
    base: usize,
    buf_len: usize,
    provider: &str,
) -> Packed {
    let mut image = vec![0u8; buf_len];
    // Strings end at the last 2-byte-aligned address inside the buffer.
    let misaligned_end = base.wrapping_add(buf_len) % 2;
    let mut str_low = buf_len.saturating_sub(misaligned_end);
    let mut count = 0usize;
    for entry in entries.iter().take(max) {
        let strings = [
            wide_z(&entry.local),
            wide_z(&entry.remote),
            wide_z(provider),
        ];
        let str_bytes: usize = strings.iter().map(|w| 2 * w.len()).sum();
        let struct_start = count * NETRESOURCEW_SIZE;
        let struct_end = struct_start + NETRESOURCEW_SIZE;
        if struct_end.saturating_add(str_bytes) > str_low {
            if count == 0 {
                return Packed::TooSmall {
                    needed: NETRESOURCEW_SIZE + str_bytes,
                };
            }
            break;
        }
        let mut ptrs = [0usize; 3];
        for (ptr, w) in ptrs.iter_mut().zip(&strings) {
            str_low -= 2 * w.len();
            put_units(&mut image, str_low, w);
            *ptr = base.wrapping_add(str_low);
        }
        let [local, remote, prov] = ptrs;
        let header = [
            RESOURCE_CONNECTED,
            RESOURCETYPE_DISK,
            RESOURCEDISPLAYTYPE_SHARE,
            RESOURCEUSAGE_CONNECTABLE,
        ];
        for (i, v) in header.iter().enumerate() {
            put(&mut image, struct_start + 4 * i, &v.to_le_bytes());
        }
        put(
            &mut image,
            struct_start + OFFSET_LOCAL_NAME,
            &local.to_le_bytes(),
        );
        put(
            &mut image,
            struct_start + OFFSET_REMOTE_NAME,
            &remote.to_le_bytes(),
        );
        put(
            &mut image,
            struct_start + OFFSET_COMMENT,
            &0usize.to_le_bytes(),
        );
        put(
            &mut image,
            struct_start + OFFSET_PROVIDER,
            &prov.to_le_bytes(),
        );
        count += 1;
    }
    Packed::Entries { image, count }
}

fn put(image: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(dst) = image.get_mut(at..at.saturating_add(bytes.len())) {
        dst.copy_from_slice(bytes);
    }
}

fn put_units(image: &mut [u8], at: usize, units: &[u16]) {
    for (i, u) in units.iter().enumerate() {
        put(image, at + 2 * i, &u.to_le_bytes());
    }
}

/// Open enumerations of one process, keyed by the non-zero value handed out as the `HANDLE`.
/// Unknown handles are detected instead of dereferenced.
#[derive(Debug, Default)]
pub struct HandleTable<T> {
    last: usize,
    items: BTreeMap<usize, T>,
}

impl<T> HandleTable<T> {
    pub const fn new() -> Self {
        Self {
            last: 0,
            items: BTreeMap::new(),
        }
    }

    /// Stores `item` and returns its handle (never 0).
    pub fn insert(&mut self, item: T) -> usize {
        loop {
            self.last = self.last.wrapping_add(1);
            if self.last != 0 && !self.items.contains_key(&self.last) {
                self.items.insert(self.last, item);
                return self.last;
            }
        }
    }

    pub fn get_mut(&mut self, handle: usize) -> Option<&mut T> {
        self.items.get_mut(&handle)
    }

    pub fn remove(&mut self, handle: usize) -> Option<T> {
        self.items.remove(&handle)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVIDER: &str = "Microsoft Windows Network";
    const BASE: usize = 0x10_0000;

    fn entries() -> Vec<EnumEntry> {
        vec![
            EnumEntry {
                local: "M:".into(),
                remote: r"\\fileserver\public".into(),
            },
            EnumEntry {
                local: "N:".into(),
                remote: r"\\nas\media\sub".into(),
            },
        ]
    }

    fn read_u32(image: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([image[at], image[at + 1], image[at + 2], image[at + 3]])
    }

    fn read_ptr(image: &[u8], at: usize) -> usize {
        let mut b = [0u8; PTR];
        b.copy_from_slice(&image[at..at + PTR]);
        usize::from_le_bytes(b)
    }

    /// Reads the string a pointer designates, checking it lies inside the buffer and is aligned.
    fn read_str(image: &[u8], base: usize, ptr: usize) -> String {
        assert!(
            ptr >= base && ptr < base + image.len(),
            "pointer outside buffer"
        );
        assert_eq!(ptr % 2, 0, "string not u16-aligned");
        let mut at = ptr - base;
        let mut units = Vec::new();
        loop {
            let u = u16::from_le_bytes([image[at], image[at + 1]]);
            if u == 0 {
                break;
            }
            units.push(u);
            at += 2;
        }
        String::from_utf16_lossy(&units)
    }

    /// One decoded `NETRESOURCEW`.
    #[derive(Debug, PartialEq, Eq)]
    struct Decoded {
        header: [u32; 4],
        local: String,
        remote: String,
        comment: usize,
        provider: String,
    }

    fn decode(image: &[u8], base: usize, count: usize) -> Vec<Decoded> {
        (0..count)
            .map(|i| {
                let s = i * NETRESOURCEW_SIZE;
                Decoded {
                    header: [0, 4, 8, 12].map(|o| read_u32(image, s + o)),
                    local: read_str(image, base, read_ptr(image, s + OFFSET_LOCAL_NAME)),
                    remote: read_str(image, base, read_ptr(image, s + OFFSET_REMOTE_NAME)),
                    comment: read_ptr(image, s + OFFSET_COMMENT),
                    provider: read_str(image, base, read_ptr(image, s + OFFSET_PROVIDER)),
                }
            })
            .collect()
    }

    #[test]
    fn struct_size_matches_target() {
        assert_eq!(NETRESOURCEW_SIZE, if PTR == 8 { 48 } else { 32 });
    }

    #[test]
    fn packs_all_entries_with_strings_at_the_end() {
        let mut st = EnumState::new(entries(), PROVIDER);
        let Step::Filled { image, count } = st.step(COUNT_ALL, BASE, 16384) else {
            panic!("expected entries");
        };
        assert_eq!(count, 2);
        assert_eq!(image.len(), 16384);
        let d = decode(&image, BASE, 2);
        assert_eq!(
            d[0],
            Decoded {
                header: [1, 1, 3, 1],
                local: "M:".into(),
                remote: r"\\fileserver\public".into(),
                comment: 0,
                provider: PROVIDER.into(),
            }
        );
        assert_eq!(d[1].local, "N:");
        assert_eq!(d[1].remote, r"\\nas\media\sub");
        // Last string ends exactly at the end of the buffer.
        assert_eq!(&image[16382..], &[0, 0]);
        assert_eq!(st.step(COUNT_ALL, BASE, 16384), Step::NoMore);
    }

    #[test]
    fn respects_requested_count() {
        let mut st = EnumState::new(entries(), PROVIDER);
        let Step::Filled { image, count: 1 } = st.step(1, BASE, 4096) else {
            panic!("expected one entry");
        };
        assert_eq!(decode(&image, BASE, 1)[0].local, "M:");
        let Step::Filled { image, count: 1 } = st.step(1, BASE, 4096) else {
            panic!("expected one entry");
        };
        assert_eq!(decode(&image, BASE, 1)[0].local, "N:");
        assert_eq!(st.step(1, BASE, 4096), Step::NoMore);
    }

    #[test]
    fn zero_count_returns_nothing_and_does_not_advance() {
        let mut st = EnumState::new(entries(), PROVIDER);
        assert!(matches!(
            st.step(0, BASE, 4096),
            Step::Filled { count: 0, .. }
        ));
        assert!(matches!(
            st.step(COUNT_ALL, BASE, 4096),
            Step::Filled { count: 2, .. }
        ));
    }

    #[test]
    fn too_small_reports_needed_and_exact_size_fits() {
        let e = entries();
        let first = entry_size(&e[0], PROVIDER);
        assert_eq!(first, NETRESOURCEW_SIZE + 2 * (3 + 20 + 26));
        let mut st = EnumState::new(e.clone(), PROVIDER);
        assert_eq!(
            st.step(COUNT_ALL, BASE, first - 1),
            Step::MoreData { needed: first }
        );
        assert_eq!(
            st.step(COUNT_ALL, BASE, 10),
            Step::MoreData { needed: first }
        );
        // Exactly enough for the first: one entry, then the second on the next call.
        let Step::Filled { image, count: 1 } = st.step(COUNT_ALL, BASE, first) else {
            panic!("expected one entry");
        };
        assert_eq!(decode(&image, BASE, 1)[0].remote, r"\\fileserver\public");
        assert!(matches!(
            st.step(COUNT_ALL, BASE, 4096),
            Step::Filled { count: 1, .. }
        ));
    }

    #[test]
    fn odd_buffer_end_keeps_strings_aligned() {
        let e = entries();
        let both = entry_size(&e[0], PROVIDER) + entry_size(&e[1], PROVIDER);
        let Packed::Entries { image, count } = pack(&e, usize::MAX, BASE, both + 1, PROVIDER)
        else {
            panic!("should fit");
        };
        assert_eq!(count, 2);
        let d = decode(&image, BASE, 2);
        assert_eq!((d[0].local.as_str(), d[1].local.as_str()), ("M:", "N:"));
        // Odd end minus one byte short of both: only one fits.
        let Packed::Entries { count, .. } = pack(&e, usize::MAX, BASE, both - 1, PROVIDER) else {
            panic!("one should fit");
        };
        assert_eq!(count, 1);
    }

    #[test]
    fn empty_snapshot_is_no_more() {
        let mut st = EnumState::new(Vec::new(), PROVIDER);
        assert_eq!(st.step(COUNT_ALL, BASE, 16384), Step::NoMore);
    }

    #[test]
    fn handle_table() {
        let mut t = HandleTable::new();
        let a = t.insert("a");
        let b = t.insert("b");
        assert!(a != 0 && b != 0 && a != b);
        assert_eq!(t.get_mut(a).map(|s| *s), Some("a"));
        assert_eq!(t.remove(a), Some("a"));
        assert_eq!(t.remove(a), None);
        assert_eq!(t.get_mut(12345), None);
        assert_eq!(t.len(), 1);
        assert!(!t.is_empty());
    }
}
