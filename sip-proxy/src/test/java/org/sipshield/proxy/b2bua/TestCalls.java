package org.sipshield.proxy.b2bua;

import java.util.List;
import org.sipshield.proxy.security.Peer;

/** Calls without SIP transactions, for tests of the per-leg SDP step. */
public final class TestCalls {
    private TestCalls() {}

    public static Call call(Peer caller, Peer callee, boolean calleeSrtpAllowed) {
        return new Call(caller, new Target(callee, List.of(), calleeSrtpAllowed, false, false), "test-call", null, null, null, null,
                "tag", null);
    }
}
