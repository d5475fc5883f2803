package org.sipshield.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The findings of a testssl.sh {@code --jsonfile} run: its array of flat objects, read as id -> finding. */
public final class TestsslFindings {
    private static final Pattern OBJECT = Pattern.compile("\\{[^{}]*\\}");
    private static final Pattern FIELD = Pattern.compile("\"(id|finding)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private TestsslFindings() {}

    /** Every id with its finding, in testssl's order; an object without both is skipped. */
    public static Map<String, String> read(String json) {
        Map<String, String> findings = new LinkedHashMap<>();
        Matcher object = OBJECT.matcher(json);
        while (object.find()) {
            String id = null;
            String finding = null;
            Matcher field = FIELD.matcher(object.group());
            while (field.find()) {
                String value = field.group(2).replace("\\\"", "\"").replace("\\\\", "\\");
                if (field.group(1).equals("id")) {
                    id = value;
                } else {
                    finding = value;
                }
            }
            if (id != null && finding != null) {
                findings.put(id, finding);
            }
        }
        return findings;
    }
}
