package org.sipshield.proxy.registrar;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every active binding, in memory: what the request path reads (who is registered from where,
 * where a directory number is reachable) without touching the database. The registrar changes a
 * line here and in the database together; on start the index is loaded from the database.
 *
 * <p>One lock guards the whole index: each operation is a few map look-ups on lists of one or two
 * bindings, far shorter than anything else done per request.
 *
 * <p>Memory is per registered line, so the secondary indexes hold a line key itself where a key
 * names one line (nearly always: a number has one device, a device a line or two, a source one
 * phone), and a set only where it names several: a set per key would cost more than the binding.
 */
final class BindingIndex {
    /** Newest registration first, then by contact: the order callers are promised. */
    static final Comparator<Binding> NEWEST_FIRST = Comparator.comparing(Binding::registeredAt).reversed()
            .thenComparing(Binding::contactUri);

    private final Map<String, List<Binding>> byLine = new HashMap<>();
    /** Values: a line key (String) or several ({@code Set<String>}). */
    private final Map<String, Object> linesByAddressOfRecord = new HashMap<>();
    private final Map<String, Object> linesByDevice = new HashMap<>();
    private final Map<SourceAddress, Object> linesBySource = new HashMap<>();

    static String line(String deviceName, String addressOfRecord) {
        return deviceName + '\n' + addressOfRecord;
    }

    /** The bindings of one line as last stored (oldest registration first), the expired ones left out. */
    synchronized List<Binding> bindings(String deviceName, String addressOfRecord, Instant now) {
        return active(byLine.get(line(deviceName, addressOfRecord)), now);
    }

    /** The list exactly as stored, expired bindings included (to put it back if a write fails). */
    synchronized List<Binding> stored(String deviceName, String addressOfRecord) {
        return byLine.getOrDefault(line(deviceName, addressOfRecord), List.of());
    }

    synchronized void replace(String deviceName, String addressOfRecord, List<Binding> bindings) {
        String line = line(deviceName, addressOfRecord);
        List<Binding> previous = bindings.isEmpty() ? byLine.remove(line) : byLine.put(line, List.copyOf(bindings));
        if (previous != null) {
            for (Binding binding : previous) {
                unlink(linesBySource, binding.source(), line);
            }
        }
        if (bindings.isEmpty()) {
            unlink(linesByAddressOfRecord, addressOfRecord, line);
            unlink(linesByDevice, deviceName, line);
            return;
        }
        link(linesByAddressOfRecord, addressOfRecord, line);
        link(linesByDevice, deviceName, line);
        for (Binding binding : bindings) {
            link(linesBySource, binding.source(), line);
        }
    }

    synchronized List<Binding> forAddressOfRecord(String addressOfRecord, Instant now) {
        return collect(linesByAddressOfRecord.get(addressOfRecord), now, b -> true);
    }

    synchronized List<Binding> ofDevice(String deviceName, Instant now) {
        return collect(linesByDevice.get(deviceName), now, b -> true);
    }

    synchronized List<Binding> from(SourceAddress source, Instant now) {
        return collect(linesBySource.get(source), now, b -> b.source().equals(source));
    }

    /** Every active binding, newest first (the admin API's list). */
    synchronized List<Binding> all(Instant now) {
        List<Binding> all = new ArrayList<>();
        for (List<Binding> line : byLine.values()) {
            all.addAll(active(line, now));
        }
        all.sort(NEWEST_FIRST);
        return all;
    }

    /** Forgets expired bindings; returns how many. */
    synchronized int purgeExpired(Instant now) {
        int purged = 0;
        for (Map.Entry<String, List<Binding>> line : new ArrayList<>(byLine.entrySet())) {
            List<Binding> active = active(line.getValue(), now);
            if (active.size() != line.getValue().size()) {
                purged += line.getValue().size() - active.size();
                Binding any = line.getValue().get(0);
                replace(any.deviceName(), any.addressOfRecord(), active);
            }
        }
        return purged;
    }

    /** The keys ({@link #line}) of every line held, a copy. */
    synchronized Set<String> lineKeys() {
        return Set.copyOf(byLine.keySet());
    }

    synchronized int size() {
        int size = 0;
        for (List<Binding> line : byLine.values()) {
            size += line.size();
        }
        return size;
    }

    @SuppressWarnings("unchecked")
    private List<Binding> collect(Object lineOrLines, Instant now, java.util.function.Predicate<Binding> wanted) {
        if (lineOrLines == null) {
            return List.of();
        }
        Iterable<String> lines = lineOrLines instanceof String line ? List.of(line) : (Set<String>) lineOrLines;
        List<Binding> found = new ArrayList<>(2);
        for (String line : lines) {
            for (Binding binding : byLine.getOrDefault(line, List.of())) {
                if (binding.isActiveAt(now) && wanted.test(binding)) {
                    found.add(binding);
                }
            }
        }
        found.sort(NEWEST_FIRST);
        return List.copyOf(found);
    }

    private static List<Binding> active(List<Binding> bindings, Instant now) {
        if (bindings == null) {
            return List.of();
        }
        for (Binding binding : bindings) {
            if (!binding.isActiveAt(now)) {
                return bindings.stream().filter(b -> b.isActiveAt(now)).toList();
            }
        }
        return bindings;
    }

    @SuppressWarnings("unchecked")
    private static <K> void link(Map<K, Object> index, K key, String line) {
        Object present = index.get(key);
        if (present == null) {
            index.put(key, line);
        } else if (present instanceof String one) {
            if (!one.equals(line)) {
                Set<String> several = new LinkedHashSet<>(4);
                several.add(one);
                several.add(line);
                index.put(key, several);
            }
        } else {
            ((Set<String>) present).add(line);
        }
    }

    @SuppressWarnings("unchecked")
    private static <K> void unlink(Map<K, Object> index, K key, String line) {
        Object present = index.get(key);
        if (present instanceof String one) {
            if (one.equals(line)) {
                index.remove(key);
            }
        } else if (present instanceof Set<?> several && several.remove(line)) {
            if (several.size() == 1) {
                index.put(key, several.iterator().next());
            }
        }
    }
}
