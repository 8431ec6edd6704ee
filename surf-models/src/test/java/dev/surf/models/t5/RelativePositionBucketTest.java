package dev.surf.models.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The bucket function against the table of spec/wan21.md §5.3 (32 buckets, max distance 128). */
class RelativePositionBucketTest {

    /** Bucket per the spec's table, written out range by range. */
    private static int spec(int rel) {
        int base = rel > 0 ? 16 : 0;
        int a = Math.abs(rel);
        if (a < 8) {
            return base + a;
        }
        int[][] ranges = {{8, 11, 8}, {12, 15, 9}, {16, 22, 10}, {23, 31, 11}, {32, 45, 12}, {46, 63, 13}, {64, 90, 14}};
        for (int[] r : ranges) {
            if (a >= r[0] && a <= r[1]) {
                return base + r[2];
            }
        }
        return base + 15;
    }

    @Test
    void everyRelativePositionOfA512TokenPromptMatchesTheSpecTable() {
        for (int rel = -600; rel <= 600; rel++) {
            assertEquals(spec(rel), RelativePositionBucket.bucket(rel, 32), "rel " + rel);
        }
        // the boundaries the float32 rounding decides
        assertEquals(10, RelativePositionBucket.bucket(-16, 32));
        assertEquals(12, RelativePositionBucket.bucket(-32, 32));
        assertEquals(14, RelativePositionBucket.bucket(-64, 32));
        assertEquals(15, RelativePositionBucket.bucket(-91, 32));
        assertEquals(31, RelativePositionBucket.bucket(91, 32));
        assertEquals(30, RelativePositionBucket.bucket(90, 32));
    }

    @Test
    void theTableIsIndexedQueryThenKey() {
        int l = 5;
        int[] t = RelativePositionBucket.table(l, 32);
        for (int i = 0; i < l; i++) {
            for (int j = 0; j < l; j++) {
                assertEquals(RelativePositionBucket.bucket(j - i, 32), t[i * l + j]);
            }
        }
        assertEquals(17, t[1], "query 0, key 1: rel +1");
        assertEquals(1, t[l], "query 1, key 0: rel -1");
    }
}
