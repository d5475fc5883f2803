package org.sipshield.proxy.pipeline;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sipshield.digest.SharedCounters;

/**
 * Sources an operator blocked by hand (admin API, {@code sipshield ctl block}), each until a time
 * it chose. The first step of both pipelines, before classification: a blocked source, trunk or
 * registered phone alike, gets silence, so it cannot even learn that it is known.
 *
 * <p>The list lives in the shared counters (this node's memory, or Redis for a cluster, where a
 * block made through one node holds on all). The request path reads a copy in memory and never
 * waits for Redis: this node's own changes apply to it at once, and {@link #refresh} (every
 * second while Redis answers) brings in the other nodes'.
 */
public final class OperatorBlockList implements PipelineStep {
    /** Enough for a hand-kept list; bounded so that a script gone wrong cannot exhaust the heap. */
    public static final int MAX_BLOCKS = 10_000;
    /** The block list these blocks belong to in the counters. */
    public static final String BLOCK_LIST = "operator";

    public record Block(InetAddress source, Instant until) {}

    private final Map<InetAddress, Instant> blocks = new ConcurrentHashMap<>();
    private final Clock clock;
    private final SharedCounters counters;

    public OperatorBlockList(Clock clock, SharedCounters counters) {
        this.clock = clock;
        this.counters = counters;
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
        counters.block(BLOCK_LIST, source.getHostAddress(), until);
        blocks.put(source, until);
        return true;
    }

    public boolean unblock(InetAddress source) {
        boolean shared = counters.unblock(BLOCK_LIST, source.getHostAddress(), false);
        return blocks.remove(source) != null || shared;
    }

    /**
     * Makes the copy in memory what the shared store holds (other nodes' blocks and lifts); given
     * only what Redis answered, never a node's fallback, which would lift the other nodes' blocks.
     */
    public void refresh(Map<String, Instant> shared) {
        Map<InetAddress, Instant> current = new java.util.HashMap<>();
        shared.forEach((address, until) -> {
            try {
                current.put(InetAddress.getByName(address), until); // a literal: no name look-up
            } catch (UnknownHostException e) {
                // not an address this list wrote: ignore it
            }
        });
        blocks.keySet().retainAll(current.keySet());
        blocks.putAll(current);
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
