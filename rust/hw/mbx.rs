// SPDX-License-Identifier: GPL-2.0

//! The PF side of the PF/VF mailboxes: each VF has a 16-word buffer (VMBMEM) shared by both
//! sides, a lock bit for each side in its P2VMAILBOX register, and request, acknowledge and
//! reset bits in MBVFICR and VFLRE. This file moves words; the mailbox service
//! ([`crate::mbx`]) decides what to send.

use super::{
    regs::*,
    Hw,
    Pool, //
};
use crate::{
    mbx::msg::{
        self,
        MBX_WORDS, //
    },
    model::NUM_POOLS, //
};
use kernel::{
    io::{
        register::Array,
        Io, //
    },
    num::Bounded,
    prelude::*,
};

/// Word `i` of `pool`'s buffer. The index is below `NUM_POOLS * MBX_WORDS` by [`Pool`]'s
/// invariant; reducing it modulo the array size lets the compiler prove it at build time.
fn buffer_word(pool: Pool, i: usize) -> usize {
    (pool.index() * MBX_WORDS + i % MBX_WORDS) % (NUM_POOLS * MBX_WORDS)
}

impl Hw<'_> {
    fn p2v_write(&self, pool: Pool, v: P2VMAILBOX) {
        self.bar.write(P2VMAILBOX::at(pool.index()), v);
    }

    /// Takes the PF's lock on a VF's mailbox buffer, in one attempt: the VF may hold it as
    /// long as it likes, and this runs in interrupt context, so it never waits for it.
    pub(crate) fn mbx_try_lock(&self, pool: Pool) -> Result {
        self.p2v_write(pool, P2VMAILBOX::zeroed().with_pfu(true));
        if self.bar.read(P2VMAILBOX::at(pool.index())).pfu() {
            Ok(())
        } else {
            Err(EBUSY)
        }
    }

    /// Takes the lock from a VF that holds it (RVFU), then takes it for the PF. The hardware
    /// also clears the VF's request and acknowledge bits.
    pub(crate) fn mbx_break_lock(&self, pool: Pool) -> Result {
        self.p2v_write(pool, P2VMAILBOX::zeroed().with_rvfu(true));
        self.mbx_try_lock(pool)
    }

    /// Releases the PF's lock without sending.
    pub(crate) fn mbx_unlock(&self, pool: Pool) {
        self.p2v_write(pool, P2VMAILBOX::zeroed());
    }

    /// VFs (bit n = VF n) with a pending request, and VFs that acknowledged a PF message;
    /// clears the acknowledge bits returned. A request bit stays set until the request is read
    /// ([`Hw::mbx_read`]), so a request the PF cannot read now is still there later.
    pub(crate) fn take_requests(&self) -> (u8, u8) {
        let r = self.bar.read(MBVFICR);
        let req = r.vfreq().get() as u8;
        let ack = r.vfack().get() as u8;
        if ack != 0 {
            self.bar.write_reg(MBVFICR::zeroed().with_vfack(r.vfack()));
        }
        (req, ack)
    }

    /// Unmasks the mailbox interrupts of the VFs in `unmasked` (bit n = VF n) and masks the
    /// others'.
    pub(crate) fn set_mbx_interrupts(&self, unmasked: u8) {
        self.bar
            .write_reg(MBVFIMR::zeroed().with_vfs(Bounded::from_expr(u32::from(unmasked) & 0xff)));
    }

    /// VFs (bit n = VF n) that were reset (FLR or VF software reset); clears the bits.
    pub(crate) fn take_resets(&self) -> u8 {
        let r = self.bar.read(VFLRE);
        let bits = r.vfs().get() as u8;
        if bits != 0 {
            self.bar.write_reg(r);
        }
        bits
    }

    /// VFs (bit n = VF n) with a request the PF has not read yet; clears nothing.
    pub(crate) fn requests_pending(&self) -> u8 {
        self.bar.read(MBVFICR).vfreq().get() as u8
    }

    /// Whether the VF's request bit is set: a request the PF has not read yet.
    pub(crate) fn request_pending(&self, pool: Pool) -> bool {
        self.bar.read(MBVFICR).vfreq().get() & pool.bit() != 0
    }

    /// Reads VF `pool`'s request and acknowledges it, keeping the buffer locked for the reply
    /// ([`Hw::mbx_reply`]). Fails, leaving the request pending, if the VF holds the lock.
    pub(crate) fn mbx_read(&self, pool: Pool) -> Result<[u32; MBX_WORDS]> {
        self.mbx_try_lock(pool)?;
        Ok(self.mbx_read_locked(pool))
    }

    /// Reads VF `pool`'s request with the lock already taken.
    pub(crate) fn mbx_read_locked(&self, pool: Pool) -> [u32; MBX_WORDS] {
        // Cleared before the copy: a request bit raised again after this is a new request.
        if let Ok(r) = MBVFICR::zeroed().try_with_vfreq(pool.bit()) {
            self.bar.write_reg(r);
        }
        // Word 0 says how many of the others the request uses; the rest stay zero.
        let mut words = [0u32; MBX_WORDS];
        words[0] = self.bar.read(VMBMEM::at(buffer_word(pool, 0))).into_raw();
        let used = msg::words_of(words[0]);
        for (i, w) in words.iter_mut().enumerate().take(used).skip(1) {
            *w = self.bar.read(VMBMEM::at(buffer_word(pool, i))).into_raw();
        }
        self.p2v_write(pool, P2VMAILBOX::zeroed().with_ack(true).with_pfu(true));
        words
    }

    /// Writes `words` to the buffer, which the PF holds locked, and signals the VF (STS);
    /// writing STS without PFU also releases the lock.
    pub(crate) fn mbx_post(&self, pool: Pool, words: &[u32]) {
        for (i, w) in words.iter().take(MBX_WORDS).enumerate() {
            self.bar
                .write(VMBMEM::at(buffer_word(pool, i)), VMBMEM::from_raw(*w));
        }
        self.p2v_write(pool, P2VMAILBOX::zeroed().with_sts(true));
    }

    /// Sends a reply to VF `pool`, whose buffer the PF holds locked since [`Hw::mbx_read`].
    pub(crate) fn mbx_reply(&self, pool: Pool, words: &[u32]) {
        // A stale acknowledge bit would make the VF look as if it had read this reply.
        if let Ok(r) = MBVFICR::zeroed().try_with_vfack(pool.bit()) {
            self.bar.write_reg(r);
        }
        self.mbx_post(pool, words);
    }
}
