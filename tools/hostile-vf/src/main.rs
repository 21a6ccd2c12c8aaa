// SPDX-License-Identifier: GPL-2.0

//! rigb-hostile-vf: takes over one VF of an 82576 (unbinds its driver, maps its BAR0 through
//! sysfs `resource0`) and speaks the PF/VF mailbox directly, as a hostile guest would. It is
//! also the instrument of the mailbox round-trip benchmark (`ping-pong`). See README.rst.

mod bar;
mod mbx;
mod rng;
mod sys;

use bar::{
    Bar,
    Regs, //
};
use mbx::Mailbox;
use std::{
    fs,
    io::Write,
    path::Path,
    process::ExitCode,
    time::{
        Duration,
        Instant, //
    },
};

const USAGE: &str = "\
usage: rigb-hostile-vf --vf BDF [--keep-driver] [--timeout-ms N] [--poll-us N] COMMAND [ARGS]

Takes over the 82576 VF BDF (unbinds its driver unless --keep-driver, maps BAR0 through
sysfs resource0) and speaks the PF/VF mailbox from user space. Needs root.

commands (WORD and HASH in hex, with or without 0x; other numbers decimal or 0x hex):
  info                              V2PMAILBOX bits, VTCTRL, VTSTATUS, VTEIMS
  send WORD [WORD..] [--no-wait]    post 1-16 words, wait for the PF's ack and reply
  recv                              wait for a PF message (e.g. PF_CONTROL_MSG), ack it
  reset [--vflr]                    the RESET handshake; with --vflr first VTCTRL.RST and
                                    wait for RSTI/RSTD to clear, as igbvf does
  vflr [--count N] [--delay-us D]   VTCTRL.RST N times (default 1), D us apart (1000)
  set-mac MAC [--filter clr|add]    SET_MAC_ADDR (primary, or MAC_FILTER_CLR/ADD)
  set-vlan VID [--remove]           SET_VLAN add (remove)
  set-lpe SIZE                      SET_LPE with max frame SIZE
  set-mc COUNT [HASH..]             SET_MULTICAST, 16 words like igbvf: COUNT (0-255) in
                                    the info field as given, up to 30 hashes, rest zero
  promisc none|mc|uc|all            SET_PROMISC with info 0, 0x02, 0x01 or 0x03
  hold-lock [--seconds S] [--raise-req]
                                    keep VFU for S seconds (default: until killed),
                                    rewriting it every ms; --raise-req writes REQ|VFU
  flood [--count N] [--type T] [--words W,W..]
                                    post N (1000) messages without waiting for anything;
                                    default message SET_MULTICAST count 0 (0x3); --type
                                    replaces the id (low 16 bits) of word 0
  random [--seed S] [--count N] [--wait]
                                    N (1000) seeded random messages, 1 in 64 steps a VF
                                    reset, 1 in 64 a 2 ms lock hold; --wait waits for
                                    each reply (100 ms, timeouts counted)
  ping-pong [--count N] [--msg M]   one RESET, then N (100) round trips of M: set-mc
            [--gap-us U]            (SET_MULTICAST-0, default), reset, set-mac (the VF's
                                    own MAC) or set-vlan (VLAN 100 added and removed in
                                    turn), U us apart (default 0): latency percentiles
                                    (the mailbox benchmark)

--timeout-ms: each wait of a request (lock, ack, reply; default 1000, igbvf's).
--poll-us: sleep between mailbox polls (default 0: yield and poll again).
Nothing sends RESET first except reset and ping-pong: send requests before any RESET with
send. Output: one line of key=value pairs on stdout. Exit status 0, 1 on errors, 2 when the
PF did not answer in time (result=timeout stage=...).";

type Res<T> = Result<T, String>;

/// Prints one output line; a closed stdout is not worth a panic.
macro_rules! out {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// How a command ended: exit status 0 or 2.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Done,
    TimedOut,
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A word: hex, with or without 0x.
fn parse_word(s: &str) -> Res<u32> {
    let h = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if !is_hex(h) {
        return Err(format!("bad hex word '{s}'"));
    }
    u32::from_str_radix(h, 16).map_err(|e| format!("bad hex word '{s}': {e}"))
}

/// A number: decimal, or hex with 0x.
fn parse_num(s: &str) -> Res<u64> {
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) if is_hex(h) => u64::from_str_radix(h, 16),
        Some(_) => return Err(format!("bad number '{s}'")),
        None if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse::<u64>(),
        None => return Err(format!("bad number '{s}'")),
    };
    r.map_err(|e| format!("bad number '{s}': {e}"))
}

fn parse_u32(s: &str) -> Res<u32> {
    u32::try_from(parse_num(s)?).map_err(|_| format!("number '{s}' does not fit 32 bits"))
}

fn parse_mac(s: &str) -> Res<[u8; 6]> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return Err(format!(
            "bad MAC '{s}': want six hex bytes like 52:54:00:12:34:56"
        ));
    }
    let mut mac = [0u8; 6];
    for (b, p) in mac.iter_mut().zip(parts) {
        if p.len() > 2 || !is_hex(p) {
            return Err(format!("bad MAC '{s}': bad byte '{p}'"));
        }
        *b = u8::from_str_radix(p, 16).map_err(|e| format!("bad MAC '{s}': {e}"))?;
    }
    Ok(mac)
}

fn fmt_mac(m: [u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

fn fmt_words(w: &[u32]) -> String {
    w.iter()
        .map(|x| format!("{x:08x}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Arguments not yet consumed.
struct Args(Vec<String>);

impl Args {
    fn flag(&mut self, name: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|a| a != name);
        self.0.len() != before
    }

    fn value(&mut self, name: &str) -> Res<Option<String>> {
        match self.0.iter().position(|a| a == name) {
            Some(i) if i + 1 < self.0.len() => {
                let v = self.0.remove(i + 1);
                self.0.remove(i);
                Ok(Some(v))
            }
            Some(_) => Err(format!("{name} needs a value")),
            None => Ok(None),
        }
    }

    fn number(&mut self, name: &str) -> Res<Option<u64>> {
        self.value(name)?
            .map(|v| parse_num(&v).map_err(|e| format!("{name}: {e}")))
            .transpose()
    }

    /// The remaining (positional) arguments, `min..=max` of them; anything that looks like
    /// an option is refused.
    fn positionals(self, min: usize, max: usize, what: &str) -> Res<Vec<String>> {
        if let Some(o) = self.0.iter().find(|a| a.starts_with("--")) {
            return Err(format!("unknown option '{o}' for {what}"));
        }
        if self.0.len() < min || self.0.len() > max {
            let n = self.0.len();
            return Err(match (min, max) {
                (0, 0) => format!("{what} takes no arguments, got {n}"),
                _ if min == max => format!("{what} takes {min} argument(s), got {n}"),
                _ => format!("{what} takes {min} to {max} arguments, got {n}"),
            });
        }
        Ok(self.0)
    }
}

/// Options before or after the command.
#[derive(Debug)]
struct Global {
    bdf: String,
    keep_driver: bool,
    timeout: Duration,
    poll: Duration,
}

#[derive(Debug, PartialEq, Eq)]
enum Cmd {
    Info,
    Send {
        words: Vec<u32>,
        no_wait: bool,
    },
    Recv,
    /// A request and its printed reply; `reset` also shows the MAC.
    Request {
        words: Vec<u32>,
        is_reset: bool,
    },
    Reset {
        vflr: bool,
    },
    Vflr {
        count: u64,
        delay: Duration,
    },
    HoldLock {
        seconds: Option<u64>,
        raise_req: bool,
    },
    Flood {
        count: u64,
        words: Vec<u32>,
    },
    Random {
        seed: u64,
        count: u64,
        wait: bool,
    },
    PingPong {
        count: u64,
        msg: PingMsg,
        gap: Duration,
    },
}

/// The request `ping-pong` repeats: one per mailbox message the benchmark times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PingMsg {
    /// SET_MULTICAST with no hashes: the cheapest request with a table write.
    SetMc,
    /// RESET, the request every igbvf probe and reset starts with.
    Reset,
    /// SET_MAC_ADDR with the MAC the first RESET returned (the VF's own, always allowed).
    SetMac,
    /// SET_VLAN of [`PING_VLAN`], added and removed in turn so every request changes the table.
    SetVlan,
}

/// The VLAN `ping-pong --msg set-vlan` adds and removes.
const PING_VLAN: u32 = 100;

impl PingMsg {
    fn parse(s: &str) -> Res<Self> {
        Ok(match s {
            "set-mc" => Self::SetMc,
            "reset" => Self::Reset,
            "set-mac" => Self::SetMac,
            "set-vlan" => Self::SetVlan,
            m => {
                return Err(format!(
                    "--msg takes set-mc, reset, set-mac or set-vlan, not '{m}'"
                ))
            }
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::SetMc => "set-mc",
            Self::Reset => "reset",
            Self::SetMac => "set-mac",
            Self::SetVlan => "set-vlan",
        }
    }

    /// The words of request number `i`, `mac` being the VF's MAC from the first RESET.
    fn words(self, i: u64, mac: [u8; 6]) -> Vec<u32> {
        match self {
            Self::SetMc => vec![mbx::VF_SET_MULTICAST],
            Self::Reset => vec![mbx::VF_RESET],
            Self::SetMac => mbx::set_mac_words(0, mac).to_vec(),
            Self::SetVlan => mbx::set_vlan_words(PING_VLAN, i.is_multiple_of(2)).to_vec(),
        }
    }
}

fn parse_cmd(cmd: &str, mut a: Args) -> Res<Cmd> {
    Ok(match cmd {
        "info" => {
            a.positionals(0, 0, cmd)?;
            Cmd::Info
        }
        "send" | "skip-reset-send" => {
            let no_wait = a.flag("--no-wait");
            let words = a.positionals(1, mbx::WORDS, cmd)?;
            let words = words.iter().map(|w| parse_word(w)).collect::<Res<_>>()?;
            Cmd::Send { words, no_wait }
        }
        "recv" => {
            a.positionals(0, 0, cmd)?;
            Cmd::Recv
        }
        "reset" => {
            let vflr = a.flag("--vflr");
            a.positionals(0, 0, cmd)?;
            Cmd::Reset { vflr }
        }
        "vflr" => {
            let count = a.number("--count")?.unwrap_or(1);
            let delay = Duration::from_micros(a.number("--delay-us")?.unwrap_or(1000));
            a.positionals(0, 0, cmd)?;
            Cmd::Vflr { count, delay }
        }
        "set-mac" => {
            let info = match a.value("--filter")?.as_deref() {
                None => 0,
                Some("clr") => mbx::VF_MAC_FILTER_CLR,
                Some("add") => mbx::VF_MAC_FILTER_ADD,
                Some(f) => return Err(format!("--filter takes clr or add, not '{f}'")),
            };
            let p = a.positionals(1, 1, cmd)?;
            let words = mbx::set_mac_words(info, parse_mac(&p[0])?).to_vec();
            Cmd::Request {
                words,
                is_reset: false,
            }
        }
        "set-vlan" => {
            let remove = a.flag("--remove");
            let p = a.positionals(1, 1, cmd)?;
            let words = mbx::set_vlan_words(parse_u32(&p[0])?, !remove).to_vec();
            Cmd::Request {
                words,
                is_reset: false,
            }
        }
        "set-lpe" => {
            let p = a.positionals(1, 1, cmd)?;
            Cmd::Request {
                words: vec![mbx::VF_SET_LPE, parse_u32(&p[0])?],
                is_reset: false,
            }
        }
        "set-mc" => {
            let p = a.positionals(1, 1 + mbx::MAX_MC_HASHES, cmd)?;
            let count = u8::try_from(parse_num(&p[0])?)
                .map_err(|_| format!("set-mc count '{}' does not fit the 8-bit info", p[0]))?;
            let hashes = p[1..]
                .iter()
                .map(|h| {
                    let v = parse_word(h)?;
                    u16::try_from(v).map_err(|_| format!("hash '{h}' does not fit 16 bits"))
                })
                .collect::<Res<Vec<u16>>>()?;
            Cmd::Request {
                words: mbx::set_mc_words(count, &hashes)?.to_vec(),
                is_reset: false,
            }
        }
        "promisc" => {
            let p = a.positionals(1, 1, cmd)?;
            let info = match p[0].as_str() {
                "none" => 0,
                "mc" => mbx::VF_SET_PROMISC_MULTICAST,
                "uc" => mbx::VF_SET_PROMISC_UNICAST,
                "all" => mbx::VF_SET_PROMISC_MULTICAST | mbx::VF_SET_PROMISC_UNICAST,
                m => return Err(format!("promisc takes none, mc, uc or all, not '{m}'")),
            };
            Cmd::Request {
                words: vec![mbx::VF_SET_PROMISC | info],
                is_reset: false,
            }
        }
        "hold-lock" => {
            let raise_req = a.flag("--raise-req");
            let seconds = a.number("--seconds")?;
            a.positionals(0, 0, cmd)?;
            Cmd::HoldLock { seconds, raise_req }
        }
        "flood" => {
            let count = a.number("--count")?.unwrap_or(1000);
            let id = a
                .value("--type")?
                .map(|t| {
                    let v = parse_word(&t)?;
                    if v > 0xffff {
                        return Err(format!("--type '{t}' is not a 16-bit message id"));
                    }
                    Ok(v)
                })
                .transpose()?;
            let mut words = match a.value("--words")? {
                Some(w) => w.split(',').map(parse_word).collect::<Res<Vec<u32>>>()?,
                None => vec![mbx::VF_SET_MULTICAST],
            };
            if words.is_empty() || words.len() > mbx::WORDS {
                return Err("--words takes 1 to 16 words".into());
            }
            if let Some(id) = id {
                words[0] = (words[0] & !0xffff) | id;
            }
            a.positionals(0, 0, cmd)?;
            Cmd::Flood { count, words }
        }
        "random" => {
            let wait = a.flag("--wait");
            let seed = a.number("--seed")?.unwrap_or(1);
            let count = a.number("--count")?.unwrap_or(1000);
            a.positionals(0, 0, cmd)?;
            Cmd::Random { seed, count, wait }
        }
        "ping-pong" => {
            let count = a.number("--count")?.unwrap_or(100);
            let msg = match a.value("--msg")? {
                Some(m) => PingMsg::parse(&m)?,
                None => PingMsg::SetMc,
            };
            let gap = Duration::from_micros(a.number("--gap-us")?.unwrap_or(0));
            a.positionals(0, 0, cmd)?;
            Cmd::PingPong { count, msg, gap }
        }
        other => return Err(format!("unknown command '{other}' (see --help)")),
    })
}

/// Parses the whole command line; `None` for --help.
fn parse(argv: Vec<String>) -> Res<Option<(Global, Cmd)>> {
    let mut a = Args(argv);
    if a.flag("--help") | a.flag("-h") || a.0.first().map(String::as_str) == Some("help") {
        return Ok(None);
    }
    let bdf = a.value("--vf")?;
    let keep_driver = a.flag("--keep-driver");
    let timeout = Duration::from_millis(a.number("--timeout-ms")?.unwrap_or(1000));
    let poll = Duration::from_micros(a.number("--poll-us")?.unwrap_or(0));
    let Some(i) = a.0.iter().position(|x| !x.starts_with("--")) else {
        return Err("no command given (see --help)".into());
    };
    let cmd = a.0.remove(i);
    let cmd = parse_cmd(&cmd, a)?;
    let bdf = bdf.ok_or("--vf BDF is required")?;
    Ok(Some((
        Global {
            bdf,
            keep_driver,
            timeout,
            poll,
        },
        cmd,
    )))
}

/// Whether `s` is a PCI address as sysfs names it: DOMAIN:BB:DD.F in hex.
fn valid_bdf(s: &str) -> bool {
    let hex = |p: &str, n: std::ops::RangeInclusive<usize>| n.contains(&p.len()) && is_hex(p);
    let Some((rest, func)) = s.rsplit_once('.') else {
        return false;
    };
    let parts: Vec<&str> = rest.split(':').collect();
    parts.len() == 3
        && hex(parts[0], 4..=8)
        && hex(parts[1], 2..=2)
        && hex(parts[2], 2..=2)
        && func.len() == 1
        && func.bytes().all(|b| (b'0'..=b'7').contains(&b))
}

/// Unbinds the VF's driver, enables the device and maps BAR0.
fn take_over(bdf: &str, keep_driver: bool) -> Res<Bar> {
    if !valid_bdf(bdf) {
        return Err(format!("bad PCI address '{bdf}': want e.g. 0000:01:10.0"));
    }
    let dev = Path::new("/sys/bus/pci/devices").join(bdf);
    if !dev.exists() {
        return Err(format!("no PCI device {bdf} ({} missing)", dev.display()));
    }
    let read = |f: &str| fs::read_to_string(dev.join(f)).unwrap_or_default();
    let (vendor, device) = (read("vendor"), read("device"));
    if vendor.trim() != "0x8086" || !matches!(device.trim(), "0x10ca" | "0x1520") {
        eprintln!(
            "rigb-hostile-vf: warning: {bdf} is {}:{}, not an 82576 VF (8086:10ca)",
            vendor.trim(),
            device.trim()
        );
    }
    let driver = dev.join("driver");
    if driver.exists() && !keep_driver {
        let name = fs::read_link(&driver)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "?".into());
        fs::write(driver.join("unbind"), bdf)
            .map_err(|e| format!("unbind {bdf} from {name}: {e}"))?;
        eprintln!("rigb-hostile-vf: unbound {bdf} from {name}");
    }
    // Only enable once: every write of "1" takes another pci_enable_device() reference.
    if read("enable").trim() != "1" {
        if let Err(e) = fs::write(dev.join("enable"), "1") {
            if e.raw_os_error() != Some(sys::EBUSY) {
                return Err(format!("enable {bdf}: {e}"));
            }
        }
    }
    Bar::map(&dev.join("resource0").to_string_lossy())
}

fn us(d: Duration) -> u128 {
    d.as_micros()
}

fn reg_err(e: bar::BadOffset) -> String {
    e.to_string()
}

/// `result=... w0=... cts=...` of a PF message.
fn describe(w: &[u32; mbx::WORDS]) -> String {
    format!(
        "result={} w0={:08x} cts={}",
        mbx::verdict(w[0]),
        w[0],
        u8::from(w[0] & mbx::MSGTYPE_CTS != 0)
    )
}

/// Prints the line of a failed wait; a register error is an error.
fn report_failure(e: mbx::Error, after: Duration) -> Res<Outcome> {
    match e {
        mbx::Error::Timeout(s) => {
            out!("result=timeout stage={} after_us={}", s.name(), us(after));
            Ok(Outcome::TimedOut)
        }
        mbx::Error::Reg(e) => Err(reg_err(e)),
    }
}

/// One request, printed: `result=... w0=... cts=... ack_us=... reply_us=... reply=...`.
fn request<R: Regs>(m: &Mailbox<'_, R>, g: &Global, words: &[u32], is_reset: bool) -> Res<Outcome> {
    match m.exchange(words, g.timeout) {
        Ok(x) => {
            let r = &x.reply;
            let extra = if is_reset {
                format!(
                    " igbvf_ok={} mac={}",
                    u8::from(r[0] == mbx::VF_RESET | mbx::MSGTYPE_ACK),
                    fmt_mac(mbx::mac_of(r[1], r[2]))
                )
            } else {
                String::new()
            };
            out!(
                "{} ack_us={} reply_us={} reply={}{extra}",
                describe(r),
                us(x.ack),
                us(x.total),
                fmt_words(r)
            );
            Ok(Outcome::Done)
        }
        Err((e, after)) => report_failure(e, after),
    }
}

/// Nearest-rank percentile of sorted `v`.
fn percentile(v: &[u128], p: usize) -> Option<u128> {
    if v.is_empty() {
        return None;
    }
    let rank = (v.len() * p).div_ceil(100).max(1);
    v.get(rank - 1).copied()
}

fn show(v: Option<u128>) -> String {
    v.map_or_else(|| "-".to_string(), |x| x.to_string())
}

fn run<R: Regs>(m: &Mailbox<'_, R>, g: &Global, cmd: Cmd) -> Res<Outcome> {
    match cmd {
        Cmd::Info => {
            let v = m.status().map_err(reg_err)?;
            let bit = |b: u32| u8::from(v & b != 0);
            out!(
                "v2pmailbox={v:08x} vfu={} pfu={} pfsts={} pfack={} rsti={} rstd={} vtctrl={:08x} vtstatus={:08x} vteims={:08x}",
                bit(mbx::VFU),
                bit(mbx::PFU),
                bit(mbx::PFSTS),
                bit(mbx::PFACK),
                bit(mbx::RSTI),
                bit(mbx::RSTD),
                m.read_reg(mbx::VTCTRL).map_err(reg_err)?,
                m.read_reg(mbx::VTSTATUS).map_err(reg_err)?,
                m.read_reg(mbx::VTEIMS).map_err(reg_err)?
            );
            Ok(Outcome::Done)
        }
        Cmd::Send { words, no_wait } => {
            if !no_wait {
                return request(m, g, &words, false);
            }
            let t0 = Instant::now();
            match m.post(&words, g.timeout) {
                Ok(()) => {
                    out!("result=posted post_us={}", us(t0.elapsed()));
                    Ok(Outcome::Done)
                }
                Err(e) => report_failure(e, t0.elapsed()),
            }
        }
        Cmd::Recv => {
            let t0 = Instant::now();
            match m.read_reply(g.timeout) {
                Ok(w) => {
                    out!(
                        "{} recv_us={} reply={}",
                        describe(&w),
                        us(t0.elapsed()),
                        fmt_words(&w)
                    );
                    Ok(Outcome::Done)
                }
                Err(e) => report_failure(e, t0.elapsed()),
            }
        }
        Cmd::Request { words, is_reset } => request(m, g, &words, is_reset),
        Cmd::Reset { vflr } => {
            if vflr {
                let t0 = Instant::now();
                m.vf_reset().map_err(reg_err)?;
                if let Err(e) = m.wait_reset_done(g.timeout) {
                    return report_failure(e, t0.elapsed());
                }
            }
            request(m, g, &[mbx::VF_RESET], true)
        }
        Cmd::Vflr { count, delay } => {
            let t0 = Instant::now();
            for _ in 0..count {
                m.vf_reset().map_err(reg_err)?;
                std::thread::sleep(delay);
            }
            out!(
                "count={count} delay_us={} elapsed_ms={}",
                us(delay),
                t0.elapsed().as_millis()
            );
            Ok(Outcome::Done)
        }
        Cmd::HoldLock { seconds, raise_req } => {
            let limit = seconds.map(Duration::from_secs);
            let ctl = if raise_req {
                mbx::VFU | mbx::REQ
            } else {
                mbx::VFU
            };
            let t0 = Instant::now();
            let (mut raised, mut lost, mut first) = (0u64, 0u64, true);
            // At least one round, so that --seconds 0 takes (and raises) once.
            loop {
                if !first && m.status().map_err(reg_err)? & mbx::VFU == 0 {
                    // Released behind our back (the PF's RVFU, or a reset).
                    lost += 1;
                }
                first = false;
                m.write_ctl(ctl).map_err(reg_err)?;
                if raise_req {
                    raised += 1;
                }
                if limit.is_some_and(|l| t0.elapsed() >= l) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            m.write_ctl(0).map_err(reg_err)?;
            out!(
                "held_s={:.3} req_raised={raised} vfu_lost={lost}",
                t0.elapsed().as_secs_f64()
            );
            Ok(Outcome::Done)
        }
        Cmd::Flood { count, words } => {
            let t0 = Instant::now();
            let mut busy = 0u64;
            for _ in 0..count {
                if !m
                    .post_blind(&words, Duration::from_micros(10))
                    .map_err(reg_err)?
                {
                    busy += 1;
                }
            }
            let el = t0.elapsed();
            out!(
                "sent={count} lock_busy={busy} elapsed_ms={} rate_per_s={}",
                el.as_millis(),
                u128::from(count) * 1_000_000 / us(el).max(1)
            );
            Ok(Outcome::Done)
        }
        Cmd::Random { seed, count, wait } => {
            let mut s = rng::Stream::new(seed);
            let short = Duration::from_millis(100);
            let (mut sent, mut acked, mut nacked, mut other) = (0u64, 0u64, 0u64, 0u64);
            let (mut timeouts, mut resets, mut holds, mut busy) = (0u64, 0u64, 0u64, 0u64);
            while sent < count {
                match s.next_step() {
                    rng::Step::Reset => {
                        resets += 1;
                        m.vf_reset().map_err(reg_err)?;
                    }
                    rng::Step::HoldLock => {
                        holds += 1;
                        m.write_ctl(mbx::VFU).map_err(reg_err)?;
                        std::thread::sleep(Duration::from_millis(2));
                        m.write_ctl(0).map_err(reg_err)?;
                    }
                    rng::Step::Message(words) => {
                        sent += 1;
                        if !wait {
                            if !m
                                .post_blind(&words, Duration::from_micros(10))
                                .map_err(reg_err)?
                            {
                                busy += 1;
                            }
                            continue;
                        }
                        match m.exchange(&words, short) {
                            Ok(x) => match mbx::verdict(x.reply[0]) {
                                "ack" => acked += 1,
                                "nack" => nacked += 1,
                                _ => other += 1,
                            },
                            Err((mbx::Error::Timeout(_), _)) => timeouts += 1,
                            Err((mbx::Error::Reg(e), _)) => return Err(reg_err(e)),
                        }
                    }
                }
            }
            out!(
                "seed={seed} sent={sent} acked={acked} nacked={nacked} other={other} timeouts={timeouts} resets={resets} holds={holds} lock_busy={busy} stream_hash={:016x}",
                s.hash()
            );
            Ok(Outcome::Done)
        }
        Cmd::PingPong { count, msg, gap } => {
            let (reset, mac) = match m.exchange(&[mbx::VF_RESET], g.timeout) {
                Ok(x) => (
                    mbx::verdict(x.reply[0]),
                    mbx::mac_of(x.reply[1], x.reply[2]),
                ),
                Err((mbx::Error::Reg(e), _)) => return Err(reg_err(e)),
                Err((mbx::Error::Timeout(s), after)) => {
                    out!(
                        "result=timeout stage=reset_{} after_us={}",
                        s.name(),
                        us(after)
                    );
                    return Ok(Outcome::TimedOut);
                }
            };
            let mut lat = Vec::new();
            let (mut timeouts, mut nacks) = (0u64, 0u64);
            for i in 0..count {
                match m.exchange(&msg.words(i, mac), g.timeout) {
                    Ok(x) => {
                        if x.reply[0] & mbx::MSGTYPE_NACK != 0 {
                            nacks += 1;
                        }
                        lat.push(us(x.total));
                    }
                    Err((mbx::Error::Timeout(_), _)) => timeouts += 1,
                    Err((mbx::Error::Reg(e), _)) => return Err(reg_err(e)),
                }
                if !gap.is_zero() {
                    std::thread::sleep(gap);
                }
            }
            lat.sort_unstable();
            let mean = (!lat.is_empty()).then(|| lat.iter().sum::<u128>() / lat.len() as u128);
            out!(
                "msg={} count={count} reset={reset} timeouts={timeouts} nacks={nacks} min_us={} median_us={} p99_us={} max_us={} mean_us={}",
                msg.name(),
                show(lat.first().copied()),
                show(percentile(&lat, 50)),
                show(percentile(&lat, 99)),
                show(lat.last().copied()),
                show(mean)
            );
            Ok(if timeouts == 0 {
                Outcome::Done
            } else {
                Outcome::TimedOut
            })
        }
    }
}

fn main() -> ExitCode {
    let r = parse(std::env::args().skip(1).collect()).and_then(|p| match p {
        None => {
            out!("{USAGE}");
            Ok(Outcome::Done)
        }
        Some((g, cmd)) => {
            let bar = take_over(&g.bdf, g.keep_driver)?;
            let m = Mailbox::new(&bar, g.poll);
            run(&m, &g, cmd)
        }
    });
    match r {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::TimedOut) => ExitCode::from(2),
        Err(e) => {
            eprintln!("rigb-hostile-vf: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn cmd(s: &str) -> Res<Cmd> {
        parse(argv(s)).map(|p| p.expect("not help").1)
    }

    #[test]
    fn words_and_numbers() {
        assert_eq!(parse_word("0x1f"), Ok(0x1f));
        assert_eq!(parse_word("0X1F"), Ok(0x1f));
        assert_eq!(parse_word("ff"), Ok(0xff));
        assert_eq!(parse_word("80000001"), Ok(0x8000_0001));
        assert_eq!(parse_word("10"), Ok(0x10));
        assert!(parse_word("0xzz").is_err());
        assert!(parse_word("").is_err());
        assert!(parse_word("0x").is_err());
        assert!(parse_word("+1").is_err());
        assert!(parse_word("-1").is_err());
        assert!(parse_word("100000000").is_err());
        assert_eq!(parse_num("9000"), Ok(9000));
        assert_eq!(parse_num("0x2600"), Ok(0x2600));
        assert!(parse_num("12a").is_err());
        assert!(parse_num("-1").is_err());
        assert!(parse_num("").is_err());
        assert_eq!(parse_u32("0xffffffff"), Ok(u32::MAX));
        assert!(parse_u32("4294967296").is_err());
    }

    #[test]
    fn macs() {
        let m = parse_mac("52:54:00:12:34:56");
        assert_eq!(m, Ok([0x52, 0x54, 0, 0x12, 0x34, 0x56]));
        assert_eq!(parse_mac("2:0:0:0:0:A"), Ok([2, 0, 0, 0, 0, 0xa]));
        assert!(parse_mac("52:54:00").is_err());
        assert!(parse_mac("52:54:00:12:34:56:78").is_err());
        assert!(parse_mac("52:54:00:12:34:5g").is_err());
        assert!(parse_mac("52:54:00:12:34:156").is_err());
        assert!(parse_mac("52:54:00:12::56").is_err());
        assert_eq!(
            fmt_mac([0x52, 0x54, 0, 0x12, 0x34, 0x56]),
            "52:54:00:12:34:56"
        );
    }

    #[test]
    fn command_lines() {
        assert!(parse(argv("--help")).unwrap().is_none());
        assert!(parse(argv("--vf 0000:01:10.0 send 1 -h"))
            .unwrap()
            .is_none());
        assert!(cmd("info").is_err()); // no --vf
        assert!(cmd("--vf x").is_err()); // no command
        assert!(cmd("--vf x frobnicate").is_err());
        assert!(cmd("--vf x info extra").is_err());
        assert!(cmd("--vf x vflr --cont 3").is_err());
        assert_eq!(
            cmd("--vf x send 0x1 2 --no-wait --timeout-ms 5"),
            Ok(Cmd::Send {
                words: vec![1, 2],
                no_wait: true
            })
        );
        let (g, _) = parse(argv("send 3 --vf 0000:01:10.0 --timeout-ms 5 --poll-us 50"))
            .unwrap()
            .unwrap();
        assert_eq!(g.bdf, "0000:01:10.0");
        assert_eq!(g.timeout, Duration::from_millis(5));
        assert_eq!(g.poll, Duration::from_micros(50));
        assert!(cmd("--vf x send").is_err());
        assert!(cmd("--vf x send 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17").is_err());
        assert!(cmd("--vf x send zz").is_err());
        assert_eq!(
            cmd("--vf x set-mac 52:54:00:12:34:56"),
            Ok(Cmd::Request {
                words: vec![2, 0x1200_5452, 0x5634],
                is_reset: false
            })
        );
        assert_eq!(
            cmd("--vf x set-mac 00:00:00:00:00:00 --filter clr"),
            Ok(Cmd::Request {
                words: vec![0x0001_0002, 0, 0],
                is_reset: false
            })
        );
        assert_eq!(
            cmd("--vf x set-vlan 100 --remove"),
            Ok(Cmd::Request {
                words: vec![4, 100],
                is_reset: false
            })
        );
        assert_eq!(
            cmd("--vf x set-lpe 9022"),
            Ok(Cmd::Request {
                words: vec![5, 9022],
                is_reset: false
            })
        );
        let Ok(Cmd::Request { words, .. }) = cmd("--vf x set-mc 31 0x10 20") else {
            panic!("set-mc");
        };
        assert_eq!(words.len(), 16);
        assert_eq!(&words[..2], &[0x001f_0003, 0x0020_0010]);
        assert!(cmd("--vf x set-mc 256").is_err());
        assert!(cmd("--vf x set-mc 1 10000").is_err());
        assert_eq!(
            cmd("--vf x promisc mc"),
            Ok(Cmd::Request {
                words: vec![0x0002_0006],
                is_reset: false
            })
        );
        assert!(cmd("--vf x promisc lots").is_err());
        assert_eq!(
            cmd("--vf x flood --count 5 --type 7 --words 0x30003,1"),
            Ok(Cmd::Flood {
                count: 5,
                words: vec![0x0003_0007, 1]
            })
        );
        assert_eq!(
            cmd("--vf x flood"),
            Ok(Cmd::Flood {
                count: 1000,
                words: vec![3]
            })
        );
        assert!(cmd("--vf x flood --type 10000").is_err());
        assert_eq!(
            cmd("--vf x random --seed 0x10 --count 7 --wait"),
            Ok(Cmd::Random {
                seed: 16,
                count: 7,
                wait: true
            })
        );
        assert_eq!(
            cmd("--vf x hold-lock --raise-req"),
            Ok(Cmd::HoldLock {
                seconds: None,
                raise_req: true
            })
        );
        assert!(cmd("--vf x hold-lock --seconds").is_err());
        assert_eq!(cmd("--vf x reset --vflr"), Ok(Cmd::Reset { vflr: true }));
        assert_eq!(
            cmd("--vf x vflr --count 3 --delay-us 0"),
            Ok(Cmd::Vflr {
                count: 3,
                delay: Duration::ZERO
            })
        );
        assert_eq!(
            cmd("--vf x ping-pong"),
            Ok(Cmd::PingPong {
                count: 100,
                msg: PingMsg::SetMc,
                gap: Duration::ZERO
            })
        );
        assert_eq!(
            cmd("--vf x ping-pong --count 5 --msg set-vlan --gap-us 2000"),
            Ok(Cmd::PingPong {
                count: 5,
                msg: PingMsg::SetVlan,
                gap: Duration::from_micros(2000)
            })
        );
        assert!(cmd("--vf x ping-pong --msg set-lpe").is_err());
    }

    /// Every command runs to its end against the fake PF (which acks and replies to
    /// everything), and a silent PF gives timeouts, not hangs.
    #[test]
    fn commands_run_against_a_fake_pf() {
        let f = mbx::fake::Fake::new();
        let m = Mailbox::new(&f, Duration::ZERO);
        let g = Global {
            bdf: String::new(),
            keep_driver: false,
            timeout: Duration::from_millis(20),
            poll: Duration::ZERO,
        };
        let cmds = [
            "info",
            "send 7 1 2",
            "send 7 --no-wait",
            "reset",
            "reset --vflr",
            "vflr --count 3 --delay-us 0",
            "set-mac 52:54:00:12:34:56",
            "set-vlan 10",
            "set-lpe 1522",
            "set-mc 2 1 2",
            "promisc none",
            "hold-lock --seconds 0 --raise-req",
            "flood --count 50",
            "random --seed 4 --count 100",
            "random --seed 4 --count 100 --wait",
            "ping-pong --count 20",
            "ping-pong --count 4 --msg reset",
            "ping-pong --count 4 --msg set-mac",
            "ping-pong --count 4 --msg set-vlan --gap-us 10",
        ];
        for c in cmds {
            let c = cmd(&format!("--vf x {c}")).unwrap();
            assert_eq!(run(&m, &g, c), Ok(Outcome::Done));
        }
        f.mute.set(true);
        let c = cmd("--vf x recv").unwrap();
        assert_eq!(run(&m, &g, c), Ok(Outcome::TimedOut));
        let c = cmd("--vf x set-vlan 10").unwrap();
        assert_eq!(run(&m, &g, c), Ok(Outcome::TimedOut));
        let c = cmd("--vf x ping-pong --count 3").unwrap();
        assert_eq!(run(&m, &g, c), Ok(Outcome::TimedOut));
        let c = cmd("--vf x random --seed 4 --count 5 --wait").unwrap();
        assert_eq!(run(&m, &g, c), Ok(Outcome::Done));
    }

    #[test]
    fn pci_addresses() {
        assert!(valid_bdf("0000:01:10.0"));
        assert!(valid_bdf("0000:00:1f.7"));
        assert!(valid_bdf("10000:e1:00.1"));
        assert!(!valid_bdf("01:10.0"));
        assert!(!valid_bdf("0000:01:10.8"));
        assert!(!valid_bdf(".."));
        assert!(!valid_bdf("0000:01:10.0/../x"));
        assert!(!valid_bdf(""));
    }

    /// set-vlan alternates add and remove so that every request changes the table; set-mac
    /// sends back the MAC the RESET gave.
    #[test]
    fn ping_pong_requests() {
        let mac = [0x52, 0x54, 0, 1, 2, 3];
        assert_eq!(PingMsg::SetMc.words(7, mac), vec![mbx::VF_SET_MULTICAST]);
        assert_eq!(PingMsg::Reset.words(7, mac), vec![mbx::VF_RESET]);
        assert_eq!(
            PingMsg::SetMac.words(0, mac),
            mbx::set_mac_words(0, mac).to_vec()
        );
        assert_eq!(
            PingMsg::SetVlan.words(0, mac),
            mbx::set_vlan_words(PING_VLAN, true).to_vec()
        );
        assert_eq!(
            PingMsg::SetVlan.words(1, mac),
            mbx::set_vlan_words(PING_VLAN, false).to_vec()
        );
        for m in ["set-mc", "reset", "set-mac", "set-vlan"] {
            assert_eq!(PingMsg::parse(m).map(PingMsg::name), Ok(m));
        }
    }

    #[test]
    fn percentiles() {
        let v: Vec<u128> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), Some(50));
        assert_eq!(percentile(&v, 99), Some(99));
        assert_eq!(percentile(&[7], 99), Some(7));
        assert_eq!(percentile(&[1, 2], 50), Some(1));
        assert_eq!(percentile(&[], 50), None);
    }
}
