package org.sipshield.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Typed, problem-collecting access to one YAML mapping. Every read names its key; at the end
 * {@link #finish()} reports keys that nothing read (unknown keys are errors) and duplicates.
 * A bad value is recorded as a problem and the default is returned, so reading carries on and
 * every problem of a file is found in one pass.
 */
final class YamlMapping {
    private final Problems problems;
    private final String path;
    private final Node node;
    private final Map<String, Node> values = new LinkedHashMap<>();
    private final Map<String, Node> keyNodes = new LinkedHashMap<>();
    private final java.util.Set<String> consumed = new java.util.HashSet<>();

    YamlMapping(Problems problems, String path, Node node) {
        this.problems = problems;
        this.path = path;
        this.node = node;
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                    problems.add(tuple.getKeyNode(), path, "a key must be a plain name", null);
                    continue;
                }
                String key = keyNode.getValue();
                if (values.containsKey(key)) {
                    problems.add(keyNode, child(key), "duplicate key", "each key once");
                    continue;
                }
                values.put(key, tuple.getValueNode());
                keyNodes.put(key, keyNode);
            }
        } else if (node != null && !isNull(node)) {
            problems.add(node, path, "expected a mapping of keys to values", null);
        }
    }

    String path() {
        return path;
    }

    Node node() {
        return node;
    }

    String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The keys of this mapping, in file order (a mapping whose keys are names, such as cluster.nodes). */
    List<String> keys() {
        return List.copyOf(values.keySet());
    }

    boolean has(String key) {
        return values.containsKey(key) && !isNull(values.get(key));
    }

    Node raw(String key) {
        consumed.add(key);
        return values.get(key);
    }

    YamlMapping mapping(String key) {
        return new YamlMapping(problems, child(key), raw(key));
    }

    /** The elements of a sequence, each given to reader with its path; missing means empty. */
    <T> List<T> list(String key, Function<Element, T> reader) {
        Node value = raw(key);
        List<T> result = new ArrayList<>();
        if (value == null || isNull(value)) {
            return result;
        }
        if (!(value instanceof SequenceNode sequence)) {
            problems.add(value, child(key), "expected a list", null);
            return result;
        }
        for (int i = 0; i < sequence.getValue().size(); i++) {
            T item = reader.apply(new Element(problems, child(key) + "[" + i + "]", sequence.getValue().get(i)));
            if (item != null) {
                result.add(item);
            }
        }
        return result;
    }

    String string(String key, String defaultValue) {
        Node value = raw(key);
        if (value == null || isNull(value)) {
            return defaultValue;
        }
        if (!(value instanceof ScalarNode scalar)) {
            problems.add(value, child(key), "expected a single value, found a " + kind(value), null);
            return defaultValue;
        }
        return scalar.getValue();
    }

    String requiredString(String key, String allowed) {
        String value = string(key, null);
        if (value == null || value.isBlank()) {
            problems.add(has(key) ? values.get(key) : node, child(key), "missing", allowed);
            return null;
        }
        return value;
    }

    int integer(String key, int defaultValue, int min, int max) {
        String text = string(key, null);
        if (text == null) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value < min || value > max) {
                problems.add(values.get(key), child(key), value + " is out of range", min + " to " + max);
                return defaultValue;
            }
            return value;
        } catch (NumberFormatException e) {
            problems.add(values.get(key), child(key), "'" + text + "' is not a whole number", min + " to " + max);
            return defaultValue;
        }
    }

    boolean bool(String key, boolean defaultValue) {
        String text = string(key, null);
        if (text == null) {
            return defaultValue;
        }
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                problems.add(values.get(key), child(key), "'" + text + "' is not a boolean", "true, false");
                return defaultValue;
        }
    }

    /** Enum values are written as in the reference (e.g. "TCP+UDP") or as the constant's name. */
    <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue, Function<E, String> spelling) {
        String text = string(key, null);
        if (text == null) {
            return defaultValue;
        }
        for (E constant : type.getEnumConstants()) {
            if (spelling.apply(constant).equalsIgnoreCase(text.trim()) || constant.name().equalsIgnoreCase(text.trim())) {
                return constant;
            }
        }
        problems.add(values.get(key), child(key), "'" + text + "' is not known",
                Arrays.stream(type.getEnumConstants()).map(spelling).collect(Collectors.joining(", ")));
        return defaultValue;
    }

    /** Records a problem about a key that was read successfully but is wrong in context. */
    void problem(String key, String problem, String allowed) {
        Node where = values.containsKey(key) ? values.get(key) : node;
        problems.add(where, key == null ? path : child(key), problem, allowed);
    }

    /** Reports every key that no read asked for. */
    void finish(Set<String> ignoredForNow) {
        for (Map.Entry<String, Node> entry : keyNodes.entrySet()) {
            if (!consumed.contains(entry.getKey()) && !ignoredForNow.contains(entry.getKey())) {
                problems.add(entry.getValue(), child(entry.getKey()), "unknown key",
                        consumed.isEmpty() ? null : String.join(", ", consumed.stream().sorted().toList()));
            }
        }
    }

    void finish() {
        finish(Set.of());
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode scalar && node.getTag().getValue().endsWith(":null");
    }

    private static String kind(Node node) {
        return node instanceof MappingNode ? "mapping" : node instanceof SequenceNode ? "list" : "value";
    }

    /** One element of a list: a mapping reader plus its own path. */
    static final class Element {
        private final Problems problems;
        private final String path;
        private final Node node;

        Element(Problems problems, String path, Node node) {
            this.problems = problems;
            this.path = path;
            this.node = node;
        }

        YamlMapping asMapping() {
            return new YamlMapping(problems, path, node);
        }

        String path() {
            return path;
        }

        void problem(String problem, String allowed) {
            problems.add(node, path, problem, allowed);
        }

        Node node() {
            return node;
        }
    }
}
