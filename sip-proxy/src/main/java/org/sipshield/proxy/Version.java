package org.sipshield.proxy;

/** The product version, from the jar's manifest when packaged. */
public final class Version {
    private Version() {}

    public static String current() {
        String version = Version.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }
}
