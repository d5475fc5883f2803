package org.sipshield.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When a loop reads next, from given read times (MediaRelayTest and ZeroAllocationTest relay with the window on). */
class BatchWindowTest {
    private static final long WINDOW = 200_000;

    @Test
    void sparsePacketsAreReadAsTheyComeAndNeverPaced() {
        BatchWindow window = new BatchWindow(WINDOW);
        // a few calls: 1 ms between packets
        for (long t = 0; t < 20_000_000; t += 1_000_000) {
            assertFalse(window.pacing());
            window.readEnded(t, 1, false);
        }
        assertFalse(window.pacing());
    }

    @Test
    void packetsFasterThanTheWindowAreReadOncePerWindow() {
        BatchWindow window = new BatchWindow(WINDOW);
        window.readEnded(0, 1, false);
        assertFalse(window.pacing(), "one read says nothing about the rate");
        window.readEnded(40_000, 1, false);
        assertTrue(window.pacing(), "two reads with packets 40 us apart");
        assertEquals(240_000, window.nextReadAt(), "a window after the last read (an unpaced read is timed by its end)");
        // each paced read finds what came meanwhile, and the next is due a window after it
        window.readEnded(241_000, 5, true);
        assertTrue(window.pacing());
        assertEquals(441_000, window.nextReadAt());
    }

    @Test
    void pacedReadsBeginAWindowApartHoweverLongTheyTakeAndABehindLoopReadsAtOnce() {
        BatchWindow window = new BatchWindow(WINDOW);
        window.readEnded(0, 1, false);
        window.readEnded(40_000, 1, false);
        assertTrue(window.pacing());
        // each read begins when due and, re-keying and sending its bursts included, takes 90% of the window
        long due = window.nextReadAt();
        for (int i = 0; i < 10; i++) {
            long began = due;
            window.readEnded(began, 60, true);
            assertEquals(began + WINDOW, window.nextReadAt(), "due a window after the read began, not after it ended");
            due = window.nextReadAt();
        }
        // a delay: this read begins a window late and takes three; the next is due before it ends, so no sleep
        long began = due + WINDOW;
        window.readEnded(began, 600, true);
        long ended = began + 3 * WINDOW;
        assertTrue(window.nextReadAt() < ended, "the loop behind reads again at once");
        // and the one after, begun at once and short again, is a window after its own beginning
        window.readEnded(ended, 40, true);
        assertEquals(ended + WINDOW, window.nextReadAt());
    }

    @Test
    void aPacedReadThatFindsNothingWaitsInEpollAgain() {
        BatchWindow window = new BatchWindow(WINDOW);
        window.readEnded(0, 2, false);
        window.readEnded(10_000, 1, false);
        assertTrue(window.pacing());
        window.readEnded(210_000, 0, true);
        assertFalse(window.pacing(), "a window without packets: they are sparse again");
        // the next packet, 5 ms later, is read when it comes, and so is one more a millisecond after it
        window.readEnded(5_210_000, 1, false);
        assertFalse(window.pacing());
        window.readEnded(6_210_000, 1, false);
        assertFalse(window.pacing());
    }

    @Test
    void aWakeUpForTasksAloneChangesNothing() {
        BatchWindow window = new BatchWindow(WINDOW);
        window.readEnded(0, 1, false);
        window.readEnded(50_000, 0, false);
        assertFalse(window.pacing(), "a signalling task woke the loop: no packet read, no rate");
        window.readEnded(300_000, 1, false);
        assertFalse(window.pacing(), "300 us since the last read that found packets");
        window.readEnded(350_000, 1, false);
        assertTrue(window.pacing());
        window.readEnded(400_000, 0, false);
        assertTrue(window.pacing(), "a read for tasks (not timed by the window) that found nothing does not end the pacing");
    }

    @Test
    void aZeroWindowNeverPaces() {
        BatchWindow window = new BatchWindow(0);
        for (long t = 0; t < 1_000; t++) {
            window.readEnded(t, 10, false);
        }
        assertFalse(window.pacing());
        assertThrows(IllegalArgumentException.class, () -> new BatchWindow(-1));
    }
}
