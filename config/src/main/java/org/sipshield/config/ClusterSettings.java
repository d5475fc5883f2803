package org.sipshield.config;

import java.util.Map;
import java.util.Optional;

/**
 * The nodes of a cluster and, for each, the SIP trunk that reaches it (a mutual-TLS trunk: its
 * certificate names say which node is speaking). A call for a TCP or TLS phone whose connection
 * another node holds is carried to that node over its trunk; that node delivers it on the phone's
 * connection. The same section can be given to every node: a node's own entry is not a hop.
 * Empty: no hop, and such a call gets 480.
 *
 * @param trunkOfNode node name (its {@code server.nodeName}) -> name of the trunk reaching it
 */
public record ClusterSettings(Map<String, String> trunkOfNode) {
    public ClusterSettings {
        trunkOfNode = Map.copyOf(trunkOfNode);
    }

    public static ClusterSettings none() {
        return new ClusterSettings(Map.of());
    }

    /** The trunk that reaches this node, if the cluster names one. */
    public Optional<String> trunkOf(String nodeName) {
        return Optional.ofNullable(trunkOfNode.get(nodeName));
    }

    /** Whether this trunk is the hop from another node: its calls go to phones held here, never on. */
    public boolean isNodeTrunk(String trunkName) {
        return trunkOfNode.containsValue(trunkName);
    }
}
