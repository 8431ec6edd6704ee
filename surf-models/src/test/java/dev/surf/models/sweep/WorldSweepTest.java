package dev.surf.models.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.Latent;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.world.ClipRenderer;
import dev.surf.models.world.WorldClip;
import dev.surf.models.world.WorldPrompt;
import dev.surf.models.world.WorldVocabulary.Colour;
import dev.surf.models.world.text.WorldTextEncoder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The prompt-set sweep on the embedded tiny model (random DiT and VAE), 64x64, 4 steps, 2 prompts x 1
 * seed: its rows, its pixel metrics against a double-precision reference, and the checker's
 * agreement where the decoded truth is known (frames rendered by the world's renderer).
 */
class WorldSweepTest {
    private static final int SIZE = 64;
    private static final int STEPS = 4;
    private static final int[] KS = {2, 4};
    private static final List<String> PROMPTS = List.of("a red circle moving left", "a blue square moving down on a white background");

    private static SurfEngine engine;
    private static List<SweepCase> cases;
    private static GenerationRequest settings;

    @BeforeAll
    static void open() throws Exception {
        engine = SurfEngine.builder().device("cpu:2").tinyVae().noRefiner().build();
        cases = new ArrayList<>();
        try (WorldTextEncoder te = WorldTextEncoder.open(engine.backend())) {
            for (String p : PROMPTS) {
                cases.add(new SweepCase(p, WorldPrompt.parse(p), te.encode(p), 7));
            }
        }
        settings = new GenerationRequest(cases.get(0).context(), null, VideoSize.parse(SIZE + "x" + SIZE, 17), 0, STEPS, 3.0, 1.0,
                SolverKind.UNIPC, null, null, 0);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static WorldSweep.Result run(ClipDecoder decoder) {
        return WorldSweep.run(engine, cases, settings, KS, 0.5, decoder, ProgressListener.NONE);
    }

    /** Renders, at the latent's pixel size (8x), the clip of the prompt that truth picks for the sample. */
    private static ClipDecoder rendering(Function<SweepCase, WorldPrompt> truth) {
        return (latent, c) -> {
            int h = latent.height() * 8;
            int w = latent.width() * 8;
            WorldClip clip = WorldClip.forPrompt(truth.apply(c), c.seed(), (double) w / h);
            return PixelClip.ofUnitFrames(ClipRenderer.render(clip, w, h), h, w);
        };
    }

    @Test
    void realDecodeGivesOneRowPerKAndPsnrAgainstAReference() {
        Map<Latent, PixelClip> decoded = new IdentityHashMap<>();
        List<Latent> order = new ArrayList<>();
        ClipDecoder vae = ClipDecoder.of(engine);
        WorldSweep.Result r = run((latent, c) -> {
            PixelClip p = vae.decode(latent, c);
            decoded.put(latent, p);
            order.add(latent);
            return p;
        });
        assertEquals(2, r.rows().size());
        WorldSweepRow preview = r.rows().get(0);
        WorldSweepRow base = r.rows().get(1);
        assertEquals(2, preview.k());
        assertEquals(STEPS, base.k());
        assertEquals(2, preview.samples());
        assertEquals(2, base.samples());
        // the baseline against itself
        assertEquals(Double.POSITIVE_INFINITY, base.psnr());
        assertEquals(1.0, base.ssim(), 1e-12);
        assertTrue(preview.tflops() < base.tflops(), preview + " vs " + base);
        assertTrue(base.seconds() > 0 && base.decodeSeconds() > 0);
        // per sample: decoded baseline first, then the preview (at half size); PSNR from a double loop
        assertEquals(4, order.size());
        double sum = 0;
        for (int s = 0; s < 2; s++) {
            PixelClip ref = decoded.get(order.get(2 * s));
            PixelClip low = decoded.get(order.get(2 * s + 1));
            assertEquals(SIZE, ref.height());
            assertEquals(SIZE / 2, low.height());
            assertEquals(17, ref.frames());
            double[] up = Reference.bilinear(low.planar(), 3 * low.frames(), low.height(), low.width(), SIZE, SIZE);
            double psnr = Reference.psnr(up, ref.planar());
            assertEquals(psnr, r.measures().get(2 * s + 1).psnr(), 1e-3);
            assertTrue(Double.isFinite(psnr));
            sum += psnr;
        }
        assertEquals(sum / 2, preview.psnr(), 1e-3);
        assertTrue(preview.ssim() < 1);
    }

    @Test
    void renderedTruthIsFollowedAtEveryK() {
        WorldSweep.Result r = run(rendering(SweepCase::prompt));
        for (WorldSweepRow row : r.rows()) {
            assertEquals(100.0, row.colourPercent(), row.toString());
            assertEquals(100.0, row.motionPercent(), row.toString());
            assertEquals(100.0, row.followsPercent(), row.toString());
        }
        // the half-size render upsampled is close to, but not, the base-size render
        WorldSweepRow preview = r.rows().get(0);
        assertTrue(Double.isFinite(preview.psnr()) && preview.psnr() > 15, preview.toString());
        assertTrue(preview.ssim() < 1 && preview.ssim() > 0.5, preview.toString());
    }

    @Test
    void aClipOfAnotherColourAndDirectionIsNeverFollowed() {
        // red -> green, left -> right; blue -> yellow, down -> up
        WorldSweep.Result r = run(rendering(c -> c.prompt().colour() == Colour.RED
                ? WorldPrompt.parse("a green circle moving right") : WorldPrompt.parse("a yellow square moving up on a white background")));
        for (WorldSweepRow row : r.rows()) {
            assertEquals(0.0, row.colourPercent(), row.toString());
            assertEquals(0.0, row.motionPercent(), row.toString());
            assertEquals(0.0, row.followsPercent(), row.toString());
        }
    }

    @Test
    void aPreviewDecodedToTheBaselinePixelsIsIdentical() {
        // a decoder that ignores the latent's size: every clip is the base-size render, so PSNR and SSIM must be exact
        WorldSweep.Result r = run((latent, c) -> {
            WorldClip clip = WorldClip.forPrompt(c.prompt(), c.seed(), 1.0);
            return PixelClip.ofUnitFrames(ClipRenderer.render(clip, SIZE, SIZE), SIZE, SIZE);
        });
        for (WorldSweepRow row : r.rows()) {
            assertEquals(Double.POSITIVE_INFINITY, row.psnr(), row.toString());
            assertEquals(1.0, row.ssim(), 1e-12, row.toString());
        }
    }
}
