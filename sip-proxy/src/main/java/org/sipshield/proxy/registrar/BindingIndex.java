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
 */
final class BindingIndex {
    /** Newest registration first, then by contact: the order callers are promised. */
    static final Comparator<Binding> NEWEST_FIRST = Comparator.comparing(Binding::registeredAt).reversed()
            .thenComparing(Binding::contactUri);

    private final Map<String, List<Binding>> byLine = new HashMap<>();
    private final Map<String, Set<String>> linesByAddressOfRecord = new HashMap<>();
    private final Map<String, Set<String>> linesByDevice = new HashMap<>();
    private final Map<SourceAddress, Set<String>> linesBySource = new HashMap<>();

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

    synchronized int size() {
        int size = 0;
        for (List<Binding> line : byLine.values()) {
            size += line.size();
        }
        return size;
    }

    private List<Binding> collect(Set<String> lines, Instant now, java.util.function.Predicate<Binding> wanted) {
        if (lines == null) {
            return List.of();
        }
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

    private static <K> void link(Map<K, Set<String>> index, K key, String line) {
        index.computeIfAbsent(key, k -> new LinkedHashSet<>(2)).add(line);
    }

    private static <K> void unlink(Map<K, Set<String>> index, K key, String line) {
        Set<String> lines = index.get(key);
        if (lines != null && lines.remove(line) && lines.isEmpty()) {
            index.remove(key);
        }
    }
}
