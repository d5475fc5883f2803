package org.sipshield.srtp;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** A snapshot of how many packet operations of a session ended with each status. */
public final class SrtpCounters {
    private final Map<SrtpStatus, Long> counts;

    SrtpCounters(long[] byStatus) {
        EnumMap<SrtpStatus, Long> m = new EnumMap<>(SrtpStatus.class);
        for (SrtpStatus s : SrtpStatus.values()) {
            if (byStatus[s.ordinal()] != 0) {
                m.put(s, byStatus[s.ordinal()]);
            }
        }
        this.counts = Collections.unmodifiableMap(m);
    }

    public long count(SrtpStatus status) {
        return counts.getOrDefault(status, 0L);
    }

    public long ok() {
        return count(SrtpStatus.OK);
    }

    /** Everything that was not OK. */
    public long failed() {
        return counts.entrySet().stream().filter(e -> e.getKey() != SrtpStatus.OK).mapToLong(Map.Entry::getValue).sum();
    }

    public Map<SrtpStatus, Long> asMap() {
        return counts;
    }

    @Override
    public String toString() {
        return "SrtpCounters" + counts;
    }
}
