package org.sipshield.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference's Certificate Monitor: from "Notification Start Time" days before a
 * certificate expires it warns every "Notification Frequency"; once a certificate is within a
 * day of expiry (or expired) it runs, and warns, every hour. Warnings go to the log and to the
 * listeners (webhook, e-mail, metrics). Runs once a day otherwise. The clock is injectable.
 */
public final class CertificateExpiryMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateExpiryMonitor.class);
    static final Duration DAILY = Duration.ofDays(1);
    static final Duration HOURLY = Duration.ofHours(1);

    /** Notification Start Time (days before expiry) and Notification Frequency. */
    public record Settings(int notificationStartDays, Duration notificationFrequency) {
        public Settings {
            if (notificationStartDays < 1 || notificationStartDays > 3650) {
                throw new IllegalArgumentException("notification start time is 1 to 3650 days, not " + notificationStartDays);
            }
            Objects.requireNonNull(notificationFrequency, "notificationFrequency");
            if (notificationFrequency.compareTo(HOURLY) < 0) {
                throw new IllegalArgumentException("notification frequency is at least one hour, not " + notificationFrequency);
            }
        }
    }

    /** Hears about every warning. Must not block for long; the monitor calls listeners one by one. */
    @FunctionalInterface
    public interface Listener {
        void onExpiryWarning(ExpiryWarning warning);
    }

    private final Settings settings;
    private final Supplier<Map<String, X509Certificate>> certificates;
    private final Clock clock;
    private final List<Listener> listeners;
    private final Map<String, Instant> lastNotified = new HashMap<>();
    private volatile boolean somethingWithinADay;
    private ScheduledFuture<?> next;

    public CertificateExpiryMonitor(Settings settings, Supplier<Map<String, X509Certificate>> certificates, Clock clock,
            List<Listener> listeners) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.certificates = Objects.requireNonNull(certificates, "certificates");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listeners = List.copyOf(listeners);
    }

    /** Checks every certificate now; returns (and reports) the warnings due now. */
    public synchronized List<ExpiryWarning> runOnce() {
        Instant now = clock.instant();
        List<ExpiryWarning> due = new ArrayList<>();
        boolean withinADay = false;
        Map<String, X509Certificate> current = certificates.get();
        lastNotified.keySet().retainAll(current.keySet());
        for (Map.Entry<String, X509Certificate> entry : current.entrySet()) {
            Instant notAfter = entry.getValue().getNotAfter().toInstant();
            Duration remaining = Duration.between(now, notAfter);
            if (remaining.compareTo(Duration.ofDays(settings.notificationStartDays())) > 0) {
                lastNotified.remove(entry.getKey());
                continue;
            }
            boolean urgent = remaining.compareTo(DAILY) <= 0;
            withinADay |= urgent;
            Duration frequency = urgent ? HOURLY : settings.notificationFrequency();
            Instant last = lastNotified.get(entry.getKey());
            if (last != null && now.isBefore(last.plus(frequency))) {
                continue;
            }
            lastNotified.put(entry.getKey(), now);
            due.add(new ExpiryWarning(entry.getKey(), entry.getValue().getSubjectX500Principal().getName(), notAfter, remaining));
        }
        somethingWithinADay = withinADay;
        for (ExpiryWarning warning : due) {
            if (warning.expired()) {
                LOG.error(warning.message());
            } else {
                LOG.warn(warning.message());
            }
            for (Listener listener : listeners) {
                try {
                    listener.onExpiryWarning(warning);
                } catch (RuntimeException e) {
                    LOG.warn("expiry listener {} failed: {}", listener, e.toString());
                }
            }
        }
        return due;
    }

    /**
     * Every monitored certificate and its time left, soonest first, whether or not a warning is
     * due: for metrics (e.g. a days-until-expiry gauge per certificate) and status pages.
     */
    public List<ExpiryWarning> snapshot() {
        Instant now = clock.instant();
        List<ExpiryWarning> all = new ArrayList<>();
        certificates.get().forEach((name, certificate) -> all.add(new ExpiryWarning(name,
                certificate.getSubjectX500Principal().getName(), certificate.getNotAfter().toInstant(),
                Duration.between(now, certificate.getNotAfter().toInstant()))));
        all.sort(java.util.Comparator.comparing(ExpiryWarning::notAfter));
        return all;
    }

    /** When the next run is due: hourly while something is within a day of expiry, else daily. */
    public Duration nextRunDelay() {
        if (somethingWithinADay) {
            return HOURLY;
        }
        return settings.notificationFrequency().compareTo(DAILY) < 0 ? settings.notificationFrequency() : DAILY;
    }

    /** Runs now and then on its own schedule on the executor, until {@link #stop()}. */
    public synchronized void start(ScheduledExecutorService executor) {
        next = executor.schedule(() -> runAndReschedule(executor), 0, TimeUnit.MILLISECONDS);
    }

    private void runAndReschedule(ScheduledExecutorService executor) {
        try {
            runOnce();
        } catch (RuntimeException e) {
            LOG.error("certificate expiry check failed", e);
        }
        synchronized (this) {
            if (next != null && !executor.isShutdown()) {
                next = executor.schedule(() -> runAndReschedule(executor), nextRunDelay().toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    public synchronized void stop() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    /**
     * The proxy's certificates under a data directory: its own identities ("sip", "https") and
     * every trust store entry ("sip-trust/&lt;id&gt;", "https-trust/&lt;id&gt;"), read afresh at each run.
     */
    public static Supplier<Map<String, X509Certificate>> certificatesIn(Path dataDirectory) {
        return () -> {
            Map<String, X509Certificate> all = new LinkedHashMap<>();
            IdentityStore identities = new IdentityStore(dataDirectory);
            try {
                for (CertificatePurpose purpose : CertificatePurpose.values()) {
                    if (identities.exists(purpose)) {
                        all.put(purpose.fileStem(), identities.load(purpose).certificate());
                    }
                    TrustStore trust = new TrustStore(dataDirectory, purpose);
                    for (TrustStore.Entry entry : trust.list()) {
                        all.put(trust.name() + "/" + entry.id(), entry.certificate());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("unreadable identity: " + e.getMessage(), e);
            }
            return all;
        };
    }
}
