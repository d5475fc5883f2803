package org.sipshield.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code cluster:} section: {@code nodes: {NODE: {trunk: TRUNK}, ...}}. Every problem is
 * listed: a node name that is not one, a trunk that does not exist or is not TLS both ways (a hop
 * carries calls for phones: the node at the other end must prove who it is with its certificate),
 * and a cluster whose bindings are not shared (without {@code database.url} no node knows which
 * node holds a phone).
 */
final class ClusterSettingsReader {
    private ClusterSettingsReader() {}

    static ClusterSettings cluster(YamlMapping m, DatabaseSettings database, List<SipTrunk> trunks,
            List<SipTrunkSecurityProfile> profiles) {
        if (!m.has("nodes")) {
            m.problem("nodes", "missing", "nodes: {NODE: {trunk: TRUNK}, ...}, one entry per node");
        }
        YamlMapping nodes = m.mapping("nodes");
        Map<String, String> trunkOfNode = new LinkedHashMap<>();
        for (String node : nodes.keys()) {
            YamlMapping entry = nodes.mapping(node);
            if (!node.matches("[A-Za-z0-9._\\-]{1,64}")) {
                nodes.problem(node, "'" + node + "' is not a node name", "a server.nodeName: letters, digits, '.', '_', '-'");
            }
            String trunk = entry.requiredString("trunk", "the name of the SIP trunk that reaches this node");
            entry.finish();
            if (trunk != null && checkTrunk(entry, trunk, trunks, profiles)) {
                trunkOfNode.put(node, trunk);
            }
        }
        if (!trunkOfNode.isEmpty() && !database.isShared()) {
            m.problem("nodes", "a cluster needs its bindings shared", "database.url (PostgreSQL), so that each node knows"
                    + " which node holds a phone");
        }
        m.finish();
        return new ClusterSettings(trunkOfNode);
    }

    private static boolean checkTrunk(YamlMapping entry, String name, List<SipTrunk> trunks,
            List<SipTrunkSecurityProfile> profiles) {
        SipTrunk trunk = trunks.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
        if (trunk == null) {
            entry.problem("trunk", "no SIP trunk is named '" + name + "'",
                    String.join(", ", trunks.stream().map(SipTrunk::name).toList()));
            return false;
        }
        SipTrunkSecurityProfile profile = profiles.stream().filter(p -> p.name().equals(trunk.securityProfile()))
                .findFirst().orElse(null);
        if (profile == null) {
            return false; // the trunk's own entry reports its missing profile
        }
        if (profile.incomingTransportType() != TransportType.TLS || profile.outgoingTransportType() != TransportType.TLS) {
            entry.problem("trunk", "trunk '" + name + "' is not TLS both ways (profile '" + profile.name() + "')",
                    "a profile with incomingTransportType and outgoingTransportType TLS and the node's certificate"
                            + " name in secureCertificateSubjectOrSubjectAlternateName");
            return false;
        }
        return true;
    }
}
