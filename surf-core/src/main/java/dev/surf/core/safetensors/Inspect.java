package dev.surf.core.safetensors;

import java.util.ArrayList;
import java.util.List;

/** The listing {@code surf inspect PATH} prints for a weight store. */
public final class Inspect {
    private Inspect() {
    }

    /**
     * The lines to print: {@code format: <label>}, {@code files: N, tensors: M, bytes: B}, then one
     * line per tensor in store order, {@code name  dtype  [d0, d1, ...]} with the name and dtype
     * columns padded to a common width. Unsupported dtypes are listed by their stored name.
     */
    public static List<String> describe(WeightStore s) {
        List<String> names = s.names();
        int nameWidth = 0;
        int dtypeWidth = 0;
        long bytes = 0;
        for (String n : names) {
            TensorInfo t = s.info(n);
            nameWidth = Math.max(nameWidth, n.length());
            dtypeWidth = Math.max(dtypeWidth, t.dtypeName().length());
            bytes += t.byteSize();
        }
        List<String> lines = new ArrayList<>(names.size() + 2);
        lines.add("format: " + WeightFormat.detect(names).label());
        lines.add("files: " + s.files().size() + ", tensors: " + names.size() + ", bytes: " + bytes);
        for (String n : names) {
            TensorInfo t = s.info(n);
            lines.add(pad(n, nameWidth) + "  " + pad(t.dtypeName(), dtypeWidth) + "  " + t.shape());
        }
        return lines;
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
