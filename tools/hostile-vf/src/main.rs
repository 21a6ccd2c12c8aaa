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
use mbx::{
    Mailbox,
    Timeout, //
};
use std::{
    fs,
    path::Path,
    process::ExitCode,
    time::{
        Duration,
        Instant, //
    },
};

const USAGE: &str = "\
usage: rigb-hostile-vf --vf BDF [--keep-driver] [--timeout-ms N] COMMAND [ARGS]

commands (words in hex, with or without 0x):
  info                           V2PMAILBOX, VTCTRL and VTSTATUS
  send W0 [W1..] [--no-wait]     post the words, wait for the PF's ack and reply
  reset                          the RESET handshake; prints the MAC the PF gave
  vflr [--count N] [--delay-us D]  write VTCTRL.RST N times (default 1, 1000 us apart)
  set-mac MAC                    SET_MAC_ADDR
  set-vlan VID [--remove]        SET_VLAN
  set-lpe SIZE                   SET_LPE (decimal or 0x hex)
  set-mc COUNT [HASH..]          SET_MULTICAST with COUNT in the info field
  promisc mc|none                SET_PROMISC
  hold-lock [--seconds S] [--raise-req]
                                 keep the VF lock (VFU) for S seconds (default: until
                                 killed), raising REQ every millisecond with --raise-req
  flood --count N [--words W,W..]  post N messages without waiting (default SET_MULTICAST 0)
  random --seed S --count N [--wait]
                                 a seeded random stream (messages, resets, held locks)
  ping-pong --count N            N request/reply round trips; latency percentiles
Requests are never preceded by RESET unless the command is reset: send one to test what
the PF does with requests before RESET.
Output is one line of key=value pairs; exit status 2 when the PF did not answer in time.";

type Res<T> = Result<T, String>;

fn parse_u32(s: &str) -> Res<u32> {
    let t = s.trim();
    let (digits, radix) = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => (h, 16),
        None => (t, 10),
    };
    u32::from_str_radix(digits, radix).map_err(|e| format!("bad number '{s}': {e}"))
}

/// A word on the command line: hex, with or without 0x.
fn parse_word(s: &str) -> Res<u32> {
    let t = s.trim();
    let h = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    u32::from_str_radix(h, 16).map_err(|e| format!("bad word '{s}': {e}"))
}

fn parse_mac(s: &str) -> Res<[u8; 6]> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return Err(format!("bad MAC '{s}'"));
    }
    let mut mac = [0u8; 6];
    for (b, p) in mac.iter_mut().zip(parts) {
        *b = u8::from_str_radix(p, 16).map_err(|_| format!("bad MAC '{s}'"))?;
    }
    Ok(mac)
}

fn fmt_mac(w1: u32, w2: u32) -> String {
    let b = w1.to_le_bytes();
    let c = w2.to_le_bytes();
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        b[0], b[1], b[2], b[3], c[0], c[1]
    )
}

/// Options after the command.
struct Opts {
    args: Vec<String>,
}

impl Opts {
    fn flag(&mut self, name: &str) -> bool {
        match self.args.iter().position(|a| a == name) {
            Some(i) => {
                self.args.remove(i);
                true
            }
            None => false,
        }
    }

    fn value(&mut self, name: &str) -> Res<Option<String>> {
        match self.args.iter().position(|a| a == name) {
            Some(i) if i + 1 < self.args.len() => {
                let v = self.args.remove(i + 1);
                self.args.remove(i);
                Ok(Some(v))
            }
            Some(_) => Err(format!("{name} needs a value")),
            None => Ok(None),
        }
    }

    fn number(&mut self, name: &str, default: u64) -> Res<u64> {
        match self.value(name)? {
            Some(v) => v
                .parse::<u64>()
                .map_err(|e| format!("bad {name} '{v}': {e}")),
            None => Ok(default),
        }
    }
}

/// Unbinds the VF's driver, enables its memory decoding and maps BAR0.
fn take_over(bdf: &str, keep_driver: bool) -> Res<Bar> {
    let dev = Path::new("/sys/bus/pci/devices").join(bdf);
    if !dev.exists() {
        return Err(format!("no PCI device {bdf}"));
    }
    let driver = dev.join("driver");
    if driver.exists() && !keep_driver {
        fs::write(driver.join("unbind"), bdf).map_err(|e| format!("unbind {bdf}: {e}"))?;
    }
    // Already enabled is fine; the write fails with EBUSY-like errors on some kernels.
    let _ = fs::write(dev.join("enable"), "1");
    let res = dev.join("resource0");
    Bar::map(&res.to_string_lossy())
}

fn us(d: Duration) -> u128 {
    d.as_micros()
}

/// One exchange: post, wait for the ack and the reply.
fn exchange<R: Regs>(
    m: &Mailbox<'_, R>,
    words: &[u32],
    timeout: Duration,
) -> Result<(u128, u128, [u32; mbx::WORDS]), (Timeout, u128)> {
    let t0 = Instant::now();
    m.post(words, timeout).map_err(|t| (t, us(t0.elapsed())))?;
    m.wait_ack(timeout).map_err(|t| (t, us(t0.elapsed())))?;
    let ack = us(t0.elapsed());
    let reply = m.read_reply(timeout).map_err(|t| (t, us(t0.elapsed())))?;
    Ok((ack, us(t0.elapsed()), reply))
}

/// Runs one exchange and prints its line; Ok(false) on a timeout.
fn send_print<R: Regs>(
    m: &Mailbox<'_, R>,
    words: &[u32],
    timeout: Duration,
    extra: impl Fn(&[u32; mbx::WORDS]) -> String,
) -> bool {
    match exchange(m, words, timeout) {
        Ok((ack, reply_us, r)) => {
            let hex: Vec<String> = r.iter().take(4).map(|w| format!("{w:08x}")).collect();
            println!(
                "result={} w0={:08x} cts={} ack_us={ack} reply_us={reply_us} reply={}{}",
                mbx::verdict(r[0]),
                r[0],
                u8::from(r[0] & mbx::MSGTYPE_CTS != 0),
                hex.join(","),
                extra(&r)
            );
            true
        }
        Err((t, after)) => {
            println!("result=timeout stage={} after_us={after}", t.stage());
            false
        }
    }
}

fn run(argv: Vec<String>) -> Res<bool> {
    let mut args = argv;
    let mut bdf = None;
    let mut keep_driver = false;
    let mut timeout = Duration::from_millis(1000);
    let mut rest = Vec::new();
    let mut it = args.drain(..);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--vf" => bdf = it.next(),
            "--keep-driver" => keep_driver = true,
            "--timeout-ms" => {
                let v = it.next().ok_or("--timeout-ms needs a value")?;
                timeout = Duration::from_millis(u64::from(parse_u32(&v)?));
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(true);
            }
            _ => {
                rest.push(a);
                rest.extend(it.by_ref());
            }
        }
    }
    let (cmd, rest) = rest.split_first().ok_or_else(|| USAGE.to_string())?;
    let mut o = Opts {
        args: rest.to_vec(),
    };
    let bdf = bdf.ok_or("--vf BDF is required")?;
    let bar = take_over(&bdf, keep_driver)?;
    let m = Mailbox::new(&bar);
    let none = |_: &[u32; mbx::WORDS]| String::new();

    match cmd.as_str() {
        "info" => {
            let v = m.status();
            let bit = |b: u32| u8::from(v & b != 0);
            println!(
                "v2pmailbox={v:08x} vfu={} pfu={} rsti={} rstd={} vtctrl={:08x} vtstatus={:08x}",
                bit(mbx::VFU),
                bit(mbx::PFU),
                bit(mbx::RSTI),
                bit(mbx::RSTD),
                bar.read(mbx::VTCTRL),
                bar.read(mbx::VTSTATUS)
            );
            Ok(true)
        }
        "send" => {
            let no_wait = o.flag("--no-wait");
            let words = o
                .args
                .iter()
                .map(|w| parse_word(w))
                .collect::<Res<Vec<u32>>>()?;
            if words.is_empty() || words.len() > mbx::WORDS {
                return Err("send needs 1 to 16 words".into());
            }
            if no_wait {
                m.post(&words, timeout).map_err(|t| t.stage().to_string())?;
                println!("result=posted");
                return Ok(true);
            }
            Ok(send_print(&m, &words, timeout, none))
        }
        "reset" => Ok(send_print(&m, &[mbx::MSG_RESET], timeout, |r| {
            format!(" mac={}", fmt_mac(r[1], r[2]))
        })),
        "vflr" => {
            let n = o.number("--count", 1)?;
            let delay = Duration::from_micros(o.number("--delay-us", 1000)?);
            let t0 = Instant::now();
            for _ in 0..n {
                m.vf_reset();
                std::thread::sleep(delay);
            }
            println!("resets={n} elapsed_ms={}", t0.elapsed().as_millis());
            Ok(true)
        }
        "set-mac" => {
            let mac = parse_mac(o.args.first().ok_or("set-mac needs a MAC")?)?;
            Ok(send_print(&m, &mbx::set_mac_words(0, mac), timeout, none))
        }
        "set-vlan" => {
            let remove = o.flag("--remove");
            let vid = parse_u32(o.args.first().ok_or("set-vlan needs a VLAN id")?)?;
            Ok(send_print(
                &m,
                &mbx::set_vlan_words(vid, !remove),
                timeout,
                none,
            ))
        }
        "set-lpe" => {
            let size = parse_u32(o.args.first().ok_or("set-lpe needs a size")?)?;
            Ok(send_print(&m, &[mbx::MSG_SET_LPE, size], timeout, none))
        }
        "set-mc" => {
            let count = parse_u32(o.args.first().ok_or("set-mc needs a count")?)?;
            let hashes = o
                .args
                .iter()
                .skip(1)
                .map(|h| parse_word(h).map(|v| v as u16))
                .collect::<Res<Vec<u16>>>()?;
            Ok(send_print(
                &m,
                &mbx::set_mc_words(count, &hashes),
                timeout,
                none,
            ))
        }
        "promisc" => {
            let flags = match o.args.first().map(String::as_str) {
                Some("mc") => mbx::PROMISC_MULTICAST,
                Some("none") => 0,
                _ => return Err("promisc needs mc or none".into()),
            };
            let w0 = mbx::MSG_SET_PROMISC | (flags << mbx::INFO_SHIFT);
            Ok(send_print(&m, &[w0], timeout, none))
        }
        "hold-lock" => {
            let raise = o.flag("--raise-req");
            let secs = o.number("--seconds", u64::MAX / 4)?;
            let deadline = Duration::from_secs(secs);
            let t0 = Instant::now();
            let mut raised = 0u64;
            let mut held = 0u64;
            while t0.elapsed() < deadline {
                let v = if raise { mbx::VFU | mbx::REQ } else { mbx::VFU };
                m.write_ctl(v);
                if raise {
                    raised += 1;
                }
                if bar.read(mbx::V2PMAILBOX) & mbx::VFU != 0 {
                    held += 1;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            m.write_ctl(0);
            println!(
                "held_s={} req_raised={raised} held_checks={held}",
                t0.elapsed().as_secs()
            );
            Ok(true)
        }
        "flood" => {
            let n = o.number("--count", 1000)?;
            let words = match o.value("--words")? {
                Some(w) => w.split(',').map(parse_word).collect::<Res<Vec<u32>>>()?,
                None => vec![mbx::MSG_SET_MULTICAST],
            };
            if words.is_empty() || words.len() > mbx::WORDS {
                return Err("--words takes 1 to 16 words".into());
            }
            let t0 = Instant::now();
            let mut busy = 0u64;
            for _ in 0..n {
                if !m.try_lock() {
                    busy += 1;
                }
                m.write_words(&words);
                m.raise_req();
            }
            let ms = t0.elapsed().as_millis().max(1);
            println!(
                "sent={n} lock_busy={busy} elapsed_ms={ms} rate_per_s={}",
                u128::from(n) * 1000 / ms
            );
            Ok(true)
        }
        "random" => {
            let wait = o.flag("--wait");
            let seed = o.number("--seed", 1)?;
            let n = o.number("--count", 1000)?;
            let mut r = rng::Rng::new(seed);
            let mut h = rng::Fnv::new();
            let (mut acked, mut nacked, mut timeouts, mut resets) = (0u64, 0u64, 0u64, 0u64);
            let short = Duration::from_millis(100);
            for _ in 0..n {
                match rng::step(&mut r) {
                    rng::Step::Reset => {
                        h.add(1);
                        resets += 1;
                        m.vf_reset();
                    }
                    rng::Step::HoldLock => {
                        h.add(2);
                        m.write_ctl(mbx::VFU);
                        std::thread::sleep(Duration::from_millis(2));
                        m.write_ctl(0);
                    }
                    rng::Step::Message(words) => {
                        words.iter().for_each(|w| h.add(*w));
                        if wait {
                            match exchange(&m, &words, short) {
                                Ok((_, _, rep)) if rep[0] & mbx::MSGTYPE_NACK != 0 => nacked += 1,
                                Ok(_) => acked += 1,
                                Err(_) => timeouts += 1,
                            }
                        } else {
                            let _ = m.try_lock();
                            m.write_words(&words);
                            m.raise_req();
                        }
                    }
                }
            }
            println!(
                "seed={seed} sent={n} acked={acked} nacked={nacked} timeouts={timeouts} resets={resets} stream_hash={:016x}",
                h.value()
            );
            Ok(true)
        }
        "ping-pong" => {
            let n = o.number("--count", 100)?;
            if exchange(&m, &[mbx::MSG_RESET], timeout).is_err() {
                println!("result=timeout stage=reset");
                return Ok(false);
            }
            let mut lat = Vec::new();
            let mut timeouts = 0u64;
            for _ in 0..n {
                match exchange(&m, &[mbx::MSG_SET_MULTICAST], timeout) {
                    Ok((_, total, _)) => lat.push(total),
                    Err(_) => timeouts += 1,
                }
            }
            lat.sort_unstable();
            let pct = |p: usize| lat.get((lat.len() * p / 100).min(lat.len().saturating_sub(1)));
            let show = |v: Option<&u128>| v.map_or("-".to_string(), |x| x.to_string());
            println!(
                "count={n} timeouts={timeouts} min_us={} median_us={} p99_us={} max_us={}",
                show(lat.first()),
                show(pct(50)),
                show(pct(99)),
                show(lat.last())
            );
            Ok(timeouts == 0)
        }
        other => Err(format!("unknown command '{other}'\n{USAGE}")),
    }
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(e) => {
            eprintln!("rigb-hostile-vf: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_numbers() {
        assert_eq!(parse_word("0x1f"), Ok(0x1f));
        assert_eq!(parse_word("ff"), Ok(0xff));
        assert!(parse_word("0xzz").is_err());
        assert_eq!(parse_u32("0xffffffff"), Ok(u32::MAX));
        assert_eq!(parse_u32("9000"), Ok(9000));
        assert!(parse_u32("-1").is_err());
    }

    #[test]
    fn macs() {
        let m = parse_mac("52:54:00:12:34:56");
        assert_eq!(m, Ok([0x52, 0x54, 0, 0x12, 0x34, 0x56]));
        assert!(parse_mac("52:54:00").is_err());
        let w = mbx::set_mac_words(0, [0x52, 0x54, 0, 0x12, 0x34, 0x56]);
        assert_eq!(fmt_mac(w[1], w[2]), "52:54:00:12:34:56");
    }
}
