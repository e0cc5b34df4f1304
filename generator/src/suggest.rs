//! "Did you mean": the known word closest to an unknown one, for error
//! messages (a field path, a scenario, a decoder's name).

/// The candidate closest to `word`: one equal to it ignoring case, else the
/// one at the smallest edit distance, if that is at most a third of
/// `word`'s length (at least 1).
///
/// ```
/// use generator::suggest::closest;
/// let names = ["reference", "tshark", "tcpdump", "scapy"];
/// assert_eq!(closest("tshrak", names), Some("tshark"));
/// assert_eq!(closest("TSHARK", names), Some("tshark"));
/// assert_eq!(closest("wireshark-but-not", names), None);
/// ```
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    if let Some(c) = candidates.iter().find(|c| c.eq_ignore_ascii_case(word)) {
        return Some(c);
    }
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// ` (did you mean NAME?)` when a candidate is close to `word`, else nothing.
///
/// ```
/// assert_eq!(generator::suggest::did_you_mean("mixd", ["mixed", "http"]), " (did you mean mixed?)");
/// assert_eq!(generator::suggest::did_you_mean("zzz", ["mixed"]), "");
/// ```
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates).map(|c| format!(" (did you mean {c}?)")).unwrap_or_default()
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb { prev } else { 1 + prev.min(cur).min(row[j]) };
            prev = cur;
        }
    }
    row[b.len()]
}
