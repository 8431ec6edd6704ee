package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * What AUTO and every forced path launch must not change: each row of the pin tables
 * (src/test/resources/dev/surf/cuda/pins/*.csv, written from the code of commit 234c4de before the
 * choice became the pure functions GemmChoice, AttentionChoice, ConvChoice and NormChoice; README.md
 * there) is replayed through those functions on the CPU, for H100, A100, sm_89 and B200 devices and
 * Hopper without the tensor-map encoder or the sm_90a fatbins, default settings and each -Dsurf.cuda.*
 * option, on the DiT, VAE and umT5 shapes.
 */
class DispatchPinTest {
    /** An address on a 256-byte boundary (as cuMemAlloc gives), to which an operand's "@n" adds n bytes. */
    static final long BASE = 0x7f00_0000_0000L;
    static final DeviceCaps H100 = new DeviceCaps(9, 0, 132, 232448, Devices.ALL_MODULES, null);

    /** The devices of the pins. */
    static final class Devices {
        static final java.util.Set<String> ALL_MODULES = java.util.Set.copyOf(concat(CudaModules.REQUIRED, CudaModules.HOPPER));
        static final String NO_ENCODER = "libcuda.so.1 has no cuTensorMapEncodeTiled (driver older than CUDA 12)";

        static DeviceCaps of(String name) {
            return switch (name) {
                case "H100" -> H100;
                case "H100_NO_TMA" -> new DeviceCaps(9, 0, 132, 232448, ALL_MODULES, NO_ENCODER);
                case "H100_NO_SM90A" -> new DeviceCaps(9, 0, 132, 232448, java.util.Set.copyOf(CudaModules.REQUIRED), null);
                case "A100" -> new DeviceCaps(8, 0, 108, 166912, ALL_MODULES, null);
                case "SM89" -> new DeviceCaps(8, 9, 142, 101376, ALL_MODULES, null);
                case "B200" -> new DeviceCaps(10, 0, 148, 232448, ALL_MODULES, null);
                default -> throw new IllegalArgumentException("unknown device " + name);
            };
        }

        private static List<String> concat(List<String> a, List<String> b) {
            List<String> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        }
    }

    /** One table row: its text (for messages) and cells. */
    record Row(String line, String[] cells) {
        String cell(int i) {
            return cells[i];
        }

        int num(int i) {
            return Integer.parseInt(cells[i]);
        }
    }

    static List<Row> table(String name, int columns) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (InputStream in = DispatchPinTest.class.getResourceAsStream("pins/" + name)) {
            assertTrue(in != null, "pins/" + name + " is not on the test class path");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                String[] cells = l.split("\\|");
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = cells[i].strip();
                }
                assertEquals(columns, cells.length, "columns of " + name + ": " + l);
                rows.add(new Row(l, cells));
            }
        }
        assertFalse(rows.isEmpty(), name + " is empty");
        return rows;
    }

    static CudaSettings settings(String cell) {
        Map<String, String> m = new HashMap<>();
        if (!cell.equals("default")) {
            for (String kv : cell.split(";")) {
                String[] p = kv.split("=", 2);
                m.put("surf.cuda." + p[0], p[1]);
            }
        }
        return CudaSettings.parse(m);
    }

    /** "BF16" or "BF16@n" (n bytes past an aligned address); null for "-". */
    static Operand operand(String cell) {
        if (cell.equals("-")) {
            return null;
        }
        String[] p = cell.split("@");
        return new Operand(DType.valueOf(p[0]), BASE + (p.length > 1 ? Long.parseLong(p[1]) : 0));
    }

    /** Checks that {@code choose} gives the row's expected kernel, or throws the expected error. */
    static void expect(Row r, String expected, java.util.function.Supplier<String> choose) {
        if (expected.startsWith("error:")) {
            String text = expected.substring("error:".length()).strip();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, choose::get, r.line());
            assertTrue(e.getMessage().contains(text), r.line() + "\n  message: " + e.getMessage());
        } else {
            assertEquals(expected, choose.get(), r.line());
        }
    }

    @Test
    void gemm() throws IOException {
        // device | settings | forced | x | w | M | N | K | expected
        for (Row r : table("gemm.csv", 9)) {
            GemmChoice.Operands op = new GemmChoice.Operands(operand(r.cell(3)), operand(r.cell(4)), r.num(5), r.num(6), r.num(7));
            expect(r, r.cell(8), () -> GemmChoice.of(op, Devices.of(r.cell(0)), settings(r.cell(1)),
                    GemmPath.valueOf(r.cell(2))).function);
        }
    }

    @Test
    void attention() throws IOException {
        // device | settings | forced | dtype | B | Lq | Lk | H | d | dv | extras | expected
        for (Row r : table("attention.csv", 12)) {
            DType dt = DType.valueOf(r.cell(3));
            List<String> extras = r.cell(10).equals("-") ? List.of() : List.of(r.cell(10).split(";"));
            Function<String, Operand> at = name -> {
                long off = 0;
                for (String e : extras) {
                    if (e.startsWith(name + "@")) {
                        off = Long.parseLong(e.substring(name.length() + 1));
                    }
                }
                return new Operand(dt, BASE + off + (name.hashCode() & 0xff) * 0x1_0000_0000L);
            };
            int d = r.num(8);
            AttentionChoice.Operands op = new AttentionChoice.Operands(at.apply("q"), at.apply("k"), at.apply("v"),
                    at.apply("out"), r.num(4), r.num(5), r.num(6), r.num(7), d, r.num(9), extras.contains("bias"),
                    extras.contains("window"), extras.contains("lens"));
            expect(r, r.cell(11), () -> {
                AttentionChoice c = AttentionChoice.of(op, Devices.of(r.cell(0)), settings(r.cell(1)),
                        AttentionPath.valueOf(r.cell(2)));
                return c == AttentionChoice.GEMM ? "gemm" : c.function(d);
            });
        }
    }

    /** The implicit GEMM's tiles as cuda/conv3d_igemm.cu defines them (BM = 128, BK = 32). */
    static final ConvChoice.Tiles IGEMM_TILES = new ConvChoice.Tiles(128, 32);

    @Test
    void conv() throws IOException {
        // device | settings | forced | x | Cin | T | H | W | Cout | kt | kh | kw | expected
        for (Row r : table("conv.csv", 13)) {
            Devices.of(r.cell(0));  // the device does not enter the choice, but must be a known one
            Shape x = Shape.of(r.num(4), r.num(5), r.num(6), r.num(7));
            Shape w = Shape.of(r.num(8), r.num(4), r.num(9), r.num(10), r.num(11));
            ConvChoice.Operands op = new ConvChoice.Operands(operand(r.cell(3)), x, w, (long) r.num(5) * r.num(6) * r.num(7));
            expect(r, r.cell(12), () -> ConvChoice.of(op, settings(r.cell(1)), ConvPath.valueOf(r.cell(2)),
                    () -> IGEMM_TILES).function);
        }
    }

    @Test
    void norms() throws IOException {
        // device | settings | forced | op | x | out | d | weight | bias | shift | scale | expected
        for (Row r : table("norm.csv", 12)) {
            Devices.of(r.cell(0));
            String fn = r.cell(3).equals("adaln") ? "layer_norm" : r.cell(3);
            Operand x = operand(r.cell(4));
            // distinct operands at distinct (equally aligned) addresses
            Operand[] params = new Operand[4];
            for (int i = 0; i < 4; i++) {
                Operand p = operand(r.cell(7 + i));
                params[i] = p == null ? null : new Operand(p.dtype(), p.address() + (i + 1) * 0x1_0000_0000L);
            }
            expect(r, r.cell(11), () -> NormChoice.of(x, DType.valueOf(r.cell(5)), r.num(6), NormPath.valueOf(r.cell(2)),
                    settings(r.cell(1)), params).function(fn));
        }
    }

    /** The tiles the pins assume are the kernel file's (a changed tile would move the 32-bit refusal). */
    @Test
    void igemmTilesAreTheKernelFilesConstants() throws IOException {
        String cu = java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("user.dir"))
                .resolveSibling("cuda").resolve("conv3d_igemm.cu"));
        assertTrue(cu.contains("constexpr int BM = " + IGEMM_TILES.bm() + ", BN = 96, BK = " + IGEMM_TILES.bk() + ","),
                "cuda/conv3d_igemm.cu's tile constants changed: update IGEMM_TILES and re-check conv.csv");
    }
}
