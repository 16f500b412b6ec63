//! Bytes on disk per stored sample: sizes of the database files (before and after a
//! WAL truncation) and the chunk data per resolution, read from a stopped hub's database.

use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Chunk rows of one resolution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TierUsage {
    /// 0 raw, 1 one-minute rollups, 2 one-hour rollups.
    pub resolution: i64,
    /// Chunk rows of this resolution.
    pub chunks: u64,
    /// Points held (samples for raw, buckets for rollups).
    pub points: u64,
    /// Sum of the encoded chunk blobs, bytes.
    pub data_bytes: u64,
}

/// Space used by a hub database.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DiskReport {
    /// Database + WAL + shared-memory files as the hub left them, bytes.
    pub files_bytes: u64,
    /// The same after `PRAGMA wal_checkpoint(TRUNCATE)`, bytes.
    pub files_bytes_truncated: u64,
    /// Pages in use (page count minus free pages) times the page size, bytes.
    pub used_page_bytes: u64,
    /// Pages on SQLite's free list times the page size, bytes (reusable, not returned).
    pub free_page_bytes: u64,
    /// Series rows in the database.
    pub series: u64,
    /// Rows left in the ingest log (0 after a clean shutdown).
    pub ingest_log_rows: u64,
    /// Chunk rows, points and bytes per resolution.
    pub tiers: Vec<TierUsage>,
    /// Bytes per table and index, when SQLite's `dbstat` is available.
    pub tables: Vec<(String, u64)>,
}

impl DiskReport {
    /// Raw samples stored in chunks.
    pub fn raw_samples(&self) -> u64 {
        self.tiers
            .iter()
            .find(|t| t.resolution == 0)
            .map_or(0, |t| t.points)
    }

    /// Per raw sample: (files, files after truncation, used pages, raw chunk data).
    pub fn bytes_per_sample(&self) -> [f64; 4] {
        let samples = self.raw_samples().max(1) as f64;
        let raw_data = self
            .tiers
            .iter()
            .find(|t| t.resolution == 0)
            .map_or(0, |t| t.data_bytes);
        [
            self.files_bytes as f64 / samples,
            self.files_bytes_truncated as f64 / samples,
            self.used_page_bytes as f64 / samples,
            raw_data as f64 / samples,
        ]
    }
}

fn files_bytes(db: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            std::fs::metadata(PathBuf::from(name)).map_or(0, |m| m.len())
        })
        .sum()
}

fn count(connection: &Connection, sql: &str) -> rusqlite::Result<u64> {
    connection.query_row(sql, [], |row| row.get::<_, i64>(0).map(|v| v.max(0) as u64))
}

/// Measures the database at `db`. The hub must be stopped: this truncates the WAL.
pub fn measure(db: &Path) -> rusqlite::Result<DiskReport> {
    let files_before = files_bytes(db);
    let connection = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    let page_size = count(&connection, "PRAGMA page_size")?;
    let pages = count(&connection, "PRAGMA page_count")?;
    let free_pages = count(&connection, "PRAGMA freelist_count")?;
    let mut report = DiskReport {
        files_bytes: files_before,
        used_page_bytes: (pages - free_pages.min(pages)) * page_size,
        free_page_bytes: free_pages * page_size,
        series: count(&connection, "SELECT COUNT(*) FROM series")?,
        ingest_log_rows: count(&connection, "SELECT COUNT(*) FROM ingest_log")?,
        tiers: tiers(&connection)?,
        tables: tables(&connection).unwrap_or_default(),
        ..DiskReport::default()
    };
    drop(connection);
    report.files_bytes_truncated = files_bytes(db);
    Ok(report)
}

fn tiers(connection: &Connection) -> rusqlite::Result<Vec<TierUsage>> {
    let mut statement = connection.prepare(
        "SELECT resolution, COUNT(*), COALESCE(SUM(count), 0), COALESCE(SUM(LENGTH(data)), 0)
         FROM chunks GROUP BY resolution ORDER BY resolution",
    )?;
    let rows = statement.query_map([], |row| {
        Ok(TierUsage {
            resolution: row.get(0)?,
            chunks: row.get::<_, i64>(1)? as u64,
            points: row.get::<_, i64>(2)? as u64,
            data_bytes: row.get::<_, i64>(3)? as u64,
        })
    })?;
    rows.collect()
}

fn tables(connection: &Connection) -> rusqlite::Result<Vec<(String, u64)>> {
    let mut statement = connection
        .prepare("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY SUM(pgsize) DESC")?;
    let rows = statement.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64))
    })?;
    rows.collect()
}

/// Sizes of every file under `dir`, split into (all files, files inside a `chunks` or
/// `chunks_head` directory).
fn dir_sizes(dir: &Path, in_chunks: bool) -> std::io::Result<(u64, u64)> {
    let (mut all, mut chunks) = (0, 0);
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_dir() {
            let name = entry.file_name();
            let inner = in_chunks || name == "chunks" || name == "chunks_head";
            let (a, c) = dir_sizes(&entry.path(), inner)?;
            all += a;
            chunks += c;
        } else {
            all += meta.len();
            if in_chunks {
                chunks += meta.len();
            }
        }
    }
    Ok((all, chunks))
}

/// Measures a stopped Prometheus data directory holding `samples` samples: all files,
/// and the chunk files (blocks and head chunks, without the WAL) as the raw data.
pub fn measure_prometheus(dir: &Path, samples: u64) -> std::io::Result<DiskReport> {
    let (all, chunks) = dir_sizes(dir, false)?;
    Ok(DiskReport {
        files_bytes: all,
        files_bytes_truncated: all,
        used_page_bytes: all,
        tiers: vec![TierUsage {
            resolution: 0,
            chunks: 0,
            points: samples,
            data_bytes: chunks,
        }],
        ..DiskReport::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_dirs_count_chunk_files_as_data() {
        let dir = tempfile::tempdir().unwrap();
        let block = dir.path().join("01BLOCK").join("chunks");
        std::fs::create_dir_all(&block).unwrap();
        std::fs::create_dir_all(dir.path().join("wal")).unwrap();
        std::fs::write(block.join("000001"), vec![0u8; 300]).unwrap();
        std::fs::write(dir.path().join("01BLOCK").join("index"), vec![0u8; 50]).unwrap();
        std::fs::write(dir.path().join("wal").join("00000000"), vec![0u8; 650]).unwrap();
        let report = measure_prometheus(dir.path(), 100).unwrap();
        assert_eq!(report.files_bytes, 1000);
        assert_eq!(report.bytes_per_sample(), [10.0, 10.0, 10.0, 3.0]);
    }
}
