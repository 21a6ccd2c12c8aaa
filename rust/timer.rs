// SPDX-License-Identifier: GPL-2.0

//! A one-shot timer that calls its owner back from the timer interrupt, for mailbox work that
//! has to wait (a VF holds its lock, or has spent its request budget).
//!
//! The timer is not a "hard" one: its callback takes the PF's lock, a `spinlock_t`, which only
//! a context the kernel could move to a thread may take (on PREEMPT_RT such timers expire in
//! softirq; lockdep reports "Invalid wait context" for a hard one). Elsewhere it expires in
//! hard-interrupt context, like the interrupt handler.
//!
//! The kernel's `HrTimer` pointers need a `'static` owner, and the PF's shared state borrows
//! the bound device. [`Timed`] wraps the owner instead: it puts a `'static` head with the
//! timer first in a `repr(C)` struct and calls the owner through a function pointer fixed at
//! construction, and its drop cancels the timer before the owner goes. All `unsafe` of the
//! timer is in this file.

use core::ops::Deref;
use kernel::{
    bindings, impl_has_hr_timer,
    prelude::*,
    time::{
        hrtimer::{
            HasHrTimer,
            HrTimer,
            HrTimerCallback,
            HrTimerCallbackContext,
            HrTimerRestart,
            RelativeMode, //
        },
        Delta,
        Monotonic, //
    },
};

/// The owner's side of a [`Timed`].
pub(crate) trait Expired: Sync {
    /// Called from the timer interrupt when the timer expires; `Some(d)` runs it again after
    /// `d`.
    fn expired(&self) -> Option<Delta>;
}

/// The timer and how to reach its owner.
#[repr(C)]
#[pin_data]
struct Head {
    #[pin]
    timer: HrTimer<Head>,
    /// `expired_of::<H>` for the `Timed<H>` this head is the first field of.
    call: unsafe fn(*const Head) -> Option<Delta>,
}

impl_has_hr_timer! {
    impl HasHrTimer<Head> for Head {
        mode: RelativeMode<Monotonic>,
        field: self.timer
    }
}

impl HrTimerCallback for Head {
    type Pointer<'a> = Pin<&'a Head>;

    fn run(this: Pin<&Head>, mut ctx: HrTimerCallbackContext<'_, Head>) -> HrTimerRestart {
        let head: &Head = this.get_ref();
        // SAFETY: `call` is `expired_of::<H>` and `head` is the head of a live `Timed<H>`
        // (the invariants of `Timed`).
        match unsafe { (head.call)(head) } {
            Some(after) => {
                ctx.forward_now(after);
                HrTimerRestart::Restart
            }
            None => HrTimerRestart::NoRestart,
        }
    }
}

/// Calls `H::expired` on the owner of `head`.
///
/// # Safety
///
/// `head` is the `head` field of a live `Timed<H>`.
unsafe fn expired_of<H: Expired>(head: *const Head) -> Option<Delta> {
    // SAFETY: `head` is the first field of a `repr(C)` `Timed<H>` (caller's guarantee), so
    // it has that struct's address.
    let timed = unsafe { &*head.cast::<Timed<H>>() };
    timed.owner.expired()
}

/// `H` with a timer that calls [`Expired::expired`] on it. Dereferences to `H`.
///
/// # Invariants
///
/// `head` is the first field and `head.call` is `expired_of::<H>`. The timer is cancelled,
/// and a running callback has returned, before `owner` is dropped.
#[repr(C)]
#[pin_data(PinnedDrop)]
pub(crate) struct Timed<H: Expired> {
    #[pin]
    head: Head,
    #[pin]
    owner: H,
}

impl<H: Expired> Timed<H> {
    /// `owner` with a stopped timer.
    pub(crate) fn new<E>(owner: impl PinInit<H, E>) -> impl PinInit<Self, E>
    where
        E: From<core::convert::Infallible>,
    {
        // INVARIANT: `head` is declared first and calls `expired_of::<H>`.
        try_pin_init!(Self {
            head <- pin_init!(Head {
                timer <- HrTimer::new(),
                call: expired_of::<H>,
            }),
            owner <- owner,
        }? E)
    }

    /// Starts the timer to expire after `after`, or moves the expiry of a started one.
    pub(crate) fn start(&self, after: Delta) {
        // SAFETY: `self.head` lives as long as `self`, and dropping `self` cancels the timer
        // first (type invariant).
        unsafe { <Head as HasHrTimer<Head>>::start(&self.head, after) };
    }

    /// Stops the timer and waits for a running callback to return. Must not be called with
    /// a lock held that the callback takes.
    pub(crate) fn cancel(&self) {
        // SAFETY: `self.head` is a live, initialised timer.
        unsafe {
            bindings::hrtimer_cancel(<Head as HasHrTimer<Head>>::c_timer_ptr(&self.head).cast_mut())
        };
    }
}

impl<H: Expired> Deref for Timed<H> {
    type Target = H;

    fn deref(&self) -> &H {
        &self.owner
    }
}

#[pinned_drop]
impl<H: Expired> PinnedDrop for Timed<H> {
    fn drop(self: Pin<&mut Self>) {
        // INVARIANT: the timer stops before the fields, and with them `owner`, are dropped.
        self.cancel();
    }
}
