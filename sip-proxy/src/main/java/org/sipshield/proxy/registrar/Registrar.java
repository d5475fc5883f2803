package org.sipshield.proxy.registrar;

import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TimeZone;
import java.util.concurrent.CompletableFuture;
import javax.sip.address.URI;
import javax.sip.header.ContactHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.sipshield.config.RegistrarSettings;
import org.sipshield.proxy.security.DeviceIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registrar of phones and voicemail ports (RFC 3261 section 10.3), for REGISTER requests the
 * pipeline has already classified and authenticated. It answers every request with a response to
 * send and never throws for bad input; the 200 OK is built only after the bindings are committed.
 *
 * <p>Reads (where a number is reachable, who registered from where) come from an in-memory index
 * of every active binding, loaded from the store on start. A REGISTER changes its line in the index
 * at once and in the store through grouped commits ({@link GroupCommitWriter}); its 200 waits for
 * the commit, so every 200 sent names a binding that survives a crash. Should the commit fail, the
 * REGISTER gets 503 with Retry-After and the line goes back to what it was.
 *
 * <p>Bindings belong to one line (address of record = the To URI's user, a directory number) of one
 * device; a device with several lines registers each separately.
 */
public final class Registrar implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);
    /** A REGISTER the database could not store: come back then (RFC 3261 21.5.4); a phone retries sooner on its own timer. */
    static final int STORE_RETRY_AFTER_SECONDS = 30;

    private final RegistrationStore store;
    private final BindingIndex index = new BindingIndex();
    private final GroupCommitWriter writer;
    /**
     * Builds and sends the answers once their commit is durable, so the writer thread only commits:
     * answering a group of a thousand REGISTERs on it would make it the serial section again.
     */
    private final java.util.concurrent.ExecutorService replies = java.util.concurrent.Executors.newFixedThreadPool(2,
            runnable -> {
                Thread thread = new Thread(runnable, "sipshield-registrar-replies");
                thread.setDaemon(true);
                return thread;
            });
    private final MessageFactory messages;
    private final HeaderFactory headers;
    /** Read per REGISTER: a reload's limits apply to the next one. */
    private final java.util.function.Supplier<RegistrarSettings> settings;
    private final Clock clock;
    /**
     * Serialise read-modify-write of one line (a line always takes the same lock); different lines
     * mostly proceed in parallel. Striped so that memory does not grow with the number of lines.
     */
    private final Object[] lineLocks = new Object[256];

    public Registrar(RegistrationStore store, MessageFactory messages, HeaderFactory headers,
            RegistrarSettings settings, Clock clock) {
        this(store, messages, headers, () -> settings, clock);
        Objects.requireNonNull(settings, "settings");
    }

    /** settings: the registrar section in force (the running configuration's, after reloads). */
    public Registrar(RegistrationStore store, MessageFactory messages, HeaderFactory headers,
            java.util.function.Supplier<RegistrarSettings> settings, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.messages = Objects.requireNonNull(messages, "messages");
        this.headers = Objects.requireNonNull(headers, "headers");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (int i = 0; i < lineLocks.length; i++) {
            lineLocks[i] = new Object();
        }
        List<Binding> active = store.allActive(clock.instant());
        for (List<Binding> line : byLine(active).values()) {
            index.replace(line.get(0).deviceName(), line.get(0).addressOfRecord(), line);
        }
        if (!active.isEmpty()) {
            LOG.info("{} active registration binding(s) loaded", active.size());
        }
        this.writer = new GroupCommitWriter(store);
        store.followOtherNodes(this::otherNodeChanged, this::resync);
    }

    private static java.util.Map<String, List<Binding>> byLine(List<Binding> bindings) {
        java.util.Map<String, List<Binding>> lines = new java.util.LinkedHashMap<>();
        for (Binding binding : bindings) {
            lines.computeIfAbsent(BindingIndex.line(binding.deviceName(), binding.addressOfRecord()),
                    line -> new ArrayList<>()).add(binding);
        }
        return lines;
    }

    /**
     * A line another node committed. Taken under the line's lock so that it never lands between a
     * local REGISTER's read and write of the same line; the last commit of a line wins, as in the
     * database.
     */
    private void otherNodeChanged(RegistrationStore.LineBindings line) {
        synchronized (lineLock(line.deviceName(), line.addressOfRecord())) {
            index.replace(line.deviceName(), line.addressOfRecord(), line.bindings());
        }
    }

    /** Makes the index what the shared store holds, after changes may have gone unheard. */
    private void resync(List<Binding> active) {
        java.util.Map<String, List<Binding>> lines = byLine(active);
        for (String key : index.lineKeys()) {
            if (!lines.containsKey(key)) {
                String[] parts = key.split("\n", 2);
                otherNodeChanged(new RegistrationStore.LineBindings(parts[0], parts[1], List.of()));
            }
        }
        for (List<Binding> line : lines.values()) {
            otherNodeChanged(new RegistrationStore.LineBindings(line.get(0).deviceName(),
                    line.get(0).addressOfRecord(), line));
        }
    }

    private Object lineLock(String deviceName, String addressOfRecord) {
        return lineLocks[Math.floorMod(BindingIndex.line(deviceName, addressOfRecord).hashCode(), lineLocks.length)];
    }

    /**
     * Applies an authorised REGISTER of {@code device} received from {@code source} on the listener
     * and node {@code flow} names (which the new bindings record as their holder); the future
     * gives the final response to send (200 with every current binding once they are committed, or
     * 400/403/423 with a reason, 503 with Retry-After when the database cannot store it) and never completes exceptionally. The caller adds the To tag
     * when it sends it.
     */
    public CompletableFuture<Response> register(Request request, DeviceIdentity device, SourceAddress source,
            Flow flow) {
        RegisterRequest register;
        try {
            register = RegisterRequest.parse(request);
            if (!device.owns(register.addressOfRecord())) {
                throw new RegisterRejection(Response.FORBIDDEN, "Not a line of this device");
            }
            checkIntervals(register);
        } catch (RegisterRejection rejection) {
            LOG.info("REGISTER of {} from {} refused: {} {}", device.deviceName(), source,
                    rejection.statusCode(), rejection.reasonPhrase());
            return CompletableFuture.completedFuture(rejection(request, rejection));
        }
        String deviceName = device.deviceName();
        String line = register.addressOfRecord();
        List<Binding> previous;
        List<Binding> current;
        Instant now;
        CompletableFuture<Void> durable;
        try {
            synchronized (lineLock(deviceName, line)) {
                now = clock.instant();
                previous = index.stored(deviceName, line);
                List<Binding> existing = index.bindings(deviceName, line, now);
                if (register.isQuery()) {
                    return CompletableFuture.completedFuture(ok(request, existing, now));
                }
                current = updated(existing, register, device, source, flow, now);
                index.replace(deviceName, line, current);
                durable = writer.replace(deviceName, line, current);
            }
        } catch (RegisterRejection rejection) {
            LOG.info("REGISTER of {} from {} refused: {} {}", deviceName, source,
                    rejection.statusCode(), rejection.reasonPhrase());
            return CompletableFuture.completedFuture(rejection(request, rejection));
        }
        Instant at = now;
        return durable.handleAsync((stored, error) -> {
            if (error == null) {
                LOG.info("registered {} line {} from {}: {} contact(s)", deviceName, line, source, current.size());
                return ok(request, current, at);
            }
            synchronized (lineLock(deviceName, line)) {
                if (index.stored(deviceName, line).equals(current)) {
                    index.replace(deviceName, line, previous); // nothing newer came since: undo ours
                }
            }
            LOG.warn("REGISTER of {} from {} not stored: {}", deviceName, source, error.getMessage());
            // the database is down or unreachable: the phone should retry, and calls to the
            // bindings already known go on from the index meanwhile
            return rejection(request, new RegisterRejection(Response.SERVICE_UNAVAILABLE,
                    "Registration could not be stored"));
        }, replies);
    }

    /** Active bindings of a directory number, newest first: where a call to it goes. */
    public List<Binding> bindingsForDirectoryNumber(String directoryNumber) {
        return index.forAddressOfRecord(directoryNumber, clock.instant());
    }

    /** Active bindings of a device over all its lines, newest first. */
    public List<Binding> bindingsOfDevice(String deviceName) {
        return index.ofDevice(deviceName, clock.instant());
    }

    /**
     * The newest active binding registered from exactly this socket address and transport: which
     * registered device a later request from there comes from.
     */
    public Optional<Binding> bindingFrom(SourceAddress source) {
        return index.from(source, clock.instant()).stream().findFirst();
    }

    /** Every active binding over all devices, newest first. */
    public List<Binding> allBindings() {
        return index.all(clock.instant());
    }

    /**
     * An operator removes every binding of a device (a lost or stolen phone): calls to its numbers
     * stop reaching it at once; it may register again if its credentials still allow. Returns how
     * many bindings went.
     */
    public int unregisterDevice(String deviceName) {
        int removed = 0;
        for (Binding binding : index.ofDevice(deviceName, Instant.MIN)) {
            String line = binding.addressOfRecord();
            synchronized (lineLock(deviceName, line)) {
                removed += index.stored(deviceName, line).size();
                index.replace(deviceName, line, List.of());
                writer.replace(deviceName, line, List.of()).join();
            }
        }
        return removed;
    }

    /** Deletes expired bindings; call it on a schedule (lookups already ignore them). */
    public int purgeExpired() {
        Instant now = clock.instant();
        int purged = index.purgeExpired(now);
        store.purgeExpired(now);
        return purged;
    }

    /** Active bindings held now, over every line. */
    public int activeBindings() {
        return index.size();
    }

    /** Commits the changes still queued, then stops writing. */
    @Override
    public void close() {
        writer.close();
        replies.shutdown();
        try {
            replies.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** RFC 3261 10.3 step 6: refuse too-brief intervals before changing anything. */
    private void checkIntervals(RegisterRequest register) throws RegisterRejection {
        int active = 0;
        for (RequestedContact contact : register.contacts()) {
            long expires = requestedExpires(contact, register);
            if (expires > 0 && expires < settings.get().minExpires()) {
                throw new RegisterRejection(Response.INTERVAL_TOO_BRIEF, "Interval Too Brief");
            }
            if (expires > 0) {
                active++;
            }
        }
        if (active > settings.get().maxContactsPerLine()) {
            throw new RegisterRejection(Response.FORBIDDEN,
                    "Too many contacts (at most " + settings.get().maxContactsPerLine() + ")");
        }
    }

    private long requestedExpires(RequestedContact contact, RegisterRequest register) {
        if (contact.expiresParameter() != RegisterRequest.NO_EXPIRES) {
            return contact.expiresParameter();
        }
        if (register.expiresHeader() != RegisterRequest.NO_EXPIRES) {
            return register.expiresHeader();
        }
        return settings.get().defaultExpires();
    }

    /** RFC 3261 10.3 steps 6 and 7 over the line's active bindings; the result is the line's new state. */
    private List<Binding> updated(List<Binding> existing, RegisterRequest register, DeviceIdentity device,
            SourceAddress source, Flow flow, Instant now) throws RegisterRejection {
        if (register.wildcard()) {
            for (Binding binding : existing) {
                checkOrder(binding, register);
            }
            return List.of();
        }
        List<Binding> kept = new ArrayList<>(existing);
        List<Binding> added = new ArrayList<>();
        for (RequestedContact contact : register.contacts()) {
            removeMatching(kept, contact, register);
            added.removeIf(binding -> matches(binding, contact));
            long expires = Math.min(requestedExpires(contact, register), settings.get().maxExpires());
            if (expires > 0) {
                added.add(new Binding(device.deviceName(), register.addressOfRecord(), contact.uriText(),
                        contact.instanceId(), source, register.callId(), register.cseq(), now,
                        now.plusSeconds(expires), register.userAgent(), flow));
            }
        }
        // One contact per line by default: the newest registrations replace the oldest.
        kept.addAll(added);
        int excess = kept.size() - settings.get().maxContactsPerLine();
        return List.copyOf(excess > 0 ? kept.subList(excess, kept.size()) : kept);
    }

    private void removeMatching(List<Binding> kept, RequestedContact contact, RegisterRequest register)
            throws RegisterRejection {
        for (Iterator<Binding> it = kept.iterator(); it.hasNext();) {
            Binding binding = it.next();
            if (matches(binding, contact)) {
                checkOrder(binding, register);
                it.remove();
            }
        }
    }

    /** RFC 3261 10.3 step 7: within one Call-ID the CSeq must grow, else the whole update is aborted. */
    private static void checkOrder(Binding binding, RegisterRequest register) throws RegisterRejection {
        if (binding.callId().equals(register.callId()) && register.cseq() <= binding.cseq()) {
            throw new RegisterRejection(Response.SERVER_INTERNAL_ERROR, "Out of order CSeq for this Call-ID");
        }
    }

    /** Same instance (RFC 5626) when both carry a +sip.instance, else equal URIs (RFC 3261 19.1.4). */
    private boolean matches(Binding binding, RequestedContact contact) {
        if (binding.instanceId() != null && contact.instanceId() != null) {
            return binding.instanceId().equals(contact.instanceId());
        }
        if (binding.contactUri().equals(contact.uriText())) {
            return true;
        }
        URI stored = storedUri(binding);
        return stored != null && stored.equals(contact.uri());
    }

    private URI storedUri(Binding binding) {
        try {
            return ((ContactHeader) headers.createHeader(ContactHeader.NAME, "<" + binding.contactUri() + ">"))
                    .getAddress().getURI();
        } catch (ParseException | RuntimeException e) {
            return null; // we wrote it from a parsed URI; an unreadable one simply matches nothing
        }
    }

    private Response ok(Request request, List<Binding> bindings, Instant now) {
        try {
            Response response = messages.createResponse(Response.OK, request);
            for (Binding binding : bindings) {
                StringBuilder contact = new StringBuilder("<").append(binding.contactUri()).append(">;expires=")
                        .append(binding.remainingSeconds(now));
                if (binding.instanceId() != null) {
                    contact.append(";+sip.instance=\"").append(binding.instanceId()).append('"');
                }
                response.addHeader(headers.createHeader(ContactHeader.NAME, contact.toString()));
            }
            Calendar date = new GregorianCalendar(TimeZone.getTimeZone("GMT"));
            date.setTimeInMillis(now.toEpochMilli());
            response.addHeader(headers.createDateHeader(date));
            return response;
        } catch (ParseException e) {
            LOG.warn("cannot build the 200 OK to a REGISTER: {}", e.getMessage());
            return rejection(request, new RegisterRejection(Response.SERVER_INTERNAL_ERROR,
                    "Bindings could not be listed"));
        }
    }

    private Response rejection(Request request, RegisterRejection rejection) {
        try {
            Response response = messages.createResponse(rejection.statusCode(), request);
            response.setReasonPhrase(rejection.reasonPhrase());
            if (rejection.statusCode() == Response.INTERVAL_TOO_BRIEF) {
                response.addHeader(headers.createMinExpiresHeader(settings.get().minExpires()));
            }
            if (rejection.statusCode() == Response.SERVICE_UNAVAILABLE) {
                response.addHeader(headers.createRetryAfterHeader(STORE_RETRY_AFTER_SECONDS));
            }
            return response;
        } catch (ParseException | javax.sip.InvalidArgumentException e) {
            throw new IllegalStateException("cannot build a " + rejection.statusCode() + " response", e);
        }
    }
}
