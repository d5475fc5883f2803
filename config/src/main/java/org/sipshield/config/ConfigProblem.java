package org.sipshield.config;

/**
 * One thing wrong with a configuration file: where (file, line, key path), what is wrong and
 * what would be allowed instead. Printed one per line by {@code sipshield check-config}.
 */
public record ConfigProblem(String file, int line, String path, String problem, String allowed) {

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(file);
        if (line > 0) {
            text.append(':').append(line);
        }
        text.append(": ").append(path.isEmpty() ? "(top level)" : path).append(": ").append(problem);
        if (allowed != null && !allowed.isEmpty()) {
            text.append(" (allowed: ").append(allowed).append(')');
        }
        return text.toString();
    }
}
