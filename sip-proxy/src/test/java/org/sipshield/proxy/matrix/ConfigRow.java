package org.sipshield.proxy.matrix;

import org.sipshield.config.ConfigException;
import org.sipshield.config.ConfigLoader;
import org.sipshield.config.ConfigProblem;

/**
 * A forbidden combination of transport and device security mode: a configuration whose phone
 * profile has it must be refused as a whole, with a problem that names that profile's key. No
 * proxy starts.
 */
final class ConfigRow {
    private ConfigRow() {}

    static MatrixResult run(Scenario row) {
        String yaml = """
                server:
                  hostName: 127.0.0.1
                listeners:
                  - {transport: UDP, address: 127.0.0.1, port: 5060}
                  - {transport: TCP, address: 127.0.0.1, port: 5060}
                  - {transport: TLS, address: 127.0.0.1, port: 5061}
                phoneSecurityProfiles:
                  - {name: matrix profile, deviceSecurityMode: %s, transportType: %s, enableDigestAuthentication: %s}
                endUsers:
                  - {userId: matrix-user, digestCredentials: {MD5: %s}}
                phones:
                  - {deviceName: SEPMATRIX0001, securityProfile: matrix profile, digestUser: matrix-user, lines: ["2999"]}
                """.formatted(row.mode().label(), row.transport(), row.digest(),
                MatrixProxy.ha1("matrix-user", "ccmsipline", "matrix-secret"));
        try {
            ConfigLoader.parse(yaml, "matrix.yaml");
            return MatrixResult.fail(row, "the configuration was accepted");
        } catch (ConfigException e) {
            for (ConfigProblem problem : e.problems()) {
                if (problem.path().equals("phoneSecurityProfiles[0].transportType")
                        && problem.problem().contains(row.mode().label())) {
                    return MatrixResult.pass(row, "refused: " + problem);
                }
            }
            return MatrixResult.fail(row, "refused, but no problem names the profile's transport: " + e.getMessage());
        }
    }
}
