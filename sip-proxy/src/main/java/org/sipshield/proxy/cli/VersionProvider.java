package org.sipshield.proxy.cli;

import org.sipshield.proxy.Version;
import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"sipshield " + Version.current()};
    }
}
