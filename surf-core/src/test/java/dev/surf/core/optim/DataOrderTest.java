package dev.surf.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link DataOrder}: permutations, determinism, resuming from a position, and no visible bias. */
class DataOrderTest {

    private static void assertPermutation(int[] p) {
        boolean[] seen = new boolean[p.length];
        for (int id : p) {
            assertTrue(id >= 0 && id < p.length && !seen[id], "not a permutation: " + Arrays.toString(p));
            seen[id] = true;
        }
    }

    @Test
    void everyEpochIsAPermutationFixedBySeedAndEpoch() {
        DataOrder a = new DataOrder(42, 1000);
        DataOrder b = new DataOrder(42, 1000);
        for (long e = 0; e < 3; e++) {
            int[] pa = a.permutation(e);
            assertPermutation(pa);
            assertArrayEquals(pa, b.permutation(e));
        }
        assertFalse(Arrays.equals(a.permutation(0), a.permutation(1)), "epochs must differ");
        assertFalse(Arrays.equals(a.permutation(0), new DataOrder(43, 1000).permutation(0)), "seeds must differ");
        assertFalse(Arrays.equals(a.permutation(0), new DataOrder(42L + (1L << 32), 1000).permutation(0)),
                "the seed's high word counts");
        assertPermutation(new DataOrder(1, 1).permutation(0));
    }

    @Test
    void nextWalksTheEpochsAndResumesFromAnyPosition() {
        int size = 7;
        DataOrder run = new DataOrder(5, size);
        int[] expected = new int[3 * size];
        for (int e = 0; e < 3; e++) {
            System.arraycopy(run.permutation(e), 0, expected, e * size, size);
        }
        int[] walked = new int[3 * size];
        DataOrder.Position[] before = new DataOrder.Position[3 * size];
        for (int i = 0; i < walked.length; i++) {
            before[i] = run.position();
            walked[i] = run.next();
        }
        assertArrayEquals(expected, walked);
        assertEquals(new DataOrder.Position(3, 0), run.position());
        for (int i : new int[] {0, 4, 6, 7, 13, 20}) {
            DataOrder resumed = new DataOrder(5, size, before[i]);
            assertArrayEquals(Arrays.copyOfRange(expected, i, expected.length), resumed.next(expected.length - i),
                    "resumed at " + before[i]);
        }
        assertThrows(IllegalArgumentException.class, () -> new DataOrder(5, size, new DataOrder.Position(0, size)));
        assertThrows(IllegalArgumentException.class, () -> new DataOrder(5, 0));
    }

    /**
     * The documented stream, written out independently: Fisher-Yates from the top, draw i from the
     * Philox block at counter (i, epoch low, epoch high, "DORD") under key (seed low, seed high),
     * j = floor(bits64 * (i + 1) / 2^64) in exact integer arithmetic. Checkpoints store only the
     * position, so this stream must never change silently.
     */
    @Test
    void followsTheDocumentedStream() {
        long seed = 0x1234_5678_9ABC_DEF0L;
        long epoch = (3L << 32) + 7;
        int n = 50;
        int[] want = new int[n];
        for (int i = 0; i < n; i++) {
            want[i] = i;
        }
        int[] block = new int[4];
        java.math.BigInteger two64 = java.math.BigInteger.ONE.shiftLeft(64);
        for (int i = n - 1; i > 0; i--) {
            dev.surf.core.Philox.block(i, (int) (epoch & 0xffffffffL), (int) (epoch >>> 32), 0x44524F44,
                    (int) (seed & 0xffffffffL), (int) (seed >>> 32), block);
            java.math.BigInteger bits = java.math.BigInteger.valueOf(Integer.toUnsignedLong(block[0])).shiftLeft(32)
                    .or(java.math.BigInteger.valueOf(Integer.toUnsignedLong(block[1])));
            int j = bits.multiply(java.math.BigInteger.valueOf(i + 1)).divide(two64).intValueExact();
            int t = want[i];
            want[i] = want[j];
            want[j] = t;
        }
        assertArrayEquals(want, new DataOrder(seed, n).permutation(epoch));
    }

    @Test
    void firstSampleIsUniformOverSeeds() {
        // Chi-square over 5 outcomes (4 degrees of freedom): 20 is beyond the 0.1% tail (18.5).
        int n = 5;
        int trials = 5000;
        int[][] counts = new int[n][n];
        for (int s = 0; s < trials; s++) {
            int[] p = new DataOrder(s, n).permutation(0);
            for (int pos = 0; pos < n; pos++) {
                counts[pos][p[pos]]++;
            }
        }
        for (int pos = 0; pos < n; pos++) {
            double chi = 0;
            double want = (double) trials / n;
            for (int id = 0; id < n; id++) {
                chi += (counts[pos][id] - want) * (counts[pos][id] - want) / want;
            }
            assertTrue(chi < 20, "position " + pos + " is biased: " + Arrays.toString(counts[pos]));
        }
    }
}
