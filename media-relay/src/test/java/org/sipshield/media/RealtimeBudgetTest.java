package org.sipshield.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sipshield.media.RealtimeBudget.Change;

/**
 * When a real-time event loop leaves SCHED_FIFO for the fair scheduler and when it takes it again, from
 * readings of its CPU time and the clock (cumulative nanoseconds, as the loop reads them).
 */
class RealtimeBudgetTest {
    private static final long MS = 1_000_000L;

    /** A budget whose first reading (the start of the first window) is at 0 / 0. */
    private static RealtimeBudget started() {
        RealtimeBudget budget = new RealtimeBudget(10, null, Runnable::run);
        assertEquals(Change.NONE, budget.decide(0, 0));
        return budget;
    }

    @Test
    void aLoopBusierThanNinetyThreePercentOfAWindowReturnsToNormalPriorityOnce() {
        RealtimeBudget budget = started();
        assertEquals(Change.NONE, budget.decide(186 * MS, 200 * MS), "93% exactly is within the budget");
        assertEquals(Change.TO_FAIR_SCHEDULER, budget.decide(374 * MS, 400 * MS), "94%");
        assertEquals(Change.NONE, budget.decide(574 * MS, 600 * MS), "already at the fair scheduler");
    }

    @Test
    void itTakesRealtimeAgainOnlyAfterFiveSecondsAndAWindowUnderEightyFivePercent() {
        RealtimeBudget budget = started();
        assertEquals(Change.TO_FAIR_SCHEDULER, budget.decide(200 * MS, 200 * MS));
        long cpu = 200 * MS;
        long wall = 200 * MS;
        // quiet windows, but within five seconds of leaving SCHED_FIFO
        while (wall + 200 * MS < 5_200 * MS) {
            cpu += 10 * MS;
            wall += 200 * MS;
            assertEquals(Change.NONE, budget.decide(cpu, wall), "at " + wall / MS + " ms");
        }
        // five seconds on, a window at 85%: still too busy to go back
        cpu += 170 * MS;
        wall = 5_200 * MS;
        assertEquals(Change.NONE, budget.decide(cpu, wall));
        cpu += 168 * MS;
        wall += 200 * MS;
        assertEquals(Change.TO_REALTIME, budget.decide(cpu, wall), "84%");
        cpu += 190 * MS;
        wall += 200 * MS;
        assertEquals(Change.TO_FAIR_SCHEDULER, budget.decide(cpu, wall), "95%: back again");
    }

    @Test
    void aWindowIsFromTheLastReadingSoALateCheckCountsTheWholeTime() {
        RealtimeBudget budget = started();
        // the check ran 1.2 s late, the loop busy for 1.15 s of it: 96%
        assertEquals(Change.TO_FAIR_SCHEDULER, budget.decide(1_150 * MS, 1_200 * MS));
        RealtimeBudget other = started();
        // 1.1 s busy in a 1.2 s window: 92%
        assertEquals(Change.NONE, other.decide(1_100 * MS, 1_200 * MS));
    }

    @Test
    void aClockThatDidNotMoveDecidesNothing() {
        RealtimeBudget budget = started();
        assertEquals(Change.NONE, budget.decide(5 * MS, 0));
        assertEquals(Change.TO_FAIR_SCHEDULER, budget.decide(200 * MS, 200 * MS));
    }

    @Test
    void aWindowShorterThanHalfThePeriodDecidesNothingAndTheNextCountsFromTheLastFullOne() {
        RealtimeBudget budget = started();
        assertEquals(Change.NONE, budget.decide(100 * MS, 200 * MS), "50%");
        // a check right after another, the loop busy all of that microsecond-long window
        assertEquals(Change.NONE, budget.decide(100 * MS + 500, 200 * MS + 500));
        // from the last full window: 150 ms busy of 200
        assertEquals(Change.NONE, budget.decide(250 * MS, 400 * MS));
    }
}
