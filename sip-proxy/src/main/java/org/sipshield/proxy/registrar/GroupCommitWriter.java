package org.sipshield.proxy.registrar;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the registrar's line changes to the store in grouped commits: one thread takes every
 * change queued while the previous commit was being made durable and commits them in one
 * transaction (one fsync for all of them), then completes each change's future. A REGISTER is
 * still answered 200 only after its binding is committed; what grouping saves is the fsync per
 * REGISTER, which made the registrar one serial section at a few hundred REGISTERs a second.
 *
 * <p>Changes of one line are committed in the order they were queued (one writer, FIFO; within a
 * group the last change of a line is the one written).
 */
final class GroupCommitWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);
    /** Bound of one transaction: keeps one commit short even after a stall. */
    static final int MAX_GROUP = 2_000;

    /** One line's new state, and who waits for it to be durable. */
    record Change(String deviceName, String addressOfRecord, List<Binding> bindings, CompletableFuture<Void> done) {}

    private final RegistrationStore store;
    private final BlockingQueue<Change> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closing;

    GroupCommitWriter(RegistrationStore store) {
        this.store = store;
        this.thread = new Thread(this::run, "sipshield-registrar-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues a line's new state; the future completes once it is committed, or exceptionally. */
    CompletableFuture<Void> replace(String deviceName, String addressOfRecord, List<Binding> bindings) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closing) {
            done.completeExceptionally(new RegistrationStoreException("the registrar is closing", null));
            return done;
        }
        queue.add(new Change(deviceName, addressOfRecord, List.copyOf(bindings), done));
        return done;
    }

    private void run() {
        List<Change> group = new ArrayList<>();
        while (!closing || !queue.isEmpty()) {
            try {
                Change first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                commit(group);
            } catch (InterruptedException e) {
                closing = true;
            } finally {
                group.clear();
            }
        }
    }

    private void commit(List<Change> group) {
        Map<String, Change> lastPerLine = new LinkedHashMap<>();
        for (Change change : group) {
            lastPerLine.put(BindingIndex.line(change.deviceName(), change.addressOfRecord()), change);
        }
        try {
            store.replaceLines(lastPerLine.values().stream()
                    .map(c -> new RegistrationStore.LineBindings(c.deviceName(), c.addressOfRecord(), c.bindings()))
                    .toList());
        } catch (RuntimeException e) {
            LOG.warn("{} registration change(s) not stored: {}", group.size(), e.getMessage());
            for (Change change : group) {
                change.done().completeExceptionally(e);
            }
            return;
        }
        for (Change change : group) {
            change.done().complete(null);
        }
    }

    /** Commits what is queued, then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Change left;
        while ((left = queue.poll()) != null) {
            left.done().completeExceptionally(new RegistrationStoreException("the registrar closed first", null));
        }
    }
}
