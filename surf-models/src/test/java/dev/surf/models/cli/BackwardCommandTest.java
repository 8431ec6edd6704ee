package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
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

/**
 * {@code surf backward} writes the loss and every gradient of the torch-autograd fixture
 * (wan-dit-grad) from the command line, and bad inputs get one clear line.
 */
class BackwardCommandTest {
    private static final double TOL = 1e-4;

    private static String[] args(Path in, Path out) throws Exception {
        return new String[] {"backward", "--model", Fixtures.path("wan-dit-grad.safetensors").toString(), "--config",
            Fixtures.path("wan-dit-grad.json").toString(), "--input", in.toString(), "--output", out.toString(), "--device", "cpu:2"};
    }

    /** Writes x, t, context, target of grad fixture case c, with optional replacements and one tensor left out. */
    private static Path input(Path dir, String c, Map<String, Tensor> replace, String drop) throws Exception {
        Map<String, Tensor> m = new LinkedHashMap<>();
        try (CpuBackend be = new CpuBackend(1); SafetensorsFile f = SafetensorsFile.open(Fixtures.path("wan-dit-grad-cases.safetensors"))) {
            for (String n : new String[] {"x", "t", "context", "target"}) {
                if (!n.equals(drop)) {
                    m.put(n, replace.containsKey(n) ? replace.get(n) : f.read(be, c + "." + n));
                }
            }
            Path p = dir.resolve("in-" + c + "-" + drop + replace.keySet() + ".safetensors");
            SafetensorsWriter.write(p, m, Map.of());
            return p;
        }
    }

    @Test
    void writesTheLossAndEveryGradientOfTheFixture(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("grads.safetensors");
        CliRun r = CliRun.of(args(input(dir, "a", Map.of(), ""), out));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("backward on cpu (2 threads): x [16, 2, 6, 8], t 700.0 -> loss "), r.out());
        try (CpuBackend be = new CpuBackend(1); SafetensorsFile got = SafetensorsFile.open(out);
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.path("wan-dit-grad-cases.safetensors"))) {
            int grads = 0;
            for (String name : ref.names()) {
                if (!name.startsWith("a.grad.") && !name.equals("a.loss")) {
                    continue;
                }
                String key = name.substring(2);
                assertTrue(got.has(key), "output lacks " + key);
                try (Tensor g = got.read(be, key); Tensor e = ref.read(be, name)) {
                    assertEquals(e.shape(), g.shape(), key);
                    Numerics.assertClose(key, be.toFloats(g), be.toFloats(e), TOL);
                }
                grads++;
            }
            assertEquals(grads, got.names().size(), "the output holds the loss and the gradients, nothing else");
        }
    }

    @Test
    void badInputsGiveOneClearLine(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("o.safetensors");
        CliRun r = CliRun.of(args(input(dir, "a", Map.of(), "target"), out));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("lacks tensor 'target'") && r.err().contains("[16, 2, 6, 8]"), r.err());
        try (CpuBackend be = new CpuBackend(1)) {
            r = CliRun.of(args(input(dir, "a", Map.of("target", be.zeros(DType.F32, Shape.of(16, 2, 6, 6))), ""), out));
            assertTrue(r.code() == 2 && r.err().contains("tensor target") && r.err().contains("expected [16, 2, 6, 8]"), r.err());
            r = CliRun.of(args(input(dir, "a", Map.of("x", be.zeros(DType.F32, Shape.of(16, 2, 5, 8)),
                    "target", be.zeros(DType.F32, Shape.of(16, 2, 5, 8))), ""), out));
            assertTrue(r.code() == 2 && r.err().contains("multiples of the patch"), r.err());
            r = CliRun.of(args(input(dir, "a", Map.of("context", be.zeros(DType.F32, Shape.of(30, 48))), ""), out));
            assertTrue(r.code() == 2 && r.err().contains("tensor context") && r.err().contains("text_len 24"), r.err());
            r = CliRun.of(args(input(dir, "a", Map.of("t", be.zeros(DType.I32, Shape.of(1))), ""), out));
            assertTrue(r.code() == 2 && r.err().contains("tensor t") && r.err().contains("expected F32, BF16 or F16"), r.err());
        }
        r = CliRun.of("backward", "--model", dir.resolve("nope").toString(), "--input", input(dir, "a", Map.of(), "").toString(),
                "--output", out.toString());
        assertTrue(r.code() == 2 && r.err().contains("nope"), r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace for a user mistake: " + r.err());
    }
}
