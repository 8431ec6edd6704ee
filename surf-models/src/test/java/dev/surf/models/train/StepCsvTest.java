package dev.surf.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-step CSV against text written out by hand, and what reading refuses. */
class StepCsvTest {
    @TempDir
    Path dir;

    @Test
    void writesNineSignificantDigitsAndNan() throws Exception {
        Path csv = dir.resolve("loss.csv");
        StepCsv.write(csv, "step,a,b", List.of(new StepCsv.Row(1, new double[] {2.5, Double.NaN}),
                new StepCsv.Row(2, new double[] {1e-4, 3}), new StepCsv.Row(3, new double[] {6e-6, -0.125})));
        assertEquals("step,a,b\n1,2.50000000,nan\n2,0.000100000000,3.00000000\n3,6.00000000e-06,-0.125000000\n", Files.readString(csv));
    }

    @Test
    void readsBackUpToTheStep() throws Exception {
        Path csv = dir.resolve("loss.csv");
        Files.writeString(csv, "step,a,b\n1,2.5,nan\n2,0.0001,3\n3,4,5\n");
        List<StepCsv.Row> rows = StepCsv.read(csv, "step,a,b", 2, "surf x");
        assertEquals(2, rows.size());
        assertEquals(1, rows.get(0).step());
        assertEquals(2.5, rows.get(0).value(0));
        assertTrue(Double.isNaN(rows.get(0).value(1)));
        assertArrayEquals(new double[] {1e-4, 3}, rows.get(1).values());
        assertTrue(StepCsv.read(dir.resolve("none.csv"), "step,a,b", 9, "surf x").isEmpty());
    }

    @Test
    void anotherFormatOrAMalformedRowIsOneLineNamingTheFile() throws Exception {
        Path csv = dir.resolve("loss.csv");
        Files.writeString(csv, "step,x\n1,2\n");
        IOException e = assertThrows(IOException.class, () -> StepCsv.read(csv, "step,a,b", 5, "surf x"));
        assertTrue(e.getMessage().contains(csv.toString()) && e.getMessage().contains("surf x"), e.getMessage());
        Files.writeString(csv, "step,a,b\n1,2\n");
        e = assertThrows(IOException.class, () -> StepCsv.read(csv, "step,a,b", 5, "surf x"));
        assertTrue(e.getMessage().contains("malformed") && !e.getMessage().contains("\n"), e.getMessage());
        Files.writeString(csv, "step,a,b\n1,2,zz\n");
        assertThrows(IOException.class, () -> StepCsv.read(csv, "step,a,b", 5, "surf x"));
    }
}
