//! CancelRequest handling: which statement a (pid, secret key) pair may cancel.
//!
//! Each connection registers a [`CancelSlot`] under its BackendKeyData at startup. A
//! statement arms the slot when it starts ([`CancelSlot::arm`]); a CancelRequest with the
//! right key fires whatever statement is armed, and is ignored otherwise (as in
//! PostgreSQL, where a cancel that arrives between statements does nothing).
//!
//! We keep this registry ourselves rather than using pgwire's `ConnectionManager`:
//! pgwire races its own receiver against the extended protocol's Execute and reports
//! any replaced receiver as a cancellation, and it cannot cover the rows still being
//! streamed after Execute returns.

use futures::channel::oneshot;
use parking_lot::Mutex;
use pgwire::messages::cancel::CancelRequest;
use pgwire::messages::startup::SecretKey;
use std::collections::HashMap;
use std::sync::Arc;

/// The cancel target of one connection.
#[derive(Default)]
pub struct CancelSlot {
    armed: Mutex<Option<oneshot::Sender<()>>>,
}

impl CancelSlot {
    /// Arms the slot for a new statement; the previous statement can no longer be
    /// cancelled. The receiver resolves when a matching CancelRequest arrives.
    pub fn arm(&self) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        *self.armed.lock() = Some(tx);
        rx
    }

    fn fire(&self) {
        if let Some(tx) = self.armed.lock().take() {
            let _ = tx.send(());
        }
    }
}

/// A connection's cancel secret and its slot.
type SecretAndSlot = (Vec<u8>, Arc<CancelSlot>);

/// All connections' slots by process id.
#[derive(Default)]
pub struct CancelRegistry {
    slots: Mutex<HashMap<i32, SecretAndSlot>>,
}

impl CancelRegistry {
    /// Registers connection `pid` with `secret`; the registration lasts as long as the
    /// returned guard.
    pub fn register(self: &Arc<Self>, pid: i32, secret: &SecretKey) -> (Arc<CancelSlot>, Registration) {
        let slot = Arc::new(CancelSlot::default());
        self.slots.lock().insert(pid, (secret.to_bytes().to_vec(), slot.clone()));
        (slot, Registration { registry: self.clone(), pid })
    }

    /// Fires the statement of the connection the request names, if the key matches.
    pub fn cancel(&self, request: &CancelRequest) -> bool {
        let slot = {
            let slots = self.slots.lock();
            match slots.get(&request.pid) {
                Some((secret, slot)) if secret.as_slice() == request.secret_key.to_bytes().as_ref() => slot.clone(),
                _ => return false,
            }
        };
        slot.fire();
        true
    }
}

/// Unregisters a connection when dropped.
pub struct Registration {
    registry: Arc<CancelRegistry>,
    pid: i32,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.registry.slots.lock().remove(&self.pid);
    }
}

/// pgwire's hook for CancelRequest messages.
pub struct CancelHandler(pub Arc<CancelRegistry>);

#[async_trait::async_trait]
impl pgwire::api::cancel::CancelHandler for CancelHandler {
    async fn on_cancel_request(&self, request: CancelRequest) {
        let found = self.0.cancel(&request);
        tracing::info!(pid = request.pid, found, "cancel request");
    }
}
