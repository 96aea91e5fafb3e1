//! What the OS says about this process, for `archsim bench`: peak memory
//! and CPU time.
//!
//! Linux reports the peak resident set size as `VmHWM` in
//! `/proc/self/status`, and lets a process reset it by writing `5` to
//! `/proc/self/clear_refs`, so each benchmark can be measured on its own.
//! CPU time (user + system) is in `/proc/self/stat`; compared with the wall
//! time it shows whether other programs took the CPU during a run. Elsewhere
//! these answer `None` and the table says "n/a".

use std::time::Duration;

/// Clock ticks per second of `/proc/<pid>/stat` times (`USER_HZ`), 100 on
/// every mainstream Linux architecture.
const TICKS_PER_SEC: u64 = 100;

/// Peak resident memory so far, in bytes, where the OS reports it.
pub fn peak_resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_hwm(&status)
}

/// Starts a new peak measurement; `false` when the OS does not allow it
/// (the next figure is then the peak since the process started).
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// CPU time this process has used so far (all threads, user + system).
pub fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    parse_cpu_ticks(&stat).map(|ticks| Duration::from_millis(ticks * 1000 / TICKS_PER_SEC))
}

/// utime + stime (fields 14 and 15) of a `/proc/<pid>/stat` line, in ticks.
/// The command name (field 2) may hold spaces, so count after its `)`.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

/// The `VmHWM:   12345 kB` line of a `/proc/<pid>/status` text, in bytes.
fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let mut words = line["VmHWM:".len()..].split_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") | None => Some(value * 1024),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_high_water_mark_in_bytes() {
        let status = "Name:\tarchsim\nVmPeak:\t  20000 kB\nVmHWM:\t    5120 kB\nVmRSS:\t 4000 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(5_242_880));
        assert_eq!(parse_vm_hwm("Name: x\n"), None);
        assert_eq!(parse_vm_hwm("VmHWM: lots\n"), None);
    }

    #[test]
    fn cpu_ticks_are_user_plus_system_even_with_spaces_in_the_name() {
        let stat = "42 (my prog) R 1 42 42 0 -1 4194304 125 0 0 0 250 30 0 0 20 0 1 0";
        assert_eq!(parse_cpu_ticks(stat), Some(280));
        assert_eq!(parse_cpu_ticks("garbage"), None);
    }
}
