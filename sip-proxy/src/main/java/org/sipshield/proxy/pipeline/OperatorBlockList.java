package org.sipshield.proxy.pipeline;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sources an operator blocked by hand (admin API, {@code sipshield ctl block}), each until a time
 * it chose. The first step of both pipelines, before classification: a blocked source, trunk or
 * registered phone alike, gets silence, so it cannot even learn that it is known. Kept in memory
 * only: a restart lifts every block, which the operator is told (docs/operations.md).
 */
public final class OperatorBlockList implements PipelineStep {
    /** Enough for a hand-kept list; bounded so that a script gone wrong cannot exhaust the heap. */
    public static final int MAX_BLOCKS = 10_000;

    public record Block(InetAddress source, Instant until) {}

    private final Map<InetAddress, Instant> blocks = new ConcurrentHashMap<>();
    private final Clock clock;

    public OperatorBlockList(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Verdict apply(InboundRequest request) {
        return isBlocked(request.source().getAddress()) ? Verdict.drop("blocked by an operator") : Verdict.proceed();
    }

    public boolean isBlocked(InetAddress source) {
        Instant until = blocks.get(source);
        if (until == null) {
            return false;
        }
        if (!clock.instant().isBefore(until)) {
            blocks.remove(source, until);
            return false;
        }
        return true;
    }

    /** Blocks (or re-blocks, with the new end) a source; false when the list is full. */
    public boolean block(InetAddress source, Instant until) {
        blocks.values().removeIf(end -> !clock.instant().isBefore(end));
        if (blocks.size() >= MAX_BLOCKS && !blocks.containsKey(source)) {
            return false;
        }
        blocks.put(source, until);
        return true;
    }

    public boolean unblock(InetAddress source) {
        return blocks.remove(source) != null;
    }

    public List<Block> blocks() {
        Instant now = clock.instant();
        List<Block> list = new ArrayList<>();
        blocks.forEach((source, until) -> {
            if (now.isBefore(until)) {
                list.add(new Block(source, until));
            }
        });
        return list;
    }
}
