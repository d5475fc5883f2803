package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MediaSettingsTest {
    private static final String LISTENERS = "listeners:\n  - transport: UDP\n    address: 127.0.0.2\n    port: 5060\n";

    @Test
    void withoutAMediaSectionTheDefaultsApply() throws Exception {
        MediaSettings media = ConfigLoader.parse(LISTENERS, "t.yaml").media();
        assertEquals(new MediaSettings("127.0.0.2", 20000, 29999, 60, SrtpCiphers.ALL, MediaLatching.SIGNALLED_ADDRESS), media);
    }

    @Test
    void theShippedConfigurationLoadsWithItsMediaSection() throws Exception {
        MediaSettings media = ConfigLoader.parse(ConfigLoader.defaultText(), "sipshield.yaml").media();
        assertEquals(60, media.mediaTimeoutSeconds());
        assertEquals(SrtpCiphers.ALL, media.srtpCiphers());
    }

    @Test
    void everyKeyIsRead() throws Exception {
        MediaSettings media = ConfigLoader.parse(LISTENERS + "media:\n  address: 192.0.2.7\n  portMin: 40000\n  portMax: 40099\n"
                + "  mediaTimeout: 30\n  srtpCiphers: strongest\n  latching: ANY_ADDRESS\n", "t.yaml").media();
        assertEquals(new MediaSettings("192.0.2.7", 40000, 40099, 30, SrtpCiphers.STRONGEST, MediaLatching.ANY_ADDRESS), media);
    }

    @Test
    void badValuesAreAllListed() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(LISTENERS
                + "media:\n  address: 0.0.0.0\n  portMin: 40001\n  portMax: 40002\n  mediaTimeout: 1\n  srtpCiphers: WEAK\n"
                + "  latching: sometimes\n  colour: blue\n", "t.yaml"));
        String text = e.getMessage();
        for (String expected : new String[] {"media.address", "media.portMin", "media.portMax", "media.mediaTimeout",
                "media.srtpCiphers", "media.latching", "colour"}) {
            assertTrue(text.contains(expected), expected + " in " + text);
        }
    }

    @Test
    void f8IsOffByDefaultAndCanBeEnabledBesideAll() throws Exception {
        assertEquals(false, ConfigLoader.parse(LISTENERS, "t.yaml").media().enableF8Cipher());
        assertEquals(true, ConfigLoader.parse(LISTENERS + "media:\n  enableF8Cipher: true\n", "t.yaml").media().enableF8Cipher());
    }

    @Test
    void theRelayWarmsUpUnlessTurnedOffAndAnythingButABooleanIsRefused() throws Exception {
        assertEquals(true, ConfigLoader.parse(LISTENERS, "t.yaml").media().warmUp());
        assertEquals(false, ConfigLoader.parse(LISTENERS + "media:\n  warmUp: false\n", "t.yaml").media().warmUp());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(LISTENERS
                + "media:\n  warmUp: sometimes\n", "t.yaml"));
        assertTrue(e.getMessage().contains("media.warmUp"), e.getMessage());
    }

    @Test
    void theEventLoopsRunUnderSchedFifoAtPriority10UnlessAnotherPriorityOrNoneIsGivenWithinRange() throws Exception {
        assertEquals(10, ConfigLoader.parse(LISTENERS, "t.yaml").media().realtimePriority());
        assertEquals(0, ConfigLoader.parse(LISTENERS + "media:\n  realtimePriority: 0\n", "t.yaml").media().realtimePriority());
        assertEquals(10, ConfigLoader.parse(LISTENERS + "media:\n  realtimePriority: 10\n", "t.yaml").media().realtimePriority());
        assertEquals(98, ConfigLoader.parse(LISTENERS + "media:\n  realtimePriority: 98\n", "t.yaml").media().realtimePriority());
        // 99 is the kernel's highest, which the loops' watchdog takes above them
        for (String bad : new String[] {"99", "100", "-1", "high"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(LISTENERS
                    + "media:\n  realtimePriority: " + bad + "\n  warmUp: sometimes\n", "t.yaml"));
            assertTrue(e.getMessage().contains("media.realtimePriority") && e.getMessage().contains("media.warmUp"), e.getMessage());
        }
    }

    @Test
    void theBatchWindowIs200MicrosecondsUnlessGivenWithinAMillisecond() throws Exception {
        assertEquals(200, ConfigLoader.parse(LISTENERS, "t.yaml").media().batchWindowMicros());
        assertEquals(0, ConfigLoader.parse(LISTENERS + "media:\n  batchWindowMicros: 0\n", "t.yaml").media().batchWindowMicros());
        assertEquals(1000, ConfigLoader.parse(LISTENERS + "media:\n  batchWindowMicros: 1000\n", "t.yaml").media().batchWindowMicros());
        for (String bad : new String[] {"1001", "-1", "short"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(LISTENERS
                    + "media:\n  batchWindowMicros: " + bad + "\n  realtimePriority: 100\n", "t.yaml"));
            assertTrue(e.getMessage().contains("media.batchWindowMicros") && e.getMessage().contains("media.realtimePriority"),
                    e.getMessage());
        }
    }

    @Test
    void f8BesideAGcmOnlyPolicyIsRefusedWithTheReasonAndTheOtherProblems() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(LISTENERS
                + "media:\n  srtpCiphers: MEDIUM\n  enableF8Cipher: true\n  mediaTimeout: 1\n", "t.yaml"));
        String text = e.getMessage();
        assertTrue(text.contains("media.enableF8Cipher") && text.contains("AEAD GCM suites only"), text);
        assertTrue(text.contains("media.mediaTimeout"), text);
    }
}
