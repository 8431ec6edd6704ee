package dev.surf.core.fuzz;

import dev.surf.core.testing.TorchZipWriter;
import dev.surf.core.testing.TorchZipWriter.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
/** Writes the seed inputs of the .pth and pickle fuzz targets (run from surf-core with the test class path; docs/reliability.md). */
public final class FuzzSeeds {
    private FuzzSeeds() {
    }

    public static void main(String[] a) throws Exception {
        Path d1 = Path.of(a[0]), d2 = Path.of(a[1]);
        byte[] one = TorchZipWriter.stateDict(List.of(TensorSpec.whole("w", "0", "FloatStorage", 2, 3)));
        byte[] two = TorchZipWriter.stateDict(List.of(TensorSpec.whole("a.weight", "0", "BFloat16Storage", 4),
                new TensorSpec("a.bias", "0", "BFloat16Storage", 4, 2, new long[] {2}, new long[] {1}),
                TensorSpec.whole("b", "1", "HalfStorage", 1, 2)));
        byte[] empty = TorchZipWriter.stateDict(List.of());
        Files.write(d1.resolve("f32-2x3"), TorchZipWriter.checkpoint(one, Map.of("0", TorchZipWriter.f32(1, 2, 3, 4, 5, 6))).bytes());
        Files.write(d1.resolve("shared-storage"), TorchZipWriter.checkpoint(two, Map.of("0", new byte[8], "1", new byte[4])).bytes());
        Files.write(d1.resolve("empty"), TorchZipWriter.checkpoint(empty, Map.of()).bytes());
        TorchZipWriter w = new TorchZipWriter();
        w.deflated("archive/data.pkl", one);
        w.deflated("archive/data/0", TorchZipWriter.f32(1, 2, 3, 4, 5, 6));
        Files.write(d1.resolve("deflated"), w.bytes());
        Files.write(d2.resolve("one-tensor"), one);
        Files.write(d2.resolve("three-tensors"), two);
        Files.write(d2.resolve("empty"), empty);
    }
}
