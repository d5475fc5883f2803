package org.sipshield.proxy.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** 16-bit mono PCM WAV files: a test signal to play, and comparing what was heard with it. */
public final class Wav {
    private Wav() {}

    /** A linear sine sweep (from {@code fromHz} to {@code toHz}), 8 kHz, at about -8 dBFS: no two windows look alike. */
    public static short[] sweep(double seconds, double fromHz, double toHz) {
        int n = (int) (seconds * 8000);
        short[] samples = new short[n];
        double rate = (toHz - fromHz) / seconds;
        for (int i = 0; i < n; i++) {
            double t = i / 8000.0;
            samples[i] = (short) Math.round(12000 * Math.sin(2 * Math.PI * (fromHz * t + rate / 2 * t * t)));
        }
        return samples;
    }

    public static void write(Path file, short[] samples) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(44 + samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + samples.length * 2).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(8000).putInt(16000)
                .putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(samples.length * 2);
        for (short s : samples) {
            b.putShort(s);
        }
        Files.write(file, b.array());
    }

    /** The samples of a 16-bit PCM WAV file (its "data" chunk). */
    public static short[] read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(12);
        while (b.remaining() >= 8) {
            byte[] id = new byte[4];
            b.get(id);
            int size = b.getInt();
            if (new String(id).equals("data")) {
                int n = Math.min(size, b.remaining()) / 2;
                short[] samples = new short[n];
                for (int i = 0; i < n; i++) {
                    samples[i] = b.getShort();
                }
                return samples;
            }
            b.position(b.position() + size + (size & 1));
        }
        throw new IOException("no data chunk in " + file);
    }

    /**
     * The best normalized correlation of {@code window} (a piece of the sent signal) anywhere in
     * {@code recording}: 1.0 is the same waveform, noise is near 0.
     */
    public static double bestCorrelation(short[] window, short[] recording) {
        double windowEnergy = 0;
        for (short s : window) {
            windowEnergy += (double) s * s;
        }
        double best = 0;
        for (int lag = 0; lag + window.length <= recording.length; lag++) {
            double dot = 0;
            double energy = 0;
            for (int i = 0; i < window.length; i++) {
                double r = recording[lag + i];
                dot += window[i] * r;
                energy += r * r;
            }
            if (energy > 0) {
                best = Math.max(best, dot / Math.sqrt(windowEnergy * energy));
            }
        }
        return best;
    }
}
