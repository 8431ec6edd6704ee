package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code surf forward} reproduces the official fixture outputs, and bad inputs get one clear line. */
class ForwardCommandTest {

    private static String[] args(Path in, Path out) throws Exception {
        return new String[] {"forward", "--model", Fixtures.path("wan-dit-tiny.safetensors").toString(), "--config",
            Fixtures.path("wan-dit-tiny.json").toString(), "--input", in.toString(), "--output", out.toString(), "--device", "cpu:2"};
    }

    /** Writes x, t, context of fixture case c, with optional replacements. */
    private static Path input(Path dir, String c, Map<String, Tensor> replace, String drop) throws Exception {
        Map<String, Tensor> m = new LinkedHashMap<>();
        try (CpuBackend be = new CpuBackend(1); SafetensorsFile f = SafetensorsFile.open(Fixtures.path("wan-dit-tiny-cases.safetensors"))) {
            for (String n : new String[] {"x", "t", "context"}) {
                if (n.equals(drop)) {
                    continue;
                }
                m.put(n, replace.containsKey(n) ? replace.get(n) : f.read(be, c + "." + n));
            }
            Path p = dir.resolve("in-" + c + "-" + drop + replace.keySet() + ".safetensors");
            SafetensorsWriter.write(p, m, Map.of());
            return p;
        }
    }

    /** Runs the CLI in-process; returns "exitcode|everything printed to stderr". */
    private static String run(String... args) {
        CliRun r = CliRun.of(args);
        return r.code() + "|" + r.err();
    }

    @Test
    void reproducesTheOfficialOutputsFromTheCommandLine(@TempDir Path dir) throws Exception {
        for (String c : new String[] {"a", "b"}) {
            Path out = dir.resolve("out-" + c + ".safetensors");
            assertEquals("0|", run(args(input(dir, c, Map.of(), ""), out)));
            try (CpuBackend be = new CpuBackend(1); SafetensorsFile got = SafetensorsFile.open(out);
                 SafetensorsFile ref = SafetensorsFile.open(Fixtures.path("wan-dit-tiny-cases.safetensors"))) {
                var gi = got.info("out");
                var ri = ref.info(c + ".out");
                assertEquals(ri.shape(), gi.shape());
                try (Tensor g = got.read(be, "out");
                     Tensor r = ref.read(be, c + ".out")) {
                    Numerics.assertClose("case " + c, be.toFloats(g), be.toFloats(r), 1e-4);
                }
            }
        }
    }

    @Test
    void withoutAConfigTheAssumedValuesAreSaid(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("o.safetensors");
        CliRun r = CliRun.of("forward", "--model", Fixtures.path("wan-dit-tiny.safetensors").toString(), "--input",
                input(dir, "a", Map.of(), "").toString(), "--output", out.toString(), "--device", "cpu:2");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("surf forward: config inferred from the weight shapes of ")
                && r.err().contains("assumed text_len 512, eps 1e-06, num_heads = dim / 128 = 2"), r.err());
    }

    @Test
    void badInputsGiveOneClearLine(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("o.safetensors");
        String r = run(args(input(dir, "a", Map.of(), "context"), out));
        assertTrue(r.startsWith("2|") && r.contains("lacks tensor 'context'") && r.contains("[n, 96]"), r);
        try (CpuBackend be = new CpuBackend(1)) {
            r = run(args(input(dir, "a", Map.of("x", be.zeros(dev.surf.core.DType.F32, dev.surf.core.Shape.of(16, 3, 7, 12))), ""), out));
            assertTrue(r.startsWith("2|") && r.contains("multiples of the patch"), r);
            r = run(args(input(dir, "a", Map.of("x", be.zeros(dev.surf.core.DType.F32, dev.surf.core.Shape.of(8, 3, 8, 12))), ""), out));
            assertTrue(r.startsWith("2|") && r.contains("tensor x") && r.contains("[16, F, H, W]"), r);
            r = run(args(input(dir, "a", Map.of("context", be.zeros(dev.surf.core.DType.F32, dev.surf.core.Shape.of(5, 100))), ""), out));
            assertTrue(r.startsWith("2|") && r.contains("tensor context") && r.contains("[n, 96]"), r);
            r = run(args(input(dir, "a", Map.of("context", be.zeros(dev.surf.core.DType.F32, dev.surf.core.Shape.of(30, 96))), ""), out));
            assertTrue(r.startsWith("2|") && r.contains("text_len 24"), r);
        }
        r = run("forward", "--model", dir.resolve("nope").toString(), "--input", input(dir, "a", Map.of(), "").toString(),
                "--output", out.toString());
        assertTrue(r.startsWith("2|") && r.contains("nope"), r);
        assertTrue(!r.contains("\tat "), "no stack trace for a user mistake: " + r);
    }
}
