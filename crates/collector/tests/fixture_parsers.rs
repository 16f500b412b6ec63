//! Parser tests on captured (vm-2cpu), node_exporter (node-exporter) and hand-made
//! (server-many) procfs text, checking concrete values.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use hostpulse_collector::cpu::{CpuUsage, ProcStat, cpu_usage, parse_cpuinfo, parse_stat};
use hostpulse_collector::disk::{monitored_mounts, parse_mountinfo};
use hostpulse_collector::diskio::{disk_rates, parse_diskstats};
use hostpulse_collector::memory::{memory_samples, parse_meminfo, parse_vmstat};
use hostpulse_collector::net::{parse_net_dev, push_net_rates};
use hostpulse_collector::processes::{cpu_percent_of_core, parse_pid_stat};
use hostpulse_collector::system::{parse_loadavg, parse_uptime};
use hostpulse_collector::tcp::{parse_snmp_curr_estab, parse_sockstat_time_wait};
use hostpulse_collector::users::parse_utmp;
use std::path::PathBuf;

fn fixture(machine: &str, path: &str) -> String {
    let full: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests/fixtures", machine, path]
        .iter()
        .collect();
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn stat_pair(machine: &str) -> (ProcStat, ProcStat) {
    let (mut before, mut after) = (ProcStat::default(), ProcStat::default());
    parse_stat(&fixture(machine, "proc/stat"), &mut before).unwrap();
    parse_stat(&fixture(machine, "proc/stat.next"), &mut after).unwrap();
    (before, after)
}

#[test]
fn vm_2cpu_cpu_usage_from_two_snapshots() {
    let (before, after) = stat_pair("vm-2cpu");
    assert_eq!(after.per_cpu.len(), 2);
    assert_eq!(after.boot_time_secs, before.boot_time_secs);
    let total = cpu_usage(&before.total, &after.total).unwrap();
    let expected = CpuUsage {
        usage: 19.93,
        user: 13.29,
        system: 6.64,
        iowait: 4.32,
        steal: 0.0,
    };
    assert_eq!(total, expected);
    let cpu1 = cpu_usage(&before.per_cpu[1].1, &after.per_cpu[1].1).unwrap();
    assert_eq!(cpu1.usage, 35.33);
    assert_eq!(
        cpu_usage(&after.total, &after.total),
        None,
        "no time passed"
    );
}

#[test]
fn server_many_64th_core_usage() {
    let (before, after) = stat_pair("server-many");
    assert_eq!(after.per_cpu.len(), 96);
    let (index, times) = after.per_cpu[63];
    assert_eq!(index, 63);
    let usage = cpu_usage(&before.per_cpu[63].1, &times).unwrap();
    let expected = CpuUsage {
        usage: 50.0,
        user: 35.0,
        system: 12.0,
        iowait: 10.0,
        steal: 3.0,
    };
    assert_eq!(usage, expected);
    assert_eq!(
        (after.procs_running, after.procs_blocked),
        (Some(5), Some(0))
    );
    assert_eq!(after.boot_time_secs, Some(1_717_171_717));
}

#[test]
fn cpuinfo_counts_cores_and_frequency() {
    let server = parse_cpuinfo(&fixture("server-many", "proc/cpuinfo"));
    assert_eq!(
        (server.logical, server.physical_cores, server.mean_mhz),
        (96, Some(48), Some(3050.0))
    );
    let vm = parse_cpuinfo(&fixture("vm-2cpu", "proc/cpuinfo"));
    assert_eq!((vm.logical, vm.physical_cores), (2, Some(2)));
    assert_eq!(vm.mean_mhz, Some(2445.4));
    let arm =
        parse_cpuinfo("processor\t: 0\nBogoMIPS\t: 48.00\n\nprocessor\t: 1\nBogoMIPS\t: 48.00\n");
    assert_eq!(
        (arm.logical, arm.physical_cores, arm.mean_mhz),
        (2, None, None)
    );
}

#[test]
fn meminfo_and_vmstat_values() {
    let vm = parse_meminfo(&fixture("vm-2cpu", "proc/meminfo")).unwrap();
    assert_eq!(vm.total, 24_683_656 * 1024);
    assert_eq!(vm.swap_total, 0);
    let server = parse_meminfo(&fixture("server-many", "proc/meminfo")).unwrap();
    let mut samples = Vec::new();
    memory_samples(&server, &mut samples);
    let value = |name: &str| samples.iter().find(|s| s.name == name).unwrap().value;
    assert_eq!(value("mem.total_bytes"), 394_899_560.0 * 1024.0);
    assert_eq!(value("mem.used_bytes"), 95_912_636_416.0);
    assert_eq!(value("mem.used_percent"), 23.72);
    assert_eq!(value("swap.used_bytes"), 1_073_741_824.0);
    assert_eq!(value("swap.used_percent"), 12.5);
    let old_kernel =
        parse_meminfo("MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 5 kB\nCached: 20 kB\n").unwrap();
    assert_eq!(
        old_kernel.available,
        35 * 1024,
        "estimated without MemAvailable"
    );
    let before = parse_vmstat(&fixture("server-many", "proc/vmstat")).unwrap();
    let after = parse_vmstat(&fixture("server-many", "proc/vmstat.next")).unwrap();
    assert_eq!(
        (
            after.pages_in - before.pages_in,
            after.pages_out - before.pages_out
        ),
        (250, 1200)
    );
    assert!(parse_meminfo("MemFree: 1 kB\n").is_err());
}

#[test]
fn vm_2cpu_disk_rates_of_vda() {
    let before = parse_diskstats(&fixture("vm-2cpu", "proc/diskstats")).unwrap();
    let after = parse_diskstats(&fixture("vm-2cpu", "proc/diskstats.next")).unwrap();
    let names: Vec<&str> = after.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["vda"], "loop and zram devices are skipped");
    let rates = disk_rates(&before[0].1, &after[0].1, 2.0).unwrap();
    assert_eq!(rates.read_bytes_per_sec, 135_496.0 * 512.0 / 2.0);
    assert_eq!(rates.write_bytes_per_sec, 103_848.0 * 512.0 / 2.0);
    assert_eq!(
        (rates.read_ops_per_sec, rates.write_ops_per_sec),
        (829.0, 77.5)
    );
    assert_eq!(rates.busy_percent, 10.6);
}

#[test]
fn server_many_disks_keep_partitions_dm_and_md() {
    let before = parse_diskstats(&fixture("server-many", "proc/diskstats")).unwrap();
    let after = parse_diskstats(&fixture("server-many", "proc/diskstats.next")).unwrap();
    let names: Vec<&str> = after.iter().map(|(n, _)| n.as_str()).collect();
    let expected = [
        "nvme0n1",
        "nvme0n1p1",
        "nvme0n1p2",
        "nvme1n1",
        "sda",
        "sda1",
        "sdb",
        "sdb1",
        "md0",
        "dm-0",
        "dm-1",
    ];
    assert_eq!(names, expected);
    let rates = disk_rates(&before[0].1, &after[0].1, 1.0).unwrap();
    assert_eq!(
        (rates.read_bytes_per_sec, rates.write_bytes_per_sec),
        (1_048_576.0, 5_242_880.0)
    );
    assert_eq!(
        (
            rates.read_ops_per_sec,
            rates.write_ops_per_sec,
            rates.busy_percent
        ),
        (1000.0, 500.0, 25.0)
    );
}

#[test]
fn diskstats_of_old_and_new_kernels_parse() {
    let disks = parse_diskstats(&fixture("node-exporter", "proc/diskstats")).unwrap();
    assert_eq!(disks.len(), 25);
    let get = |name: &str| disks.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(get("sda").sectors_read, 1_003_346_126, "11-counter line");
    assert_eq!(get("sdb").io_ticks_ms, 60_730, "15-counter line");
    assert_eq!(get("sdc").writes, 11_822, "17-counter line");
    assert!(
        disks
            .iter()
            .all(|(n, _)| !n.starts_with("ram") && n != "fd0" && n != "sr0")
    );
}

#[test]
fn disk_counter_reset_gives_no_rate_but_32_bit_wrap_does() {
    let before = parse_diskstats(" 8 0 sda 4294967000 0 100 0 10 0 100 0 0 1000 0\n").unwrap();
    let wrapped = parse_diskstats(" 8 0 sda 704 0 300 0 10 0 100 0 0 2000 0\n").unwrap();
    let rates = disk_rates(&before[0].1, &wrapped[0].1, 1.0).unwrap();
    assert_eq!(rates.read_ops_per_sec, 1000.0);
    let big = parse_diskstats(" 8 0 sda 9999999999 0 100 0 10 0 100 0 0 1000 0\n").unwrap();
    assert!(
        disk_rates(&big[0].1, &wrapped[0].1, 1.0).is_none(),
        "reset after a 64-bit value"
    );
}

#[test]
fn net_dev_rates_of_bond0_and_odd_names() {
    let before = parse_net_dev(&fixture("server-many", "proc/net/dev")).unwrap();
    let after = parse_net_dev(&fixture("server-many", "proc/net/dev.next")).unwrap();
    assert_eq!(after.len(), 9, "lo is skipped");
    let bond = |v: &[(String, _)]| {
        v.iter()
            .find(|(n, _)| n == "bond0")
            .map(|(_, c)| *c)
            .unwrap()
    };
    let mut samples = Vec::new();
    push_net_rates("bond0", &bond(&before), &bond(&after), 1.0, &mut samples);
    let value = |name: &str| samples.iter().find(|s| s.name == name).unwrap().value;
    assert_eq!(value("net.rx_bytes_per_sec"), 125_000_000.0);
    assert_eq!(value("net.tx_packets_per_sec"), 40_000.0);
    assert_eq!(
        (
            value("net.rx_errors_per_sec"),
            value("net.rx_drops_per_sec")
        ),
        (3.0, 7.0)
    );
    assert_eq!(value("net.tx_drops_per_sec"), 0.0);
    assert!(samples.iter().all(|s| s.labels["iface"] == "bond0"));
    assert!(after.iter().any(|(n, _)| n == "bond0.100"));
    let odd = parse_net_dev(&fixture("node-exporter", "proc/net/dev")).unwrap();
    let eth0 = odd.iter().find(|(n, _)| n == "eth0").unwrap().1;
    assert_eq!(eth0.rx_bytes, 68_210_035_552, "counter touching the colon");
    assert!(
        odd.iter().any(|(n, _)| n == "ibr10:30"),
        "name with a colon"
    );
}

#[test]
fn vm_2cpu_eth0_traffic_delta() {
    let before = parse_net_dev(&fixture("vm-2cpu", "proc/net/dev")).unwrap();
    let after = parse_net_dev(&fixture("vm-2cpu", "proc/net/dev.next")).unwrap();
    let eth0 = |v: &[(String, hostpulse_collector::net::NetCounters)]| {
        v.iter().find(|(n, _)| n == "eth0").unwrap().1
    };
    let mut samples = Vec::new();
    push_net_rates("eth0", &eth0(&before), &eth0(&after), 2.0, &mut samples);
    assert_eq!(samples[0].name, "net.rx_bytes_per_sec");
    assert_eq!(samples[0].value, 384_470.0 / 2.0);
}

#[test]
fn server_many_monitored_mounts() {
    let mounts = monitored_mounts(parse_mountinfo(&fixture("server-many", "proc/1/mountinfo")));
    let points: Vec<&str> = mounts.iter().map(|m| m.mount_point.as_str()).collect();
    let expected = [
        "/",
        "/boot/efi",
        "/boot",
        "/srv/raid",
        "/var/lib/docker",
        "/mnt/media library",
        "/data",
    ];
    assert_eq!(
        points, expected,
        "no pseudo, network, snap or overlay mounts; /data over-mounted"
    );
    let data = mounts.last().unwrap();
    assert_eq!(
        (data.device.as_str(), data.fstype.as_str()),
        ("/dev/nvme1n1", "ext4")
    );
    let vm = monitored_mounts(parse_mountinfo(&fixture("vm-2cpu", "proc/1/mountinfo")));
    assert_eq!(vm.len(), 1);
    assert_eq!(
        (vm[0].mount_point.as_str(), vm[0].device.as_str()),
        ("/", "/dev/vda")
    );
}

#[test]
fn load_uptime_and_tcp_fallback_values() {
    let load = parse_loadavg(&fixture("server-many", "proc/loadavg")).unwrap();
    assert_eq!((load.one, load.five, load.fifteen), (23.41, 19.87, 17.02));
    assert_eq!(
        parse_uptime(&fixture("server-many", "proc/uptime")).unwrap(),
        8_812_345.67
    );
    assert!(parse_loadavg("0.1 0.2").is_err());
    assert_eq!(
        parse_snmp_curr_estab(&fixture("server-many", "proc/net/snmp")),
        Some(3987)
    );
    assert_eq!(
        parse_sockstat_time_wait(&fixture("server-many", "proc/net/sockstat")),
        Some(9876)
    );
    assert_eq!(
        parse_snmp_curr_estab(&fixture("vm-2cpu", "proc/net/snmp")),
        Some(2)
    );
    assert_eq!(
        parse_sockstat_time_wait(&fixture("vm-2cpu", "proc/net/sockstat")),
        Some(2)
    );
}

#[test]
fn pid_stat_with_parentheses_in_the_name() {
    let before = fixture("server-many", "proc/31337/stat");
    let after = fixture("server-many", "proc/31337/stat.next");
    let (a, b) = (
        parse_pid_stat(&before).unwrap(),
        parse_pid_stat(&after).unwrap(),
    );
    assert_eq!(a.comm, "tmux: server (1)");
    assert_eq!(
        (a.cpu_ticks, a.start_ticks, a.rss_pages),
        (51_109, 512_345, 2048)
    );
    assert_eq!(
        cpu_percent_of_core(b.cpu_ticks - a.cpu_ticks, 100.0, 15.0),
        30.0
    );
    let init_text = fixture("vm-2cpu", "proc/1/stat");
    let init = parse_pid_stat(&init_text).unwrap();
    assert_eq!(
        (init.comm, init.cpu_ticks, init.start_ticks, init.rss_pages),
        ("process_api", 101, 14, 2319)
    );
    assert!(parse_pid_stat("12 (cut").is_none());
}

#[test]
fn utmp_user_sessions() {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests/fixtures/server-many/var/run/utmp",
    ]
    .iter()
    .collect();
    let data = std::fs::read(path).unwrap();
    assert_eq!(data.len(), 5 * 384);
    let sessions = parse_utmp(&data);
    assert_eq!(sessions.len(), 2, "only USER_PROCESS records");
    assert_eq!(
        (sessions[0].user.as_str(), sessions[0].tty.as_str()),
        ("alice", "pts/0")
    );
    assert_eq!(
        (sessions[0].from.as_str(), sessions[0].login_time_ms),
        ("203.0.113.7", 1_717_600_000_250)
    );
    assert_eq!(
        (sessions[1].user.as_str(), sessions[1].from.as_str()),
        ("bob", "")
    );
    assert_eq!(sessions[1].login_time_ms, 1_717_600_123_999);
    assert_eq!(
        parse_utmp(&data[..384 * 3 + 100]).len(),
        1,
        "partial record ignored"
    );
}
