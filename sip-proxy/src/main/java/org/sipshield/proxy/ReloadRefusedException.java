package org.sipshield.proxy;

import java.util.List;

/**
 * A reload the running proxy refuses whole, with every reason (keys that change only with a
 * restart, certificates that cannot be read); the running configuration stays.
 */
public final class ReloadRefusedException extends IllegalArgumentException {
    private final List<String> problems;

    public ReloadRefusedException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
