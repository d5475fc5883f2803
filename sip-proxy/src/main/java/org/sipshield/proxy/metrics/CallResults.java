package org.sipshield.proxy.metrics;

/**
 * A call's result label from the final answer its caller got: answered (2xx), cancelled (487),
 * busy (486, 600), failed (anything else). A fixed set, as every label.
 */
final class CallResults {
    private CallResults() {}

    static String resultOf(int status) {
        if (status >= 200 && status < 300) {
            return "answered";
        }
        return status == 487 ? "cancelled" : status == 486 || status == 600 ? "busy" : "failed";
    }
}
