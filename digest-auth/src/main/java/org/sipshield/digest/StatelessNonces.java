package org.sipshield.digest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Nonces that need no server state: {@code base64url(version | issuedAtMillis | salt | tag)},
 * tag = HMAC-SHA256(secret, label | version | issuedAt | salt | realm | bindings...) truncated to
 * 128 bits. Any instance holding the secret can validate a nonce; the salt keeps two nonces of the
 * same millisecond apart, so nc tracking keyed by nonce never merges two clients.
 */
final class StatelessNonces {

    private static final byte VERSION = 1;
    private static final int SALT_LENGTH = 8;
    private static final int TAG_LENGTH = 16;
    private static final int NONCE_BYTES = 1 + 8 + SALT_LENGTH + TAG_LENGTH;
    static final int NONCE_CHARS = 44;
    private static final byte[] NONCE_LABEL = "sipshield digest nonce v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OPAQUE_LABEL = "sipshield digest opaque v1".getBytes(StandardCharsets.US_ASCII);

    /** Issued this far in the future (another instance's clock) is still accepted. */
    static final long MAX_CLOCK_SKEW_MILLIS = 30_000;

    private final NonceSecret secret;
    private final SecureRandom random;
    private final String realm;
    private final Set<NonceBinding> bindings;

    StatelessNonces(NonceSecret secret, SecureRandom random, String realm, Set<NonceBinding> bindings) {
        this.secret = secret;
        this.random = random;
        this.realm = realm;
        this.bindings = bindings;
    }

    String issue(long nowMillis, DigestRequest request) {
        byte[] salt = new byte[SALT_LENGTH];
        random.nextBytes(salt);
        ByteBuffer b = ByteBuffer.allocate(NONCE_BYTES);
        b.put(VERSION).putLong(nowMillis).put(salt).put(tag(nowMillis, salt, request));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /** The issue time of a nonce this realm signed for this request context, or -1 if it is not one. */
    long validate(String nonce, DigestRequest request) {
        if (nonce.length() != NONCE_CHARS) {
            return -1;
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return -1;
        }
        if (raw.length != NONCE_BYTES || raw[0] != VERSION) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        b.get();
        long issuedAt = b.getLong();
        byte[] salt = new byte[SALT_LENGTH];
        b.get(salt);
        byte[] tag = new byte[TAG_LENGTH];
        b.get(tag);
        return MessageDigest.isEqual(tag, tag(issuedAt, salt, request)) ? issuedAt : -1;
    }

    /** A per-realm opaque: lets us notice credentials computed for another server's challenge. */
    String opaque() {
        Mac mac = newMac();
        mac.update(OPAQUE_LABEL);
        mac.update(realm.getBytes(StandardCharsets.UTF_8));
        byte[] full = mac.doFinal();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(full, 16));
    }

    private byte[] tag(long issuedAt, byte[] salt, DigestRequest request) {
        Mac mac = newMac();
        mac.update(NONCE_LABEL);
        mac.update(VERSION);
        mac.update(ByteBuffer.allocate(8).putLong(issuedAt).array());
        mac.update(salt);
        field(mac, realm.getBytes(StandardCharsets.UTF_8));
        if (bindings.contains(NonceBinding.SOURCE_ADDRESS)) {
            mac.update((byte) 'S');
            field(mac, request.source().getAddress().getAddress());
        }
        if (bindings.contains(NonceBinding.CALL_ID)) {
            if (request.callId() == null) {
                throw new IllegalArgumentException("this realm binds nonces to the Call-ID: the request needs one");
            }
            mac.update((byte) 'C');
            field(mac, request.callId().getBytes(StandardCharsets.UTF_8));
        }
        byte[] full = mac.doFinal();
        return java.util.Arrays.copyOf(full, TAG_LENGTH);
    }

    /** Length-prefixed so that no two different field sequences hash the same bytes. */
    private static void field(Mac mac, byte[] value) {
        mac.update(ByteBuffer.allocate(4).putInt(value.length).array());
        mac.update(value);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.keyBytes(), "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
