package dev.surf.models.world.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.api.TinyModels;
import dev.surf.models.t5.T5Encoder;
import dev.surf.models.weights.RandomWeights;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The world text encoder: its rows are those of a separately loaded umT5 encoder run on the ids of
 * the documented token table, padded to the text length with the padding masked; different prompts
 * are far apart; case and spacing change nothing; the empty prompt is one row.
 */
class WorldTextEncoderTest {
    private static CpuBackend be;
    private static WorldTextEncoder enc;

    @BeforeAll
    static void open() {
        be = new CpuBackend(2);
        enc = WorldTextEncoder.open(be);
    }

    @AfterAll
    static void close() {
        enc.close();
        be.close();
    }

    /** Rows 0..n-1 of a direct T5Encoder forward over the padded ids (padding keys masked). */
    private static float[] reference(int[] realIds) throws Exception {
        int len = TinyModels.BASE.textLen();
        int[] padded = new int[len];
        System.arraycopy(realIds, 0, padded, 0, realIds.length);
        try (T5Encoder t5 = T5Encoder.load(new RandomWeights(WorldTextEncoder.SEED), be, WorldTextEncoder.CONFIG);
             Tensor out = t5.forward(padded, 1, new int[] {realIds.length})) {
            assertEquals(List.of(1, len, 64), List.of(out.dim(0), out.dim(1), out.dim(2)));
            float[] all = be.toFloats(out);
            return java.util.Arrays.copyOf(all, realIds.length * 64);
        }
    }

    @Test
    void configMatchesTheTinyBaseDit() {
        assertEquals(TinyModels.BASE.textDim(), WorldTextEncoder.CONFIG.dim());
        assertEquals(64, WorldTextEncoder.CONFIG.dim());
        assertEquals(32, enc.tokenizer().textLen());
        assertEquals(25, WorldTextEncoder.CONFIG.vocab());
    }

    @Test
    void rowsAreTheT5EncoderOnTheTokenIds() throws Exception {
        // a=2 green=8 triangle=17 moving=4 right=19 on=5 a=2 black=22 background=6, eos=1 (the table, by hand)
        int[] ids = {2, 8, 17, 4, 19, 5, 2, 22, 6, 1};
        TextEmbedding e = enc.encode("a green triangle moving right on a black background");
        assertEquals(10, e.rows());
        assertEquals(64, e.dim());
        float[] want = reference(ids);
        float[] got = e.values();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5f, "value " + i);
        }
        // the final RMSNorm (weight 1) puts every row at rms 1: not all zeros, not blown up
        for (int r = 0; r < e.rows(); r++) {
            double ss = 0;
            for (int c = 0; c < 64; c++) {
                ss += (double) got[r * 64 + c] * got[r * 64 + c];
            }
            assertEquals(1.0, Math.sqrt(ss / 64), 1e-3, "rms of row " + r);
        }
    }

    @Test
    void emptyPromptIsTheEosRow() throws Exception {
        TextEmbedding e = enc.encode("");
        assertEquals(1, e.rows());
        float[] want = reference(new int[] {1});
        float[] got = e.values();
        for (int i = 0; i < 64; i++) {
            assertEquals(want[i], got[i], 1e-5f);
        }
        assertArrayEquals(got, enc.encode("   ").values());
    }

    @Test
    void caseAndSpacingGiveIdenticalBytes() {
        float[] a = enc.encode("a magenta circle moving up on a gray background").values();
        float[] b = enc.encode("  A MAGENTA   Circle\tmoving up  ON a gray BACKGROUND\n").values();
        assertArrayEquals(a, b);
    }

    @Test
    void theWeightsAreAFunctionOfTheSeed() {
        try (WorldTextEncoder other = WorldTextEncoder.open(be)) {
            assertArrayEquals(enc.encode("a cyan square moving down").values(), other.encode("a cyan square moving down").values());
        }
    }

    @Test
    void distinctPromptsAreFarApart() {
        // all 96 colour x shape x direction prompts, and each with one of the backgrounds appended
        List<String> prompts = new ArrayList<>();
        List<String> colours = WorldTokenizer.WORDS.subList(5, 13);
        List<String> shapes = WorldTokenizer.WORDS.subList(13, 16);
        List<String> dirs = WorldTokenizer.WORDS.subList(16, 20);
        List<String> backs = WorldTokenizer.WORDS.subList(20, 23);
        for (String c : colours) {
            for (String s : shapes) {
                for (String d : dirs) {
                    prompts.add("a " + c + " " + s + " moving " + d);
                }
            }
        }
        for (String b : backs) {
            prompts.add("a red circle moving left on a " + b + " background");
        }
        prompts.add("");
        int len = TinyModels.BASE.textLen();
        List<float[]> padded = new ArrayList<>();
        for (String p : prompts) {
            TextEmbedding e = enc.encode(p);
            padded.add(java.util.Arrays.copyOf(e.values(), len * 64)); // what the DiT sees: zero rows after n_real
        }
        double min = Double.POSITIVE_INFINITY;
        String pair = "";
        for (int i = 0; i < padded.size(); i++) {
            for (int j = i + 1; j < padded.size(); j++) {
                double d = 0;
                double n = 0;
                float[] x = padded.get(i);
                float[] y = padded.get(j);
                for (int k = 0; k < x.length; k++) {
                    d += (double) (x[k] - y[k]) * (x[k] - y[k]);
                    n += (double) x[k] * x[k] + (double) y[k] * y[k];
                }
                double rel = Math.sqrt(d / (n / 2));
                if (rel < min) {
                    min = rel;
                    pair = "'" + prompts.get(i) + "' vs '" + prompts.get(j) + "'";
                }
            }
        }
        System.out.println("smallest relative distance " + min + ": " + pair);
        // one word of six differs: at least that row changes wholly, so the distance is of order 1/sqrt(6)
        assertTrue(min > 0.2, "smallest relative distance " + min + " between " + pair);
    }

    @Test
    void unknownWordIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> enc.encode("a red car moving left"));
        assertTrue(e.getMessage().contains("'car'") && e.getMessage().contains("vocabulary"), e.getMessage());
    }
}
