package org.sipshield.config;

/**
 * @param clusterId        realm of the challenges sent to trunk peers (reference default StandAloneCluster)
 * @param sipStationRealm  realm of the challenges sent to phones and voicemail ports (default ccmsipline)
 */
public record EnterpriseParameters(String clusterId, String sipStationRealm,
        SecureCallIconDisplayPolicy secureCallIconDisplayPolicy) {}
