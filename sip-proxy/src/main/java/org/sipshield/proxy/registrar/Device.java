package org.sipshield.proxy.registrar;

import java.util.List;
import java.util.Objects;
import org.sipshield.config.Phone;
import org.sipshield.config.VoicemailPort;

/**
 * A configured device as the registrar sees it: who it is and which directory numbers (lines) it
 * may register. The pipeline has already decided that a REGISTER belongs to this device.
 */
public record Device(String deviceName, DeviceKind kind, List<String> directoryNumbers) {
    public Device {
        Objects.requireNonNull(deviceName, "deviceName");
        Objects.requireNonNull(kind, "kind");
        directoryNumbers = List.copyOf(directoryNumbers);
        if (deviceName.isBlank() || directoryNumbers.isEmpty()) {
            throw new IllegalArgumentException("a device needs a name and at least one directory number");
        }
    }

    public static Device of(Phone phone) {
        return new Device(phone.deviceName(), DeviceKind.PHONE, phone.lines());
    }

    public static Device of(VoicemailPort port) {
        return new Device(port.deviceName(), DeviceKind.VOICEMAIL_PORT, List.of(port.directoryNumber()));
    }

    public boolean owns(String directoryNumber) {
        return directoryNumbers.contains(directoryNumber);
    }
}
