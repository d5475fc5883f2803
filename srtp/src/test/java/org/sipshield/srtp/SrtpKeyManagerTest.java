package org.sipshield.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SrtpKeyManagerTest {
    private final SrtpKeyManager manager = new SrtpKeyManager();

    @ParameterizedTest
    @EnumSource(CryptoSuite.class)
    void everyLegAndDirectionGetsFreshMaterialOfTheRightLength(CryptoSuite suite) {
        Set<String> seen = new HashSet<>();
        List<SrtpMasterKey> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            SrtpMasterKey k = manager.newMasterKey(suite);
            assertEquals(suite, k.suite());
            assertEquals(suite.masterKeyLength(), k.keyBytes().length);
            assertEquals(suite.masterSaltLength(), k.saltBytes().length);
            assertTrue(seen.add(java.util.HexFormat.of().formatHex(k.keyBytes())), "key repeated");
            assertTrue(seen.add(java.util.HexFormat.of().formatHex(k.saltBytes())), "salt repeated");
            all.add(k);
        }
        assertFalse(all.get(0).sameMaterialAs(all.get(1)));
        assertTrue(all.get(0).sameMaterialAs(all.get(0)));
    }

    @Test
    void keysRedactThemselvesAndAreZeroedWhenTheirSessionCloses() {
        SrtpMasterKey key = manager.newMasterKey(CryptoSuite.AEAD_AES_128_GCM);
        String hex = java.util.HexFormat.of().formatHex(key.keyBytes());
        String b64 = java.util.Base64.getEncoder().encodeToString(key.keyBytes());
        assertFalse(key.toString().contains(hex) || key.toString().contains(b64), key.toString());
        assertTrue(key.toString().contains("redacted"));

        SrtpSession session = SrtpSession.open(SrtpEngine.OPENSSL, SrtpDirection.OUTBOUND, key);
        assertFalse(session.toString().contains(hex));
        assertFalse(key.isDestroyed());
        session.close();
        assertTrue(key.isDestroyed());
        assertThrows(IllegalStateException.class, key::keyBytes);
        IllegalStateException reuse = assertThrows(IllegalStateException.class,
                () -> SrtpSession.open(SrtpEngine.OPENSSL, SrtpDirection.OUTBOUND, key));
        assertFalse(reuse.getMessage().contains(hex));
    }

    @Test
    void destroyZeroesTheHeldArrays() throws Exception {
        SrtpMasterKey key = manager.newMasterKey(CryptoSuite.AES_256_CM_HMAC_SHA1_80);
        java.lang.reflect.Field f = SrtpMasterKey.class.getDeclaredField("key");
        f.setAccessible(true);
        byte[] held = (byte[]) f.get(key);
        assertFalse(allZero(held));
        key.close();
        assertTrue(allZero(held));
    }

    @Test
    void wrongLengthsAreRefusedWithoutShowingTheBytes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SrtpMasterKey.of(CryptoSuite.AEAD_AES_256_GCM, new byte[16], new byte[12]));
        assertTrue(e.getMessage().contains("32-octet key"), e.getMessage());
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
