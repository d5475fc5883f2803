package org.sipshield.proxy.matrix;

import java.util.List;
import java.util.Locale;

/**
 * What a row observed and whether it matched what was expected; {@code evidence} is the long form
 * (traces, logs) printed only when a row fails.
 */
record MatrixResult(Scenario row, boolean passed, String observed, String evidence, double seconds) {

    static MatrixResult pass(Scenario row, String observed) {
        return new MatrixResult(row, true, observed, "", 0);
    }

    static MatrixResult fail(Scenario row, String why) {
        return new MatrixResult(row, false, why, "", 0);
    }

    static MatrixResult fail(Scenario row, String why, String evidence) {
        return new MatrixResult(row, false, why, evidence, 0);
    }

    MatrixResult took(double s) {
        return new MatrixResult(row, passed, observed, evidence, s);
    }

    /** The markdown table of the rows run, one per scenario, with the totals. */
    static String table(List<MatrixResult> results, String subset, double seconds) {
        StringBuilder t = new StringBuilder();
        long passed = results.stream().filter(MatrixResult::passed).count();
        t.append(String.format(Locale.ROOT, "Scenario matrix (%s): %d rows, %d passed, %d failed, %.0f s%n%n", subset,
                results.size(), passed, results.size() - passed, seconds));
        t.append("| # | scenario | phone transport | mode | digest | trunk-leg SRTP suite | expected | observed | result | s |\n");
        t.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        int n = 1;
        for (MatrixResult r : results) {
            Scenario s = r.row();
            t.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %.1f |%n", n++,
                    s.label(), s.transport(), s.mode().label(),
                    s.digest() ? "on" : "off", s.suiteLabel(), cell(s.expected()), cell(r.observed()),
                    r.passed() ? "PASS" : "FAIL", r.seconds()));
        }
        return t.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
