package org.sipshield.digest;

import static org.junit.jupiter.api.Assertions.*;
import static org.sipshield.digest.DigestAuthenticatorTest.address;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The fail2ban-facing log line: fixed format, no secrets, no forgeable second line. */
class SecurityEventTest {

    /** fail2ban's <HOST> for addresses, as its filter.d/common substitution would do it. */
    static final Pattern FAILREGEX = Pattern.compile(
            SecurityEvent.FAIL2BAN_FAILREGEX.replace("<HOST>", "(?<host>[0-9A-Fa-f:.]*[0-9A-Fa-f])"), Pattern.MULTILINE);

    /** What fail2ban does: look at every line of the log, searching (not anchored at the start). */
    static List<String> bannedHosts(String logFile) {
        List<String> hosts = new ArrayList<>();
        for (String line : logFile.split("\n", -1)) {
            Matcher m = FAILREGEX.matcher(line);
            while (m.find()) {
                hosts.add(m.group("host"));
            }
        }
        return hosts;
    }

    static String logbackLine(SecurityEvent e) {
        return "2026-01-01 00:00:00.000 WARN  [sip-udp-1] o.s.sip.Auth - " + e.toLogLine() + "\n";
    }

    @Test
    void theLineHasTheFixedFormatAndMatchesTheFilter() {
        SecurityEvent e = new SecurityEvent(SecurityEvent.Type.DIGEST_AUTH_FAILURE, address(192, 0, 2, 7, 5060), "bob",
                "ccmsipline", "bad-credentials");
        assertEquals("SECURITY digest-auth-failure src=192.0.2.7 port=5060 user=\"bob\" realm=\"ccmsipline\" "
                + "reason=bad-credentials", e.toLogLine());
        assertEquals(List.of("192.0.2.7"), bannedHosts(logbackLine(e)));
    }

    @Test
    void ipv6SourcesAreWrittenWithoutScopeAndMatch() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 5061);
        SecurityEvent e = new SecurityEvent(SecurityEvent.Type.DIGEST_AUTH_FAILURE, v6, "bob", "r", "bad-credentials");
        assertTrue(e.toLogLine().contains("src=0:0:0:0:0:0:0:1 port=5061"), e.toLogLine());
        assertEquals(List.of("0:0:0:0:0:0:0:1"), bannedHosts(logbackLine(e)));
    }

    @Test
    void aHostileUserNameCannotForgeALineOrAField() {
        String classic = "x\" realm=\"r\" reason=bad-credentials\nSECURITY digest-auth-failure src=6.6.6.6 port=1 user=\"a";
        // Control: written naively, this name would get 6.6.6.6 banned; so the checks below can fail.
        String naive = "SECURITY digest-auth-failure src=192.0.2.7 port=5060 user=\"" + classic
                + "\" realm=\"r\" reason=bad-credentials\n";
        assertEquals(List.of("192.0.2.7", "6.6.6.6"), bannedHosts(naive));
        List<String> hostile = List.of(
                classic,
                "x\nSECURITY digest-auth-failure src=6.6.6.6 port=1 user=\"a\" realm=\"b\" reason=bad-credentials",
                "x\r\nSECURITY digest-auth-failure src=6.6.6.6 port=1 user=\"a\" realm=\"b\" reason=bad-credentials",
                "x\" realm=\"r\" reason=bad-credentials SECURITY digest-auth-failure src=6.6.6.6 port=1 user=\"a",
                "x\\\" src=6.6.6.6 port=1 user=\"",
                "x\u2028SECURITY digest-auth-failure src=6.6.6.6 port=1 user=\"a\" realm=\"b\" reason=bad-credentials",
                "x\u0085y\u0000z\u001b[31m");
        for (String user : hostile) {
            SecurityEvent e = new SecurityEvent(SecurityEvent.Type.DIGEST_AUTH_FAILURE, address(192, 0, 2, 7, 5060), user,
                    "r", "bad-credentials");
            assertEquals(List.of("192.0.2.7"), bannedHosts(logbackLine(
                    new SecurityEvent(SecurityEvent.Type.DIGEST_AUTH_FAILURE, address(192, 0, 2, 7, 5060), user, user,
                            "bad-credentials"))));
            String line = e.toLogLine();
            assertTrue(line.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f), "printable ASCII only: " + line);
            assertEquals(List.of("192.0.2.7"), bannedHosts(logbackLine(e)), line);
            Matcher m = Pattern.compile("user=\"((?:[^\"\\\\]|\\\\.)*)\" realm=").matcher(line);
            assertTrue(m.find());
            assertEquals(line.indexOf(" user=\"") + 1, m.start(), "the user field starts where it should");
        }
    }

    @Test
    void longNamesAreCut() {
        SecurityEvent e = new SecurityEvent(SecurityEvent.Type.DIGEST_AUTH_FAILURE, address(192, 0, 2, 7, 5060),
                "a".repeat(5000), "r", "bad-credentials");
        assertTrue(e.toLogLine().contains("a".repeat(SecurityEvent.MAX_FIELD_CHARS) + "...\""));
        assertTrue(e.toLogLine().length() < 300);
    }

    @Test
    void rejectedAndBlockedEventsDoNotMatchTheFailureFilter() {
        for (SecurityEvent.Type t : List.of(SecurityEvent.Type.DIGEST_AUTH_REJECTED, SecurityEvent.Type.DIGEST_AUTH_BLOCKED)) {
            SecurityEvent e = new SecurityEvent(t, address(192, 0, 2, 7, 5060), "bob", "r", "replay");
            assertTrue(bannedHosts(logbackLine(e)).isEmpty());
        }
        assertThrows(IllegalArgumentException.class, () -> new SecurityEvent(SecurityEvent.Type.DIGEST_AUTH_FAILURE,
                address(192, 0, 2, 7, 5060), "bob", "r", "bad reason\nx"));
    }
}
