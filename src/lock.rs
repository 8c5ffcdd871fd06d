//! A minimal async mutex for a single-threaded executor (JS promises, or the test executor).
//!
//! Appends and whole-partition rewrites (forget, retention) take it, so a rewrite never drops a
//! line appended while it was reading.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

#[derive(Default)]
pub struct AsyncLock {
    locked: Cell<bool>,
    waiters: RefCell<Vec<Waker>>,
}

impl AsyncLock {
    pub fn lock(&self) -> Acquire<'_> {
        Acquire { lock: self }
    }
}

pub struct Acquire<'a> {
    lock: &'a AsyncLock,
}

impl<'a> Future for Acquire<'a> {
    type Output = LockGuard<'a>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<LockGuard<'a>> {
        if self.lock.locked.replace(true) {
            self.lock.waiters.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        } else {
            Poll::Ready(LockGuard { lock: self.lock })
        }
    }
}

pub struct LockGuard<'a> {
    lock: &'a AsyncLock,
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        self.lock.locked.set(false);
        // Wake every waiter: one wins, the rest queue again. A waiter whose future was dropped
        // therefore cannot strand the others.
        let waiters: Vec<Waker> = self.lock.waiters.borrow_mut().drain(..).collect();
        for waiter in waiters {
            waiter.wake();
        }
    }
}
