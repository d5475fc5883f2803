package org.sipshield.config;

import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/** Collects the problems of one file while it is read, so that all of them are reported at once. */
final class Problems {
    private final String file;
    private final List<ConfigProblem> found = new ArrayList<>();

    Problems(String file) {
        this.file = file;
    }

    void add(Node where, String path, String problem, String allowed) {
        int line = where == null ? 0 : where.getStartMark().getLine() + 1;
        found.add(new ConfigProblem(file, line, path, problem, allowed));
    }

    void add(int line, String path, String problem, String allowed) {
        found.add(new ConfigProblem(file, line, path, problem, allowed));
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    List<ConfigProblem> list() {
        return List.copyOf(found);
    }

    String file() {
        return file;
    }
}
