package org.sipshield.proxy.watchdog;

import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipListener;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;

/** A SipListener whose every callback is watched by the stall watchdog. */
public final class WatchedSipListener implements SipListener {
    private final SipListener listener;
    private final StallWatchdog watchdog;

    public WatchedSipListener(SipListener listener, StallWatchdog watchdog) {
        this.listener = listener;
        this.watchdog = watchdog;
    }

    @Override
    public void processRequest(RequestEvent event) {
        watchdog.begin(event.getRequest().getMethod() + " request");
        try {
            listener.processRequest(event);
        } finally {
            watchdog.end();
        }
    }

    @Override
    public void processResponse(ResponseEvent event) {
        watchdog.begin("response");
        try {
            listener.processResponse(event);
        } finally {
            watchdog.end();
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        watchdog.begin("transaction timeout");
        try {
            listener.processTimeout(event);
        } finally {
            watchdog.end();
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        watchdog.begin("transport error");
        try {
            listener.processIOException(event);
        } finally {
            watchdog.end();
        }
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        watchdog.begin("transaction end");
        try {
            listener.processTransactionTerminated(event);
        } finally {
            watchdog.end();
        }
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        watchdog.begin("dialog end");
        try {
            listener.processDialogTerminated(event);
        } finally {
            watchdog.end();
        }
    }
}
