//! Routes every incoming SIP transaction: in-dialog requests to their
//! dialog, new INVITEs to the application (or 480), OPTIONS answered 200,
//! strays answered 481. Malformed messages never reach here: the stack's
//! parser drops them.

use std::sync::Arc;

use rsipstack::dialog::dialog::Dialog;
use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::{Method, StatusCode};
use rsipstack::transaction::TransactionReceiver;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::debug;

use super::uas::IncomingCall;
use super::UaShared;
use crate::outcome::Reason;

pub(super) async fn run(
    shared: Arc<UaShared>,
    mut incoming: TransactionReceiver,
    calls: Option<mpsc::Sender<IncomingCall>>,
    cancel: CancellationToken,
) {
    loop {
        let mut tx = tokio::select! {
            tx = incoming.recv() => match tx { Some(tx) => tx, None => return },
            _ = cancel.cancelled() => return,
        };
        let method = tx.original.method;
        if let Some(dialog) = shared.dialog_layer.match_dialog(&tx) {
            if method == Method::Bye {
                remember_bye_reason(&shared, &tx.original);
            }
            tokio::spawn(async move {
                let result = match dialog {
                    Dialog::Invite(mut d) => d.handle(&mut tx).await,
                    _ => tx.reply(StatusCode::NotImplemented).await,
                };
                if let Err(e) = result {
                    debug!(error = %e, "in-dialog request failed");
                }
            });
            continue;
        }
        let has_to_tag = tx
            .original
            .to_header()
            .ok()
            .and_then(|t| t.tag().ok().flatten())
            .is_some();
        match method {
            Method::Invite if !has_to_tag => match &calls {
                Some(calls) => match IncomingCall::accept_transaction(shared.clone(), tx) {
                    Ok((call, driver)) => {
                        tokio::spawn(driver);
                        if calls.try_send(call).is_err() {
                            debug!("incoming call queue full");
                        }
                    }
                    Err(e) => debug!(error = %e, "cannot create server dialog"),
                },
                None => {
                    tokio::spawn(async move {
                        let _ = tx.reply(StatusCode::TemporarilyUnavailable).await;
                    });
                }
            },
            Method::Ack => {}
            Method::Options => {
                tokio::spawn(async move {
                    let _ = tx.reply(StatusCode::OK).await;
                });
            }
            Method::Cancel => {
                let call_id = tx
                    .original
                    .call_id_header()
                    .map(|c| c.value().to_string())
                    .unwrap_or_default();
                let dialog = shared
                    .ringing
                    .lock()
                    .ok()
                    .and_then(|mut m| m.remove(&call_id));
                tokio::spawn(async move {
                    match dialog {
                        Some(d) => {
                            let _ = tx.reply(StatusCode::OK).await;
                            // 487 to the INVITE; the dialog terminates.
                            let _ = d.reject(Some(StatusCode::RequestTerminated), None);
                        }
                        None => {
                            let _ = tx.reply(StatusCode::CallTransactionDoesNotExist).await;
                        }
                    }
                });
            }
            Method::Bye | Method::Invite | Method::Info | Method::Update => {
                tokio::spawn(async move {
                    let _ = tx.reply(StatusCode::CallTransactionDoesNotExist).await;
                });
            }
            _ => {
                tokio::spawn(async move {
                    let _ = tx.reply(StatusCode::NotImplemented).await;
                });
            }
        }
    }
}

/// Keep the Reason of a BYE for its call's report (only for known dialogs,
/// so strays cannot grow the map).
fn remember_bye_reason(shared: &UaShared, req: &rsipstack::sip::Request) {
    let call_id = req.call_id_header().map(|c| c.value().to_string());
    let reason = req.reason_header().and_then(|r| Reason::parse(r.value()));
    if let (Ok(call_id), Some(reason)) = (call_id, reason) {
        if let Ok(mut map) = shared.bye_reasons.lock() {
            map.insert(call_id, reason);
        }
    }
}
