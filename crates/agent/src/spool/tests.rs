//! Spool behaviour on a real temporary directory.

use super::*;

fn body(n: usize) -> Vec<u8> {
    vec![b'x'; n]
}

fn drain(spool: &mut Spool) -> Vec<(u64, Vec<u8>)> {
    let mut out = Vec::new();
    while let Some(item) = spool.read_oldest() {
        out.push(item.unwrap());
        spool.remove_oldest().unwrap();
    }
    out
}

#[test]
fn replays_in_seq_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut spool = Spool::open(dir.path(), 1 << 20).unwrap();
    for seq in [10, 11, 12] {
        spool.push(seq, format!("batch {seq}").as_bytes()).unwrap();
    }
    assert_eq!(spool.len(), 3);
    let got = drain(&mut spool);
    let seqs: Vec<u64> = got.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, vec![10, 11, 12]);
    assert_eq!(got[1].1, b"batch 11");
    assert!(spool.is_empty());
    assert_eq!(spool.total_bytes(), 0);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn evicts_oldest_when_full() {
    let dir = tempfile::tempdir().unwrap();
    let mut spool = Spool::open(dir.path(), 250).unwrap();
    for seq in 1..=2 {
        assert_eq!(spool.push(seq, &body(100)).unwrap().count, 0);
    }
    let eviction = spool.push(3, &body(100)).unwrap();
    assert_eq!(
        eviction,
        Eviction {
            count: 1,
            first_seq: 1,
            last_seq: 1
        }
    );
    let eviction = spool.push(4, &body(200)).unwrap();
    assert_eq!(
        (eviction.count, eviction.first_seq, eviction.last_seq),
        (2, 2, 3)
    );
    assert_eq!(spool.evicted_total(), 3);
    assert_eq!(spool.total_bytes(), 200);
    let seqs: Vec<u64> = drain(&mut spool).into_iter().map(|(s, _)| s).collect();
    assert_eq!(seqs, vec![4]);
}

#[test]
fn batch_larger_than_cap_is_dropped_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut spool = Spool::open(dir.path(), 100).unwrap();
    spool.push(1, &body(50)).unwrap();
    let eviction = spool.push(2, &body(101)).unwrap();
    assert_eq!((eviction.count, eviction.first_seq), (1, 2));
    assert_eq!(spool.oldest_seq(), Some(1));
    assert_eq!(spool.len(), 1);
}

#[test]
fn survives_restart_and_cleans_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut spool = Spool::open(dir.path(), 1 << 20).unwrap();
        spool.push(7, b"seven").unwrap();
        spool.push(8, b"eight").unwrap();
    }
    fs::write(dir.path().join("00000000000000000009.batch.tmp"), b"half").unwrap();
    fs::write(dir.path().join("seq"), b"123").unwrap();
    let mut spool = Spool::open(dir.path(), 1 << 20).unwrap();
    assert_eq!(spool.len(), 2);
    assert_eq!(spool.total_bytes(), 10);
    assert!(!dir.path().join("00000000000000000009.batch.tmp").exists());
    assert!(
        dir.path().join("seq").exists(),
        "foreign files are left alone"
    );
    spool.push(9, b"nine").unwrap();
    let got = drain(&mut spool);
    assert_eq!(
        got,
        vec![
            (7, b"seven".to_vec()),
            (8, b"eight".to_vec()),
            (9, b"nine".to_vec())
        ]
    );
}

#[test]
fn orders_numerically_across_digit_counts() {
    let dir = tempfile::tempdir().unwrap();
    let mut spool = Spool::open(dir.path(), 1 << 20).unwrap();
    spool.push(9, b"a").unwrap();
    spool.push(10, b"b").unwrap();
    spool.push(1_700_000_000_000_000, b"c").unwrap();
    drop(spool);
    let mut spool = Spool::open(dir.path(), 1 << 20).unwrap();
    let seqs: Vec<u64> = drain(&mut spool).into_iter().map(|(s, _)| s).collect();
    assert_eq!(seqs, vec![9, 10, 1_700_000_000_000_000]);
}

#[test]
fn the_directory_is_private_and_so_are_the_batches() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("spool");
    let mut spool = Spool::open(&dir, 1 << 20).unwrap();
    spool.push(1, b"batch").unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join(format!("{:020}.batch", 1))), 0o600);
}
