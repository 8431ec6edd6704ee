package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.cuda.CudaSettings.AttnWgmma;
import dev.surf.cuda.CudaSettings.PersistentGemm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Every -Dsurf.cuda.* option's values and errors, parsed from plain maps (no system property is touched). */
class CudaSettingsTest {

    private static CudaSettings parse(String... kv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put("surf.cuda." + kv[i], kv[i + 1]);
        }
        return CudaSettings.parse(m);
    }

    private static String error(String... kv) {
        return assertThrows(IllegalArgumentException.class, () -> parse(kv)).getMessage();
    }

    @Test
    void noOptionsGiveTheDefaults() {
        CudaSettings d = CudaSettings.parse(Map.of("user.dir", "/x", "surfcuda.conv", "nonsense"));
        assertEquals(new CudaSettings(true, true, AttnWgmma.OVERLAPPED, PersistentGemm.BY_SHAPE, true, ConvPath.IGEMM), d);
        assertEquals(d, CudaSettings.DEFAULTS);
        for (CudaSettings.Option o : CudaSettings.OPTIONS) {
            assertEquals(CudaSettings.DEFAULTS, parse(o.name(), o.defaultValue()), o.name() + "'s first value is its default");
        }
    }

    @Test
    void gemmPersistentNamesEachScheduleOrNone() {
        assertEquals(PersistentGemm.BY_SHAPE, parse("gemmPersistent", "true").gemmPersistent());
        assertEquals(PersistentGemm.COOPERATIVE, parse("gemmPersistent", "cooperative").gemmPersistent());
        assertEquals(PersistentGemm.PINGPONG, parse("gemmPersistent", "PingPong").gemmPersistent());
        assertEquals(PersistentGemm.OFF, parse("gemmPersistent", "false").gemmPersistent());
        assertEquals("-Dsurf.cuda.gemmPersistent=yes is not a choice: use true, cooperative, pingpong or false",
                error("gemmPersistent", "yes"));
    }

    @Test
    void attnWgmmaIsOverlappedSimpleOrOff() {
        assertEquals(AttnWgmma.OVERLAPPED, parse("attnWgmma", "TRUE").attnWgmma());
        assertEquals(AttnWgmma.SIMPLE, parse("attnWgmma", "simple").attnWgmma());
        assertEquals(AttnWgmma.OFF, parse("attnWgmma", "false").attnWgmma());
        // before, any value but true and simple silently meant false
        assertEquals("-Dsurf.cuda.attnWgmma=flase is not a choice: use true, simple or false", error("attnWgmma", "flase"));
    }

    @Test
    void switchesAreTrueOrFalseAndNothingElse() {
        assertFalse(parse("wgmma", "false").wgmma());
        assertFalse(parse("flash", "FALSE").flash());
        assertFalse(parse("warpNorms", "false").warpNorms());
        assertTrue(parse("wgmma", "true", "flash", "true", "warpNorms", " True ").warpNorms());
        // before, -Dsurf.cuda.wgmma=off and -Dsurf.cuda.flash=no silently kept the kernels on
        assertEquals("-Dsurf.cuda.wgmma=off is not a choice: use true or false", error("wgmma", "off"));
        assertEquals("-Dsurf.cuda.flash=no is not a choice: use true or false", error("flash", "no"));
        assertEquals("-Dsurf.cuda.warpNorms=on is not a choice: use true or false", error("warpNorms", "on"));
        assertEquals("-Dsurf.cuda.skip=1 is not a choice: use false or true", error("skip", "1"));
        assertEquals(CudaSettings.DEFAULTS, parse("skip", "true"), "the build-time option changes nothing at run time");
    }

    @Test
    void convIsIgemmOrDirectAndTheTapPathsPointToTheLab() {
        assertEquals(ConvPath.IGEMM, parse("conv", "IGEMM").conv());
        assertEquals(ConvPath.DIRECT, parse("conv", "direct").conv());
        assertEquals("-Dsurf.cuda.conv=gemm is not a choice: use igemm or direct", error("conv", "gemm"));
        for (String taps : new String[] {"taps", "taps-bf16", "TAPS-BF16X3"}) {
            assertEquals("-Dsurf.cuda.conv=" + taps + " is not a choice: use igemm or direct (the tap-GEMM convolutions "
                    + "moved to the lab, dev.surf.bench.lab.TapGemmConv3d)", error("conv", taps));
        }
        assertThrows(IllegalArgumentException.class, () -> new CudaSettings(true, true, AttnWgmma.OFF, PersistentGemm.OFF,
                true, ConvPath.AUTO));
    }

    @Test
    void anUnknownNameUnderSurfCudaIsAnErrorThatSuggestsTheOption() {
        assertEquals("-Dsurf.cuda.gemPersistent is not an option of the CUDA backend (did you mean "
                + "-Dsurf.cuda.gemmPersistent?); the options are gemmPersistent, wgmma, attnWgmma, flash, warpNorms, conv, "
                + "skip (docs/architecture.md, Options)", error("gemPersistent", "false"));
        assertTrue(error("warpnorms", "false").contains("(did you mean -Dsurf.cuda.warpNorms?)"));
        assertTrue(error("attnwgmma", "simple").contains("(did you mean -Dsurf.cuda.attnWgmma?)"));
        String far = error("test.switch", "on");
        assertTrue(far.startsWith("-Dsurf.cuda.test.switch is not an option of the CUDA backend; the options are"), far);
    }

    @Test
    void systemPropertiesAreReadAsAnyMap() {
        Properties p = new Properties();
        p.setProperty("surf.cuda.conv", "direct");
        p.setProperty("surf.cuda.gemmPersistent", "pingpong");
        p.put(42, "not a string key");
        CudaSettings s = CudaSettings.parse(p);
        assertEquals(ConvPath.DIRECT, s.conv());
        assertEquals(PersistentGemm.PINGPONG, s.gemmPersistent());
        // whatever this JVM was started with must parse (the build passes -Dsurf.cuda.skip through)
        CudaSettings.fromSystemProperties();
    }

    /** docs/architecture.md's Options table names every option with its values, and no other surf.cuda option. */
    @Test
    void theOptionsTableOfTheDocsMatches() throws Exception {
        Path doc = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("architecture.md");
        Assumptions.assumeTrue(Files.isRegularFile(doc), "docs/architecture.md not found next to " + System.getProperty("user.dir"));
        String text = Files.readString(doc);
        Set<String> documented = new HashSet<>();
        Matcher m = Pattern.compile("-Dsurf\\.cuda\\.([A-Za-z0-9.]+)").matcher(text);
        while (m.find()) {
            documented.add(m.group(1).replaceAll("\\.$", ""));
        }
        Set<String> options = new HashSet<>();
        for (CudaSettings.Option o : CudaSettings.OPTIONS) {
            options.add(o.name());
            Matcher row = Pattern.compile("\\| `-Dsurf\\.cuda\\." + Pattern.quote(o.name()) + "` \\|([^\\n]*)").matcher(text);
            assertTrue(row.find(), "docs/architecture.md has no Options row for -Dsurf.cuda." + o.name());
            for (String v : o.values()) {
                assertTrue(row.group(1).contains("`" + v + "`"), "the row of " + o.name() + " does not list `" + v + "`");
            }
        }
        assertEquals(options, documented, "the -Dsurf.cuda options docs/architecture.md mentions");
    }
}
