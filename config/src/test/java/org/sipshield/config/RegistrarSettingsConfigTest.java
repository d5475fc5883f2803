package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.sipshield.config.SecurityModelConfigTest.LISTENERS;
import static org.sipshield.config.SecurityModelConfigTest.assertProblem;
import static org.sipshield.config.SecurityModelConfigTest.problems;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The registrar's limits hold the same whether they come from the file or are built in code. */
class RegistrarSettingsConfigTest {

    @Test
    void theFileAndTheRecordRefuseTheSameContactLimit() {
        List<ConfigProblem> problems = problems("registrar: {maxContactsPerLine: 17}\n");
        assertProblem(problems, "registrar.maxContactsPerLine", "17 is out of range");
        assertThrows(IllegalArgumentException.class, () -> new RegistrarSettings(60, 3600, 3600, 17));
    }

    @Test
    void everyBadIntervalIsListedAndNoRegistrarIsBuiltFromThem() {
        List<ConfigProblem> problems = problems("registrar: {minExpires: 900, maxExpires: 600, maxContactsPerLine: 0}\n");
        assertProblem(problems, "registrar.minExpires", "900 is above maxExpires 600");
        assertProblem(problems, "registrar.maxContactsPerLine", "0 is out of range");
        assertEquals(2, problems.size(), problems.toString());
        assertThrows(IllegalArgumentException.class, () -> new RegistrarSettings(900, 600, 600, 1));
        assertThrows(IllegalArgumentException.class, () -> new RegistrarSettings(60, 3600, 30, 1));
    }

    @Test
    void theLimitsThemselvesAndTheDefaultsLoad() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(LISTENERS + """
                registrar: {minExpires: 1, maxExpires: 86400, defaultExpires: 86400, maxContactsPerLine: 16}
                """, "model.yaml");
        assertEquals(new RegistrarSettings(1, 86400, 86400, 16), config.registrar());
        assertEquals(RegistrarSettings.defaults(), ConfigLoader.parse(LISTENERS, "model.yaml").registrar());
    }
}
