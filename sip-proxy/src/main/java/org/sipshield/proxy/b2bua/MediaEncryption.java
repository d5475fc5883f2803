package org.sipshield.proxy.b2bua;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sipshield.config.SecureCallIconDisplayPolicy;

/**
 * Whether an SDP's media counts as encrypted under the reference's Secure Call Icon Display
 * Policy: each media stream the policy counts must be SRTP (RTP/SAVP or RTP/SAVPF with an
 * a=crypto line); BFCP and iX application streams count or not as the policy says.
 */
public final class MediaEncryption {
    private MediaEncryption() {}

    /**
     * The policies under which the SDP's media counts as encrypted: what a call keeps of an SDP it
     * has seen (the policy can change with a reload; the SDP text, with its keys, is not kept).
     */
    public static java.util.Set<SecureCallIconDisplayPolicy> encryptedUnder(byte[] sdp) {
        java.util.EnumSet<SecureCallIconDisplayPolicy> policies = java.util.EnumSet.noneOf(SecureCallIconDisplayPolicy.class);
        for (SecureCallIconDisplayPolicy policy : SecureCallIconDisplayPolicy.values()) {
            if (isEncrypted(sdp, policy)) {
                policies.add(policy);
            }
        }
        return java.util.Collections.unmodifiableSet(policies);
    }

    public static boolean isEncrypted(byte[] sdp, SecureCallIconDisplayPolicy policy) {
        if (sdp == null || sdp.length == 0) {
            return false;
        }
        List<List<String>> sections = new ArrayList<>();
        for (String line : new String(sdp, StandardCharsets.ISO_8859_1).split("\r?\n")) {
            if (line.startsWith("m=")) {
                sections.add(new ArrayList<>());
            }
            if (!sections.isEmpty()) {
                sections.get(sections.size() - 1).add(line.trim());
            }
        }
        boolean counted = false;
        for (List<String> section : sections) {
            String[] media = section.get(0).substring(2).split(" ");
            if (media.length < 3 || "0".equals(media[1])) {
                continue; // malformed or rejected stream
            }
            String type = media[0].toLowerCase(Locale.ROOT);
            String proto = media[2].toUpperCase(Locale.ROOT);
            if (!counts(type, proto, policy)) {
                continue;
            }
            counted = true;
            boolean srtp = proto.startsWith("RTP/SAVP") && section.stream().anyMatch(l -> l.startsWith("a=crypto:"));
            if (!srtp) {
                return false;
            }
        }
        return counted;
    }

    private static boolean counts(String type, String proto, SecureCallIconDisplayPolicy policy) {
        boolean bfcp = proto.contains("BFCP");
        boolean ix = "application".equals(type) && proto.contains("IX");
        return switch (policy) {
            case ONLY_AUDIO -> "audio".equals(type);
            case ALL_MEDIA -> true;
            case ALL_MEDIA_EXCEPT_BFCP -> !bfcp;
            case ALL_MEDIA_EXCEPT_IX -> !ix;
            case ALL_MEDIA_EXCEPT_BFCP_AND_IX -> !bfcp && !ix;
        };
    }
}
