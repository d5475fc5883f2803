package org.sipshield.proxy.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sipshield.proxy.ProxyFixture;

/**
 * Many digest phones for load tests: phone i is device SEPLOAD + i, line 100000 + i, digest user
 * u + i with password pw-i-load, its end user's HA1 = MD5(u<i>:ccmsipline:pw-i-load) as
 * `users set-digest` would print it. The same phones as sipp's -inf CSV:
 * {@code u<i>;pw-i-load;<line>} ([field0] user, [field1] password, [field2] line).
 */
final class LoadPhones {
    static final String REALM = "ccmsipline";
    static final int FIRST_LINE = 100000;

    private LoadPhones() {}

    static String user(int i) {
        return "u" + i;
    }

    static String password(int i) {
        return "pw-" + i + "-load";
    }

    static int line(int i) {
        return FIRST_LINE + i;
    }

    /** The phone security profile (Non Secure, TCP+UDP, digest), the end users and the phones 0..count-1. */
    static ProxyFixture phones(ProxyFixture fixture, int count) {
        fixture.phoneProfile("{name: load phones, deviceSecurityMode: Non Secure, transportType: TCP+UDP, "
                + "enableDigestAuthentication: true}");
        for (int i = 0; i < count; i++) {
            fixture.endUser(user(i), REALM, password(i)).phone("{deviceName: " + String.format("SEPLOAD%06d", i)
                    + ", securityProfile: load phones, digestUser: " + user(i) + ", lines: [\"" + line(i) + "\"]}");
        }
        return fixture;
    }

    /** sipp's -inf file for phones from..to-1, read in order. */
    static Path csv(Path directory, String name, int from, int to) throws IOException {
        StringBuilder csv = new StringBuilder("SEQUENTIAL\n");
        for (int i = from; i < to; i++) {
            csv.append(user(i)).append(';').append(password(i)).append(';').append(line(i)).append('\n');
        }
        Path file = directory.resolve(name);
        Files.writeString(file, csv, StandardCharsets.US_ASCII);
        return file;
    }
}
